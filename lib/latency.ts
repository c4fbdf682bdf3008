/**
 * A small latency recorder with percentiles over recent samples.
 *
 * @module
 */

/** Percentiles of recent latencies, in milliseconds. */
export interface LatencySummary {
  /** Samples recorded since the start. */
  count: number;
  /** Median of the recent samples. */
  p50: number;
  /** 99th percentile of the recent samples. */
  p99: number;
  /** Largest sample since the start. */
  max: number;
}

const WINDOW = 1024;

/**
 * Keeps the last 1,024 samples and the all-time maximum.
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
  #samples = new Float64Array(WINDOW);
  #count = 0;
  #max = 0;

  /** Adds one sample. */
  record(ms: number): void {
    this.#samples[this.#count % WINDOW] = ms;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  /** Percentiles of the recent samples (zeros when there are none). */
  summary(): LatencySummary {
    const n = Math.min(this.#count, WINDOW);
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number) => (n === 0 ? 0 : round(sorted[Math.min(n - 1, Math.floor(q * n))]));
    return { count: this.#count, p50: at(0.5), p99: at(0.99), max: round(this.#max) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
