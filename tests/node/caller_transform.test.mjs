// sluice/caller's transform on Node, from the built package: transformed code names exact
// lines without a stack capture; other receivers, throws and untransformed calls unaffected.
import { test } from "node:test";
import * as sluice from "../../dist/mod.js";
import { callerTransform } from "../../dist/caller.js";
import { callerTransformScenario } from "../scenarios/caller_transform.mjs";

test("transformed code names exact lines without a stack capture; nothing else changes", async () => {
  await callerTransformScenario(sluice, callerTransform);
});
