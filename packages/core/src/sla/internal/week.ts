/**
 * The open time of a UTC year of a calendar by arithmetic rather than by laying out its days:
 * whole weeks count the week's open time, each yearly holiday takes its day's hours off, and the
 * zone's offset periods map the year onto wall-clock time. It serves the years that no dated
 * holiday or exception touches (`datedState` "w"); the others are laid out (`buildSpan`), which
 * this must agree with to the millisecond.
 */
import { DAY_MS, daysFromCivil, isValidDate, yearOf, yearStart } from "./civil.js"
import { buildSpan, datedState, type Hours, type Rules } from "./rules.js"
import { periods } from "./zone.js"

const WEEK_MS = 7 * DAY_MS

/** Day 3 (1970-01-04) is a Sunday: weeks of local time start there, in the order of `weekdayOf`. */
const WEEK_ORIGIN = 3 * DAY_MS

/** The weekly hours as one week of intervals from Sunday 00:00, with running totals. */
interface Week {
  readonly starts: ReadonlyArray<number>
  readonly ends: ReadonlyArray<number>
  /** `cum[i]`: open time before interval `i`. */
  readonly cum: ReadonlyArray<number>
  readonly total: number
}

const weeks = new WeakMap<Rules, Week>()

const weekOf = (rules: Rules): Week => {
  let week = weeks.get(rules)
  if (week === undefined) {
    const pieces: Array<readonly [number, number]> = []
    rules.weekly.forEach((hours, weekday) => {
      for (let i = 0; i < hours.length; i += 2) {
        const start = weekday * DAY_MS + (hours[i] as number)
        const end = weekday * DAY_MS + (hours[i + 1] as number)
        // Saturday's overnight shift runs into the next week's Sunday.
        if (end <= WEEK_MS) pieces.push([start, end])
        else pieces.push([start, WEEK_MS], [0, end - WEEK_MS])
      }
    })
    pieces.sort((a, b) => a[0] - b[0])
    const cum: Array<number> = []
    let total = 0
    for (const [start, end] of pieces) {
      cum.push(total)
      total += end - start
    }
    week = { starts: pieces.map((p) => p[0]), ends: pieces.map((p) => p[1]), cum, total }
    weeks.set(rules, week)
  }
  return week
}

/** Open time of the weekly hours (weekly ranges never overlap) before local instant `t`, from the origin. */
const weeklyBefore = (week: Week, t: number): number => {
  const u = t - WEEK_ORIGIN
  const whole = Math.floor(u / WEEK_MS)
  const into = u - whole * WEEK_MS
  let sum = whole * week.total
  for (let i = 0; i < week.starts.length; i++) {
    const start = week.starts[i] as number
    if (start >= into) break
    sum = whole * week.total + (week.cum[i] as number) + Math.min(into, week.ends[i] as number) - start
  }
  return sum
}

/** The part of `[from, to)` in a day's weekly hours. */
const dayHoursIn = (hours: Hours, day: number, from: number, to: number): number => {
  let sum = 0
  for (let i = 0; i < hours.length; i += 2) {
    const start = Math.max(from, day * DAY_MS + (hours[i] as number))
    const end = Math.min(to, day * DAY_MS + (hours[i + 1] as number))
    if (end > start) sum += end - start
  }
  return sum
}

/** Open time in the local (wall-clock) span `[from, to)`, given that no dated rule touches it. */
const regularOpenTime = (rules: Rules, week: Week, from: number, to: number): number => {
  let sum = weeklyBefore(week, to) - weeklyBefore(week, from)
  if (rules.yearly.size === 0) return sum
  // Yearly holidays whose hours (an overnight shift included) reach into the span.
  const firstDay = Math.floor(from / DAY_MS) - 1
  const lastDay = Math.floor(to / DAY_MS)
  for (let year = yearOf(firstDay * DAY_MS); year <= yearOf(lastDay * DAY_MS); year++) {
    for (const monthDay of rules.yearly) {
      const month = Math.floor(monthDay / 100)
      const dayOfMonth = monthDay % 100
      if (!isValidDate(year, month, dayOfMonth)) continue
      const day = daysFromCivil(year, month, dayOfMonth)
      if (day < firstDay || day > lastDay) continue
      sum -= dayHoursIn(rules.weekly[(((day + 4) % 7) + 7) % 7] as Hours, day, from, to)
    }
  }
  return sum
}

/** The open time of UTC year `year` (1000-9998) of a calendar built from `rules`. */
export const yearOpenTime = (rules: Rules, year: number): number => {
  const from = yearStart(year)
  const to = yearStart(year + 1)
  const state = datedState(rules, year)
  if (state === "h") return 0
  if (state === "x") return buildSpan(rules, from, to).total
  const week = weekOf(rules)
  const { starts, offsets } = periods(rules.timeZone, from, to)
  let sum = 0
  for (let p = 0; p < starts.length; p++) {
    const offset = offsets[p] as number
    const end = p + 1 < starts.length ? (starts[p + 1] as number) : to
    sum += regularOpenTime(rules, week, (starts[p] as number) + offset, end + offset)
  }
  return sum
}
