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

/**
 * Counts samples in logarithmic buckets 5% wide from 1 µs up, so percentiles cover every
 * sample since the start with at most 5% error, in 4 KiB. The mean and maximum are exact.
 *
 * @example
 * ```ts
 * import { LatencyRecorder } from "./latency.ts";
 * const l = new LatencyRecorder();
 * l.record(2); l.record(4);
 * l.summary().max; // 4
 * ```
 */
export class LatencyRecorder {
  #buckets = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #max = 0;

  /** Adds one sample, in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.#buckets[i]++;
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** The summary (zeros when there are no samples). */
  summary(): LatencySummary {
    const n = this.#count;
    const max = this.#max;
    // with no samples the rank is 0 and the first bucket gives min(0, ...): 0
    const at = (q: number) => {
      let seen = 0;
      for (let i = 0; i < BUCKETS; i++) if ((seen += this.#buckets[i]) >= Math.ceil(q * n)) return round(Math.min(max, GROWTH ** i / 1000));
      return round(max);
    };
    return { count: n, avg: n && round(this.#sum / n), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(max) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
