// caller: true on Deno: each record names the file and line of its log call.
import * as sluice from "../../mod.ts";
import { callerScenario } from "../scenarios/caller.mjs";

Deno.test("caller: true names the file and line of each log call", async () => {
  await callerScenario(sluice);
});
