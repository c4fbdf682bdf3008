/**
 * The load generator behind `sluice load`: the seed's multi-event test, in one process.
 *
 * @module
 */
import { latencyRecorder, type LatencySummary } from "../../lib/latency.ts";
import type { Logger } from "../../lib/logger.ts";
import type { LossReason } from "../../lib/errors.ts";

/** What to run. */
export interface LoadOptions {
  /** Records per second per event; events at 0 start no producer. */
  events: Map<string, number>;
  /** How long to produce, in ms. */
  durationMs: number;
  /** Producers, shared among the events in proportion to their rates (at least one per active event). */
  concurrency: number;
  /** The logger to drive; each event logs through a child with the event as its category. */
  logger: Logger;
  /** Peak resident memory probe, in bytes (from the runtime). */
  rss?: () => number;
  /**
   * Producer tick.
   * @default 10
   */
  tickMs?: number;
  /**
   * How often the run calls `log.flush()` (and times it), as a service flushing periodically
   * would.
   * @default 100
   */
  flushEveryMs?: number;
}

/** What a run measured. */
export interface LoadReport {
  /** Each event's rate and records logged. */
  events: Record<string, { rate: number; records: number }>;
  /** How long producers ran, in seconds. */
  durationS: number;
  /** Records logged in all. */
  records: number;
  /** Records written by the sinks. */
  written: number;
  /** Records written per second of the run (until the final flush resolved). */
  recordsPerSec: number;
  /** How long each periodic `log.flush()` took: everything logged so far handed to the OS (or to the collector's 2xx). */
  flushLatencyMs: LatencySummary;
  /** How long each batch took to hand to its sink. */
  writeLatencyMs: LatencySummary;
  /** Records not written, by reason. */
  dropped: Partial<Record<LossReason, number>>;
  /** Errors reported to the logger's onError during the run. */
  errors: number;
  /** Peak resident memory, MB (when a probe was given). */
  peakRssMb?: number;
}

/**
 * Runs producers for each event at its rate for the duration, then flushes and reports.
 * Producers are timers, so the loop is bounded by the duration; a rate the machine cannot
 * keep shows as fewer records than asked, never as a longer run.
 *
 * @param options What to run.
 * @param errorCount Reads how many errors were reported so far.
 * @returns The report.
 * @example
 * ```ts
 * import { runLoad } from "./run_load.ts";
 * const report = await runLoad({ events: new Map([["a", 350]]), durationMs: 5000, concurrency: 4, logger: log }, () => 0);
 * ```
 */
export async function runLoad(options: LoadOptions, errorCount: () => number): Promise<LoadReport> {
  const { events, durationMs, logger } = options;
  const tickMs = options.tickMs ?? 10;
  const active = [...events].filter(([, rate]) => rate > 0);
  const totalRate = active.reduce((n, [, r]) => n + r, 0);
  const counts = new Map([...events.keys()].map((e) => [e, 0]));
  let peak = options.rss?.() ?? 0;
  const producers: Promise<void>[] = [];
  const started = performance.now();
  const end = started + durationMs;
  for (const [event, rate] of active) {
    const share = Math.max(1, Math.round((options.concurrency * rate) / totalRate));
    const child = logger.child({ event }, { category: event });
    for (let p = 0; p < share; p++) {
      producers.push(produce(child, rate / share, started, end, tickMs).then((n) => void counts.set(event, counts.get(event)! + n)));
    }
  }
  const sampler = setInterval(() => (peak = Math.max(peak, options.rss?.() ?? 0)), 100);
  const flushes = latencyRecorder();
  let running = true;
  const flusher = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, options.flushEveryMs ?? 100));
      const t = performance.now();
      await logger.flush();
      flushes.record(performance.now() - t);
    }
  })();
  await Promise.all(producers);
  running = false;
  await flusher;
  await logger.flush();
  clearInterval(sampler);
  const elapsed = (performance.now() - started) / 1000;
  peak = Math.max(peak, options.rss?.() ?? 0);
  const stats = logger.stats();
  const records = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    events: Object.fromEntries([...events].map(([e, rate]) => [e, { rate, records: counts.get(e)! }])),
    durationS: Math.round(elapsed * 100) / 100,
    records,
    written: stats.written,
    recordsPerSec: Math.round(stats.written / elapsed),
    flushLatencyMs: flushes.summary(),
    writeLatencyMs: stats.flushLatencyMs,
    dropped: stats.dropped,
    errors: errorCount(),
    ...(options.rss ? { peakRssMb: Math.round(peak / 1048576) } : {}),
  };
}

/** Logs at `rate` records per second until `end`; returns how many it logged. */
async function produce(log: Logger, rate: number, started: number, end: number, tickMs: number): Promise<number> {
  let sent = 0;
  for (;;) {
    const now = performance.now();
    const due = Math.floor(((Math.min(now, end) - started) / 1000) * rate);
    for (; sent < due; sent++) log.info("load record", { seq: sent, user: "alice", route: "/api/items" });
    if (now >= end) return sent;
    await new Promise((r) => setTimeout(r, tickMs));
  }
}
