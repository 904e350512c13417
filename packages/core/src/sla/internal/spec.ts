/**
 * Validation of a calendar spec into typed errors with paths, and its compilation into rules
 * (opening hours per weekday, holidays, exceptions) from which the open intervals of any span
 * of UTC time are built. Wall-clock ranges are converted to UTC through the zone's offset
 * periods: an instant is open when its wall-clock date and time, read in the calendar's zone,
 * fall in an open range of that date. So a range that starts inside a spring-forward gap
 * opens when the clock jumps, and an hour repeated at fall-back counts twice when open.
 */
import { DateTime, Option } from "effect"
import type { Spec } from "../BusinessCalendar.js"
import {
  CalendarNeverOpens,
  InvalidCalendarSpec,
  MalformedDate,
  MalformedTime,
  OverlappingHours,
  type SpecError,
  type SpecPath,
  UnknownTimeZone
} from "../BusinessCalendarError.js"
import { civilFromDays, DAY_MS, daysFromCivil, isValidDate, weekdayOf } from "./civil.js"
import { CHUNK_MS, type Chunk, makeChunk, pushMerged } from "./timeline.js"
import { periods } from "./zone.js"

const MINUTE_MS = 60_000
const WEEK_MINUTES = 7 * 1440

/** Weekday keys of a spec, Monday first, with their index in `weekdayOf` (0 = Sunday). */
export const weekdays = [
  ["monday", 1],
  ["tuesday", 2],
  ["wednesday", 3],
  ["thursday", 4],
  ["friday", 5],
  ["saturday", 6],
  ["sunday", 0]
] as const

/** Opening hours as `[start, end, start, end, ...]` in milliseconds from the day's midnight. */
type Hours = ReadonlyArray<number>

/** A validated spec, ready to build open intervals. */
export interface Rules {
  readonly timeZone: string
  /** Indexed by `weekdayOf` (0 = Sunday). */
  readonly weekly: ReadonlyArray<Hours>
  readonly holidayDays: ReadonlySet<number>
  readonly holidayRanges: ReadonlyArray<readonly [number, number]>
  /** `month * 100 + day`. */
  readonly yearly: ReadonlySet<number>
  /** Day number -> the hours of that day (`undefined`: the weekly hours, even on a holiday). */
  readonly exceptions: ReadonlyMap<number, Hours | undefined>
}

interface Range {
  readonly path: SpecPath
  readonly value: string
  /** Minutes from the day's midnight; `end > start`, up to `start + 1440` overnight. */
  readonly start: number
  readonly end: number
}

const timeRange = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/

const parseRange = (value: string, path: SpecPath, errors: Array<SpecError>): Range | undefined => {
  const match = timeRange.exec(value)
  const malformed = (reason: string) => {
    errors.push(new MalformedTime({ path, value, reason }))
    return undefined
  }
  if (match === null) return malformed('expected "HH:MM-HH:MM"')
  const [sh, sm, eh, em] = [match[1], match[2], match[3], match[4]].map(Number) as [number, number, number, number]
  if (sh > 23 || sm > 59) return malformed("the start must be between 00:00 and 23:59")
  if (eh > 24 || em > 59 || (eh === 24 && em !== 0)) return malformed("the end must be between 00:00 and 24:00")
  const start = sh * 60 + sm
  const end = eh * 60 + em
  if (start === end) return malformed("the start and end are equal (for a whole day write 00:00-24:00)")
  // An end before the start crosses midnight: the shift belongs to the day it starts.
  return { path, value, start, end: end < start ? end + 1440 : end }
}

const overlaps = (a: Range, b: Range, period: number): boolean =>
  (a.start < b.end && b.start < a.end) ||
  (period > 0 && a.start + period < b.end && b.start < a.end + period) ||
  (period > 0 && b.start + period < a.end && a.start < b.end + period)

const checkOverlaps = (ranges: ReadonlyArray<Range>, period: number, errors: Array<SpecError>): void => {
  for (let i = 1; i < ranges.length; i++) {
    const range = ranges[i] as Range
    for (let j = 0; j < i; j++) {
      const other = ranges[j] as Range
      if (overlaps(range, other, period)) {
        errors.push(
          new OverlappingHours({ path: range.path, value: range.value, otherPath: other.path, other: other.value })
        )
        break
      }
    }
  }
}

const toHours = (ranges: ReadonlyArray<Range>): Hours =>
  [...ranges].sort((a, b) => a.start - b.start).flatMap((r) => [r.start * MINUTE_MS, r.end * MINUTE_MS])

const fullDate = /^(\d{4})-(\d{2})-(\d{2})$/
const monthDay = /^(\d{2})-(\d{2})$/

const parseDate = (value: string, path: SpecPath, errors: Array<SpecError>): number | undefined => {
  const match = fullDate.exec(value)
  if (match === null) {
    errors.push(new MalformedDate({ path, value, reason: 'expected "YYYY-MM-DD"' }))
    return undefined
  }
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number]
  if (year < 1000 || year > 9998) {
    errors.push(new MalformedDate({ path, value, reason: "the year must be between 1000 and 9998" }))
    return undefined
  }
  if (!isValidDate(year, month, day)) {
    errors.push(new MalformedDate({ path, value, reason: "no such date" }))
    return undefined
  }
  return daysFromCivil(year, month, day)
}

const parseMonthDay = (value: string, path: SpecPath, errors: Array<SpecError>): number | undefined => {
  const match = monthDay.exec(value)
  const month = Number(match?.[1])
  const day = Number(match?.[2])
  // 2000 is a leap year: "02-29" is a valid yearly date (it applies in leap years only).
  if (match === null || !isValidDate(2000, month, day)) {
    errors.push(new MalformedDate({ path, value, reason: 'expected a valid "MM-DD"' }))
    return undefined
  }
  return month * 100 + day
}

/** Validates a spec: its rules, or every problem found. */
export const compile = (spec: Spec): { readonly rules: Rules } | { readonly errors: ReadonlyArray<SpecError> } => {
  const errors: Array<SpecError> = []
  if (Option.isNone(DateTime.zoneMakeNamed(spec.timeZone))) {
    errors.push(new UnknownTimeZone({ path: ["timeZone"], timeZone: spec.timeZone }))
  }

  const weekly: Array<Hours> = [[], [], [], [], [], [], []]
  let opensWeekly = false
  if (spec.weekly === "24/7") {
    for (let d = 0; d < 7; d++) weekly[d] = [0, DAY_MS]
    opensWeekly = true
  } else {
    const all: Array<Range> = []
    weekdays.forEach(([key, weekday], position) => {
      const ranges: Array<Range> = []
      const values = (spec.weekly as Partial<Record<string, ReadonlyArray<string>>>)[key] ?? []
      values.forEach((value, i) => {
        const range = parseRange(value, ["weekly", key, i], errors)
        if (range !== undefined) ranges.push(range)
      })
      weekly[weekday] = toHours(ranges)
      if (ranges.length > 0) opensWeekly = true
      // Position the day in the week (Monday first) to catch overnight shifts running into the next day.
      for (const r of ranges) all.push({ ...r, start: r.start + position * 1440, end: r.end + position * 1440 })
    })
    checkOverlaps(all, WEEK_MINUTES, errors)
  }

  const holidayDays = new Set<number>()
  const holidayRanges: Array<readonly [number, number]> = []
  const yearly = new Set<number>()
  ;(spec.holidays ?? []).forEach((holiday, i) => {
    if ("date" in holiday) {
      const day = parseDate(holiday.date, ["holidays", i, "date"], errors)
      if (day !== undefined) holidayDays.add(day)
    } else if ("from" in holiday) {
      const from = parseDate(holiday.from, ["holidays", i, "from"], errors)
      const to = parseDate(holiday.to, ["holidays", i, "to"], errors)
      if (from !== undefined && to !== undefined) {
        if (to < from)
          errors.push(new InvalidCalendarSpec({ path: ["holidays", i], reason: "the range ends before it starts" }))
        else holidayRanges.push([from, to])
      }
    } else {
      const md = parseMonthDay(holiday.yearly, ["holidays", i, "yearly"], errors)
      if (md !== undefined) yearly.add(md)
    }
  })

  const exceptions = new Map<number, Hours | undefined>()
  const exceptionIndex = new Map<number, number>()
  let opensByException = false
  ;(spec.exceptions ?? []).forEach((exception, i) => {
    const day = parseDate(exception.date, ["exceptions", i, "date"], errors)
    let hours: Hours | undefined
    if (exception.hours !== undefined) {
      const ranges: Array<Range> = []
      exception.hours.forEach((value, j) => {
        const range = parseRange(value, ["exceptions", i, "hours", j], errors)
        if (range !== undefined) ranges.push(range)
      })
      checkOverlaps(ranges, 0, errors)
      hours = toHours(ranges)
      if (ranges.length > 0) opensByException = true
    }
    if (day === undefined) return
    const previous = exceptionIndex.get(day)
    if (previous !== undefined) {
      errors.push(
        new InvalidCalendarSpec({
          path: ["exceptions", i, "date"],
          reason: `exceptions[${previous}] is for the same date`
        })
      )
      return
    }
    exceptionIndex.set(day, i)
    exceptions.set(day, hours)
  })

  if (!opensWeekly && !opensByException) errors.push(new CalendarNeverOpens({ path: ["weekly"] }))
  if (errors.length > 0) return { errors }
  return { rules: { timeZone: spec.timeZone, weekly, holidayDays, holidayRanges, yearly, exceptions } }
}

const EMPTY: Hours = []

/** The opening hours of a local day (a day number in the calendar's zone). */
export const hoursOf = (rules: Rules, day: number): Hours => {
  if (rules.exceptions.has(day)) return rules.exceptions.get(day) ?? (rules.weekly[weekdayOf(day)] as Hours)
  if (isHoliday(rules, day)) return EMPTY
  return rules.weekly[weekdayOf(day)] as Hours
}

/** Whether a local day is a holiday of the spec (exceptions aside). */
export const isHoliday = (rules: Rules, day: number): boolean => {
  if (rules.holidayDays.has(day)) return true
  for (const [from, to] of rules.holidayRanges) if (day >= from && day <= to) return true
  if (rules.yearly.size === 0) return false
  const { month, day: dayOfMonth } = civilFromDays(day)
  return rules.yearly.has(month * 100 + dayOfMonth)
}

/** The open intervals of chunk `index`, in UTC. */
export const buildChunk = (rules: Rules, index: number): Chunk => {
  const from = index * CHUNK_MS
  const to = from + CHUNK_MS
  // Wall-clock ranges, in "local epoch" milliseconds (the wall clock read as if it were UTC).
  // Offsets stay within a day and a range lasts less than two days, so these days cover the chunk.
  const local: Array<number> = []
  const lastDay = to / DAY_MS + 1
  for (let day = from / DAY_MS - 3; day <= lastDay; day++) {
    const hours = hoursOf(rules, day)
    const midnight = day * DAY_MS
    for (let i = 0; i < hours.length; i += 2) {
      pushMerged(local, midnight + (hours[i] as number), midnight + (hours[i + 1] as number))
    }
  }
  // Instants t with wall clock t + offset in [A, B): one piece per offset period.
  const { starts, offsets } = periods(rules.timeZone, from, to)
  const bounds: Array<number> = []
  for (let p = 0; p < starts.length; p++) {
    const periodStart = starts[p] as number
    const periodEnd = p + 1 < starts.length ? (starts[p + 1] as number) : to
    const offset = offsets[p] as number
    for (let i = 0; i < local.length; i += 2) {
      const start = Math.max((local[i] as number) - offset, periodStart)
      const end = Math.min((local[i + 1] as number) - offset, periodEnd)
      if (start >= periodEnd) break
      pushMerged(bounds, start, end)
    }
  }
  return makeChunk(bounds)
}
