// A seeded pseudo-random generator (mulberry32) for the fuzz tests: the same seed gives the
// same sequence of numbers in [0, 1) on every runtime, so a failure can be replayed.
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
