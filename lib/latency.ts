/**
 * A latency recorder: percentiles over every sample, in fixed memory.
 *
 * @module
 */

/**
 * Latencies in milliseconds.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * const { p50, p99, max } = log.stats().flushLatencyMs;
 * ```
 */
export interface LatencySummary {
  /** Samples recorded. */
  count: number;
  /** Mean. */
  avg: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Largest sample. */
  max: number;
}

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = 512; // 1 µs × 1.05^512 ≈ 70,000 s

/** Records latencies and summarises them: see {@linkcode latencyRecorder}. */
export interface LatencyRecorder {
  /** Adds one sample, in milliseconds. */
  record(ms: number): void;
  /** The summary (zeros when there are no samples). */
  summary(): LatencySummary;
}

/**
 * Counts samples in logarithmic buckets 5% wide from 1 µs up, so percentiles cover every
 * sample since the start with at most 5% error, in 4 KiB. The mean and maximum are exact.
 *
 * @example
 * ```ts
 * import { latencyRecorder } from "./latency.ts";
 * const l = latencyRecorder();
 * l.record(2); l.record(4);
 * l.summary().max; // 4
 * ```
 */
export function latencyRecorder(): LatencyRecorder {
  const buckets = new Float64Array(BUCKETS);
  let count = 0;
  let sum = 0;
  let max = 0;
  return {
    record(ms) {
      const us = ms * 1000;
      buckets[us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH))]++;
      count++;
      sum += ms;
      if (ms > max) max = ms;
    },
    summary() {
      // with no samples the rank is 0 and the first bucket gives min(0, ...): 0
      const at = (q: number) => {
        // every sample is in a bucket: the rank is reached by the last one at the latest
        let i = 0, seen = buckets[0];
        while (seen < Math.ceil(q * count)) seen += buckets[++i];
        return round(Math.min(max, GROWTH ** i / 1000));
      };
      return { count, avg: count && round(sum / count), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(max) };
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
