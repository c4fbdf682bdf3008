// The check that lets a line in sluice's own form be kept as sent (lib/format/own_form.ts): what
// passes, what is refused, and that what it remembers from one line never passes another line
// it does not describe (a line whose first "time" differs from the one JSON.parse takes).
import { expect, test } from "bun:test";
import { ownFormCheck } from "../lib/format/own_form.ts";

const T1 = "2026-01-02T03:04:05.006Z", T2 = "2026-01-02T03:04:05.007Z";
const run = (check: ReturnType<typeof ownFormCheck>, line: string) => check(line, JSON.parse(line));

test("a line as sluice writes it passes, with where its fields start; anything else is -1", () => {
  const check = ownFormCheck();
  const line = `{"time":"${T1}","level":"info","category":"db","msg":"a \\"q\\"","n":1}`;
  expect(run(check, line)).toBe(line.indexOf(',"n"'));
  expect(check.ms).toBe(Date.parse(T1));
  for (
    const bad of [
      `{"time":"2026-01-02T03:04:05Z","level":"info","msg":"a"}`, // a time not in its own round-trip form
      `{"time":"${T1}","level":"info","msg":"\\u0061"}`, // an escape sluice does not write
      `{"time":"${T1}","level":"info","msg":"a","msg":"b"}`, // a second msg, which JSON.parse takes
      `{"time":"${T1}","level":"info","msg":"a"} `, // after the closing brace
      `{"time":"${T1}","level":"loud","msg":"a"}`, // no level
      `{"time":"${T1}","msg":"a","level":"info"}`, // members out of order
      `{"time":"${T1}","level":"info","msg":"a",\r"n":1}`, // a \r between members
    ]
  ) expect(run(check, bad), bad).toBe(-1);
});

test("crFree: a body without \\r skips the per-line look for one, and gives the same answers", () => {
  const line = `{"time":"${T1}","level":"warn","msg":"x","n":2}`;
  expect(run(ownFormCheck(true), line)).toBe(run(ownFormCheck(), line));
});

test("what a line left behind never passes a line it does not describe", () => {
  const check = ownFormCheck();
  expect(run(check, `{"time":"${T1}","level":"info","msg":"m"}`)).toBeGreaterThan(0);
  // a new time that checks, then a level that does not: nothing of the first line's head may stay
  expect(run(check, `{"time":"${T2}","level":"loud","msg":"m"}`)).toBe(-1);
  // its text starts as the first line did, but JSON.parse takes the later "time" (T2)
  expect(run(check, `{"time":"${T1}","level":"info","msg":"m","time":"${T2}"}`)).toBe(-1);
  expect(run(check, `{"time":"${T2}","level":"info","msg":"m"}`)).toBeGreaterThan(0);
});
