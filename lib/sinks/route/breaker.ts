/**
 * A circuit breaker: one per routing target.
 *
 * @module
 */

/**
 * A breaker's state: `closed` takes records, `open` takes none, `half-open` takes one probe batch.
 *
 * @example
 * ```ts
 * import type { BreakerState } from "./breaker.ts";
 * const down = (state: BreakerState) => state === "open";
 * ```
 */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * When a breaker opens and for how long.
 *
 * @example
 * ```ts
 * import type { BreakerOptions } from "./breaker.ts";
 * const options: BreakerOptions = { failures: 5, openMs: 5_000, timeoutMs: 2_000 };
 * ```
 */
export interface BreakerOptions {
  /** Consecutive failed batches that open the breaker. @default 5 */
  failures?: number;
  /** How long an open breaker stays open before one probe batch is let through. @default 5000 */
  openMs?: number;
  /**
   * A batch not answered within this opens the breaker at once. The batch stays with its target,
   * unless the target was told `routed` (an `httpSink`): it then aborts the request at this
   * timeout and the router moves the batch. @default 2000
   */
  timeoutMs?: number;
}

/**
 * Closed → open after `failures` consecutive failures (or one timeout) → half-open after
 * `openMs`, letting one probe through → closed when it succeeds, open again when it fails.
 *
 * @example
 * ```ts
 * import { Breaker } from "./breaker.ts";
 * const b = new Breaker({ failures: 2, openMs: 1000 }, () => Date.now());
 * b.failure(); b.failure();
 * b.state; // "open"
 * ```
 */
export class Breaker {
  readonly #failures: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #state: BreakerState = "closed";
  #consecutive = 0;
  #openedAt = 0;
  #probing = false;
  /** How many times this breaker has opened. */
  opened = 0;

  /**
   * @param options Thresholds.
   * @param now The clock, in milliseconds.
   */
  constructor(options: BreakerOptions, now: () => number) {
    this.#failures = options.failures ?? 5;
    this.#openMs = options.openMs ?? 5_000;
    this.#now = now;
    if (!(this.#failures >= 1) || !(this.#openMs >= 0)) {
      throw new RangeError(`sluice: breaker needs failures >= 1 and openMs >= 0, got ${JSON.stringify(options)}`);
    }
  }

  /** The state now (an open breaker whose time is up reads as `half-open`). */
  get state(): BreakerState {
    if (this.#state === "open" && this.#now() - this.#openedAt >= this.#openMs) {
      this.#state = "half-open";
      this.#probing = false;
    }
    return this.#state;
  }

  /**
   * True when new records may be handed to its target: closed, or half-open with its probe not
   * out yet (records that would only wait behind a probe go elsewhere).
   */
  get takesRecords(): boolean {
    const state = this.state;
    return state === "closed" || (state === "half-open" && !this.#probing);
  }

  /** True when a batch may be sent now; in `half-open`, true once, for the probe. */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** A batch was written: closes the breaker. */
  success(): void {
    this.#consecutive = 0;
    this.#probing = false;
    this.#state = "closed";
  }

  /** A batch failed; `trip` (a timeout, a failed probe) opens the breaker at once. */
  failure(trip = false): void {
    this.#consecutive++;
    if (trip || this.#state === "half-open" || this.#consecutive >= this.#failures) this.#open();
  }

  #open(): void {
    if (this.#state !== "open") this.opened++;
    this.#state = "open";
    this.#openedAt = this.#now();
    this.#probing = false;
  }
}
