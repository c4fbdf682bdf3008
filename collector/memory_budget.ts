/**
 * One memory budget for the collector: the bytes every request in flight holds (bodies buffered
 * and inflated) are reserved here before they are kept, against one bound for the collector and
 * half of it for any one token, so one token's big or slow bodies leave room for the others.
 *
 * @module
 */
import type { BodyHold } from "./body.ts";
import { MemoryBudgetError } from "./errors.ts";

/**
 * The budget: `hold(token)` for each request, `release()` once it is answered.
 *
 * @example
 * ```ts
 * import { MemoryBudget } from "./memory_budget.ts";
 * const budget = new MemoryBudget(256 << 20);
 * const hold = budget.hold("edge");
 * hold.take(1 << 20); // throws MemoryBudgetError when it does not fit
 * hold.release();
 * ```
 */
export class MemoryBudget {
  /** Bytes one token may hold: half the budget. */
  readonly tokenShare: number;
  /** Bytes held now, over all requests. */
  held = 0;
  /** The most held at once since the start. */
  peak = 0;
  readonly #byToken = new Map<string, number>();

  /** @param maxBytes The bound over all requests in flight. */
  constructor(readonly maxBytes: number) {
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1 << 20)) throw new RangeError(`sluice: maxMemoryBytes must be a whole number ≥ 1 MiB, got ${maxBytes}`);
    this.tokenShare = Math.floor(maxBytes / 2);
  }

  /** A request's reservation, charged to `token`. */
  hold(token: string): MemoryHold {
    return new MemoryHold(this, token);
  }

  /** Reserves `n` bytes for `token`, or throws {@linkcode MemoryBudgetError}. */
  reserve(token: string, n: number): void {
    const mine = this.#byToken.get(token) ?? 0;
    if (this.held + n > this.maxBytes) throw new MemoryBudgetError("memory", this.maxBytes);
    if (mine + n > this.tokenShare) throw new MemoryBudgetError("token-memory", this.tokenShare);
    this.#byToken.set(token, mine + n);
    this.held += n;
    if (this.held > this.peak) this.peak = this.held;
  }

  /** Gives back `n` bytes of `token`'s. */
  free(token: string, n: number): void {
    const left = (this.#byToken.get(token) ?? 0) - n;
    if (left > 0) this.#byToken.set(token, left);
    else this.#byToken.delete(token);
    this.held -= n;
  }
}

/**
 * One request's bytes in a {@linkcode MemoryBudget}.
 *
 * @example
 * ```ts
 * const hold = budget.hold("edge");
 * try { hold.take(4096); } finally { hold.release(); }
 * ```
 */
export class MemoryHold implements BodyHold {
  /** Bytes this request holds. */
  bytes = 0;

  /** @param budget The budget. @param token Whose share it is charged to. */
  constructor(readonly budget: MemoryBudget, readonly token: string) {}

  /** Reserves `n` more bytes, or throws {@linkcode MemoryBudgetError}. */
  take(n: number): void {
    if (n <= 0) return;
    this.budget.reserve(this.token, n);
    this.bytes += n;
  }

  /** Gives every byte back (the request is answered). */
  release(): void {
    this.budget.free(this.token, this.bytes);
    this.bytes = 0;
  }
}
