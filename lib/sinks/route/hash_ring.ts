/**
 * Consistent hashing for sticky routing: the same key goes to the same target, and adding a
 * target moves only the keys it takes.
 *
 * @module
 */

/** Points on the ring per unit of weight. */
const POINTS_PER_WEIGHT = 100;

/** FNV-1a, 32 bits, then a final mix so nearby strings spread over the ring. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A ring with `weight × 100` points per target, each placed by the hash of the target's name
 * and the point's number, so a target's points do not depend on the other targets.
 *
 * @example
 * ```ts
 * import { HashRing } from "./hash_ring.ts";
 * const ring = new HashRing([{ name: "a1", weight: 3 }, { name: "a2", weight: 1 }]);
 * ring.walk("checkout", (t) => true); // the same target for "checkout" every time
 * ```
 */
export class HashRing<T extends { name: string; weight: number }> {
  readonly #points: number[] = [];
  readonly #owners: T[] = [];

  /** @param targets The targets, each with a unique name. */
  constructor(targets: readonly T[]) {
    const all: [number, T][] = [];
    for (const t of targets) {
      const n = Math.max(1, Math.round(t.weight * POINTS_PER_WEIGHT));
      for (let i = 0; i < n; i++) all.push([hash32(`${t.name}#${i}`), t]);
    }
    all.sort((a, b) => a[0] - b[0]);
    for (const [p, t] of all) {
      this.#points.push(p);
      this.#owners.push(t);
    }
  }

  /**
   * The first target clockwise from `key`'s hash that `accept` takes (the owner first, then its
   * successors: where a key goes while its owner is down); undefined when none does.
   */
  walk(key: string, accept: (target: T) => boolean): T | undefined {
    const n = this.#points.length;
    if (n === 0) return undefined;
    const h = hash32(key);
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    const seen = new Set<T>();
    for (let i = 0; i < n && seen.size < n; i++) {
      const t = this.#owners[(lo + i) % n];
      if (seen.has(t)) continue;
      seen.add(t);
      if (accept(t)) return t;
    }
    return undefined;
  }
}
