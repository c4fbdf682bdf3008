// The latency recorder's percentiles.
import { expect, test } from "bun:test";
import { latencyRecorder } from "../lib/latency.ts";

test("percentiles over every sample are within 5%, mean and max exact", () => {
  const l = latencyRecorder();
  for (let i = 1; i <= 10000; i++) l.record(i / 100); // 0.01 .. 100 ms, uniform
  const s = l.summary();
  expect(s.count).toBe(10000);
  expect(s.max).toBe(100);
  expect(s.avg).toBeCloseTo(50.005, 2);
  for (const [got, want] of [[s.p50, 50], [s.p95, 95], [s.p99, 99]]) {
    expect(Math.abs(got - want) / want).toBeLessThanOrEqual(0.05);
  }
});

test("an empty recorder reports zeros", () => {
  expect(latencyRecorder().summary()).toEqual({ count: 0, avg: 0, p50: 0, p95: 0, p99: 0, max: 0 });
});
