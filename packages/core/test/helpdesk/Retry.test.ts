import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Random, Schedule } from "effect"
import { TestClock } from "effect/testing"
import * as Retry from "../../src/helpdesk/Retry.js"

/** The waits `schedule` asks for, in milliseconds, until it stops (at most `limit`). */
const delaysOf = (schedule: Schedule.Schedule<Duration.Duration>, limit = 100) =>
  Effect.gen(function* () {
    const step = yield* Schedule.toStep(schedule)
    const delays: Array<number> = []
    for (let i = 0; i < limit; i++) {
      const next = yield* Effect.result(step(0, undefined))
      if (next._tag === "Failure") break
      delays.push(Duration.toMillis(next.success[1]))
    }
    return delays
  })

class Lost {
  readonly _tag = "Lost"
}
class Refused {
  readonly _tag = "Refused"
}

describe("Retry", () => {
  it.effect(
    "the backoff waits maxAttempts - 1 times, from 1 ms doubling within a fifth either way, never over 50 ms",
    () =>
      Effect.gen(function* () {
        const delays = yield* delaysOf(Retry.backoff(12))
        expect(delays.length).toBe(11)
        delays.forEach((ms, i) => {
          const nominal = 2 ** i
          expect(ms, `wait ${i + 1}`).toBeLessThanOrEqual(Math.min(50, nominal * 1.2))
          expect(ms, `wait ${i + 1}`).toBeGreaterThanOrEqual(Math.min(50, nominal * 0.8))
        })
        // Jittered: waits of the same step differ from run to run.
        const again = yield* delaysOf(Retry.backoff(12)).pipe(Random.withSeed(99))
        expect(again.slice(0, 6)).not.toEqual(delays.slice(0, 6))
        expect(yield* delaysOf(Retry.backoff(1))).toEqual([])
      }).pipe(Random.withSeed(1))
  )

  it.effect("a unit of work that asks again runs again until it succeeds", () =>
    Effect.gen(function* () {
      let runs = 0
      const unit = Effect.suspend(() => (++runs < 3 ? Retry.again(new Lost()) : Effect.succeed("written")))
      expect(yield* Retry.run(unit, 5)).toBe("written")
      expect(runs).toBe(3)
    })
  )

  it.effect("after maxAttempts runs it fails with the error it wrapped", () =>
    Effect.gen(function* () {
      let runs = 0
      const lost = new Lost()
      const unit = Effect.suspend(() => {
        runs++
        return Retry.again(lost)
      })
      const error = yield* Effect.flip(Retry.run(unit, 4))
      expect(error).toBe(lost)
      expect(runs).toBe(4)
    })
  )

  it.effect("a failure it does not mark as worth another attempt ends it at once", () =>
    Effect.gen(function* () {
      let runs = 0
      const refused = new Refused()
      const unit = Effect.suspend(
        (): Effect.Effect<never, Retry.Again<Lost> | Refused> =>
          ++runs === 1 ? Retry.again(new Lost()) : Effect.fail(refused)
      )
      expect(yield* Effect.flip(Retry.run(unit, 10))).toBe(refused)
      expect(runs).toBe(2)
    })
  )

  it.effect("under a TestClock the waits pass in real time, and the unit of work still reads the TestClock", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const seen: Array<number> = []
      const unit = Effect.flatMap(Clock.currentTimeMillis, (now) => {
        seen.push(now)
        return seen.length < 5 ? Retry.again(new Lost()) : Effect.succeed(seen.length)
      })
      const started = performance.now()
      // Nothing moves the TestClock: a backoff on it would never end.
      expect(yield* Retry.run(unit, 5)).toBe(5)
      const waited = performance.now() - started
      expect(seen).toEqual(Array.from({ length: 5 }, () => 1_700_000_000_000))
      // Four waits of at least 0.8, 1.6, 3.2 and 6.4 ms (12 in all), less what timers round off.
      expect(waited).toBeGreaterThanOrEqual(8)
    })
  )
})
