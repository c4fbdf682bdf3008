// caller: true on Node, from the built package: each record names the file and line of its log call.
import { test } from "node:test";
import * as sluice from "../../dist/mod.js";
import { callerScenario } from "../scenarios/caller.mjs";

test("caller: true names the file and line of each log call", async () => {
  await callerScenario(sluice);
});
