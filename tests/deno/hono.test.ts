// sluice/hono on Deno: the shared scenario (tests/scenarios/hono.mjs).
import { Hono } from "hono";
import { createLogger, streamSink } from "../../mod.ts";
import { sluiceLogger } from "../../hono.ts";
import { honoScenario } from "../scenarios/hono.mjs";

Deno.test("c.var.log with a request id, one line per request, errors with stacks, streamed bytes, trace ids", async () => {
  const records = await honoScenario({ Hono, createLogger, streamSink, sluiceLogger });
  if (records.length !== 8) throw new Error(`expected 8 records, got ${records.length}`);
});
