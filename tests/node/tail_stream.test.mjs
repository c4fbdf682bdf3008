// /api/tail on node:http (the collector's fetch bridge): the shared scenario (tests/scenarios/tail_stream.mjs).
import { test } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../dist/server.js";
import { tailStreamScenario } from "../scenarios/tail_stream.mjs";

test("/api/tail: first comment at once, records, Last-Event-ID, a leaving client freed, close() not held", () =>
  tailStreamScenario({ serve, dir: mkdtempSync(join(tmpdir(), "sluice-node-tail-")) }));
