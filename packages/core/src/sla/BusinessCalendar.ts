/**
 * Business calendars: when a help desk is open, in its own time zone, and the time arithmetic
 * SLAs need on top of that (adding and subtracting business time, measuring it, finding the next
 * opening or closing). A calendar is built from a plain JSON spec: weekly hours (several intervals
 * a day, overnight shifts), holidays (dates, ranges, yearly dates) and exceptions (special hours
 * on a date, or opening on a holiday); two calendars compose by intersection or union.
 *
 * Instants are `DateTime.Utc` and durations `Duration`, as elsewhere in core; every operation
 * is synchronous, pure and total, and returns a `Result` (lift it into an Effect with
 * `Effect.fromResult`). Policies, pauses and due times live in the SLA modules built on this one.
 *
 * **Wall clock and DST.** An instant is open when its wall-clock date and time in the
 * calendar's zone fall in that date's opening hours. A range that starts inside a
 * spring-forward gap opens when the clock jumps; at fall-back, a repeated hour that is open
 * counts twice. An overnight shift (`"22:00-06:00"`) belongs to the day it starts: a holiday
 * or an exception on that day removes or replaces the whole shift.
 *
 * **Range.** Instants run from 1000-01-01T00:00Z to 9999-01-01T00:00Z (exclusive), and every
 * instant an operation returns lies in that range: an answer that would not is a typed error.
 *
 * **Performance.** Open time is computed on demand as UTC intervals in chunks of 128 days with
 * prefix sums, and a calendar keeps the last few dozen chunks: `isOpen` and `businessTimeBetween`
 * within a chunk are a binary search, adding or subtracting a binary search on the prefix sums.
 * Spans across years add up whole years, whose open time depends only on the year's layout, the
 * zone's offsets and the dated rules touching it, so any call takes milliseconds at most, however
 * far apart its instants are, and the memory a calendar keeps is bounded.
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Result } from "effect"
import * as ConfigError from "../values/ConfigError.js"
import {
  BeyondSupportedRange,
  EndBeforeStart,
  InstantOutOfRange,
  InvalidDuration,
  SearchLimitReached
} from "./BusinessCalendarError.js"
import { type Spec, validate } from "./BusinessCalendarSpec.js"
import { civilFromDays, DAY_MS, weekdayOf } from "./internal/civil.js"
import * as Far from "./internal/far.js"
import { buildSpan, isHoliday, type Rules, yearSignature } from "./internal/rules.js"
import { compile } from "./internal/spec.js"
import * as Timeline from "./internal/timeline.js"
import { yearOpenTime } from "./internal/week.js"
import * as Zone from "./internal/zone.js"

// The spec's schemas live in their own module; users find them here.
export { Exception, Holiday, OpeningHours, Spec, WeeklyHours } from "./BusinessCalendarSpec.js"

/**
 * How a calendar was built: from a spec, or as the intersection or union of two calendars.
 *
 * @category models
 * @since 0.1.0
 */
export type Definition =
  | { readonly _tag: "Hours"; readonly spec: Spec }
  | { readonly _tag: "Intersection"; readonly left: BusinessCalendar; readonly right: BusinessCalendar }
  | { readonly _tag: "Union"; readonly left: BusinessCalendar; readonly right: BusinessCalendar }

const TypeId = "~@tessera/core/BusinessCalendar"
const timelineKey: unique symbol = Symbol.for("@tessera/core/BusinessCalendar/timeline")

/**
 * A business calendar. Its open intervals are computed on demand and kept inside the value;
 * that cache is invisible: every operation is a pure function of the definition.
 *
 * @category models
 * @since 0.1.0
 */
export interface BusinessCalendar {
  readonly [TypeId]: typeof TypeId
  readonly definition: Definition
  /** @internal */
  readonly [timelineKey]: Timeline.Timeline
}

const fromDefinition = (definition: Definition, source: Timeline.Source): BusinessCalendar => ({
  [TypeId]: TypeId,
  definition,
  [timelineKey]: new Timeline.Timeline(source)
})

const fromRules = (spec: Spec, rules: Rules): BusinessCalendar =>
  fromDefinition(
    { _tag: "Hours", spec },
    {
      build: (from, to) => buildSpan(rules, from, to),
      signature: (year) => yearSignature(rules, year),
      yearTotal: (year) => yearOpenTime(rules, year)
    }
  )

const composed = (
  definition: Definition,
  left: BusinessCalendar,
  right: BusinessCalendar,
  combine: (a: Timeline.Chunk, b: Timeline.Chunk) => Timeline.Chunk
): BusinessCalendar => {
  const a = left[timelineKey]
  const b = right[timelineKey]
  const operator = definition._tag === "Intersection" ? "&" : "+"
  return fromDefinition(definition, {
    build: (from, to) => combine(a.source.build(from, to), b.source.build(from, to)),
    signature: (year) => `(${a.source.signature(year)}${operator}${b.source.signature(year)})`,
    chunk: (index) => combine(a.chunk(index), b.chunk(index))
  })
}

/**
 * Whether a value is a business calendar.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isBusinessCalendar = (u: unknown): u is BusinessCalendar =>
  typeof u === "object" && u !== null && TypeId in u

/**
 * Builds a calendar from a typed spec, validating it: the time zone, every time and date, no
 * overlapping hours, and at least some opening hours. A spec that does not hold is an
 * `InvalidConfig` listing every problem with its path in the spec.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (spec: Spec): Result.Result<BusinessCalendar, ConfigError.InvalidConfig> => {
  const compiled = compile(spec)
  return "problems" in compiled
    ? Result.fail(ConfigError.invalid("calendar", compiled.problems))
    : Result.succeed(fromRules(spec, compiled.rules))
}

/**
 * Builds a calendar from untrusted JSON (parsed, not a string). Fails with one `InvalidConfig`
 * listing every problem with its path: values of the wrong shape and unknown keys (a misspelt
 * weekday), and what `make` checks (an unknown zone, a malformed time or date, overlapping hours).
 *
 * @example
 * ```ts
 * BusinessCalendar.decode({ timeZone: "Mars/Olympus", weekly: { mondy: ["09:00-17:00"], friday: [9] } })
 * // Result.fail(InvalidConfig { config: "calendar", problems: [
 * //   { path: ["timeZone"], message: 'Unknown time zone "Mars/Olympus"' },
 * //   { path: ["weekly", "mondy"], message: "Expected no excess property" },
 * //   { path: ["weekly", "friday", 0], message: "Expected string" }] })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (input: unknown): Result.Result<BusinessCalendar, ConfigError.InvalidConfig> =>
  Result.map(validate(input), ({ rules, spec }) => fromRules(spec, rules))

const alwaysOpenSpec: Spec = { timeZone: "UTC", weekly: "24/7" }

/**
 * Open around the clock, every day (the spec `{ "timeZone": "UTC", "weekly": "24/7" }`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const alwaysOpen: BusinessCalendar = fromRules(alwaysOpenSpec, {
  timeZone: "UTC",
  weekly: Array.from({ length: 7 }, () => [0, DAY_MS]),
  closed: [],
  yearly: new Set(),
  exceptions: new Map(),
  exceptionDays: []
})

/**
 * Open exactly when both calendars are open (support hours ∩ a customer's contracted hours).
 * The calendars may be in different zones. The result may never open: operations that search
 * for open time then fail with `SearchLimitReached`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const intersect = (left: BusinessCalendar, right: BusinessCalendar): BusinessCalendar =>
  composed({ _tag: "Intersection", left, right }, left, right, Timeline.intersectChunks)

/**
 * Open when either calendar is open (a desk and its follow-the-sun partner). The calendars may
 * be in different zones.
 *
 * @category combinators
 * @since 0.1.0
 */
export const union = (left: BusinessCalendar, right: BusinessCalendar): BusinessCalendar =>
  composed({ _tag: "Union", left, right }, left, right, Timeline.unionChunks)

const inRange = (t: number): boolean => t >= Timeline.MIN_MS && t < Timeline.MAX_MS

const utc = (like: DateTime.Utc, epochMillis: number): DateTime.Utc => DateTime.mapEpochMillis(like, () => epochMillis)

type Search = "addBusinessTime" | "subtractBusinessTime" | "nextOpening" | "nextClosing"

/** A search's answer (`NaN`: gave up; outside the range: would leave it) as a `Result`. */
const answer = (
  operation: Search,
  from: DateTime.Utc,
  found: number
): Result.Result<DateTime.Utc, SearchLimitReached | BeyondSupportedRange> => {
  if (Number.isNaN(found)) return Result.fail(new SearchLimitReached({ operation, from }))
  if (found >= Timeline.MAX_MS) return Result.fail(new BeyondSupportedRange({ operation, from, bound: "end" }))
  if (found < Timeline.MIN_MS) return Result.fail(new BeyondSupportedRange({ operation, from, bound: "start" }))
  return Result.succeed(utc(from, found))
}

/** A business duration in milliseconds, or why it is refused. */
const businessMillis = (duration: Duration.Duration): Result.Result<number, InvalidDuration> => {
  const millis = Duration.toMillis(duration)
  if (!(millis >= 0)) return Result.fail(new InvalidDuration({ millis, reason: "negative" }))
  if (millis === Number.POSITIVE_INFINITY) return Result.fail(new InvalidDuration({ millis, reason: "infinite" }))
  return Result.succeed(millis)
}

/**
 * Moves `from` by a business duration with `step` (adding or subtracting): the duration and the
 * start are checked first, and the instant found is checked against the supported range.
 */
const shift = (
  operation: "addBusinessTime" | "subtractBusinessTime",
  from: DateTime.Utc,
  duration: Duration.Duration,
  step: (t: number, millis: number) => number
): Result.Result<DateTime.Utc, InvalidDuration | InstantOutOfRange | SearchLimitReached | BeyondSupportedRange> => {
  const t = from.epochMilliseconds
  const millis = businessMillis(duration)
  if (Result.isFailure(millis)) return Result.fail(millis.failure)
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  return answer(operation, from, step(t, millis.success))
}

/**
 * Whether the calendar is open at an instant (opening times are inclusive, closing times
 * exclusive).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isOpen = (
  calendar: BusinessCalendar,
  instant: DateTime.Utc
): Result.Result<boolean, InstantOutOfRange> => {
  const t = instant.epochMilliseconds
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  return Result.succeed(Timeline.isOpen(calendar[timelineKey], t))
}

/**
 * The first open instant at or after `instant`: the instant itself when open, else the next
 * opening time.
 *
 * @category combinators
 * @since 0.1.0
 */
export const nextOpening = (
  calendar: BusinessCalendar,
  instant: DateTime.Utc
): Result.Result<DateTime.Utc, InstantOutOfRange | SearchLimitReached | BeyondSupportedRange> => {
  const t = instant.epochMilliseconds
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  return answer("nextOpening", instant, Timeline.nextOpening(calendar[timelineKey], t))
}

/**
 * The end of the open period containing `instant` or, when closed, of the next open period:
 * `[nextOpening(c, t), nextClosing(c, t))` is the first open period at or after `t`. Periods
 * that touch (across midnight, an overnight shift, a union) are one period.
 *
 * @category combinators
 * @since 0.1.0
 */
export const nextClosing = (
  calendar: BusinessCalendar,
  instant: DateTime.Utc
): Result.Result<DateTime.Utc, InstantOutOfRange | SearchLimitReached | BeyondSupportedRange> => {
  const t = instant.epochMilliseconds
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  return answer("nextClosing", instant, Timeline.nextClosing(calendar[timelineKey], t))
}

/**
 * The earliest instant at which `duration` of business time has passed since `start`. Adding
 * zero returns `start`; a due time that falls exactly on a closing time is that closing time,
 * not the next opening. A negative or infinite duration fails with `InvalidDuration`, a due time
 * at or after 9999-01-01T00:00Z with `BeyondSupportedRange`.
 *
 * @example
 * ```ts
 * // Mon-Fri 09:00-17:00 in New York: Fri 2026-03-06 15:00 EST + 8 h -> Mon 2026-03-09 15:00 EDT
 * BusinessCalendar.addBusinessTime(newYork, DateTime.makeUnsafe("2026-03-06T20:00:00Z"), Duration.hours(8))
 * // Result.succeed(2026-03-09T19:00:00.000Z)
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const addBusinessTime = (
  calendar: BusinessCalendar,
  start: DateTime.Utc,
  duration: Duration.Duration
): Result.Result<DateTime.Utc, InvalidDuration | InstantOutOfRange | SearchLimitReached | BeyondSupportedRange> => {
  return shift("addBusinessTime", start, duration, (t, millis) => Far.add(calendar[timelineKey], t, millis))
}

/**
 * The latest instant with `duration` of business time between it and `from`: a due time minus
 * business time, for reminders such as "two business days before". Subtracting zero returns
 * `from`; a start that falls exactly on an opening time is that opening time, not the closing
 * before it. Adding the same duration back returns `from` when the calendar is open just before
 * `from`, and otherwise the end of the last open period before it (the same business moment).
 * Errors as in `addBusinessTime`, with `BeyondSupportedRange` before 1000-01-01T00:00Z.
 *
 * @example
 * ```ts
 * // Mon-Fri 09:00-17:00 in New York: a reminder 2 business days (16 h) before Wed 2026-03-11 10:00 EDT
 * BusinessCalendar.subtractBusinessTime(newYork, DateTime.makeUnsafe("2026-03-11T14:00:00Z"), Duration.hours(16))
 * // Result.succeed(2026-03-09T14:00:00.000Z), Mon 2026-03-09 10:00 EDT
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const subtractBusinessTime = (
  calendar: BusinessCalendar,
  from: DateTime.Utc,
  duration: Duration.Duration
): Result.Result<DateTime.Utc, InvalidDuration | InstantOutOfRange | SearchLimitReached | BeyondSupportedRange> => {
  return shift("subtractBusinessTime", from, duration, (t, millis) => Far.subtract(calendar[timelineKey], t, millis))
}

/**
 * The business time in `[from, to)`. `to` before `from` fails with `EndBeforeStart` (swap
 * them for the time between two instants in either order).
 *
 * @category combinators
 * @since 0.1.0
 */
export const businessTimeBetween = (
  calendar: BusinessCalendar,
  from: DateTime.Utc,
  to: DateTime.Utc
): Result.Result<Duration.Duration, EndBeforeStart | InstantOutOfRange> => {
  const a = from.epochMilliseconds
  const b = to.epochMilliseconds
  if (!inRange(a)) return Result.fail(new InstantOutOfRange({ epochMillis: a }))
  if (!inRange(b)) return Result.fail(new InstantOutOfRange({ epochMillis: b }))
  if (b < a) return Result.fail(new EndBeforeStart({ from, to }))
  return Result.succeed(Duration.millis(Far.between(calendar[timelineKey], a, b)))
}

/**
 * One interval of open time, `[start, end)`.
 *
 * @category models
 * @since 0.1.0
 */
export interface OpenInterval {
  readonly start: DateTime.Utc
  readonly end: DateTime.Utc
}

/**
 * The open intervals within `[from, to)`, clipped to it, in order: the opening hours an SLA
 * due time was counted in (see `Sla.explainDue`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const openIntervals = (
  calendar: BusinessCalendar,
  from: DateTime.Utc,
  to: DateTime.Utc
): Result.Result<ReadonlyArray<OpenInterval>, EndBeforeStart | InstantOutOfRange> => {
  const a = from.epochMilliseconds
  const b = to.epochMilliseconds
  if (!inRange(a)) return Result.fail(new InstantOutOfRange({ epochMillis: a }))
  if (!inRange(b)) return Result.fail(new InstantOutOfRange({ epochMillis: b }))
  if (b < a) return Result.fail(new EndBeforeStart({ from, to }))
  const intervals: Array<OpenInterval> = []
  for (let k = Timeline.chunkIndex(a); k <= Timeline.chunkIndex(b); k++) {
    const chunk = calendar[timelineKey].chunk(k)
    for (let i = 0; i < chunk.n; i++) {
      const start = Math.max(a, chunk.starts[i] as number)
      const end = Math.min(b, chunk.ends[i] as number)
      if (end <= start) continue
      // Chunks are cut at their bounds: an interval running across two chunks is one interval.
      const last = intervals[intervals.length - 1]
      if (last !== undefined && last.end.epochMilliseconds === start)
        intervals[intervals.length - 1] = { start: last.start, end: utc(from, end) }
      else intervals.push({ start: utc(from, start), end: utc(from, end) })
    }
  }
  return Result.succeed(intervals)
}

/**
 * A holiday that closed a day the weekly hours would have opened.
 *
 * @category models
 * @since 0.1.0
 */
export interface SkippedHoliday {
  /** The local date, `YYYY-MM-DD`, in the zone of the calendar that declared it. */
  readonly date: string
  readonly name?: string
  readonly timeZone: string
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/**
 * The holidays between two instants that closed a day with weekly opening hours (a holiday
 * reopened by an exception, or on a day that is closed anyway, is not listed): the days an SLA
 * due time skipped. Composed calendars list the holidays of both sides.
 *
 * @category combinators
 * @since 0.1.0
 */
export const holidaysBetween = (
  calendar: BusinessCalendar,
  from: DateTime.Utc,
  to: DateTime.Utc
): ReadonlyArray<SkippedHoliday> => {
  const definition = calendar.definition
  if (definition._tag !== "Hours") {
    const seen = new Set<string>()
    return [...holidaysBetween(definition.left, from, to), ...holidaysBetween(definition.right, from, to)].filter(
      (h) => {
        const key = `${h.timeZone} ${h.date} ${h.name ?? ""}`
        if (seen.has(key)) return false
        seen.add(key)
        return true
      }
    )
  }
  const a = from.epochMilliseconds
  const b = to.epochMilliseconds
  const compiled = compile(definition.spec)
  if (!inRange(a) || !inRange(b) || b < a || "problems" in compiled) return []
  const { rules } = compiled
  const localDay = (t: number) => Math.floor((t + Zone.offsetAt(rules.timeZone, t)) / DAY_MS)
  const first = localDay(a)
  // At most ten years of days: the span any due time is searched over.
  const last = Math.min(localDay(b), first + 3660)
  const named = (day: number): string | undefined | null => {
    const { year, month, day: dom } = civilFromDays(day)
    const date = `${pad(year, 4)}-${pad(month)}-${pad(dom)}`
    for (const h of definition.spec.holidays ?? []) {
      const hit =
        "date" in h ? h.date === date : "from" in h ? h.from <= date && date <= h.to : h.yearly === date.slice(5)
      if (hit) return h.name
    }
    return null
  }
  const skipped: Array<SkippedHoliday> = []
  for (let day = first; day <= last; day++) {
    if (rules.exceptions.has(day) || !isHoliday(rules, day)) continue
    if ((rules.weekly[weekdayOf(day)] ?? []).length === 0) continue
    const { year, month, day: dom } = civilFromDays(day)
    const name = named(day)
    skipped.push({
      date: `${pad(year, 4)}-${pad(month)}-${pad(dom)}`,
      timeZone: rules.timeZone,
      ...(typeof name === "string" ? { name } : {})
    })
  }
  return skipped
}
