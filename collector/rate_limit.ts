/**
 * Per-producer rate limits.
 *
 * @module
 */

/**
 * A token bucket per key: `ratePerSec` records a second on average, bursts up to `burst`.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./rate_limit.ts";
 * const limits = new RateLimiter(10_000, 50_000);
 * const wait = limits.take("edge-1", 1000); // 0 when allowed, else seconds to wait
 * ```
 */
export class RateLimiter {
  /** Average records a second. */
  readonly rate: number;
  /** The most records at once. */
  readonly burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** @param ratePerSec Average records a second. @param burst The most records at once. */
  constructor(ratePerSec: number, burst: number) {
    if (!(ratePerSec > 0) || !(burst > 0)) throw new RangeError("sluice: rate limits must be positive");
    this.rate = ratePerSec;
    this.burst = burst;
  }

  /**
   * Takes `n` records from `key`'s bucket. A batch larger than the burst can never fit, so it is
   * admitted when the bucket is full and leaves it in debt: the token then waits until the
   * excess is paid back at the rate. So every batch is eventually admitted, and the average
   * rate still holds.
   *
   * @returns 0 when allowed (and taken), else the whole seconds until the bucket holds enough
   *   (`min(n, burst)` records).
   */
  take(key: string, n: number, now = Date.now()): number {
    let b = this.#buckets.get(key);
    if (b === undefined) this.#buckets.set(key, (b = { tokens: this.burst, at: now }));
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens >= Math.min(n, this.burst)) {
      b.tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil((Math.min(n, this.burst) - b.tokens) / this.rate));
  }
}
