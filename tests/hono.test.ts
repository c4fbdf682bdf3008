// sluice/hono on Bun: the shared scenario (tests/scenarios/hono.mjs); Deno, Node and workerd run
// it too (tests/deno/hono.test.ts, tests/node/hono.test.mjs, tests/edge/).
import { expect, test } from "bun:test";
import { Hono } from "hono";
import { createLogger, streamSink } from "../mod.ts";
import { sluiceLogger } from "../hono.ts";
import { honoScenario } from "./scenarios/hono.mjs";

test("c.var.log with a request id, one line per request, errors with stacks, streamed bytes, trace ids", async () => {
  const records = await honoScenario({ Hono, createLogger, streamSink, sluiceLogger });
  expect(records.length).toBe(8);
});
