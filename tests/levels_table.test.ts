import { expect, test } from "bun:test";
import { createLogger, LEVEL_NAMES, streamSink } from "../mod.ts";
import { LEVEL_VALUES, levelOfSeverity, levelValue } from "../lib/levels.ts";

test("the levels table: increasing values, levelValue reads it, OTel severities map four to a level", () => {
  const values = LEVEL_NAMES.map((n) => LEVEL_VALUES[n]);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  for (const n of LEVEL_NAMES) expect(levelValue(n)).toBe(LEVEL_VALUES[n]);
  expect([0, 1, 4, 5, 9, 13, 17, 21, 24, 25].map(levelOfSeverity))
    .toEqual([undefined, "trace", "trace", "debug", "info", "warn", "error", "fatal", "fatal", undefined]);
});

test("each level's method writes at that level exactly when the threshold allows it", async () => {
  for (const threshold of LEVEL_NAMES) {
    const lines: string[] = [];
    const text = new TextDecoder();
    const log = createLogger({ level: threshold, sinks: [streamSink(new WritableStream({ write: (c) => void lines.push(text.decode(c)) }))] });
    for (const n of LEVEL_NAMES) log[n](n);
    await log.close();
    const got = lines.join("").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l).level);
    expect(got).toEqual(LEVEL_NAMES.filter((n) => LEVEL_VALUES[n] >= LEVEL_VALUES[threshold]));
  }
});
