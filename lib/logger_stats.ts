/**
 * A logger's counters: each sink's, and their sums.
 *
 * @module
 */
import type { SinkStats } from "./channel.ts";
import type { LossReason } from "./errors.ts";
import { latencyRecorder, type LatencySummary } from "./latency.ts";

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
  const lat = latencyRecorder().summary(); // all zeros
  const total = { logged, written: 0, dropped, queued: 0, flushLatencyMs: lat, sinks };
  for (const s of sinks) {
    total.written += s.written;
    total.queued += s.queued;
    for (const k in s.dropped) dropped[k as LossReason] = (dropped[k as LossReason] ?? 0) + s.dropped[k as LossReason]!;
    // the count adds up, the rest is the worst sink's
    for (const key of Object.keys(lat) as (keyof LatencySummary)[]) {
      lat[key] = key === "count" ? lat[key] + s.flushLatencyMs[key] : Math.max(lat[key], s.flushLatencyMs[key]);
    }
  }
  return total;
}
