// sample: a fraction kept (10% ± 2% of 10,000), whole traces by a hash of their id, every record
// at keep and above, untraced records by a counter; what stats() counts.
import { describe, expect, test } from "bun:test";
import { createLogger, recordFields, sample } from "../mod.ts";
import { memory, rec } from "./helpers/volume.ts";

describe("sample", () => {
  const traceId = (i: number) => (i * 2654435761 >>> 0).toString(16).padStart(8, "0") + "a3ce929d0e0e4736a3ce9290";

  test("keeps 10% ± 2% of 10,000 traced records, exactly 10% of untraced ones, and every warning", () => {
    const stage = sample({ rate: 0.1 });
    const traced = stage.transform(Array.from({ length: 10_000 }, (_, i) => rec("info", "req", `,"trace_id":"${traceId(i)}"`)));
    expect(traced.length).toBeGreaterThanOrEqual(800);
    expect(traced.length).toBeLessThanOrEqual(1200);
    const plain = stage.transform(Array.from({ length: 10_000 }, () => rec("debug", "tick")));
    expect(plain.length).toBe(1000);
    const loud = stage.transform(Array.from({ length: 500 }, (_, i) => rec(i % 2 ? "warn" : "fatal", "bad", `,"trace_id":"${traceId(i)}"`)));
    expect(loud.length).toBe(500);
    expect(stage.stats()).toEqual({ stage: "sample", kept: traced.length + 1000 + 500, sampledOut: 20_500 - traced.length - 1500 });
  });

  test("keeps or drops a trace's records together, the same way in two processes' stages", () => {
    const batch = Array.from({ length: 5000 }, (_, i) => rec("info", `step ${i % 5}`, `,"trace_id":"${traceId(Math.floor(i / 5))}"`));
    const a = sample({ rate: 0.25, by: "trace_id" }).transform(batch);
    const b = sample({ rate: 0.25 }).transform([...batch].reverse());
    const count = new Map<string, number>();
    for (const r of a) count.set(recordFields(r).trace_id as string, (count.get(recordFields(r).trace_id as string) ?? 0) + 1);
    expect([...count.values()].every((n) => n === 5)).toBe(true);
    expect(new Set(b.map((r) => recordFields(r).trace_id))).toEqual(new Set(count.keys()));
  });

  test("by another field, keep another level; a nested field of that name is not the record's", () => {
    const stage = sample({ rate: 0.5, by: "user", keep: "error" });
    const out = stage.transform([
      ...Array.from({ length: 100 }, () => rec("warn", "w", ',"user":"ann"')),
      ...Array.from({ length: 100 }, () => rec("warn", "w", ',"user":"bob"')),
      ...Array.from({ length: 10 }, () => rec("warn", "nested", ',"req":{"user":"ann"}')),
    ]);
    const users = out.filter((r) => r.msg === "w").map((r) => recordFields(r).user);
    expect(users.length === 0 || users.length === 100 || users.length === 200).toBe(true);
    expect(out.filter((r) => r.msg === "nested").length).toBe(5); // no top-level user: the counter
    expect(() => sample({ rate: 1.5 })).toThrow(/rate must be a number from 0 to 1/);
    // the text of a number (from an environment variable) would add up as text: refused
    expect(() => sample({ rate: "0.1" as unknown as number })).toThrow(/rate must be a number from 0 to 1, got "0.1"/);
  });

  test("in a logger's path: stats show what was sampled out", async () => {
    const { lines, sink } = memory([sample({ rate: 0.5 })]);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 100; i++) log.info("row", { i });
    log.warn("kept");
    await log.close();
    expect(lines.length).toBe(51);
    expect(log.stats().sinks[0].stages).toEqual([{ stage: "sample", kept: 51, sampledOut: 50 }]);
  });
});
