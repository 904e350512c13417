/**
 * The conformance suite of the `IntakeGuard` port: a key is claimed once (concurrent claims
 * included) until it is completed, released or lapses; a completed key answers with its result
 * until it expires; counts slide over the last window, refused ones included. Time is a
 * `TestClock`, so an adapter must take `now` from Effect's `Clock`, not from its server. The
 * in-memory guard runs it inside core; an adapter shared by several processes adds one file.
 */
import { Effect, type Layer } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Count, IntakeGuard } from "../ports/IntakeGuard.js"

/**
 * How much of the suite to run: the runs of the property (default 25).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly numRuns?: number
}

// Every test uses keys of its own, so a guard shared by the tests (one Redis prefix) is fine.
let serial = 0
const fresh = (name: string) => `suite${serial++}:${name}`

const runWith = <A, E>(
  layer: Layer.Layer<IntakeGuard, E>,
  body: (guard: IntakeGuard["Service"]) => Effect.Effect<A, unknown>
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* body(yield* IntakeGuard)
    }).pipe(Effect.provide(layer), Effect.provide(TestClock.layer()))
  )

/** The reference sliding window: the times of the counts still in it. */
const slide = (times: ReadonlyArray<number>, now: number, limit: number, windowMillis: number) => {
  const kept = [...times.filter((at) => at > now - windowMillis), now]
  const count = kept.length
  return { times: kept, count: { allowed: count <= limit, count, resetAt: (kept[0] as number) + windowMillis } }
}

/**
 * Runs the suite on a guard layer.
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: Layer.Layer<IntakeGuard, E>, options: Options = {}): void => {
  describe(`IntakeGuard conformance: ${name}`, () => {
    it("a key is claimed once; completed, it answers with its result until it expires", () =>
      runWith(layer, (guard) =>
        Effect.gen(function* () {
          const key = fresh("m1")
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Claimed" })
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "InProgress" })
          yield* guard.complete(key, "ticket 7", 5000)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Done", result: "ticket 7" })
          yield* TestClock.adjust(4999)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Done", result: "ticket 7" })
          yield* TestClock.adjust(1)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Claimed" })
        })
      ))

    it("a released claim, or one whose holder died, can be claimed again; a completed one is not released", () =>
      runWith(layer, (guard) =>
        Effect.gen(function* () {
          const key = fresh("m2")
          yield* guard.claim(key, 1000)
          yield* guard.release(key)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Claimed" })
          yield* TestClock.adjust(999)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "InProgress" })
          yield* TestClock.adjust(1)
          expect(yield* guard.claim(key, 1000)).toEqual({ _tag: "Claimed" })
          yield* guard.complete(key, "done", 1000)
          yield* guard.release(key)
          expect((yield* guard.claim(key, 1000))._tag).toBe("Done")
        })
      ))

    it("concurrent claims of one key: exactly one wins", () =>
      runWith(layer, (guard) =>
        Effect.gen(function* () {
          const key = fresh("m3")
          const claims = yield* Effect.forEach(Array.from({ length: 20 }), () => guard.claim(key, 1000), {
            concurrency: "unbounded"
          })
          expect(claims.filter((c) => c._tag === "Claimed")).toHaveLength(1)
          expect(claims.filter((c) => c._tag === "InProgress")).toHaveLength(19)
        })
      ))

    it("counts slide: a count leaves the window a window after it was made, refused counts included", () =>
      runWith(layer, (guard) =>
        Effect.gen(function* () {
          const key = fresh("sender")
          const counts: Array<Count> = []
          for (const step of [0, 100, 100, 100]) {
            yield* TestClock.adjust(step)
            counts.push(yield* guard.count(key, 3, 1000))
          }
          expect(counts.map((c) => [c.allowed, c.count, c.resetAt])).toEqual([
            [true, 1, 1000],
            [true, 2, 1000],
            [true, 3, 1000],
            [false, 4, 1000]
          ])
          expect((yield* guard.count(fresh("other"), 3, 1000)).count).toBe(1)
          // At 1000 the first count (at 0) has left: three remain with this one, 4 refused before.
          yield* TestClock.adjust(700)
          expect(yield* guard.count(key, 3, 1000)).toEqual({ allowed: false, count: 4, resetAt: 1100 })
          // A fixed window would start afresh at 1000; the sliding one lets one through only as
          // the old counts leave.
          yield* TestClock.adjust(1000)
          expect(yield* guard.count(key, 3, 1000)).toEqual({ allowed: true, count: 1, resetAt: 3000 })
        })
      ))

    it("counts agree with a reference sliding window over any sequence of counts and pauses", async () => {
      const outcomes = { allowed: 0, refused: 0 }
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ pause: fc.integer({ min: 0, max: 700 }), key: fc.constantFrom("a", "b") }), {
            minLength: 1,
            maxLength: 30
          }),
          (steps) =>
            runWith(layer, (guard) =>
              Effect.gen(function* () {
                const keys = { a: fresh("a"), b: fresh("b") }
                const model = new Map<string, ReadonlyArray<number>>()
                let now = 0
                for (const step of steps) {
                  yield* TestClock.adjust(step.pause)
                  now += step.pause
                  const expected = slide(model.get(step.key) ?? [], now, 3, 1000)
                  model.set(step.key, expected.times)
                  const actual = yield* guard.count(keys[step.key], 3, 1000)
                  expect(actual).toEqual(expected.count)
                  outcomes[actual.allowed ? "allowed" : "refused"]++
                }
              })
            )
        ),
        {
          numRuns: options.numRuns ?? 25,
          // Random runs may all stay under the limit (pauses up to 700 ms often let counts leave):
          // five counts at once always meet a refusal, whatever the seed.
          examples: [[Array.from({ length: 5 }, () => ({ pause: 0, key: "a" as const }))]]
        }
      )
      // The runs met both outcomes, so the property compared refusals too.
      expect(outcomes.allowed).toBeGreaterThan(0)
      expect(outcomes.refused).toBeGreaterThan(0)
    })
  })
}
