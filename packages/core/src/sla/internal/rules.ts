/**
 * A validated calendar spec as rules (opening hours per weekday, holidays, exceptions), and the
 * open intervals of any span of UTC time built from them. Wall-clock ranges are converted to UTC
 * through the zone's offset periods: an instant is open when its wall-clock date and time, read
 * in the calendar's zone, fall in an open range of that date. So a range that starts inside a
 * spring-forward gap opens when the clock jumps, and an hour repeated at fall-back counts twice.
 * Validation of the JSON spec is `spec.ts`; the time arithmetic on intervals is `timeline.ts`.
 */
import { civilFromDays, DAY_MS, weekdayOf, yearLayout, yearStart } from "./civil.js"
import { type Chunk, makeChunk, pushMerged } from "./timeline.js"
import { work } from "./work.js"
import { periods, yearSignature as zoneSignature } from "./zone.js"

/** Opening hours as `[start, end, start, end, ...]` in milliseconds from the day's midnight. */
export type Hours = ReadonlyArray<number>

/** A validated spec, ready to build open intervals. */
export interface Rules {
  readonly timeZone: string
  /** Indexed by `weekdayOf` (0 = Sunday). */
  readonly weekly: ReadonlyArray<Hours>
  /** Days closed by dated holidays (single dates and ranges), as sorted, disjoint, inclusive day ranges. */
  readonly closed: ReadonlyArray<readonly [number, number]>
  /** `month * 100 + day`. */
  readonly yearly: ReadonlySet<number>
  /** Day number -> the hours of that day (`undefined`: the weekly hours, even on a holiday). */
  readonly exceptions: ReadonlyMap<number, Hours | undefined>
  /** The days of `exceptions`, sorted. */
  readonly exceptionDays: ReadonlyArray<number>
}

/** Merges inclusive day ranges into sorted, disjoint ones (ranges that touch are merged too). */
export const mergeDays = (
  ranges: ReadonlyArray<readonly [number, number]>
): ReadonlyArray<readonly [number, number]> => {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const merged: Array<[number, number]> = []
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to)
    else merged.push([from, to])
  }
  return merged
}

/** The index of the first range of `closed` that ends on or after `day`. */
const firstEndingFrom = (closed: ReadonlyArray<readonly [number, number]>, day: number): number => {
  let lo = 0
  let hi = closed.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((closed[mid] as readonly [number, number])[1] < day) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The index of the first of sorted `days` on or after `day`. */
const firstFrom = (days: ReadonlyArray<number>, day: number): number => {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((days[mid] as number) < day) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Whether a local day is a holiday of the spec (exceptions aside). */
export const isHoliday = (rules: Rules, day: number): boolean => {
  const range = rules.closed[firstEndingFrom(rules.closed, day)]
  if (range !== undefined && range[0] <= day) return true
  if (rules.yearly.size === 0) return false
  const { month, day: dayOfMonth } = civilFromDays(day)
  return rules.yearly.has(month * 100 + dayOfMonth)
}

const EMPTY: Hours = []

/** The opening hours of a local day (a day number in the calendar's zone). */
export const hoursOf = (rules: Rules, day: number): Hours => {
  if (rules.exceptions.has(day)) return rules.exceptions.get(day) ?? (rules.weekly[weekdayOf(day)] as Hours)
  if (isHoliday(rules, day)) return EMPTY
  return rules.weekly[weekdayOf(day)] as Hours
}

/** The open intervals in `[from, to)`, in UTC. */
export const buildSpan = (rules: Rules, from: number, to: number): Chunk => {
  work.spansBuilt++
  // Wall-clock ranges, in "local epoch" milliseconds (the wall clock read as if it were UTC).
  // Offsets stay within a day and a range lasts less than two days, so these days cover the span.
  const local: Array<number> = []
  const lastDay = Math.floor(to / DAY_MS) + 1
  for (let day = Math.floor(from / DAY_MS) - 3; day <= lastDay; day++) {
    const hours = hoursOf(rules, day)
    const midnight = day * DAY_MS
    for (let i = 0; i < hours.length; i += 2) {
      pushMerged(local, midnight + (hours[i] as number), midnight + (hours[i + 1] as number))
    }
  }
  work.daysBuilt += lastDay - Math.floor(from / DAY_MS) + 4
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

/**
 * How the dated rules touch a UTC year, counting the local days whose hours can reach into it
 * (offsets are within a day, shifts last less than two): not at all (`"w"`: weekly hours and
 * yearly holidays only), closed throughout by holidays (`"h"`), or otherwise (`"x"`).
 */
export const datedState = (rules: Rules, year: number): "w" | "h" | "x" => {
  const first = yearStart(year) / DAY_MS - 3
  const last = yearStart(year + 1) / DAY_MS + 2
  const exception = rules.exceptionDays[firstFrom(rules.exceptionDays, first)]
  if (exception !== undefined && exception <= last) return "x"
  const range = rules.closed[firstEndingFrom(rules.closed, first)]
  if (range === undefined || range[0] > last) return "w"
  return range[0] <= first && range[1] >= last ? "h" : "x"
}

/**
 * What the open time of a UTC year depends on: the year's layout, the zone's offsets that year,
 * and how the dated rules touch it. Two years with the same signature are open at the same
 * moments of the year, so the same time in all. A number (0-55) for the years of a zone's local
 * mean time or annual rule that no dated rule singles out, which are most of them; else a string.
 */
export const yearSignature = (rules: Rules, year: number): string | number => {
  const dated = datedState(rules, year)
  const zone = zoneSignature(rules.timeZone, year)
  if (typeof zone === "number" && dated !== "x") return yearLayout(year) + (dated === "h" ? 14 : 0) + zone * 28
  return `${yearLayout(year)}|${dated === "x" ? `x${year}` : dated}|${zone}`
}
