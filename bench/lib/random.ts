/**
 * The benches' one source of randomness: mulberry32, a small, fast, seeded generator, so every
 * run and every machine builds the same inputs and a figure moves only when the code does.
 */

/** A generator of numbers in [0, 1) from `seed`. */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
