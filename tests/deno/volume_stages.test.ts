// The volume stages on Deno: fingersCrossed with Deno's AsyncLocalStorage, throttle, sample
// (tests/scenarios/volume.mjs).
import * as sluice from "../../mod.ts";
import { volumeScenario } from "../scenarios/volume.mjs";

Deno.test("fingersCrossed keeps concurrent requests apart; throttle passes exactly max; sample keeps 10% ± 2%", async () => {
  await volumeScenario(sluice);
});
