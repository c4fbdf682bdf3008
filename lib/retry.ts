/**
 * The one retry policy: how long to wait before the next attempt (exponential backoff, capped,
 * optionally with full jitter, honouring a server's `Retry-After`) and when to give up. The
 * channel's write and flush retries, the category sink's rewrite of its buffers and httpSink's
 * sends and the alert sinks' sends all use it.
 *
 * @module
 */

/**
 * How a retrying part waits and when it gives up.
 *
 * @example
 * ```ts
 * import type { RetryPolicy } from "./retry.ts";
 * const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 5000, jitter: true };
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; `Infinity` never gives up. */
  maxAttempts: number;
  /** The wait after the first failure; it doubles after each further one. */
  baseDelayMs: number;
  /** No wait is longer, a `Retry-After` included. */
  maxDelayMs: number;
  /** Full jitter: wait a uniformly random time up to the backoff, so many senders spread out. */
  jitter: boolean;
}

/**
 * The policy of a sink's writes and flushes (the channel's and the category sink's): 10 ms
 * doubling to 1 s, no jitter (one writer per sink), never giving up while the logger is open.
 *
 * @example
 * ```ts
 * import { retryDelay, SINK_WRITE_RETRY } from "./retry.ts";
 * retryDelay(SINK_WRITE_RETRY, 1); // 10
 * ```
 */
export const SINK_WRITE_RETRY: Readonly<RetryPolicy> = {
  maxAttempts: Infinity,
  baseDelayMs: 10,
  maxDelayMs: 1000,
  jitter: false,
};

/**
 * Milliseconds to wait after the `failures`-th failed attempt (1 for the first): the backoff, and
 * at least the server's `Retry-After` when given (a `Retry-After: 0` on every answer does not
 * spend the attempts back to back), never more than `maxDelayMs`.
 *
 * @example
 * ```ts
 * import { retryDelay } from "./retry.ts";
 * const policy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 30_000, jitter: false };
 * retryDelay(policy, 3);       // 400
 * retryDelay(policy, 3, 2000); // 2000, as the server asked
 * retryDelay(policy, 3, 0);    // 400
 * ```
 */
export function retryDelay(policy: Readonly<RetryPolicy>, failures: number, retryAfterMs = 0): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return Math.min(policy.maxDelayMs, Math.max(retryAfterMs, policy.jitter ? Math.random() * backoff : backoff));
}

/**
 * Resolves after `ms`, on a timer `unrefTimer` may keep from holding the process open.
 *
 * @example
 * ```ts
 * import { sleep } from "./retry.ts";
 * await sleep(10, () => {});
 * ```
 */
export function sleep(ms: number, unrefTimer: (timer: unknown) => void): Promise<void> {
  return new Promise<void>((resolve) => unrefTimer(setTimeout(resolve, ms)));
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined
 * (also when there is none: `null`, as `Headers.get` gives, or `undefined`).
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./retry.ts";
 * retryAfterMs("2"); // 2000
 * ```
 */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header?.trim()) return undefined; // none, or blank
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
