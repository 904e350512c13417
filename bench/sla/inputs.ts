// Deterministic inputs for bench/sla: instants spread over 2026-2027 (with extra weight on the
// DST weeks, the days around holidays and exact opening/closing times) and spans per bucket,
// as epoch milliseconds; index.ts converts them once to each library's own types.
import { BusinessCalendar } from "@tessera/core"
import { DateTime, Result } from "effect"
import { prng } from "../lib/random.js"
import { datedHolidays } from "./calendar.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** A business day of the bench calendar (09:00-18:00). */
export const BUSINESS_DAY = 9 * HOUR

/**
 * A span bucket: business durations for `addBusinessTime` (whole minutes) and wall-clock spans
 * for `businessTimeBetween` covering roughly as much business time.
 */
export interface Bucket {
  readonly name: string
  readonly add: readonly [min: number, max: number]
  readonly between: readonly [min: number, max: number]
}

export const buckets: ReadonlyArray<Bucket> = [
  { name: "1-60 min", add: [MINUTE, HOUR], between: [MINUTE, 90 * MINUTE] },
  { name: "1-9 h", add: [HOUR + MINUTE, BUSINESS_DAY], between: [HOUR, 36 * HOUR] },
  { name: "1-5 bd", add: [BUSINESS_DAY, 5 * BUSINESS_DAY], between: [DAY, 8 * DAY] },
  { name: "5-30 bd", add: [5 * BUSINESS_DAY, 30 * BUSINESS_DAY], between: [7 * DAY, 45 * DAY] }
]

/** Inputs of one bucket, in epoch milliseconds: `add[i]` is added to `starts[i]`; `[starts[i], ends[i])` is measured. */
export interface Inputs {
  readonly starts: ReadonlyArray<number>
  readonly durations: ReadonlyArray<number>
  readonly ends: ReadonlyArray<number>
}

const FROM = Date.UTC(2026, 0, 1)
const TO = Date.UTC(2028, 0, 1)
// Sundays the clocks change in Paris.
const dstChanges = [Date.UTC(2026, 2, 29), Date.UTC(2026, 9, 25), Date.UTC(2027, 2, 28), Date.UTC(2027, 9, 31)]
const holidayDays = [
  ...datedHolidays.map((date) => Date.parse(`${date}T00:00:00Z`)),
  ...[2026, 2027].flatMap((year) => [Date.UTC(year, 0, 1), Date.UTC(year, 4, 1), Date.UTC(year, 11, 25)])
]

/**
 * `n` inputs per bucket. Starts: 55% uniform over 2026-2027, 15% within 4 days of a DST change,
 * 15% within 3 days of a holiday, 15% exactly at an opening or a closing time of `calendar`.
 */
export const generate = (calendar: BusinessCalendar.BusinessCalendar, n: number, seed: number): Array<Inputs> => {
  const random = prng(seed)
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)] as A
  const start = (): number => {
    const kind = random()
    if (kind < 0.55) return between(FROM, TO - 1)
    if (kind < 0.7) return pick(dstChanges) + between(-4 * DAY, 4 * DAY)
    if (kind < 0.85) return pick(holidayDays) + between(-3 * DAY, 3 * DAY)
    const near = DateTime.makeUnsafe(between(FROM, TO - 1))
    const boundary =
      random() < 0.5 ? BusinessCalendar.nextOpening(calendar, near) : BusinessCalendar.nextClosing(calendar, near)
    if (Result.isFailure(boundary)) throw new Error(`no opening or closing after ${DateTime.formatIso(near)}`)
    return boundary.success.epochMilliseconds
  }
  return buckets.map((bucket) => {
    const starts: Array<number> = []
    const durations: Array<number> = []
    const ends: Array<number> = []
    for (let i = 0; i < n; i++) {
      const s = start()
      starts.push(s)
      durations.push(between(bucket.add[0] / MINUTE, bucket.add[1] / MINUTE) * MINUTE)
      ends.push(s + between(bucket.between[0], bucket.between[1]))
    }
    return { starts, durations, ends }
  })
}
