/**
 * Slots shared by holders (the read tokens), none holding more than its share.
 *
 * @module
 */

/**
 * At most `max` slots at once, and at most a holder's share of them when there is more than one
 * holder: half (at least two: the console asks for a search and its histogram at once). One
 * token that fills its share on purpose (searches it hung up on, tail streams it never reads)
 * leaves the rest to the others; a collector with one reader (one read token, or anonymous
 * readers) gives it them all.
 *
 * @example
 * ```ts
 * import { HolderSlots } from "./holder_slots.ts";
 * const slots = new HolderSlots(4, 2);
 * slots.take("ops"); slots.take("ops"); // undefined, undefined: taken
 * slots.take("ops"); // "share": ops holds its 2
 * slots.take("console"); // undefined
 * ```
 */
export class HolderSlots {
  /** The most slots at once. */
  readonly max: number;
  /** The most slots one holder may have at once. */
  readonly share: number;
  readonly #held = new Map<string, number>();
  #taken = 0;

  /**
   * @param max The most slots at once.
   * @param holders How many holders there may be (the read tokens; 1 for anonymous readers).
   */
  constructor(max: number, holders: number) {
    this.max = max;
    this.share = holders > 1 ? Math.min(max, Math.max(2, Math.ceil(max / 2))) : max;
  }

  /** Takes a slot for `holder`: undefined when taken, else why not (`"full"`, or `"share"` when it holds its share). */
  take(holder: string): "full" | "share" | undefined {
    const held = this.#held.get(holder) ?? 0;
    if (this.#taken >= this.max) return "full";
    if (held >= this.share) return "share";
    this.#held.set(holder, held + 1);
    this.#taken++;
    return undefined;
  }

  /** Gives back a slot `holder` took. */
  give(holder: string): void {
    const held = this.#held.get(holder) ?? 0;
    if (held === 0) return;
    if (held === 1) this.#held.delete(holder);
    else this.#held.set(holder, held - 1);
    this.#taken--;
  }
}
