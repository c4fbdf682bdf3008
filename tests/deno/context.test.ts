// withContext/getContext on Deno: the shared scenarios (await, timers, streams, interleaved
// requests, nesting, traceparent).
import * as sluice from "../../mod.ts";
import { contextScenarios } from "../scenarios/context.mjs";

Deno.test("withContext keeps fields across await, timers and streams; interleaved requests stay apart", async () => {
  const records = await contextScenarios(sluice);
  if (records.length !== 20) throw new Error(`expected 20 records, got ${records.length}`);
});
