/*
 * The forecasts' pseudo-random numbers (docs/flow-metrics.md §12.2): mulberry32, a 32-bit generator small
 * enough to read at a glance and fast enough for 10,000 trials of hundreds of days each. It is no
 * cryptographic generator, and needs none: a forecast only wants draws that are even and repeatable.
 */

/** A generator of uniform integers in [0, n): `next(n)`. */
export type Rng = { next(n: number): number };

/** mulberry32 seeded with a 32-bit integer; the same seed gives the same sequence. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next(n: number): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      // (t ^ t >>> 14) is uniform over 2^32; scaling keeps the draw even for any n far below that.
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    },
  };
}

/** A 32-bit seed from text (FNV-1a): e.g. the project and today's local date, so a day's answer is stable. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
