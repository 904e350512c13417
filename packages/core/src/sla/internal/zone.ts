/**
 * UTC offsets of IANA time zones, read from `Intl.DateTimeFormat` with an explicit `timeZone`
 * (never from the machine's zone), as a model that answers for any instant of the supported range
 * after a bounded number of `Intl` reads per zone. The model rests on how the time zone database
 * is built: no zone changes its offset before 1840 (the earliest change is in 1844); zones change
 * at dated instants until their data ends (2087 at the latest); after that each follows an annual
 * rule, so a year behaves like any other year with the same layout (`yearLayout`). The model is
 * shared by every calendar in a zone; it depends only on the time zone database.
 */
import { DAY_MS, yearLayout, yearStart } from "./civil.js"
import { work } from "./work.js"

/** Before this year every zone keeps one offset (its local mean time, which some zones take again later). */
export const FIRST_CHANGING_YEAR = 1840

/** From this year on a zone's changes follow an annual rule: the year's layout fixes them. */
export const FIRST_RULED_YEAR = 2088

/**
 * Offsets are sampled this far apart within a year and each change is pinned to the second by
 * bisection: a zone never changes its offset and back within 6 days (the shortest such spell in
 * the database is a week: Brazil's north-east in October 2000, Gaza's Ramadan suspensions).
 */
const SAMPLE_MS = 6 * DAY_MS
const QUARTER_HOUR_MS = 900_000

/**
 * The offsets of one UTC year `[start, end)`: `offset` (milliseconds, wall clock minus UTC) at its
 * start, then `offsets[i]` from `at[i]` on.
 */
export interface Year {
  readonly start: number
  readonly end: number
  readonly offset: number
  readonly at: ReadonlyArray<number>
  readonly offsets: ReadonlyArray<number>
}

/**
 * The offsets in force over a span of UTC time: offset `offsets[i]` applies from `starts[i]`
 * until `starts[i + 1]` (or the end of the span).
 */
export interface Periods {
  readonly starts: ReadonlyArray<number>
  readonly offsets: ReadonlyArray<number>
}

interface Model {
  readonly read: (epochMillis: number) => number
  /** The first year read year by year (see `firstSampledYear`); before it, the offset is `constant`. */
  readonly firstSampled: number
  readonly constant: number
  /** A zone of one offset for ever (`Etc/GMT+5`, `UTC`). */
  readonly fixed: boolean
  /** Years `firstSampled` to `FIRST_RULED_YEAR - 1`, read on demand. */
  readonly sampled: Map<number, Year>
  /** By layout: the first year from `FIRST_RULED_YEAR` on with that layout. */
  readonly ruled: Map<number, Year>
  /** The time of day (UTC) of the last change from one offset to another, by `"from>to"`. */
  readonly hints: Map<string, number>
  /** `yearSignature` of the years read year by year. */
  readonly signatures: Map<number, string>
}

const longOffset = /GMT(?:([+\-\u2212])(\d{2}):(\d{2})(?::(\d{2}))?)?$/

/** Reads offsets from `Intl`: the `longOffset` zone name, or the wall clock when not parsable. */
const reader = (timeZone: string): ((epochMillis: number) => number) => {
  const named = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", timeZoneName: "longOffset" })
  const wall = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric"
  })
  return (epochMillis) => {
    work.offsetProbes++
    const second = Math.floor(epochMillis / 1000) * 1000
    const match = longOffset.exec(named.format(second))
    if (match !== null) {
      if (match[1] === undefined) return 0
      const size = (Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4] ?? 0)) * 1000
      return match[1] === "+" ? size : -size
    }
    const parts: Record<string, number> = {}
    for (const part of wall.formatToParts(second)) parts[part.type] = Number(part.value)
    const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second: sec = 0 } = parts
    return Date.UTC(year, month - 1, day, hour, minute, sec) - second
  }
}

const models = new Map<string, Model>()

/** Zones defined by one offset: the database never gives them another. */
const fixedZone = /^(Etc\/.+|UTC|UCT|GMT|GMT0|GMT[+-]0|Greenwich|Universal|Zulu)$/

/** The first year to read year by year: 1840, or 1000 for a zone that changed before (none does today). */
const firstSampledYear = (read: (t: number) => number, constant: number): number =>
  read(yearStart(1000)) === constant ? FIRST_CHANGING_YEAR : 1000

const modelOf = (timeZone: string): Model => {
  let model = models.get(timeZone)
  if (model === undefined) {
    const read = reader(timeZone)
    const constant = read(yearStart(FIRST_CHANGING_YEAR))
    const fixed = fixedZone.test(timeZone)
    model = {
      read,
      firstSampled: fixed ? Number.POSITIVE_INFINITY : firstSampledYear(read, constant),
      constant,
      fixed,
      sampled: new Map(),
      ruled: new Map(),
      hints: new Map(),
      signatures: new Map()
    }
    models.set(timeZone, model)
  }
  return model
}

/**
 * The first instant in `(lo, hi]` whose offset is not `last`, given `read(hi) !== last`. A zone
 * changes at the same time of day year after year, nearly always: `hint` (the time of day of
 * its last change between the same offsets) is tried first, then quarter hours, then seconds.
 */
const firstChange = (
  read: (t: number) => number,
  lo: number,
  hi: number,
  last: number,
  hint: number | undefined
): number => {
  // Bisects on the instants `origin + k * step` strictly within (lo, hi) until none is left.
  const bisect = (step: number, origin: number) => {
    for (;;) {
      const first = Math.floor((lo - origin) / step) + 1
      const lastPoint = Math.ceil((hi - origin) / step) - 1
      if (first > lastPoint) return
      const mid = origin + Math.floor((first + lastPoint) / 2) * step
      if (read(mid) === last) lo = mid
      else hi = mid
    }
  }
  if (hint !== undefined) {
    // Days at the hinted time of day: the change is on the last of them in (lo, hi], or between two.
    bisect(DAY_MS, hint)
    if ((hi - hint) % DAY_MS === 0 && hi - 1000 > lo && read(hi - 1000) === last) return hi
  }
  // Changes fall on a quarter hour nearly always: check that before bisecting to the second.
  bisect(QUARTER_HOUR_MS, 0)
  if (hi - lo > 1000) {
    if (read(hi - 1000) === last) return hi
    hi -= 1000
  }
  bisect(1000, 0)
  return hi
}

/** Reads the offsets of one UTC year from `Intl`. */
const sample = (model: Model, year: number): Year => {
  const { read, hints } = model
  const start = yearStart(year)
  const end = yearStart(year + 1)
  let last = read(start)
  const offset = last
  const at: Array<number> = []
  const offsets: Array<number> = []
  let previous = start
  for (let probe = Math.min(start + SAMPLE_MS, end); ; probe = Math.min(probe + SAMPLE_MS, end)) {
    const found = read(probe)
    // Several changes between two probes are found one after the other.
    while (found !== last) {
      const key = `${last}>${found}`
      const change = firstChange(read, previous, probe, last, hints.get(key))
      hints.set(key, ((change % DAY_MS) + DAY_MS) % DAY_MS)
      last = read(change)
      if (change < end) {
        at.push(change)
        offsets.push(last)
      }
      previous = change
    }
    previous = probe
    if (probe >= end) break
  }
  return { start, end, offset, at, offsets }
}

/** The offsets of a UTC year (1000-9998) in a zone. */
export const yearIn = (timeZone: string, year: number): Year => {
  const model = modelOf(timeZone)
  if (year < model.firstSampled || model.fixed) {
    return { start: yearStart(year), end: yearStart(year + 1), offset: model.constant, at: [], offsets: [] }
  }
  if (year < FIRST_RULED_YEAR) {
    let known = model.sampled.get(year)
    if (known === undefined) {
      known = sample(model, year)
      model.sampled.set(year, known)
    }
    return known
  }
  const layout = yearLayout(year)
  let rule = model.ruled.get(layout)
  if (rule === undefined) {
    let like = FIRST_RULED_YEAR
    while (yearLayout(like) !== layout) like++
    rule = sample(model, like)
    model.ruled.set(layout, rule)
  }
  const shift = yearStart(year) - rule.start
  return {
    start: rule.start + shift,
    end: rule.end + shift,
    offset: rule.offset,
    at: rule.at.map((t) => t + shift),
    offsets: rule.offsets
  }
}

/**
 * What the offsets of a UTC year depend on: two years of a zone with the same signature and the
 * same layout have the same offsets at the same moments of the year. `0` before the zone's first
 * change (or for a fixed zone), `1` under its annual rule, else a string of the year's offsets.
 */
export const yearSignature = (timeZone: string, year: number): string | 0 | 1 => {
  const model = modelOf(timeZone)
  if (year < model.firstSampled || model.fixed) return 0
  if (year >= FIRST_RULED_YEAR) return 1
  let signature = model.signatures.get(year)
  if (signature === undefined) {
    const known = yearIn(timeZone, year)
    signature = String(known.offset)
    for (let i = 0; i < known.at.length; i++)
      signature += `,${(known.at[i] as number) - known.start}:${known.offsets[i] as number}`
    model.signatures.set(year, signature)
  }
  return signature
}

/** The offset of a zone at a UTC instant of the supported range, in milliseconds. */
export const offsetAt = (timeZone: string, epochMillis: number): number => {
  const year = yearIn(timeZone, yearOfStart(epochMillis))
  let offset = year.offset
  for (let i = 0; i < year.at.length && (year.at[i] as number) <= epochMillis; i++) offset = year.offsets[i] as number
  return offset
}

/** The offset periods of a zone over `[from, to)`. */
export const periods = (timeZone: string, from: number, to: number): Periods => {
  const starts = [from]
  const offsets = [offsetAt(timeZone, from)]
  for (let year = yearOfStart(from); ; year++) {
    const known = yearIn(timeZone, year)
    if (known.start >= to) break
    // A change at the very start of a year shows as that year's first offset.
    if (known.start > from && known.offset !== offsets[offsets.length - 1]) {
      starts.push(known.start)
      offsets.push(known.offset)
    }
    for (let i = 0; i < known.at.length; i++) {
      const t = known.at[i] as number
      if (t > from && t < to) {
        starts.push(t)
        offsets.push(known.offsets[i] as number)
      }
    }
    if (known.end >= to) break
  }
  return { starts, offsets }
}

/** The UTC year of an instant. */
const yearOfInstant = (epochMillis: number): number => {
  // Years are 365 or 366 days: estimate, then correct by the year's bounds.
  let year = Math.floor(1970 + epochMillis / (365.2425 * DAY_MS))
  while (yearStart(year) > epochMillis) year--
  while (yearStart(year + 1) <= epochMillis) year++
  return year
}

/** The UTC year of an instant, clamped to the years the model knows (1000-9998). */
const yearOfStart = (epochMillis: number): number => Math.min(9998, Math.max(1000, yearOfInstant(epochMillis)))
