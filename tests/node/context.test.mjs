// withContext/getContext on Node, from the built package (dist/mod.js): the shared scenarios
// (await, timers, streams, interleaved requests, nesting, traceparent).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sluice from "../../dist/mod.js";
import { contextScenarios } from "../scenarios/context.mjs";

test("withContext keeps fields across await, timers and streams; interleaved requests stay apart", async () => {
  assert.equal((await contextScenarios(sluice)).length, 20);
});
