// Search over the files on Node, from the built package: the shared scenario (tests/scenarios/search_files.mjs).
import { test } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as server from "../../dist/server.js";
import { searchFilesScenario } from "../scenarios/search_files.mjs";

test("search and histogram over live, rotated and gzipped files; the SIMD scan; cursor", () =>
  searchFilesScenario({ server, dir: mkdtempSync(join(tmpdir(), "sluice-node-search-")) }));
