// sluice/testing in node:test, from the built package (dist/testing.js): a test file using
// createTestLogger, run by `node --test` in a child process; the passing test passes, the failing
// assertion fails its test with the closest record, and nothing keeps the process alive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { failureLines, runnerFixture } from "../scenarios/testing.mjs";
import { createTestLogger } from "../../dist/testing.js";

test("node:test counts a failed assertion as a failed test and prints its message", () => {
  const file = runnerFixture({
    testing: new URL("../../dist/testing.js", import.meta.url).pathname,
    mod: new URL("../../dist/mod.js", import.meta.url).pathname,
    header: 'import { test } from "node:test";',
    ext: "mjs",
  });
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the child is a runner of its own, not a subtest of this one
  const r = spawnSync(process.execPath, ["--test", file], { encoding: "utf8", timeout: 60_000, env });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 1, out);
  assert.match(out, /# pass 1\n# fail 1/);
  for (const line of failureLines) assert.ok(out.includes(line), `missing ${line} in:\n${out}`);
});

test("the built entry: records, redaction, and an assertion's Error", () => {
  const log = createTestLogger({ redact: ["token"] });
  log.child({}, { category: "auth" }).info("signed in", { token: "s3cret" });
  assert.equal(log.assertLogged({ category: "auth", fields: { token: "[Redacted]" } }).msg, "signed in");
  assert.throws(() => log.assertLogged({ level: "error" }), (err) => err instanceof Error && err.message.startsWith('sluice/testing: no record matches { level: "error" }'));
});
