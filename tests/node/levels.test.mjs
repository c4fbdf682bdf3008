// Levels per category on Node, from the built package (dist/mod.js): the shared scenarios, and
// SLUICE_LEVEL read from a child process's environment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as sluice from "../../dist/mod.js";
import { envScript, expectedLevels, levelScenarios } from "../scenarios/levels.mjs";

test("levels, children, setLevels and a malformed spec", () => {
  assert.deepEqual(levelScenarios(sluice), expectedLevels);
});

test("SLUICE_LEVEL is read when the code sets no level; a malformed one stops the start with its part named", () => {
  const script = envScript(new URL("../../dist/mod.js", import.meta.url).pathname);
  const run = (value) => spawnSync(process.execPath, [script], { encoding: "utf8", env: { ...process.env, SLUICE_LEVEL: value } });
  assert.equal(run("error,db=trace").stdout.trim(), "error trace");
  assert.equal(run("").stdout.trim(), "info info");
  const bad = run("db:debug=on");
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /sluice: SLUICE_LEVEL "db:debug=on", part "db:debug=on": unknown level "on"/);
});
