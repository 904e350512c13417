/**
 * Business calendars: when a help desk is open, in its own time zone, and the time arithmetic
 * SLAs need on top of that (adding business time, measuring it, finding the next opening or
 * closing). A calendar is built from a plain JSON spec: weekly hours (several intervals a day,
 * overnight shifts), holidays (dates, ranges, yearly dates) and exceptions (special hours on a
 * date, or opening on a holiday); two calendars compose by intersection or union.
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
 * **Performance.** Open time is precomputed lazily as UTC intervals in chunks of 128 days,
 * memoised inside the calendar, with prefix sums: `isOpen` and `businessTimeBetween` within a
 * chunk are a binary search, `addBusinessTime` a binary search on the prefix sums.
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Result, Schema } from "effect"
import { firstProblem } from "../internal/issues.js"
import {
  EndBeforeStart,
  InstantOutOfRange,
  InvalidCalendarSpec,
  InvalidDuration,
  SearchLimitReached,
  type SpecError
} from "./BusinessCalendarError.js"
import { civilFromDays, DAY_MS, weekdayOf } from "./internal/civil.js"
import { buildChunk, compile, isHoliday, type Rules } from "./internal/spec.js"
import * as Timeline from "./internal/timeline.js"
import * as Zone from "./internal/zone.js"

/**
 * Opening hours of one day: ranges `"HH:MM-HH:MM"` in the calendar's zone. An end of `"24:00"`
 * closes at midnight; an end earlier than the start crosses midnight (`"22:00-06:00"`).
 *
 * @category models
 * @since 0.1.0
 */
export const OpeningHours = Schema.Array(Schema.String)
/** @category models @since 0.1.0 */
export type OpeningHours = typeof OpeningHours.Type

/**
 * Opening hours per weekday; a missing day is closed.
 *
 * @category models
 * @since 0.1.0
 */
export const WeeklyHours = Schema.Struct({
  monday: Schema.optionalKey(OpeningHours),
  tuesday: Schema.optionalKey(OpeningHours),
  wednesday: Schema.optionalKey(OpeningHours),
  thursday: Schema.optionalKey(OpeningHours),
  friday: Schema.optionalKey(OpeningHours),
  saturday: Schema.optionalKey(OpeningHours),
  sunday: Schema.optionalKey(OpeningHours)
})
/** @category models @since 0.1.0 */
export type WeeklyHours = typeof WeeklyHours.Type

/**
 * A holiday: one date (`"2026-12-25"`), an inclusive range of dates, or a date every year
 * (`"12-25"`; `"02-29"` applies in leap years only). Closed all day, unless an exception says
 * otherwise; the name is kept for explanations.
 *
 * @category models
 * @since 0.1.0
 */
export const Holiday = Schema.Union([
  Schema.Struct({ date: Schema.String, name: Schema.optionalKey(Schema.String) }),
  Schema.Struct({ from: Schema.String, to: Schema.String, name: Schema.optionalKey(Schema.String) }),
  Schema.Struct({ yearly: Schema.String, name: Schema.optionalKey(Schema.String) })
])
/** @category models @since 0.1.0 */
export type Holiday = typeof Holiday.Type

/**
 * Special hours on one date, replacing that date's weekly hours and any holiday: `hours: []`
 * closes the day, and leaving `hours` out opens a holiday with the usual weekly hours.
 *
 * @category models
 * @since 0.1.0
 */
export const Exception = Schema.Struct({
  date: Schema.String,
  hours: Schema.optionalKey(OpeningHours),
  name: Schema.optionalKey(Schema.String)
})
/** @category models @since 0.1.0 */
export type Exception = typeof Exception.Type

const SpecShape = Schema.Struct({
  timeZone: Schema.String,
  weekly: Schema.Union([Schema.Literal("24/7"), WeeklyHours]),
  holidays: Schema.optionalKey(Schema.Array(Holiday)),
  exceptions: Schema.optionalKey(Schema.Array(Exception))
})

/**
 * The JSON spec of a calendar: an IANA time zone, weekly hours (or `"24/7"`), holidays and
 * exceptions. Decoding checks everything `make` checks and reports each problem at its path;
 * decode with `{ onExcessProperty: "error" }` so that a misspelt weekday is not dropped.
 *
 * @example
 * ```ts
 * const spec: BusinessCalendar.Spec = {
 *   timeZone: "Europe/Paris",
 *   weekly: { monday: ["09:00-12:00", "14:00-18:00"], friday: ["09:00-12:00", "22:00-06:00"] },
 *   holidays: [{ date: "2026-05-01" }, { from: "2026-08-10", to: "2026-08-21" }, { yearly: "12-25" }],
 *   exceptions: [{ date: "2026-12-24", hours: ["09:00-12:00"] }]
 * }
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const Spec = SpecShape.check(
  Schema.makeFilter((spec: typeof SpecShape.Type) => {
    const compiled = compile(spec)
    return "errors" in compiled
      ? compiled.errors.map((error) => ({ path: error.path, issue: error.message }))
      : undefined
  })
)
/** @category models @since 0.1.0 */
export type Spec = typeof SpecShape.Type

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

const fromDefinition = (definition: Definition, build: (index: number) => Timeline.Chunk): BusinessCalendar => ({
  [TypeId]: TypeId,
  definition,
  [timelineKey]: new Timeline.Timeline(build)
})

const fromRules = (spec: Spec, rules: Rules): BusinessCalendar =>
  fromDefinition({ _tag: "Hours", spec }, (index) => buildChunk(rules, index))

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
 * overlapping hours, and at least some opening hours.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (spec: Spec): Result.Result<BusinessCalendar, SpecError> => {
  const compiled = compile(spec)
  return "errors" in compiled
    ? Result.fail(compiled.errors[0] as SpecError)
    : Result.succeed(fromRules(spec, compiled.rules))
}

/**
 * Builds a calendar from untrusted JSON (parsed, not a string). A value of the wrong shape or
 * an unknown key fails with `InvalidCalendarSpec` at its path; the rest as in `make`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decode = (input: unknown): Result.Result<BusinessCalendar, SpecError> => {
  const decoded = Schema.decodeUnknownResult(SpecShape)(input, { onExcessProperty: "error" })
  if (Result.isSuccess(decoded)) return make(decoded.success)
  const first = firstProblem(decoded.failure.issue, decoded.failure.message)
  return Result.fail(new InvalidCalendarSpec({ path: first.path, reason: first.message }))
}

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
  holidayDays: new Set(),
  holidayRanges: [],
  yearly: new Set(),
  exceptions: new Map()
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
  fromDefinition({ _tag: "Intersection", left, right }, (index) =>
    Timeline.intersectChunks(left[timelineKey].chunk(index), right[timelineKey].chunk(index))
  )

/**
 * Open when either calendar is open (a desk and its follow-the-sun partner). The calendars may
 * be in different zones.
 *
 * @category combinators
 * @since 0.1.0
 */
export const union = (left: BusinessCalendar, right: BusinessCalendar): BusinessCalendar =>
  fromDefinition({ _tag: "Union", left, right }, (index) =>
    Timeline.unionChunks(left[timelineKey].chunk(index), right[timelineKey].chunk(index))
  )

const inRange = (t: number): boolean => t >= Timeline.MIN_MS && t < Timeline.MAX_MS

const utc = (like: DateTime.Utc, epochMillis: number): DateTime.Utc => DateTime.mapEpochMillis(like, () => epochMillis)

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
): Result.Result<DateTime.Utc, InstantOutOfRange | SearchLimitReached> => {
  const t = instant.epochMilliseconds
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  const opening = Timeline.nextOpening(calendar[timelineKey], t)
  return Number.isNaN(opening)
    ? Result.fail(new SearchLimitReached({ operation: "nextOpening", from: instant }))
    : Result.succeed(utc(instant, opening))
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
): Result.Result<DateTime.Utc, InstantOutOfRange | SearchLimitReached> => {
  const t = instant.epochMilliseconds
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  const closing = Timeline.nextClosing(calendar[timelineKey], t)
  return Number.isNaN(closing)
    ? Result.fail(new SearchLimitReached({ operation: "nextClosing", from: instant }))
    : Result.succeed(utc(instant, closing))
}

/**
 * The earliest instant at which `duration` of business time has passed since `start`. Adding
 * zero returns `start`; a due time that falls exactly on a closing time is that closing time,
 * not the next opening. A negative or infinite duration fails with `InvalidDuration`.
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
): Result.Result<DateTime.Utc, InvalidDuration | InstantOutOfRange | SearchLimitReached> => {
  const t = start.epochMilliseconds
  const millis = Duration.toMillis(duration)
  if (!(millis >= 0)) return Result.fail(new InvalidDuration({ millis, reason: "negative" }))
  if (millis === Number.POSITIVE_INFINITY) return Result.fail(new InvalidDuration({ millis, reason: "infinite" }))
  if (!inRange(t)) return Result.fail(new InstantOutOfRange({ epochMillis: t }))
  const due = Timeline.add(calendar[timelineKey], t, millis)
  return Number.isNaN(due)
    ? Result.fail(new SearchLimitReached({ operation: "addBusinessTime", from: start }))
    : Result.succeed(utc(start, due))
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
  return Result.succeed(Duration.millis(Timeline.between(calendar[timelineKey], a, b)))
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
  if (!inRange(a) || !inRange(b) || b < a || "errors" in compiled) return []
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
