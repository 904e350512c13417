/**
 * Found by flooding (issue 17's delivery bench sends every notification to one requester): the
 * in-memory `IntakeGuard` copied a key's whole window on every `count`, so a flood of N counts on
 * one key inside its window cost O(N²): 200,000 mails from one sender in an hour meant about 2·10¹⁰
 * copied times, minutes of one core, while the guard is what stands between a flood and the help
 * desk. Now each count drops the expired times from the front and adds one: the flood below runs
 * in a fraction of a second (it ran past the test's timeout before), and every answer is exact.
 */
import { describe, expect, it } from "@effect/vitest"
import { IntakeGuard, MemoryIntakeGuard } from "@tessera/core"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { report } from "../support/report.js"

const flood = 200_000
const limit = 1_000
const hour = 3_600_000

describe("intake guard flood", () => {
  it.effect("200,000 counts on one sender within its window: each answer exact, the window then resets", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard.IntakeGuard
      let allowed = 0
      let wrong = 0
      for (let n = 1; n <= flood; n++) {
        // One count per 10 ms of test time: the whole flood stays inside one hour's window.
        if (n % 100 === 0) yield* TestClock.adjust(1000)
        const answer = yield* guard.count("sender:jane@example.com", limit, hour)
        if (answer.count !== n) wrong++
        if (answer.allowed) allowed++
      }
      yield* TestClock.adjust(hour)
      const after = yield* guard.count("sender:jane@example.com", limit, hour)
      report("intake-guard-flood", { counts: flood, allowed, wrong, countAfterWindow: after.count })
      expect(wrong).toBe(0)
      expect(allowed).toBe(limit)
      expect(after).toMatchObject({ allowed: true, count: 1 })
    }).pipe(Effect.provide(MemoryIntakeGuard.layer))
  )
})
