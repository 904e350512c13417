/**
 * Calls across years and at the ends of the supported range (issue 13): results against the
 * chunk-by-chunk computation that whole-year sums replace, on random calendars in zones with DST
 * and with dated holidays around the eras of the zone model (1840, 2088); the work a far call does,
 * counted (never timed: machines are shared); the memory a calendar keeps; and the zone model
 * against `Intl` itself.
 */
import { DateTime, Duration, Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import { yearOf, yearStart } from "../../src/sla/internal/civil.js"
import { buildSpan, datedState } from "../../src/sla/internal/rules.js"
import { compile } from "../../src/sla/internal/spec.js"
import * as Timeline from "../../src/sla/internal/timeline.js"
import { yearOpenTime } from "../../src/sla/internal/week.js"
import * as Work from "../../src/sla/internal/work.js"
import * as Zone from "../../src/sla/internal/zone.js"
import { specIn } from "./oracle.js"

const DAY = 86_400_000
const MIN_MS = Date.UTC(1000, 0, 1)
const MAX_MS = Date.UTC(9999, 0, 1)

const timelineOf = (calendar: BusinessCalendar.BusinessCalendar): Timeline.Timeline =>
  (calendar as unknown as Record<symbol, Timeline.Timeline>)[
    Symbol.for("@tessera/core/BusinessCalendar/timeline")
  ] as Timeline.Timeline

const build = (spec: BusinessCalendar.Spec): BusinessCalendar.BusinessCalendar => {
  const made = BusinessCalendar.make(spec)
  if (Result.isFailure(made)) throw new Error(`spec refused: ${made.failure.message}`)
  return made.success
}

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}

const failure = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${String(result.success)}`)
  return result.failure
}

const utc = (t: number) => DateTime.makeUnsafe(t)

/** The open time in `[a, b)` counted chunk by chunk, one year at a time: no year totals involved. */
const betweenByChunks = (timeline: Timeline.Timeline, a: number, b: number): number => {
  let sum = 0
  for (let year = yearOf(a); year <= yearOf(b); year++) {
    const from = Math.max(a, yearStart(year))
    const to = Math.min(b, yearStart(year + 1))
    if (from < to) sum += Timeline.between(timeline, from, to)
  }
  return sum
}

/** What a result of the chunk walk (`NaN`, outside the range, an instant) becomes in the public API. */
const expected = (found: number) =>
  Number.isNaN(found)
    ? "SearchLimitReached"
    : found >= MAX_MS || found < MIN_MS
      ? "BeyondSupportedRange"
      : new Date(found).toISOString()

const answered = (result: Result.Result<DateTime.Utc, { readonly _tag: string }>) =>
  Result.isSuccess(result) ? DateTime.formatIso(result.success) : result.failure._tag

const zones = [
  "Europe/Paris",
  "America/New_York",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Gaza",
  "Africa/Casablanca",
  "UTC"
]

// Dated holidays and exceptions at the edges of the zone model's eras and of the range.
const dates = [
  "1000-01-01",
  "1000-01-02",
  "1507-03-01",
  "1839-12-31",
  "1840-01-01",
  "1916-05-14",
  "2026-03-29",
  "2087-12-31",
  "2088-01-01",
  "2400-02-29",
  "5000-06-30",
  "9998-12-25",
  "9998-12-31"
]

/** A year where spans start: anywhere, or close to an era boundary or an end of the range. */
const year = fc.oneof(
  { arbitrary: fc.integer({ min: 1000, max: 9990 }), weight: 3 },
  { arbitrary: fc.constantFrom(1830, 1838, 1840, 2080, 2087, 2088, 9960, 9990), weight: 2 },
  { arbitrary: fc.constantFrom(1000, 9998), weight: 1 }
)

/** An instant in a year, and a later one up to 30 years on. */
const span = fc
  .tuple(year, fc.integer({ min: 0, max: 366 * DAY - 1 }), fc.integer({ min: 0, max: 30 * 366 * DAY }))
  .map(([y, into, length]) => {
    const a = Math.min(yearStart(y) + into, MAX_MS - 1)
    return [a, Math.min(a + length, MAX_MS - 1)] as const
  })

const isoDay = (t: number) => new Date(Math.min(t, Date.UTC(9998, 11, 31))).toISOString().slice(0, 10)

/**
 * A random calendar with dated holidays around the eras, often closed for up to 14 years (often
 * about 10) from a day within 20 years of `near`: whole years (1 January to 31 December), or from
 * and to any day.
 */
const calendarNear = (near: number): fc.Arbitrary<BusinessCalendar.Spec> =>
  fc
    .tuple(
      fc.constantFrom(...zones).chain((zone) => specIn(zone, dates)),
      fc.option(
        fc.tuple(
          fc.integer({ min: -2, max: 20 }),
          fc.integer({ min: 0, max: 365 }),
          // Often close to the 3,660 days after which a search gives up.
          fc.oneof(fc.integer({ min: 0, max: 14 * 366 }), fc.integer({ min: 3560, max: 4100 })),
          fc.boolean()
        ),
        { freq: 3 }
      )
    )
    .map(([spec, closed]) => {
      if (closed === null) return spec
      const [after, into, length, wholeYears] = closed
      const y = Math.min(9998, Math.max(1000, yearOf(near) + after))
      const from = wholeYears ? yearStart(y) : yearStart(y) + into * DAY
      const to = wholeYears ? yearStart(y + Math.floor(length / 366) + 1) - DAY : from + length * DAY
      return { ...spec, holidays: [...(spec.holidays ?? []), { from: isoDay(from), to: isoDay(to) }] }
    })

/** A share of the business time in a span: up to all of it, or a little more (past its end). */
const fraction = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1, max: 1.2, noNaN: true }))

/** A span and a calendar that may be closed for years around it. */
const spanAndCalendar = span.chain((s) => fc.tuple(fc.constant(s), calendarNear(s[0])))
const calendarSpec = year.chain((y) => calendarNear(yearStart(y)))

describe("calls across years agree with counting chunk by chunk", () => {
  it("businessTimeBetween over up to 30 years, anywhere in the range (300 cases)", () => {
    fc.assert(
      fc.property(spanAndCalendar, ([[a, b], spec]) => {
        const calendar = build(spec)
        const far = Duration.toMillis(ok(BusinessCalendar.businessTimeBetween(calendar, utc(a), utc(b))))
        expect(far).toBe(betweenByChunks(timelineOf(build(spec)), a, b))
      }),
      { numRuns: 300 }
    )
  })

  it("a year's open time by arithmetic (weeks, yearly holidays, offset periods) equals laying the year out (500 cases)", () => {
    let arithmetic = 0
    fc.assert(
      fc.property(
        year.chain((y) => fc.tuple(fc.constant(y), calendarNear(yearStart(y - 30)))),
        ([y, spec]) => {
          const compiled = compile(spec)
          if (!("rules" in compiled)) throw new Error("spec refused")
          if (datedState(compiled.rules, y) === "w") arithmetic++
          expect(yearOpenTime(compiled.rules, y)).toBe(buildSpan(compiled.rules, yearStart(y), yearStart(y + 1)).total)
        }
      ),
      { numRuns: 500 }
    )
    expect(arithmetic).toBeGreaterThan(250)
  })

  it("the same for intersections and unions of calendars in two zones (150 cases)", () => {
    fc.assert(
      fc.property(spanAndCalendar, calendarSpec, fc.boolean(), ([[a, b], left], right, both) => {
        const compose = both ? BusinessCalendar.intersect : BusinessCalendar.union
        const far = ok(BusinessCalendar.businessTimeBetween(compose(build(left), build(right)), utc(a), utc(b)))
        expect(Duration.toMillis(far)).toBe(betweenByChunks(timelineOf(compose(build(left), build(right))), a, b))
      }),
      { numRuns: 150 }
    )
  })

  it("addBusinessTime and subtractBusinessTime over up to 30 years match the chunk walk, errors included (300 cases)", () => {
    const outcomes = new Set<string>()
    fc.assert(
      fc.property(spanAndCalendar, fraction, ([[a, b], spec], fraction) => {
        const calendar = build(spec)
        const reference = timelineOf(build(spec))
        const d = Math.round(fraction * betweenByChunks(reference, a, b))
        const added = answered(BusinessCalendar.addBusinessTime(calendar, utc(a), Duration.millis(d)))
        const subtracted = answered(BusinessCalendar.subtractBusinessTime(calendar, utc(b), Duration.millis(d)))
        expect(added).toBe(expected(Timeline.add(reference, a, d) as number))
        expect(subtracted).toBe(expected(Timeline.subtract(reference, b, d) as number))
        outcomes.add(added.endsWith("Z") ? "instant" : added).add(subtracted.endsWith("Z") ? "instant" : subtracted)
      }),
      { numRuns: 300 }
    )
    // The runs met long closed stretches and the ends of the range, not only due times.
    expect([...outcomes].sort()).toEqual(["BeyondSupportedRange", "SearchLimitReached", "instant"])
  })
})

describe("searches across a long closed stretch give up exactly as the chunk walk does", () => {
  // Closed for about the 3,660 days after which a search gives up, from any day: across it or not?
  const closure = fc
    .tuple(
      fc.constantFrom(...zones).chain((zone) => specIn(zone, dates)),
      fc.integer({ min: 1001, max: 9980 }),
      fc.integer({ min: 0, max: 365 }),
      fc.integer({ min: 3560, max: 4100 }),
      fc.integer({ min: 0, max: 2 * 366 * DAY }),
      fc.integer({ min: 1, max: 30 * 1440 })
    )
    .map(([spec, y, into, length, before, extraMinutes]) => {
      const from = yearStart(y) + into * DAY
      const to = from + length * DAY
      const calendar = { ...spec, holidays: [...(spec.holidays ?? []), { from: isoDay(from), to: isoDay(to) }] }
      return { calendar, from, to: to + DAY, before, extra: extraMinutes * 60_000 }
    })

  it("addBusinessTime from before it and subtractBusinessTime from after it (300 cases)", () => {
    const outcomes = new Set<string>()
    fc.assert(
      fc.property(closure, ({ calendar: spec, from, to, before, extra }) => {
        const calendar = build(spec)
        const reference = timelineOf(build(spec))
        const start = Math.max(MIN_MS, from - before)
        const d = betweenByChunks(reference, start, from) + extra
        const added = answered(BusinessCalendar.addBusinessTime(calendar, utc(start), Duration.millis(d)))
        expect(added).toBe(expected(Timeline.add(reference, start, d) as number))
        const end = Math.min(MAX_MS - 1, to + before)
        const back = betweenByChunks(reference, to, end) + extra
        const subtracted = answered(BusinessCalendar.subtractBusinessTime(calendar, utc(end), Duration.millis(back)))
        expect(subtracted).toBe(expected(Timeline.subtract(reference, end, back) as number))
        outcomes.add(added.endsWith("Z") ? "instant" : added).add(subtracted.endsWith("Z") ? "instant" : subtracted)
      }),
      { numRuns: 300 }
    )
    // Both sides of the limit were met.
    expect(outcomes.has("SearchLimitReached") && outcomes.has("instant")).toBe(true)
  })
})

describe("a far call does a bounded amount of work (counted, not timed)", () => {
  const office = (timeZone: string): BusinessCalendar.Spec => ({
    timeZone,
    weekly: {
      monday: ["09:00-12:00", "14:00-18:00"],
      tuesday: ["09:00-12:00", "14:00-18:00"],
      wednesday: ["09:00-12:00", "14:00-18:00"],
      thursday: ["09:00-12:00", "14:00-18:00"],
      friday: ["09:00-12:00", "14:00-18:00"]
    },
    holidays: [
      { yearly: "01-01" },
      { yearly: "05-01" },
      { yearly: "07-14" },
      { yearly: "12-25" },
      { date: "2026-05-14" },
      { from: "2026-08-10", to: "2026-08-21" }
    ],
    exceptions: [{ date: "2026-12-24", hours: ["09:00-12:00"] }]
  })
  const first = utc(Date.parse("1000-01-01T00:00:00Z"))
  const last = utc(Date.parse("9998-12-31T00:00:00Z"))

  it("#13: the first businessTimeBetween from year 1000 to 9998 (17 s before) lays out a few chunks, not 25,700", () => {
    // A zone no other test of this file reads, so that its offsets are read from Intl here.
    const calendar = build(office("Europe/Madrid"))
    Work.reset()
    const hours = Duration.toHours(ok(BusinessCalendar.businessTimeBetween(calendar, first, last)))
    const work = Work.reset()
    expect(hours).toBeGreaterThan(15_000_000)
    // Laid out day by day: the chunks at the two ends and the years dated rules touch (2026 here);
    // every other year by arithmetic on its layout and offsets.
    expect(work.spansBuilt).toBeLessThanOrEqual(12)
    expect(work.daysBuilt).toBeLessThanOrEqual(12 * 372)
    expect(work.yearsStepped).toBe(8997)
    // Reading the zone: about 61 offsets a year from 1840 to 2087, and 14 years of its annual rule.
    expect(work.offsetProbes).toBeGreaterThan(10_000)
    expect(work.offsetProbes).toBeLessThanOrEqual(25_000)
  })

  it("later far calls read no offsets and build only the chunks at their ends", () => {
    const calendar = build(office("Europe/Madrid"))
    ok(BusinessCalendar.businessTimeBetween(calendar, first, last))
    Work.reset()
    ok(BusinessCalendar.businessTimeBetween(calendar, utc(Date.parse("1003-07-01T10:00:00Z")), last))
    ok(BusinessCalendar.addBusinessTime(calendar, first, Duration.hours(10_000_000)))
    ok(BusinessCalendar.subtractBusinessTime(calendar, last, Duration.hours(10_000_000)))
    const work = Work.reset()
    expect(work.offsetProbes).toBe(0)
    expect(work.spansBuilt).toBeLessThanOrEqual(3 * 12)
    expect(work.yearsStepped).toBeLessThanOrEqual(3 * 8999)
  })

  it("a calendar keeps at most 64 chunks and one total per kind of year, however many far calls it answers", () => {
    const calendar = build(office("America/New_York"))
    const timeline = timelineOf(calendar)
    fc.assert(
      fc.property(span, fc.integer({ min: 0, max: 8000 }), ([a], years) => {
        const b = Math.min(a + years * 365 * DAY, MAX_MS - 1)
        ok(BusinessCalendar.businessTimeBetween(calendar, utc(a), utc(b)))
        Result.getOrUndefined(BusinessCalendar.addBusinessTime(calendar, utc(a), Duration.hours(years * 2000)))
      }),
      { numRuns: 200 }
    )
    expect(timeline.kept.chunks).toBeLessThanOrEqual(64)
    expect(timeline.kept.years).toBeLessThanOrEqual(400)
  })
})

describe("the ends of the supported range (#13)", () => {
  const fridays = build({ timeZone: "UTC", weekly: { friday: ["09:00-17:00"] } })
  const always = BusinessCalendar.alwaysOpen

  it("adding an hour from 9998-12-30 on a Friday-only calendar is BeyondSupportedRange, not 9999-01-01", () => {
    expect(
      failure(BusinessCalendar.addBusinessTime(fridays, utc(Date.parse("9998-12-30T00:00:00Z")), Duration.hours(1)))
    ).toMatchObject({ _tag: "BeyondSupportedRange", operation: "addBusinessTime", bound: "end" })
    expect(failure(BusinessCalendar.nextOpening(fridays, utc(Date.parse("9998-12-30T00:00:00Z"))))).toMatchObject({
      _tag: "BeyondSupportedRange",
      bound: "end"
    })
  })

  it("a due time exactly at 9999-01-01T00:00Z is outside; a minute earlier is inside", () => {
    const lastHour = utc(Date.parse("9998-12-31T23:00:00Z"))
    expect(failure(BusinessCalendar.addBusinessTime(always, lastHour, Duration.hours(1)))._tag).toBe(
      "BeyondSupportedRange"
    )
    expect(DateTime.formatIso(ok(BusinessCalendar.addBusinessTime(always, lastHour, Duration.minutes(59))))).toBe(
      "9998-12-31T23:59:00.000Z"
    )
    expect(failure(BusinessCalendar.nextClosing(always, lastHour))).toMatchObject({ _tag: "BeyondSupportedRange" })
  })

  it("subtracting past 1000-01-01T00:00Z is BeyondSupportedRange at the start", () => {
    const early = utc(Date.parse("1000-01-01T12:00:00Z"))
    expect(failure(BusinessCalendar.subtractBusinessTime(always, early, Duration.hours(13)))).toMatchObject({
      _tag: "BeyondSupportedRange",
      operation: "subtractBusinessTime",
      bound: "start"
    })
    expect(DateTime.formatIso(ok(BusinessCalendar.subtractBusinessTime(always, early, Duration.hours(12))))).toBe(
      "1000-01-01T00:00:00.000Z"
    )
  })

  it("every instant an operation returns near the ends is one the calendar accepts (1,000 cases)", () => {
    const beyond = { end: 0, start: 0 }
    const nearEnd = fc.oneof(
      fc.integer({ min: MAX_MS - 40 * DAY, max: MAX_MS - 1 }),
      fc.integer({ min: MIN_MS, max: MIN_MS + 40 * DAY })
    )
    fc.assert(
      fc.property(calendarSpec, nearEnd, fc.integer({ min: 0, max: 60 * 24 * 60 }), (spec, t, minutes) => {
        const calendar = build(spec)
        const d = Duration.minutes(minutes)
        for (const result of [
          BusinessCalendar.addBusinessTime(calendar, utc(t), d),
          BusinessCalendar.subtractBusinessTime(calendar, utc(t), d),
          BusinessCalendar.nextOpening(calendar, utc(t)),
          BusinessCalendar.nextClosing(calendar, utc(t))
        ]) {
          if (Result.isSuccess(result))
            expect(Result.isSuccess(BusinessCalendar.isOpen(calendar, result.success))).toBe(true)
          else {
            expect(["BeyondSupportedRange", "SearchLimitReached"]).toContain(result.failure._tag)
            if (result.failure._tag === "BeyondSupportedRange") beyond[result.failure.bound]++
          }
        }
      }),
      { numRuns: 1000 }
    )
    expect(beyond.end).toBeGreaterThan(0)
    expect(beyond.start).toBeGreaterThan(0)
  })
})

describe("the zone model agrees with Intl", () => {
  const intl = (timeZone: string) => {
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    return (t: number) => {
      const second = Math.floor(t / 1000) * 1000
      const p: Record<string, number> = {}
      for (const part of format.formatToParts(second)) p[part.type] = Number(part.value)
      return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) - second
    }
  }

  it.each([
    // zone, years checked day by day (where its shortest spells are)
    ["America/Boa_Vista", 1999, 2001], // one week of DST in October 2000
    ["Asia/Gaza", 2038, 2075], // Ramadan suspensions, some a week long, until 2086
    ["Africa/Casablanca", 2019, 2030],
    ["Pacific/Apia", 2011, 2012], // skipped 30 December 2011
    ["Antarctica/Troll", 2004, 2006], // "-00" until 2005, then +00/+02
    ["Australia/Lord_Howe", 2087, 2090],
    ["Asia/Kolkata", 1853, 1855], // LMT, then Howrah Mean Time 8 seconds off
    ["Africa/Lagos", 1904, 1915], // LMT, GMT, LMT again, +00:30
    ["America/Santiago", 1909, 1919], // Santiago Mean Time, -05:00, then Santiago Mean Time again
    ["Europe/Dublin", 1916, 1917]
  ])("%s: at random instants, a second around each change it knows, and every day of %i-%i", (timeZone, from, to) => {
    const read = intl(timeZone)
    const instants: Array<number> = []
    fc.assert(
      fc.property(fc.integer({ min: MIN_MS, max: MAX_MS - 1 }), (t) => {
        instants.push(t)
      }),
      { numRuns: 300 }
    )
    for (let y = 1840; y < 2600; y += y < 2100 ? 1 : 23) {
      for (const t of Zone.yearIn(timeZone, y).at) instants.push(t - 1000, t, t + 1000)
    }
    expect(instants.length).toBeGreaterThan(300)
    for (let t = yearStart(from) + 43_200_000; t < yearStart(to + 1); t += DAY) instants.push(t)
    for (const t of instants)
      expect([new Date(t).toISOString(), Zone.offsetAt(timeZone, t)]).toEqual([new Date(t).toISOString(), read(t)])
  })
})
