/**
 * Folding repeated alerts: the first of a fingerprint in a window is sent, the rest counted
 * and summed up in one digest when the window ends.
 *
 * @module
 */

/**
 * Counts repeats of each fingerprint within `windowMs` of its first sending.
 *
 * @example
 * ```ts
 * import { Folder } from "./fold.ts";
 * const f = new Folder(300_000, () => Date.now());
 * f.admit("db down"); // true: send it
 * f.admit("db down"); // false: folded
 * f.due(Infinity);    // [{ fingerprint: "db down", count: 1, sample: undefined }] once the window is over
 * ```
 */
export class Folder<S = unknown> {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #open = new Map<string, { since: number; count: number; sample: S | undefined }>();

  /**
   * @param windowMs How long repeats of a fingerprint are folded after it was sent.
   * @param now The clock.
   */
  constructor(windowMs: number, now: () => number) {
    if (!(windowMs >= 0)) throw new RangeError(`sluice: foldWindowMs must be >= 0, got ${windowMs}`);
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** True when an alert with `fingerprint` should be sent now; false when it is folded into the digest. */
  admit(fingerprint: string, sample?: S): boolean {
    const now = this.#now();
    const open = this.#open.get(fingerprint);
    if (open !== undefined && now - open.since < this.#windowMs) {
      open.count++;
      open.sample = sample;
      return false;
    }
    if (this.#windowMs > 0) this.#open.set(fingerprint, { since: now, count: 0, sample: undefined });
    return true;
  }

  /** Windows over by `at` (all of them with `Infinity`), each with how many repeats were folded; they are forgotten. */
  due(at = this.#now()): { fingerprint: string; count: number; sample: S | undefined }[] {
    const out: { fingerprint: string; count: number; sample: S | undefined }[] = [];
    for (const [fingerprint, w] of this.#open) {
      if (at - w.since < this.#windowMs) continue;
      this.#open.delete(fingerprint);
      if (w.count > 0) out.push({ fingerprint, count: w.count, sample: w.sample });
    }
    return out;
  }

  /** The earliest time a window ends, or undefined when none is open. */
  get nextDue(): number | undefined {
    let next: number | undefined;
    for (const w of this.#open.values()) next = Math.min(next ?? Infinity, w.since + this.#windowMs);
    return next;
  }
}
