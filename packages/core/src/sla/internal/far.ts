/**
 * Business time across years in bounded time and memory. The open time of a whole UTC year is
 * kept by the year's signature (its layout, the zone's offsets that year, whether dated holidays
 * or exceptions touch it): weekly hours and yearly holidays repeat with the layout, and a zone's
 * offsets repeat with it from 2088 on and are constant before 1840, so the 8,999 years of the
 * range have a few hundred distinct totals at most. A call sums whole years from those totals and
 * counts the parts of its first and last year chunk by chunk (`timeline.ts`).
 */
import { yearOf, yearStart } from "./civil.js"
import * as Timeline from "./timeline.js"

const { HORIZON_MS, MAX_MS, MIN_MS, FIRST_YEAR, LAST_YEAR } = Timeline

/** Spans shorter than this are counted chunk by chunk (at most 7 chunks). */
const NEAR_MS = 2 * 365 * 86_400_000

/** Chunks an addition or a subtraction walks before it counts in whole years. */
const NEAR_CHUNKS = 6

/** Open time in `[from, to)`, `from <= to`, both in the supported range. */
export const between = (timeline: Timeline.Timeline, from: number, to: number): number => {
  if (to - from < NEAR_MS) return Timeline.between(timeline, from, to)
  const first = yearOf(from)
  const last = yearOf(to)
  if (last - first < 2) return Timeline.between(timeline, from, to)
  let sum = Timeline.between(timeline, from, yearStart(first + 1))
  for (let year = first + 1; year < last; year++) sum += timeline.yearTotal(year)
  return sum + Timeline.between(timeline, yearStart(last), to)
}

/**
 * `Timeline.add` for any duration: chunk by chunk for about two years, then year by year, then
 * chunk by chunk in the year where the due time falls. A stretch of more than
 * `HORIZON_MS` without open time stops it as it stops `Timeline.add`.
 */
export const add = (timeline: Timeline.Timeline, t: number, duration: number): number => {
  const near = Timeline.add(timeline, t, duration, Timeline.chunkIndex(t) + NEAR_CHUNKS)
  if (near !== undefined) return near
  const startYear = yearOf(t)
  let remaining = duration - Timeline.between(timeline, t, yearStart(startYear + 1))
  // The year of the last open time passed (its end is looked up only when a long closed stretch follows).
  let openYear = remaining < duration ? startYear : undefined
  const lastOpen = () =>
    openYear === undefined
      ? t
      : Math.max(t, Timeline.lastClosing(timeline, yearStart(openYear + 1), yearStart(openYear)))
  for (let year = startYear + 1; year <= LAST_YEAR; year++) {
    const total = timeline.yearTotal(year)
    // The last open time passed lies in `openYear` (or is `t`): bounds on it decide most cases.
    const seenLatest = openYear === undefined ? t : yearStart(openYear + 1)
    const seenEarliest = openYear === undefined ? t : yearStart(openYear)
    if (total === 0) {
      if (yearStart(year + 1) - seenLatest > HORIZON_MS) return Number.NaN
      continue
    }
    if (yearStart(year + 1) - seenEarliest > HORIZON_MS) {
      const opening = Timeline.nextOpening(timeline, yearStart(year))
      if (opening - lastOpen() > HORIZON_MS) return Number.NaN
    }
    if (remaining <= total) return Timeline.add(timeline, yearStart(year), remaining) as number
    remaining -= total
    openYear = year
  }
  return MAX_MS - lastOpen() > HORIZON_MS ? Number.NaN : Number.POSITIVE_INFINITY
}

/** `Timeline.subtract` for any duration, as `add` the other way round. */
export const subtract = (timeline: Timeline.Timeline, t: number, duration: number): number => {
  const near = Timeline.subtract(timeline, t, duration, Timeline.chunkIndex(t) - NEAR_CHUNKS)
  if (near !== undefined) return near
  const startYear = yearOf(t)
  let remaining = duration - Timeline.between(timeline, yearStart(startYear), t)
  let openYear = remaining < duration ? startYear : undefined
  const firstOpen = () =>
    openYear === undefined ? t : Math.min(t, Timeline.nextOpening(timeline, yearStart(openYear)))
  for (let year = startYear - 1; year >= FIRST_YEAR; year--) {
    const total = timeline.yearTotal(year)
    const seenEarliest = openYear === undefined ? t : yearStart(openYear)
    const seenLatest = openYear === undefined ? t : yearStart(openYear + 1)
    if (total === 0) {
      if (seenEarliest - yearStart(year) > HORIZON_MS) return Number.NaN
      continue
    }
    if (seenLatest - yearStart(year) > HORIZON_MS) {
      const closing = Timeline.lastClosing(timeline, yearStart(year + 1), yearStart(year))
      if (firstOpen() - closing > HORIZON_MS) return Number.NaN
    }
    if (remaining <= total) return Timeline.subtract(timeline, yearStart(year + 1), remaining) as number
    remaining -= total
    openYear = year
  }
  return firstOpen() - MIN_MS > HORIZON_MS ? Number.NaN : Number.NEGATIVE_INFINITY
}
