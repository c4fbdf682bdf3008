// sluice/caller's transform on Deno: transformed code names exact lines without a stack
// capture (Deno has no loader plugins: its apps bundle with callerPlugin or keep the stack).
import * as sluice from "../../mod.ts";
import { callerTransform } from "../../caller.ts";
import { callerTransformScenario } from "../scenarios/caller_transform.mjs";

Deno.test("transformed code names exact lines without a stack capture; nothing else changes", async () => {
  await callerTransformScenario(sluice, callerTransform);
});
