import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as ActorCache from "../../src/helpdesk/ActorCache.js"
import * as Actor from "../../src/values/Actor.js"

const mary = Actor.agent("mary") as Actor.AgentActor

/** A check that counts its runs and fails while `failing` says so. */
const counted = () => {
  let runs = 0
  let failing = false
  return {
    check: Effect.suspend(() => {
      runs++
      return failing ? Effect.fail("inactive" as const) : Effect.void
    }),
    runs: () => runs,
    fail: () => {
      failing = true
    }
  }
}

describe("ActorCache", () => {
  it.effect("keeps a passed check for its time, then checks again", () =>
    Effect.gen(function* () {
      const cache = ActorCache.make(1000)
      const lookUp = counted()
      yield* cache.checked(mary, lookUp.check)
      yield* TestClock.adjust("999 millis")
      yield* cache.checked(mary, lookUp.check)
      expect(lookUp.runs()).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* cache.checked(mary, lookUp.check)
      expect(lookUp.runs()).toBe(2)
    })
  )

  it.effect("keeps no failed check, and forgets a record saved since", () =>
    Effect.gen(function* () {
      const cache = ActorCache.make(1000)
      const lookUp = counted()
      lookUp.fail()
      expect(yield* Effect.flip(cache.checked(mary, lookUp.check))).toBe("inactive")
      expect(yield* Effect.flip(cache.checked(mary, lookUp.check))).toBe("inactive")
      expect(lookUp.runs()).toBe(2)

      const fresh = counted()
      yield* cache.checked(mary, fresh.check)
      cache.forget("agent", "mary")
      fresh.fail()
      expect(yield* Effect.flip(cache.checked(mary, fresh.check))).toBe("inactive")
    })
  )

  it.effect("with 0 ms checks every time", () =>
    Effect.gen(function* () {
      const cache = ActorCache.make(0)
      const lookUp = counted()
      yield* cache.checked(mary, lookUp.check)
      yield* cache.checked(mary, lookUp.check)
      expect(lookUp.runs()).toBe(2)
    })
  )
})
