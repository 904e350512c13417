import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as MemoryIntakeGuard from "../../src/memory/MemoryIntakeGuard.js"
import { IntakeGuard } from "../../src/ports/IntakeGuard.js"
import * as IntakeGuardSuite from "../../src/testing/IntakeGuardSuite.js"

describe("MemoryIntakeGuard", () => {
  it.effect("a key is claimed once; completed, it answers with its result until it lapses", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "Claimed" })
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "InProgress" })
      yield* guard.complete("m1", "ticket 7", 5000)
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "Done", result: "ticket 7" })
      yield* TestClock.adjust(5000)
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "Claimed" })
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )

  it.effect("a released claim, or one whose holder died, can be claimed again; a completed one is not released", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard
      yield* guard.claim("m1", 1000)
      yield* guard.release("m1")
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "Claimed" })
      yield* TestClock.adjust(1000)
      expect(yield* guard.claim("m1", 1000)).toEqual({ _tag: "Claimed" })
      yield* guard.complete("m1", "done", 1000)
      yield* guard.release("m1")
      expect((yield* guard.claim("m1", 1000))._tag).toBe("Done")
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )

  it.effect("concurrent claims of one key: exactly one wins", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard
      const claims = yield* Effect.forEach(Array.from({ length: 20 }), () => guard.claim("m", 1000), {
        concurrency: "unbounded"
      })
      expect(claims.filter((c) => c._tag === "Claimed")).toHaveLength(1)
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )
})

// Issue 19: counts slide over the last window (they were fixed windows); the suite holds the
// in-memory guard to the port's contract as it holds every adapter.
IntakeGuardSuite.run("memory", MemoryIntakeGuard.layer)
