// Search over the files on Deno: the shared scenario (tests/scenarios/search_files.mjs).
import * as server from "../../server.ts";
import { searchFilesScenario } from "../scenarios/search_files.mjs";

Deno.test("search and histogram over live, rotated and gzipped files; the SIMD scan; cursor", () =>
  searchFilesScenario({ server, dir: Deno.makeTempDirSync() }));
