// An onError that logs, beside a sink whose every write fails (a full disk): what it logs while
// a drain writes waits for the next one, so a blocking log call returns and the exit drain ends
// (on Bun, Deno and Node); every record is written or counted.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createLogger, type LogRecord, type Sink } from "../mod.ts";
import { fixtureRuntimes } from "./helpers/fixture_runtimes.ts";


function failingSink(): Sink<string> & { attempts: number } {
  const sink = {
    attempts: 0,
    name: "disk-full", sync: true as const, defaultOnFull: "block" as const,
    encode: (records: readonly LogRecord[]) => records.map((r) => r.json).join("\n"),
    write: () => {
      sink.attempts++;
      throw new Error("ENOSPC: no space left on device");
    },
    close: () => {},
  };
  return sink;
}

describe("an onError that logs, beside a sink that keeps failing", () => {
  test("with onFull block, each log call returns, and the records are counted lost", () => {
    const sink = failingSink();
    let reports = 0;
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 10, exitHooks: false, onError: (err) => {
      reports++;
      if (reports < 10_000) log.error("logging failed", { err: err.message });
    } });
    for (let i = 0; i < 11; i++) log.info("record " + i);
    const stats = log.stats().sinks[0];
    // each drain writes what was queued when it began: a handful of writes, not one per report
    expect(reports).toBeLessThan(100);
    expect(sink.attempts).toBeLessThan(100);
    expect(stats.written + (stats.dropped["sink-error"] ?? 0) + stats.queued).toBe(log.stats().logged);
  });

  test("records logged after close, and a run of queue-full drops, are reported once each, even to an onError that logs: all are counted", async () => {
    let reports = 0;
    const lines: string[] = [];
    const slow: Sink<string[]> = {
      name: "slow", sync: false, defaultOnFull: "drop-newest",
      encode: (records) => records.map((r) => r.json),
      write: (chunk) => new Promise((r) => setTimeout(() => r(void lines.push(...chunk)), 5)),
      close() {},
    };
    const log = createLogger({ sinks: [slow], maxQueuedRecords: 10, exitHooks: false, onError: (err) => {
      reports++;
      log.warn("logging failed", { err: err.message });
    } });
    for (let i = 0; i < 100; i++) log.info("r" + i);
    expect(reports).toBe(1); // the run of queue-full drops
    await log.close();
    for (let i = 0; i < 1000; i++) log.info("late " + i);
    expect(reports).toBe(2); // and the records after close
    const s = log.stats().sinks[0];
    expect(s.dropped.closed).toBe(1001); // the thousand, and what the report logged
    expect(s.written + (s.dropped["queue-full"] ?? 0) + s.dropped.closed).toBe(log.stats().logged);
  });

  const runtimes = fixtureRuntimes("tests/fixtures/failing_sink_exit.mjs");
  for (const [name, [cmd, ...args], mod] of runtimes) {
    test(`${name}: the process ends: the exit drain writes what was queued when it began`, () => {
      const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, MOD: mod }, timeout: 20_000, killSignal: "SIGKILL" });
      expect(r.signal, "the process had to be killed").toBeNull();
      const reports = JSON.parse(r.stdout.trim().split("\n").at(-1)!).reports;
      expect(reports).toBeGreaterThan(0);
      expect(reports).toBeLessThan(100);
    });
  }
});
