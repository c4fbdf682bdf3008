import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { errorMessage, HttpSendError, toError } from "../lib/errors.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { retryDelay, SINK_WRITE_RETRY } from "../lib/retry.ts";

describe("one retry policy", () => {
  test("backoff doubles from the base up to the cap; the sink policy is 10 ms to 1 s and never gives up", () => {
    expect([1, 2, 3, 7, 8, 50].map((n) => retryDelay(SINK_WRITE_RETRY, n))).toEqual([10, 20, 40, 640, 1000, 1000]);
    expect(SINK_WRITE_RETRY.maxAttempts).toBe(Infinity);
  });

  test("full jitter stays within [0, backoff]; Retry-After is waited at least, with the backoff, and never past the cap (seeded)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5000 }), fc.nat(100_000), (n, base, after) => {
      const policy = { maxAttempts: 8, baseDelayMs: base, maxDelayMs: 30_000, jitter: true };
      const backoff = Math.min(30_000, base * 2 ** (n - 1));
      const wait = retryDelay(policy, n);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(backoff);
      const told = retryDelay(policy, n, after);
      expect(told).toBeGreaterThanOrEqual(Math.min(30_000, after));
      expect(told).toBeLessThanOrEqual(Math.max(backoff, Math.min(30_000, after)));
      // without jitter: the larger of the two
      expect(retryDelay({ ...policy, jitter: false }, n, after)).toBe(Math.min(30_000, Math.max(backoff, after)));
    }), { seed: 10, numRuns: 300 });
    // a Retry-After: 0 on every answer does not spend the attempts back to back
    expect(retryDelay({ maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 30_000, jitter: false }, 3, 0)).toBe(400);
  });
});

describe("errors", () => {
  test("toError and errorMessage take anything thrown", () => {
    const e = new Error("x");
    expect(toError(e)).toBe(e);
    expect(toError("disk full")).toBeInstanceOf(Error);
    expect(toError("disk full").message).toBe("disk full");
    expect([errorMessage(e), errorMessage(42), errorMessage(null), errorMessage(undefined)]).toEqual(["x", "42", "null", "undefined"]);
  });

  test("httpSink's refusals and give-ups are HttpSendError with status, target and records", async () => {
    const answers = [413, 503];
    const fetch = (async () => new Response("no", { status: answers.shift() ?? 503 })) as typeof globalThis.fetch;
    const sink = httpSink("http://127.0.0.1:1/ingest", { fetch, gzip: false, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const batch = sink.encode([{ time: 1, level: "info", msg: "a" } as never]);
    const refused = await Promise.resolve(sink.write(batch)).catch((e) => e);
    expect(refused).toBeInstanceOf(HttpSendError);
    expect([refused.kind, refused.status, refused.records, refused.target]).toEqual(["refused", 413, 1, "http://127.0.0.1:1/ingest"]);
    const gaveUp = await Promise.resolve(sink.write(sink.encode([{ time: 1, level: "info", msg: "b" } as never]))).catch((e) => e);
    expect([gaveUp.kind, gaveUp.status]).toEqual(["gave-up", 503]);
    expect(gaveUp.message).toContain("after 2 attempts");
  });
});
