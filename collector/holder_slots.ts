/**
 * Slots shared by holders (the read tokens), none holding more than its share.
 *
 * @module
 */

/**
 * At most `max` slots at once, and at most a holder's share of them: half (at least one). One
 * token that fills its share on purpose (searches it hung up on, tail streams it never reads)
 * leaves the other half to everyone else.
 *
 * @example
 * ```ts
 * import { HolderSlots } from "./holder_slots.ts";
 * const slots = new HolderSlots(4);
 * slots.take("ops"); slots.take("ops"); // undefined, undefined: taken
 * slots.take("ops"); // "share": ops holds its 2
 * slots.take("console"); // undefined
 * ```
 */
export class HolderSlots {
  /** The most slots at once. */
  readonly max: number;
  /** The most slots one holder may have at once: half of `max`, at least one. */
  readonly share: number;
  readonly #held = new Map<string, number>();
  #taken = 0;

  /** @param max The most slots at once. */
  constructor(max: number) {
    this.max = max;
    this.share = Math.max(1, Math.floor(max / 2));
  }

  /** Slots taken now. */
  get taken(): number {
    return this.#taken;
  }

  /** Takes a slot for `holder`: undefined when taken, else why not (`"full"`, or `"share"` when it holds its share). */
  take(holder: string): "full" | "share" | undefined {
    const held = this.#held.get(holder) ?? 0;
    if (held >= this.share) return "share";
    if (this.#taken >= this.max) return "full";
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
