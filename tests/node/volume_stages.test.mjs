// The volume stages on Node, from the built package: fingersCrossed with Node's
// AsyncLocalStorage, throttle, sample (tests/scenarios/volume.mjs).
import { test } from "node:test";
import * as sluice from "../../dist/mod.js";
import { volumeScenario } from "../scenarios/volume.mjs";

test("fingersCrossed keeps concurrent requests apart; throttle passes exactly max; sample keeps 10% ± 2%", async () => {
  await volumeScenario(sluice);
});
