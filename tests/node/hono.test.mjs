// sluice/hono on Node, from the built package (dist/hono.js): the shared scenario.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { createLogger, streamSink } from "../../dist/mod.js";
import { sluiceLogger } from "../../dist/hono.js";
import { honoScenario } from "../scenarios/hono.mjs";

test("c.var.log with a request id, one line per request, errors with stacks, streamed bytes, trace ids", async () => {
  assert.equal((await honoScenario({ Hono, createLogger, streamSink, sluiceLogger })).length, 8);
});
