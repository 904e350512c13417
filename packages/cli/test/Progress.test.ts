import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import * as Progress from "../src/Progress.js"

describe("the progress bar", () => {
  it("shows the counts, the share done and the time left at the pace so far", () => {
    expect(Progress.line(0, 300, 0)).toBe(`[${".".repeat(40)}] 0/300 tickets  0%`)
    // 100 tickets in 10 s: 200 more take 20 s.
    expect(Progress.line(100, 300, 10_000)).toBe(`[${"#".repeat(13)}${".".repeat(27)}] 100/300 tickets  33%  ~20s left`)
    expect(Progress.line(30, 300, 61_000)).toContain("~9m09s left")
    expect(Progress.line(300, 300, 5_000)).toBe(`[${"#".repeat(40)}] 300/300 tickets  100%`)
  })

  it("fits a narrow terminal", () => {
    const line = Progress.line(5, 1000, 1000, 40)
    expect(line.length).toBeLessThan(40)
    expect(line).toMatch(/^\[#*\.+\] 5\/1000/)
  })

  it("redraws at most ten times a second (the start and the end always), and erases itself", async () => {
    const written: Array<string> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const bar = yield* Progress.make({ write: (t) => written.push(t), columns: 80 }, true)
        yield* bar.update(0, 10)
        yield* bar.update(1, 10)
        yield* bar.update(2, 10)
        yield* TestClock.adjust("150 millis")
        yield* bar.update(3, 10)
        yield* bar.update(10, 10)
        yield* bar.clear
      }).pipe(Effect.provide(TestClock.layer()))
    )
    expect(written.map((w) => /\d+\/10/.exec(w)?.[0] ?? "erased")).toEqual(["0/10", "3/10", "10/10", "erased"])
  })

  it("draws nothing when it is off", async () => {
    const written: Array<string> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const bar = yield* Progress.make({ write: (t) => written.push(t) }, false)
        yield* bar.update(1, 2)
        yield* bar.clear
      })
    )
    expect(written).toEqual([])
  })
})
