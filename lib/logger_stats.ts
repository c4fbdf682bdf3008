/**
 * A logger's counters: each sink's, and their sums.
 *
 * @module
 */
import type { SinkStats } from "./channel.ts";
import type { LossReason } from "./errors.ts";
import type { LatencySummary } from "./latency.ts";

/**
 * A logger's counters, summed over its sinks.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * log.info("hello");
 * await log.flush();
 * const { logged, written, dropped, queued } = log.stats(); // 1, 1, {}, 0
 * await log.close();
 * ```
 */
export interface LoggerStats {
  /** Records that passed the level check. */
  logged: number;
  /** Records written, counted once per sink that wrote them (a record sent to two sinks counts twice); `sinks` has each sink's own. */
  written: number;
  /** Records not written, by reason, summed over sinks. */
  dropped: Partial<Record<LossReason, number>>;
  /** Records waiting, summed over sinks. */
  queued: number;
  /** Batch write latency: the worst of each figure among the sinks. */
  flushLatencyMs: LatencySummary;
  /** Each sink's own counters. */
  sinks: SinkStats[];
}

/**
 * The logger's counters from each sink's: written, dropped and queued summed, latency the worst
 * of each figure.
 *
 * @param logged Records that passed the level check.
 * @param sinks Each sink's counters.
 * @returns The sums, with `sinks` as given.
 * @example
 * ```ts
 * import { sumStats } from "./logger_stats.ts";
 * sumStats(0, []).written; // 0
 * ```
 */
export function sumStats(logged: number, sinks: SinkStats[]): LoggerStats {
  const dropped: Partial<Record<LossReason, number>> = {};
  for (const s of sinks) {
    for (const [k, n] of Object.entries(s.dropped)) dropped[k as LossReason] = (dropped[k as LossReason] ?? 0) + n;
  }
  const lat = sinks.map((s) => s.flushLatencyMs);
  const worst = (pick: (l: LatencySummary) => number) => Math.max(0, ...lat.map(pick));
  return {
    logged,
    written: sinks.reduce((n, s) => n + s.written, 0),
    dropped,
    queued: sinks.reduce((n, s) => n + s.queued, 0),
    flushLatencyMs: {
      count: lat.reduce((n, l) => n + l.count, 0),
      avg: worst((l) => l.avg),
      p50: worst((l) => l.p50),
      p95: worst((l) => l.p95),
      p99: worst((l) => l.p99),
      max: worst((l) => l.max),
    },
    sinks,
  };
}
