/**
 * Validation of a calendar spec: every problem found, each with its path in the spec, and the
 * spec compiled into rules (`rules.ts`) when there is none. The input may be any JSON: values of
 * the wrong type are skipped here (the spec's schema reports them), so that one pass lists the
 * problems of the shape and of the meaning (an unknown zone, overlapping hours, a bad date) alike.
 */
import { DateTime, Option } from "effect"
import type { Problem } from "../../values/ConfigError.js"
import { DAY_MS, daysFromCivil, isValidDate } from "./civil.js"
import { type Hours, mergeDays, type Rules } from "./rules.js"

const MINUTE_MS = 60_000
const WEEK_MINUTES = 7 * 1440

type Path = ReadonlyArray<string | number>

/** A spec as far as it is known: any field may hold anything. */
export interface LooseSpec {
  readonly timeZone?: unknown
  readonly weekly?: unknown
  readonly holidays?: unknown
  readonly exceptions?: unknown
}

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

interface Range {
  readonly path: Path
  readonly value: string
  /** Minutes from the day's midnight; `end > start`, up to `start + 1440` overnight. */
  readonly start: number
  readonly end: number
}

const timeRange = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const parseRange = (value: string, path: Path, problems: Array<Problem>): Range | undefined => {
  const match = timeRange.exec(value)
  const malformed = (reason: string) => {
    problems.push({ path, message: `Malformed opening hours "${value}": ${reason}` })
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

/** The ranges of a list of opening hours; `complete` is false when an entry is not a string. */
const parseHours = (
  values: unknown,
  path: Path,
  problems: Array<Problem>
): { readonly ranges: ReadonlyArray<Range>; readonly complete: boolean } => {
  if (!Array.isArray(values)) return { ranges: [], complete: false }
  const ranges: Array<Range> = []
  let complete = true
  values.forEach((value: unknown, i) => {
    if (typeof value !== "string") complete = false
    else {
      const range = parseRange(value, [...path, i], problems)
      if (range !== undefined) ranges.push(range)
    }
  })
  return { ranges, complete }
}

const overlaps = (a: Range, b: Range, period: number): boolean =>
  (a.start < b.end && b.start < a.end) ||
  (period > 0 && a.start + period < b.end && b.start < a.end + period) ||
  (period > 0 && b.start + period < a.end && a.start < b.end + period)

const checkOverlaps = (ranges: ReadonlyArray<Range>, period: number, problems: Array<Problem>): void => {
  for (let i = 1; i < ranges.length; i++) {
    const range = ranges[i] as Range
    for (let j = 0; j < i; j++) {
      const other = ranges[j] as Range
      if (overlaps(range, other, period)) {
        problems.push({
          path: range.path,
          message: `Opening hours "${range.value}" overlap "${other.value}" at ${JSON.stringify(other.path)}`
        })
        break
      }
    }
  }
}

const toHours = (ranges: ReadonlyArray<Range>): Hours =>
  [...ranges].sort((a, b) => a.start - b.start).flatMap((r) => [r.start * MINUTE_MS, r.end * MINUTE_MS])

const fullDate = /^(\d{4})-(\d{2})-(\d{2})$/
const monthDay = /^(\d{2})-(\d{2})$/

/** A date's day number; `undefined` (with a problem unless it is not a string) when invalid. */
const parseDate = (value: unknown, path: Path, problems: Array<Problem>): number | undefined => {
  if (typeof value !== "string") return undefined
  const malformed = (reason: string) => {
    problems.push({ path, message: `Malformed date "${value}": ${reason}` })
    return undefined
  }
  const match = fullDate.exec(value)
  if (match === null) return malformed('expected "YYYY-MM-DD"')
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number]
  if (year < 1000 || year > 9998) return malformed("the year must be between 1000 and 9998")
  if (!isValidDate(year, month, day)) return malformed("no such date")
  return daysFromCivil(year, month, day)
}

const parseMonthDay = (value: unknown, path: Path, problems: Array<Problem>): number | undefined => {
  if (typeof value !== "string") return undefined
  const match = monthDay.exec(value)
  const month = Number(match?.[1])
  const day = Number(match?.[2])
  // 2000 is a leap year: "02-29" is a valid yearly date (it applies in leap years only).
  if (match === null || !isValidDate(2000, month, day)) {
    problems.push({ path, message: `Malformed date "${value}": expected a valid "MM-DD"` })
    return undefined
  }
  return month * 100 + day
}

/** The weekly hours (indexed by `weekdayOf`), and whether they open at all. */
const compileWeekly = (
  weekly: unknown,
  problems: Array<Problem>
): { readonly hours: Array<Hours>; readonly opens: boolean; readonly complete: boolean } => {
  const hours: Array<Hours> = [[], [], [], [], [], [], []]
  if (weekly === "24/7") return { hours: hours.map(() => [0, DAY_MS]), opens: true, complete: true }
  if (!isRecord(weekly)) return { hours, opens: false, complete: false }
  let opens = false
  // A misspelt day (its own problem) may hold the hours: then "never opens" would only mislead.
  let complete = Object.keys(weekly).every((key) => weekdays.some(([day]) => day === key))
  const all: Array<Range> = []
  weekdays.forEach(([key, weekday], position) => {
    if (weekly[key] === undefined) return
    const parsed = parseHours(weekly[key], ["weekly", key], problems)
    if (!parsed.complete) complete = false
    hours[weekday] = toHours(parsed.ranges)
    // Hours that are written but malformed are their own problem, not a calendar that never opens.
    if (Array.isArray(weekly[key]) && (weekly[key] as ReadonlyArray<unknown>).length > 0) opens = true
    // Position the day in the week (Monday first) to catch overnight shifts running into the next day.
    for (const r of parsed.ranges) all.push({ ...r, start: r.start + position * 1440, end: r.end + position * 1440 })
  })
  checkOverlaps(all, WEEK_MINUTES, problems)
  return { hours, opens, complete }
}

/** Holidays: days closed by dated holidays, and yearly dates. */
const compileHolidays = (holidays: unknown, problems: Array<Problem>) => {
  const closed: Array<readonly [number, number]> = []
  const yearly = new Set<number>()
  if (!Array.isArray(holidays)) return { closed, yearly }
  holidays.forEach((holiday: unknown, i) => {
    if (!isRecord(holiday)) return
    if ("date" in holiday) {
      const day = parseDate(holiday.date, ["holidays", i, "date"], problems)
      if (day !== undefined) closed.push([day, day])
    } else if ("from" in holiday) {
      const from = parseDate(holiday.from, ["holidays", i, "from"], problems)
      const to = parseDate(holiday.to, ["holidays", i, "to"], problems)
      if (from !== undefined && to !== undefined) {
        if (to < from) problems.push({ path: ["holidays", i], message: "The range ends before it starts" })
        else closed.push([from, to])
      }
    } else if ("yearly" in holiday) {
      const md = parseMonthDay(holiday.yearly, ["holidays", i, "yearly"], problems)
      if (md !== undefined) yearly.add(md)
    }
  })
  return { closed, yearly }
}

/** Exceptions by day, and whether one of them opens. */
const compileExceptions = (exceptions: unknown, problems: Array<Problem>) => {
  const byDay = new Map<number, Hours | undefined>()
  let opens = false
  let complete = true
  if (exceptions !== undefined && !Array.isArray(exceptions)) complete = false
  const index = new Map<number, number>()
  ;(Array.isArray(exceptions) ? exceptions : []).forEach((exception: unknown, i) => {
    if (!isRecord(exception)) {
      complete = false
      return
    }
    const day = parseDate(exception.date, ["exceptions", i, "date"], problems)
    let hours: Hours | undefined
    if (exception.hours !== undefined) {
      const parsed = parseHours(exception.hours, ["exceptions", i, "hours"], problems)
      if (!parsed.complete) complete = false
      checkOverlaps(parsed.ranges, 0, problems)
      hours = toHours(parsed.ranges)
      if (Array.isArray(exception.hours) && exception.hours.length > 0) opens = true
    }
    if (day === undefined) return
    const previous = index.get(day)
    if (previous !== undefined) {
      problems.push({ path: ["exceptions", i, "date"], message: `exceptions[${previous}] is for the same date` })
      return
    }
    index.set(day, i)
    byDay.set(day, hours)
  })
  return { byDay, opens, complete }
}

/** Validates a spec: its rules, or every problem found (none about values of the wrong type). */
export const compile = (spec: LooseSpec): { readonly rules: Rules } | { readonly problems: ReadonlyArray<Problem> } => {
  const problems: Array<Problem> = []
  const { timeZone } = spec
  if (typeof timeZone === "string" && Option.isNone(DateTime.zoneMakeNamed(timeZone))) {
    problems.push({ path: ["timeZone"], message: `Unknown time zone "${timeZone}"` })
  }
  const weekly = compileWeekly(spec.weekly, problems)
  const { closed, yearly } = compileHolidays(spec.holidays, problems)
  const exceptions = compileExceptions(spec.exceptions, problems)
  // Only a spec read in full can be said never to open.
  if (weekly.complete && exceptions.complete && !weekly.opens && !exceptions.opens) {
    problems.push({
      path: ["weekly"],
      message: "The calendar never opens: it has no weekly hours and no exception with opening hours"
    })
  }
  if (problems.length > 0 || typeof timeZone !== "string") return { problems }
  return {
    rules: {
      timeZone,
      weekly: weekly.hours,
      closed: mergeDays(closed),
      yearly,
      exceptions: exceptions.byDay,
      exceptionDays: [...exceptions.byDay.keys()].sort((a, b) => a - b)
    }
  }
}
