/**
 * UTC offsets of IANA time zones, read from `Intl.DateTimeFormat` with an explicit `timeZone`
 * (never from the machine's zone). Intl is slow (microseconds per call), so the offset
 * periods of a zone are computed once per span of time and shared by every calendar in
 * that zone: the memo depends only on the time zone database, so it is deterministic.
 */
import { DAY_MS } from "./civil.js"

/**
 * The offsets in force over a span of UTC time: offset `offsets[i]` (milliseconds, wall clock
 * minus UTC) applies from `starts[i]` until `starts[i + 1]` (or the end of the span).
 */
export interface Periods {
  readonly starts: ReadonlyArray<number>
  readonly offsets: ReadonlyArray<number>
}

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formatters.set(timeZone, formatter)
  }
  return formatter
}

/**
 * The offset of a zone at a UTC instant, in milliseconds (whole seconds: tzdb transitions and
 * offsets are whole seconds). Only for years 1000-9999, where `Date.UTC` reads years literally.
 */
export const offsetAt = (timeZone: string, epochMillis: number): number => {
  const second = Math.floor(epochMillis / 1000) * 1000
  let year = 0
  let month = 0
  let day = 0
  let hour = 0
  let minute = 0
  let sec = 0
  for (const part of formatterFor(timeZone).formatToParts(second)) {
    switch (part.type) {
      case "year":
        year = Number(part.value)
        break
      case "month":
        month = Number(part.value)
        break
      case "day":
        day = Number(part.value)
        break
      case "hour":
        hour = Number(part.value)
        break
      case "minute":
        minute = Number(part.value)
        break
      case "second":
        sec = Number(part.value)
        break
    }
  }
  return Date.UTC(year, month - 1, day, hour, minute, sec) - second
}

const periodCache = new Map<string, Map<number, Periods>>()

/**
 * The offset periods of a zone over `[from, to)` (both whole seconds). The zone is sampled
 * once a day and each change is pinned to the second by bisection; zones do not change their
 * offset twice within a day.
 */
export const periods = (timeZone: string, from: number, to: number): Periods => {
  let byZone = periodCache.get(timeZone)
  if (byZone === undefined) {
    byZone = new Map()
    periodCache.set(timeZone, byZone)
  }
  const cached = byZone.get(from)
  if (cached !== undefined) return cached
  const starts = [from]
  let last = offsetAt(timeZone, from)
  const offsets = [last]
  let previous = from
  for (let sample = Math.min(from + DAY_MS, to); ; sample = Math.min(sample + DAY_MS, to)) {
    const offset = offsetAt(timeZone, sample)
    // Several changes between two samples are found one after the other.
    while (offset !== last) {
      let lo = previous
      let hi = sample
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000
        if (offsetAt(timeZone, mid) === last) lo = mid
        else hi = mid
      }
      last = offsetAt(timeZone, hi)
      if (hi < to) {
        starts.push(hi)
        offsets.push(last)
      }
      previous = hi
    }
    previous = sample
    if (sample >= to) break
  }
  const result: Periods = { starts, offsets }
  byZone.set(from, result)
  return result
}
