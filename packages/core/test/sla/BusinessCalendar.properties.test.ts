/**
 * Property tests of business calendars against the brute-force oracle (./oracle.ts): random
 * calendars in zones with DST (30-minute DST on Lord Howe, 45-minute offsets in Kathmandu and
 * Chatham), multi-interval days, overnight shifts, holidays and exceptions, over windows that
 * contain clock changes and chunk boundaries. Instants and durations are whole minutes.
 */
import { DateTime, Duration, Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import {
  addMinutes,
  combine,
  datesOf,
  firstClosedAfter,
  firstOpen,
  openMinutes,
  oracle,
  specIn,
  subtractMinutes,
  type Window,
  window
} from "./oracle.js"

const MINUTE = 60_000

// Each window holds a clock change of its zone (or, for UTC and Kathmandu, a 128-day chunk boundary).
const windows: ReadonlyArray<Window> = [
  window("Paris spring forward", "Europe/Paris", "2026-03-25T00:00:00Z"),
  window("Paris fall back", "Europe/Paris", "2026-10-21T00:00:00Z"),
  window("New York spring forward", "America/New_York", "2026-03-04T00:00:00Z"),
  window("New York fall back", "America/New_York", "2026-10-28T00:00:00Z"),
  window("Lord Howe fall back (30 min)", "Australia/Lord_Howe", "2026-04-01T00:00:00Z"),
  window("Lord Howe spring forward (30 min)", "Australia/Lord_Howe", "2026-09-30T00:00:00Z"),
  window("Kathmandu across a chunk boundary", "Asia/Kathmandu", "2026-06-01T00:00:00Z"),
  window("Chatham fall back", "Pacific/Chatham", "2026-04-01T00:00:00Z"),
  window("Chatham spring forward", "Pacific/Chatham", "2026-09-23T00:00:00Z"),
  window("UTC across a chunk boundary", "UTC", "2026-10-06T00:00:00Z")
]

const zones = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "UTC"]
// Composition reads each window in every zone; three windows keep the oracle's Intl calls few.
const compositionWindows = [windows[1], windows[2], windows[5]] as ReadonlyArray<Window>

const at = (win: Window, minute: number) => DateTime.makeUnsafe(win.start + minute * MINUTE)
const minuteOf = (win: Window, instant: DateTime.Utc) => (instant.epochMilliseconds - win.start) / MINUTE

const build = (spec: BusinessCalendar.Spec): BusinessCalendar.BusinessCalendar => {
  const made = BusinessCalendar.make(spec)
  if (Result.isFailure(made)) throw new Error(`generated spec refused: ${made.failure.message}`)
  return made.success
}

/** A random calendar in the window's zone, with its oracle. */
const case_ = <A>(extra: (win: Window) => fc.Arbitrary<A>) =>
  fc.constantFrom(...windows).chain((win) => fc.tuple(fc.constant(win), specIn(win.timeZone, datesOf(win)), extra(win)))

const minuteIn = (win: Window) => fc.integer({ min: 0, max: win.minutes - 1 })

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}

describe("BusinessCalendar agrees with a minute-by-minute oracle", () => {
  it("isOpen matches the oracle at every sampled minute (2,000 calendars x 12 minutes)", () => {
    fc.assert(
      fc.property(
        case_((win) => fc.array(minuteIn(win), { minLength: 12, maxLength: 12 })),
        ([win, spec, minutes]) => {
          const calendar = build(spec)
          const open = openMinutes(spec, win)
          for (const m of minutes)
            expect([m, ok(BusinessCalendar.isOpen(calendar, at(win, m)))]).toEqual([m, open[m] === 1])
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("businessTimeBetween counts exactly the open minutes (2,000 cases)", () => {
    fc.assert(
      fc.property(
        case_((win) => fc.tuple(minuteIn(win), minuteIn(win))),
        ([win, spec, [x, y]]) => {
          const [a, b] = x <= y ? [x, y] : [y, x]
          const o = oracle(openMinutes(spec, win))
          const between = ok(BusinessCalendar.businessTimeBetween(build(spec), at(win, a), at(win, b)))
          expect(Duration.toMinutes(between)).toBe((o.prefix[b] as number) - (o.prefix[a] as number))
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("addBusinessTime lands on the oracle's minute, right after an open minute (2,000 cases)", () => {
    fc.assert(
      fc.property(
        case_((win) => fc.tuple(minuteIn(win), fc.double({ min: 0, max: 1, noNaN: true }))),
        ([win, spec, [a, fraction]]) => {
          const o = oracle(openMinutes(spec, win))
          const available = (o.prefix[win.minutes] as number) - (o.prefix[a] as number)
          const d = Math.floor(fraction * available)
          const expected = addMinutes(o, a, d)
          const due = ok(BusinessCalendar.addBusinessTime(build(spec), at(win, a), Duration.minutes(d)))
          expect(minuteOf(win, due)).toBe(expected)
          // Time outside opening hours never counts: the last minute before a due time is open.
          if (d > 0) expect(o.open[expected - 1]).toBe(1)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("subtractBusinessTime lands on the oracle's minute, right before an open minute (2,000 cases)", () => {
    fc.assert(
      fc.property(
        case_((win) => fc.tuple(minuteIn(win), fc.double({ min: 0, max: 1, noNaN: true }))),
        ([win, spec, [f, fraction]]) => {
          const o = oracle(openMinutes(spec, win))
          const d = Math.floor(fraction * (o.prefix[f] as number))
          const expected = subtractMinutes(o, f, d)
          const start = ok(BusinessCalendar.subtractBusinessTime(build(spec), at(win, f), Duration.minutes(d)))
          expect(minuteOf(win, start)).toBe(expected)
          // Time outside opening hours never counts: the first minute after a start is open.
          if (d > 0) expect(o.open[expected]).toBe(1)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it("subtracting then adding the same business time returns the same business moment (2,000 cases)", () => {
    let inside = 0
    fc.assert(
      fc.property(
        case_((win) => fc.tuple(minuteIn(win), fc.double({ min: 0, max: 1, noNaN: true }))),
        ([win, spec, [f, fraction]]) => {
          const calendar = build(spec)
          const o = oracle(openMinutes(spec, win))
          const d = Duration.minutes(Math.floor(fraction * (o.prefix[f] as number)))
          const start = ok(BusinessCalendar.subtractBusinessTime(calendar, at(win, f), d))
          const back = ok(BusinessCalendar.addBusinessTime(calendar, start, d))
          // The same business time since the window's start: nothing open lies between them.
          expect((o.prefix[minuteOf(win, back)] as number) - (o.prefix[f] as number)).toBe(0)
          expect(back.epochMilliseconds).toBeLessThanOrEqual(at(win, f).epochMilliseconds)
          // Inside business hours (the minute before is open) it is the very instant.
          if (f > 0 && o.open[f - 1] === 1) {
            inside++
            expect(minuteOf(win, back)).toBe(f)
          }
        }
      ),
      { numRuns: 2000 }
    )
    expect(inside).toBeGreaterThan(200)
  })

  it("nextOpening and nextClosing match the oracle (2,000 cases)", () => {
    fc.assert(
      fc.property(case_(minuteIn), ([win, spec, a]) => {
        const calendar = build(spec)
        const o = oracle(openMinutes(spec, win))
        const opening = BusinessCalendar.nextOpening(calendar, at(win, a))
        const closing = BusinessCalendar.nextClosing(calendar, at(win, a))
        const expectedOpening = firstOpen(o, a)
        if (expectedOpening === undefined) {
          // Beyond the window: the library looks further (or gives up with a typed error).
          if (Result.isSuccess(opening)) expect(minuteOf(win, opening.success)).toBeGreaterThanOrEqual(win.minutes)
          else expect(opening.failure._tag).toBe("SearchLimitReached")
          return
        }
        expect(minuteOf(win, ok(opening))).toBe(expectedOpening)
        const expectedClosing = firstClosedAfter(o, expectedOpening)
        if (expectedClosing === undefined) {
          if (Result.isSuccess(closing)) expect(minuteOf(win, closing.success)).toBeGreaterThanOrEqual(win.minutes)
          else expect(closing.failure._tag).toBe("SearchLimitReached")
        } else {
          expect(minuteOf(win, ok(closing))).toBe(expectedClosing)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it("intersect and union agree with the oracle's pointwise and/or, across zones (2,000 cases)", () => {
    const pair = fc.constantFrom(...compositionWindows).chain((win) =>
      fc.tuple(
        fc.constant(win),
        fc.constantFrom(...zones).chain((zone) => specIn(zone, datesOf({ ...win, timeZone: zone }))),
        fc.constantFrom(...zones).chain((zone) => specIn(zone, datesOf({ ...win, timeZone: zone }))),
        fc.constantFrom("intersect" as const, "union" as const),
        fc.array(minuteIn(win), { minLength: 8, maxLength: 8 }),
        fc.tuple(minuteIn(win), minuteIn(win))
      )
    )
    fc.assert(
      fc.property(pair, ([win, specA, specB, operation, minutes, [x, y]]) => {
        const a = build(specA)
        const b = build(specB)
        const calendar = operation === "intersect" ? BusinessCalendar.intersect(a, b) : BusinessCalendar.union(a, b)
        const open = combine(openMinutes(specA, win), openMinutes(specB, win), (p, q) =>
          operation === "intersect" ? p & q : p | q
        )
        const o = oracle(open)
        for (const m of minutes)
          expect([m, ok(BusinessCalendar.isOpen(calendar, at(win, m)))]).toEqual([m, open[m] === 1])
        const [from, to] = x <= y ? [x, y] : [y, x]
        const between = ok(BusinessCalendar.businessTimeBetween(calendar, at(win, from), at(win, to)))
        expect(Duration.toMinutes(between)).toBe((o.prefix[to] as number) - (o.prefix[from] as number))
        const d = (o.prefix[to] as number) - (o.prefix[from] as number)
        const due = ok(BusinessCalendar.addBusinessTime(calendar, at(win, from), Duration.minutes(d)))
        expect(minuteOf(win, due)).toBe(addMinutes(o, from, d))
        const expectedOpening = firstOpen(o, from)
        if (expectedOpening !== undefined) {
          expect(minuteOf(win, ok(BusinessCalendar.nextOpening(calendar, at(win, from))))).toBe(expectedOpening)
          const expectedClosing = firstClosedAfter(o, expectedOpening)
          if (expectedClosing !== undefined) {
            expect(minuteOf(win, ok(BusinessCalendar.nextClosing(calendar, at(win, from))))).toBe(expectedClosing)
          }
        }
      }),
      { numRuns: 2000 }
    )
  })
})

describe("BusinessCalendar invariants", () => {
  const longCase = case_((win) =>
    fc.tuple(
      minuteIn(win),
      minuteIn(win),
      fc.integer({ min: 0, max: 60 * 24 * 60 }),
      fc.integer({ min: 0, max: 60 * 24 * 60 })
    )
  )

  it("businessTimeBetween(c, s, addBusinessTime(c, s, d)) == d, up to 60 business days (1,000 cases)", () => {
    fc.assert(
      fc.property(longCase, ([win, spec, [s, , d]]) => {
        const calendar = build(spec)
        const due = ok(BusinessCalendar.addBusinessTime(calendar, at(win, s), Duration.minutes(d)))
        expect(Duration.toMinutes(ok(BusinessCalendar.businessTimeBetween(calendar, at(win, s), due)))).toBe(d)
      }),
      { numRuns: 1000 }
    )
  })

  it("subtract then add returns the same business moment, up to 60 business days (1,000 cases)", () => {
    fc.assert(
      fc.property(longCase, ([win, spec, [f, , d]]) => {
        const calendar = build(spec)
        const from = at(win, f)
        const start = ok(BusinessCalendar.subtractBusinessTime(calendar, from, Duration.minutes(d)))
        expect(Duration.toMinutes(ok(BusinessCalendar.businessTimeBetween(calendar, start, from)))).toBe(d)
        const back = ok(BusinessCalendar.addBusinessTime(calendar, start, Duration.minutes(d)))
        expect(back.epochMilliseconds).toBeLessThanOrEqual(from.epochMilliseconds)
        expect(Duration.toMinutes(ok(BusinessCalendar.businessTimeBetween(calendar, back, from)))).toBe(0)
      }),
      { numRuns: 1000 }
    )
  })

  it("addBusinessTime and businessTimeBetween are monotone (1,000 cases)", () => {
    fc.assert(
      fc.property(longCase, ([win, spec, [x, y, d1, d2]]) => {
        const calendar = build(spec)
        const [s1, s2] = x <= y ? [x, y] : [y, x]
        const [dLow, dHigh] = d1 <= d2 ? [d1, d2] : [d2, d1]
        const add = (s: number, d: number) =>
          ok(BusinessCalendar.addBusinessTime(calendar, at(win, s), Duration.minutes(d))).epochMilliseconds
        const between = (a: number, b: number) =>
          Duration.toMillis(ok(BusinessCalendar.businessTimeBetween(calendar, at(win, a), at(win, b))))
        expect(add(s1, dLow)).toBeLessThanOrEqual(add(s1, dHigh))
        expect(add(s1, dLow)).toBeLessThanOrEqual(add(s2, dLow))
        expect(between(0, s1)).toBeLessThanOrEqual(between(0, s2))
        expect(between(s1, win.minutes)).toBeGreaterThanOrEqual(between(s2, win.minutes))
        // Additivity: [0, s2) = [0, s1) + [s1, s2).
        expect(between(0, s2)).toBe(between(0, s1) + between(s1, s2))
      }),
      { numRuns: 1000 }
    )
  })
})
