/**
 * Smooth weighted round-robin over whichever targets may take a record.
 *
 * @module
 */

/**
 * Nginx's smooth weighted round-robin: each pick adds every candidate's weight to its
 * counter, takes the highest, and takes the candidates' total weight back from it, so a 3:1
 * pair goes a a b a, a a b a, ... The candidates can differ from pick to pick (filters,
 * breakers); over many picks each gets its weight's share of the picks it was a candidate for.
 *
 * @example
 * ```ts
 * import { SmoothWeighted } from "./weighted.ts";
 * const rr = new SmoothWeighted();
 * const targets = [{ weight: 3, current: 0 }, { weight: 1, current: 0 }];
 * rr.pick(targets); // targets[0]
 * ```
 */
export class SmoothWeighted {
  /**
   * Picks one of `candidates` (mutating their `current` counters); undefined when none.
   * @param candidates Targets with a positive `weight`.
   */
  pick<T extends { weight: number; current: number }>(candidates: readonly T[]): T | undefined {
    let best: T | undefined;
    let total = 0;
    for (const c of candidates) {
      c.current += c.weight;
      total += c.weight;
      if (best === undefined || c.current > best.current) best = c;
    }
    if (best !== undefined) best.current -= total;
    return best;
  }
}
