/**
 * A brute-force oracle for business calendars: it reads the wall clock of every minute of a
 * window with `Intl.DateTimeFormat` (one call per minute, no offset arithmetic) and decides
 * from the spec, minute by minute, whether the calendar is open. Slow and obviously correct;
 * the library must agree with it everywhere.
 */
import fc from "fast-check"
import type * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"

const MINUTE = 60_000
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const
const SHORT = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

/** A span of UTC minutes, read in one zone. */
export interface Window {
  readonly label: string
  readonly timeZone: string
  readonly start: number
  readonly minutes: number
}

interface Day {
  readonly date: string
  /** 0 = Monday ... 6 = Sunday. */
  readonly weekday: number
  /** Index of the day before in the same table. */
  previous: number
}

/** The wall clock of each minute of a window: its local date (an index into `days`) and minute of the day. */
interface Wall {
  readonly days: Array<Day>
  readonly dayOf: Int32Array
  readonly minuteOf: Int32Array
}

export const window = (label: string, timeZone: string, startIso: string, days = 8): Window => ({
  label,
  timeZone,
  start: Date.parse(startIso),
  minutes: days * 1440
})

const previousDate = (date: string): string => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10)
}

const walls = new Map<string, Wall>()

/** The wall clock of every minute of a window in a zone (memoised). */
export const wallClock = (timeZone: string, win: Window): Wall => {
  const key = `${timeZone}|${win.start}|${win.minutes}`
  const cached = walls.get(key)
  if (cached !== undefined) return cached
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit"
  })
  const days: Array<Day> = []
  const index = new Map<string, number>()
  const dayIndex = (date: string, weekday: number): number => {
    let i = index.get(date)
    if (i === undefined) {
      i = days.length
      index.set(date, i)
      days.push({ date, weekday, previous: -1 })
    }
    return i
  }
  const dayOf = new Int32Array(win.minutes)
  const minuteOf = new Int32Array(win.minutes)
  for (let m = 0; m < win.minutes; m++) {
    const parts: Record<string, string> = {}
    for (const p of format.formatToParts(win.start + m * MINUTE)) parts[p.type] = p.value
    dayOf[m] = dayIndex(`${parts.year}-${parts.month}-${parts.day}`, SHORT.indexOf(parts.weekday as string))
    minuteOf[m] = Number(parts.hour) * 60 + Number(parts.minute)
  }
  for (const day of [...days]) {
    day.previous = dayIndex(previousDate(day.date), (day.weekday + 6) % 7)
  }
  const wall = { days, dayOf, minuteOf }
  walls.set(key, wall)
  return wall
}

/** Dates (local, in the window's zone) that the window touches, with a day of margin. */
export const datesOf = (win: Window): ReadonlyArray<string> =>
  wallClock(win.timeZone, win)
    .days.map((d) => d.date)
    .sort()

const parse = (range: string): readonly [number, number] => {
  const [a, b] = range.split("-") as [string, string]
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
  const start = minutes(a)
  const end = minutes(b)
  return [start, end <= start ? end + 1440 : end]
}

const hoursOn = (
  spec: BusinessCalendar.Spec,
  date: string,
  weekday: number
): ReadonlyArray<readonly [number, number]> => {
  const weekly = (): ReadonlyArray<string> =>
    spec.weekly === "24/7" ? ["00:00-24:00"] : (spec.weekly[WEEKDAYS[weekday] as (typeof WEEKDAYS)[number]] ?? [])
  const exception = spec.exceptions?.find((e) => e.date === date)
  if (exception !== undefined) return (exception.hours ?? weekly()).map(parse)
  const holiday = (spec.holidays ?? []).some((h) =>
    "date" in h ? h.date === date : "from" in h ? h.from <= date && date <= h.to : h.yearly === date.slice(5)
  )
  return holiday ? [] : weekly().map(parse)
}

/** Minute by minute: 1 when the calendar is open during that minute. */
export const openMinutes = (spec: BusinessCalendar.Spec, win: Window): Uint8Array => {
  const { days, dayOf, minuteOf } = wallClock(spec.timeZone, win)
  const hours = days.map((d) => hoursOn(spec, d.date, d.weekday))
  const open = new Uint8Array(win.minutes)
  for (let m = 0; m < win.minutes; m++) {
    const day = dayOf[m] as number
    const minute = minuteOf[m] as number
    const today = hours[day] as ReadonlyArray<readonly [number, number]>
    const yesterday = hours[(days[day] as Day).previous] as ReadonlyArray<readonly [number, number]>
    let isOpen = false
    for (let i = 0; i < today.length; i++) {
      const [s, e] = today[i] as readonly [number, number]
      if (s <= minute && minute < e) isOpen = true
    }
    // The part after midnight of yesterday's overnight shift.
    for (let i = 0; i < yesterday.length; i++) {
      const e = (yesterday[i] as readonly [number, number])[1]
      if (e > 1440 && minute < e - 1440) isOpen = true
    }
    open[m] = isOpen ? 1 : 0
  }
  return open
}

/** Answers of the oracle over one window. */
export interface Oracle {
  readonly open: Uint8Array
  /** `prefix[m]` = open minutes before minute `m`. */
  readonly prefix: Int32Array
}

export const oracle = (open: Uint8Array): Oracle => {
  const prefix = new Int32Array(open.length + 1)
  for (let m = 0; m < open.length; m++) prefix[m + 1] = (prefix[m] as number) + (open[m] as number)
  return { open, prefix }
}

export const combine = (a: Uint8Array, b: Uint8Array, f: (x: number, y: number) => number): Uint8Array =>
  a.map((x, i) => f(x, b[i] as number))

/** Minute index of the earliest r with `d` open minutes in [a, r). */
export const addMinutes = (o: Oracle, a: number, d: number): number => {
  if (d === 0) return a
  let r = a
  while ((o.prefix[r] as number) - (o.prefix[a] as number) < d) r++
  return r
}

/** Minute index of the latest s with `d` open minutes in [s, f). */
export const subtractMinutes = (o: Oracle, f: number, d: number): number => {
  if (d === 0) return f
  let s = f
  while ((o.prefix[f] as number) - (o.prefix[s] as number) < d) s--
  return s
}

/** First open minute at or after `a`, or undefined inside the window. */
export const firstOpen = (o: Oracle, a: number): number | undefined => {
  for (let m = a; m < o.open.length; m++) if (o.open[m] === 1) return m
  return undefined
}

/** First closed minute after `a`, or undefined inside the window. */
export const firstClosedAfter = (o: Oracle, a: number): number | undefined => {
  for (let m = a + 1; m < o.open.length; m++) if (o.open[m] === 0) return m
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Random specs

const hhmm = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`

/** Minutes of the day, biased towards the hours where clocks change (01:00-03:45). */
const minuteOfDay = fc.oneof(
  fc.constantFrom(60, 90, 105, 120, 135, 150, 165, 180, 225),
  fc.integer({ min: 0, max: 95 }).map((q) => q * 15)
)

/** Non-overlapping weekly hours, some crossing midnight (also from Sunday into Monday). */
const weeklyHours: fc.Arbitrary<BusinessCalendar.Spec["weekly"]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant("24/7" as const) },
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.uniqueArray(
          fc.tuple(fc.integer({ min: 0, max: 6 }), minuteOfDay).map(([d, m]) => d * 1440 + m),
          { minLength: 2, maxLength: 12 }
        ),
        fc.integer({ min: 0, max: 6 })
      )
      .map(([points, rotation]) => {
        const sorted = [...points].sort((a, b) => a - b)
        const week: Record<string, Array<string>> = {}
        for (let i = 0; i + 1 < sorted.length; i += 2) {
          const start = ((sorted[i] as number) + rotation * 1440) % (7 * 1440)
          let length = (sorted[i + 1] as number) - (sorted[i] as number)
          if (length >= 1440) length = start % 1440 === 0 ? 1440 : 1425
          const day = WEEKDAYS[Math.floor(start / 1440)] as string
          const from = start % 1440
          const to = from + length
          const range = `${hhmm(from)}-${to === 1440 ? "24:00" : hhmm(to % 1440)}`
          week[day] = [...(week[day] ?? []), range]
        }
        return week
      })
  }
)

const dayHours: fc.Arbitrary<ReadonlyArray<string>> = fc.uniqueArray(minuteOfDay, { maxLength: 5 }).map((points) => {
  const sorted = [...points].sort((a, b) => a - b)
  const hours: Array<string> = []
  let i = 0
  for (; i + 1 < sorted.length; i += 2) hours.push(`${hhmm(sorted[i] as number)}-${hhmm(sorted[i + 1] as number)}`)
  if (i < sorted.length) {
    const start = sorted[i] as number
    const end = start + 720
    hours.push(`${hhmm(start)}-${end === 1440 ? "24:00" : hhmm(end % 1440)}`)
  }
  return hours
})

/** A random valid spec in a zone, with holidays and exceptions on dates of the window. */
export const specIn = (timeZone: string, dates: ReadonlyArray<string>): fc.Arbitrary<BusinessCalendar.Spec> => {
  const date = fc.constantFrom(...dates)
  const holiday: fc.Arbitrary<BusinessCalendar.Holiday> = fc.oneof(
    date.map((d) => ({ date: d })),
    fc.tuple(date, date).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
    date.map((d) => ({ yearly: d.slice(5), name: "yearly" }))
  )
  const exception: fc.Arbitrary<BusinessCalendar.Exception> = fc.oneof(
    fc.record({ date, hours: dayHours }),
    fc.record({ date })
  )
  return fc.record({
    timeZone: fc.constant(timeZone),
    weekly: weeklyHours,
    holidays: fc.array(holiday, { maxLength: 3 }),
    exceptions: fc.uniqueArray(exception, { maxLength: 3, selector: (e) => e.date })
  })
}
