/**
 * Helpers the arbitraries modules share and `Arbitraries` does not export: records without null
 * prototypes, and ids drawn mostly from small pools so that generated values collide.
 */
import * as fc from "fast-check"

/** Record options: plain objects, as decoded JSON would be. */
export const optional = { noNullPrototype: true } as const

/** Mostly ids from a small pool (so they collide), sometimes any id the schema accepts. */
export const opaqueId = (pool: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/) }
  )
