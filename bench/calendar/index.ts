// bench/calendar: business-time calls between instants far apart (issue 13: the first
// `businessTimeBetween` from year 1000 to 9998 took about 17 s and kept about 21 MiB, so dates a
// user types could stall a process; the target is any single call within 50 ms).
//
// Method: an office calendar (Monday to Friday 09:00-12:00 and 14:00-18:00, yearly and dated
// holidays, an exception) in zones with a long history of clock changes. Each sample is a
// complete call on a calendar built just before it, so nothing it needs is remembered, except
// what the time zone database gives: a zone's offsets are read from `Intl` once per process and
// shared by every calendar in that zone. So the far calls are measured three ways: on the first
// calendar of a zone never read before (`farApartColdZoneMs`, one zone per sample), on a fresh
// calendar in a zone already read (`farApartMs`), and repeated on the same calendar. Far calls
// are `businessTimeBetween` from 1000-01-01 to 9998-12-31, `addBusinessTime` of ten million
// business hours from 1000-01-01 and `subtractBusinessTime` of as much from 9998-12-31. The
// baseline of each is the same kind of call over one week (2026-03-23 to 2026-03-30, across the
// European spring-forward) measured the same way in the same run.
//
// Usage: pnpm bench calendar [--samples N]
import { parseArgs } from "node:util"
import { BusinessCalendar } from "@tessera/core"
import { DateTime, Duration, Result } from "effect"
import { figures, percentile, type Row, table } from "../lib/report.js"

const { values } = parseArgs({ options: { samples: { type: "string", default: "40" } } })
const samples = Number(values.samples)
if (!Number.isInteger(samples) || samples < 5) throw new Error(`--samples must be an integer >= 5`)

const log = (message: string) => process.stderr.write(`[bench calendar] ${message}\n`)

const TARGET_MS = 50

const hours = ["09:00-12:00", "14:00-18:00"]
const office = (timeZone: string): BusinessCalendar.BusinessCalendar => {
  const made = BusinessCalendar.make({
    timeZone,
    weekly: { monday: hours, tuesday: hours, wednesday: hours, thursday: hours, friday: hours },
    holidays: [
      { yearly: "01-01" },
      { yearly: "05-01" },
      { yearly: "05-08" },
      { yearly: "07-14" },
      { yearly: "08-15" },
      { yearly: "11-01" },
      { yearly: "11-11" },
      { yearly: "12-25" },
      { date: "2026-04-06" },
      { date: "2026-05-14" },
      { from: "2026-08-10", to: "2026-08-21" }
    ],
    exceptions: [{ date: "2026-12-24", hours: ["09:00-12:00"] }]
  })
  if (Result.isFailure(made)) throw made.failure
  return made.success
}

const at = (iso: string) => DateTime.makeUnsafe(iso)
const first = at("1000-01-01T00:00:00Z")
const last = at("9998-12-31T00:00:00Z")
const weekFrom = at("2026-03-23T00:00:00Z")
const weekTo = at("2026-03-30T00:00:00Z")
const farHours = Duration.hours(10_000_000)
const weekHours = Duration.hours(35)

let checksum = 0
const value = <A, E>(result: Result.Result<A, E>, toNumber: (a: A) => number): void => {
  if (Result.isFailure(result)) throw new Error(`bench calendar: a call failed: ${String(result.failure)}`)
  checksum += toNumber(result.success) % 1_000_003
}

type Call = (calendar: BusinessCalendar.BusinessCalendar) => void
const calls: Record<"between" | "add" | "subtract", { readonly far: Call; readonly week: Call }> = {
  between: {
    far: (c) => value(BusinessCalendar.businessTimeBetween(c, first, last), Duration.toMillis),
    week: (c) => value(BusinessCalendar.businessTimeBetween(c, weekFrom, weekTo), Duration.toMillis)
  },
  add: {
    far: (c) => value(BusinessCalendar.addBusinessTime(c, first, farHours), (t) => t.epochMilliseconds),
    week: (c) => value(BusinessCalendar.addBusinessTime(c, weekFrom, weekHours), (t) => t.epochMilliseconds)
  },
  subtract: {
    far: (c) => value(BusinessCalendar.subtractBusinessTime(c, last, farHours), (t) => t.epochMilliseconds),
    week: (c) => value(BusinessCalendar.subtractBusinessTime(c, weekTo, weekHours), (t) => t.epochMilliseconds)
  }
}

/** Milliseconds of one call, sorted samples. */
const timed = (n: number, prepare: (i: number) => BusinessCalendar.BusinessCalendar, call: Call) => {
  const out: Array<number> = []
  for (let i = 0; i < n; i++) {
    const calendar = prepare(i)
    const start = performance.now()
    call(calendar)
    out.push(performance.now() - start)
  }
  return out.sort((a, b) => a - b)
}

// Zones with many clock changes since the 19th century (and their annual rules after 2088):
// each is read from Intl by the first call that needs it, so each serves one cold sample.
const zones = Intl.supportedValuesOf("timeZone").filter(
  (zone) => /^(Europe|America|Australia|Pacific|Asia|Africa)\//.test(zone) && zone !== "Europe/Paris"
)
let nextZone = 0
const unreadZone = (): string => {
  const zone = zones[nextZone++]
  if (zone === undefined) throw new Error("bench calendar: not enough time zones for --samples")
  return zone
}

// Warm the code itself (JIT) on one zone, which then serves the samples in a zone already read.
log("warming up on Europe/Paris")
for (let i = 0; i < 5; i++) {
  for (const call of Object.values(calls)) {
    call.far(office("Europe/Paris"))
    call.week(office("Europe/Paris"))
  }
}

const rows: Array<Row> = []
const results: Record<string, { far: ReadonlyArray<number>; week: ReadonlyArray<number> }> = {}
const measure = (name: string, how: string, far: () => ReadonlyArray<number>, week: () => ReadonlyArray<number>) => {
  log(`timing ${name}`)
  const farSamples = far()
  const weekSamples = week()
  results[name] = { far: farSamples, week: weekSamples }
  const worst = farSamples[farSamples.length - 1] as number
  rows.push({
    measure: name,
    calls: how,
    "far p50 ms": percentile(farSamples, 50),
    "far p95 ms": percentile(farSamples, 95),
    "far max ms": worst,
    "week p50 ms": percentile(weekSamples, 50),
    "far/week": percentile(farSamples, 50) / percentile(weekSamples, 50),
    target: `< ${TARGET_MS} ms: ${worst < TARGET_MS ? "met" : "NOT MET"}`
  })
}

const coldSamples = Math.min(samples, Math.floor(zones.length / 2))
measure(
  "farApartColdZoneMs",
  `between, first call in a zone never read (${coldSamples} zones)`,
  () => timed(coldSamples, () => office(unreadZone()), calls.between.far),
  () => timed(coldSamples, () => office(unreadZone()), calls.between.week)
)
for (const [operation, call] of Object.entries(calls)) {
  measure(
    operation === "between" ? "farApartMs" : `far${operation[0]?.toUpperCase()}${operation.slice(1)}Ms`,
    `${operation}, fresh calendar, zone read before`,
    () => timed(samples, () => office("Europe/Paris"), call.far),
    () => timed(samples, () => office("Europe/Paris"), call.week)
  )
}
const repeated = office("Europe/Paris")
calls.between.far(repeated)
calls.between.week(repeated)
measure(
  "farApartRepeatMs",
  "between, the same calendar again",
  () => timed(samples, () => repeated, calls.between.far),
  () => timed(samples, () => repeated, calls.between.week)
)

process.stdout.write(
  `\nbench calendar: business time between instants far apart (1000-01-01 to 9998-12-31), against one week\n` +
    `calendar: Mon-Fri ${hours.join(", ")}, 8 yearly holidays, 2 dated, a 12-day range, an exception; ` +
    `${samples} samples a measure (one zone each when cold); node ${process.version}; checksum ${checksum}\n\n`
)
table(rows)
process.stdout.write("\n")

const figure = (name: string, baseline: string) => {
  const r = results[name]
  if (r === undefined) throw new Error(`bench calendar: ${name} was not measured`)
  return { value: percentile(r.far, 50), unit: "ms", baseline, baselineValue: percentile(r.week, 50) }
}
figures("calendar", {
  farApartMs: figure(
    "farApartMs",
    "businessTimeBetween over one week (2026-03-23 to 2026-03-30) on a fresh calendar, zone read before, p50"
  ),
  farApartColdZoneMs: figure(
    "farApartColdZoneMs",
    "businessTimeBetween over one week on the first calendar of a zone never read (one zone a sample), p50"
  ),
  farAddMs: figure("farAddMs", "addBusinessTime of 35 business hours on a fresh calendar, p50"),
  farSubtractMs: figure("farSubtractMs", "subtractBusinessTime of 35 business hours on a fresh calendar, p50"),
  farApartRepeatMs: figure("farApartRepeatMs", "businessTimeBetween over one week on the same calendar again, p50")
})
