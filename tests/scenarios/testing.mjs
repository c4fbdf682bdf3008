// sluice/testing in each test runner: a test file that uses createTestLogger, run by the
// runtime's own runner in a child process. One test passes (records, levels, redaction, a child,
// withContext), one fails on purpose: the runner must count it failed and print the assertion's
// message with the closest record.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Writes the test file for a runner. `testing` and `mod` are the paths of `sluice/testing` and
 * `sluice` for that runtime; `header` imports the runner's `test` function.
 */
export function runnerFixture({ testing, mod, header, ext }) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-testing-runner-"));
  const file = join(dir, `runner.test.${ext}`);
  writeFileSync(file, `${header}
import { createTestLogger } from ${JSON.stringify(testing)};
import { withContext } from ${JSON.stringify(mod)};

test("passes: records as production writes them", () => {
  const log = createTestLogger({ levels: "info,db=debug", redact: ["password"] });
  const db = log.child({ pool: 1 }, { category: "db" });
  withContext({ reqId: "r7" }, () => db.debug("query", { sql: "select 1", password: "pw" }));
  log.debug("not kept");
  log.assertLogged({ level: "debug", category: "db", msg: "query", fields: { pool: 1, reqId: "r7", password: "[Redacted]" } });
  log.assertNotLogged({ msg: "not kept" });
  if (log.records.length !== 1) throw new Error("expected one record, got " + log.records.length);
});

test("fails: no such record", () => {
  const log = createTestLogger();
  log.warn("upstream timeout", { status: 504 });
  log.assertLogged({ level: "warn", msg: /timeout/, fields: { status: 503 } });
});
`);
  return file;
}

/** What the runner's output must contain: the message and the closest record with its difference. */
export const failureLines = [
  'sluice/testing: no record matches { level: "warn", msg: /timeout/, fields: {"status":503} }',
  '{"level":"warn","msg":"upstream timeout","status":504}',
  "fields.status is 504, not 503",
];
