// /api/tail on Deno.serve: the shared scenario (tests/scenarios/tail_stream.mjs).
import { serve } from "../../server.ts";
import { tailStreamScenario } from "../scenarios/tail_stream.mjs";

Deno.test({
  name: "/api/tail: first comment at once, records, Last-Event-ID, a leaving client freed, close() not held",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => tailStreamScenario({ serve, dir: Deno.makeTempDirSync() }),
});
