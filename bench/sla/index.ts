// bench/sla: BusinessCalendar.addBusinessTime and businessTimeBetween against
// moment-business-time (with moment-timezone), on the same calendar and the same inputs.
//
// The calendar (calendar.ts): Europe/Paris, Monday to Friday 09:00-18:00, 12 holidays a year.
// One opening interval a day, because moment-business-time's `workingDiff` miscounts days with a
// break (it adds the time from `to` to the start of each later interval of `to`'s day); the
// lunch-break calendar (09:00-12:00, 14:00-18:00) is checked for correctness too, not timed.
//
// Method: N seeded inputs per span bucket (inputs.ts), converted once to each library's types
// (DateTime.Utc and Duration; moment.tz objects and milliseconds). A first pass compares every
// answer (and warms both up); then each (operation, bucket) is timed on the same inputs for both,
// the median of several samples, results summed into a checksum so that none can be skipped.
// The peer mutates in `addWorkingTime`, so its timed call includes a `clone()`.
//
// Usage: pnpm bench sla [--inputs N] [--seed S]
import { createRequire } from "node:module"
import { cpus } from "node:os"
import { parseArgs } from "node:util"
import { BusinessCalendar } from "@tessera/core"
import { DateTime, Duration, Result } from "effect"
import moment from "moment-timezone"
import "moment-business-time"
import { figures, type Row, table, timeIt } from "../lib/report.js"
import { DAY_HOURS, datedHolidays, peerLocale, SPLIT_HOURS, spec, timeZone, yearlyHolidays } from "./calendar.js"
import { type Bucket, buckets, generate, type Inputs } from "./inputs.js"

const { values } = parseArgs({
  options: { inputs: { type: "string", default: "400" }, seed: { type: "string", default: "20260401" } }
})
const n = Number(values.inputs)
const seed = Number(values.seed)
if (!Number.isInteger(n) || n < 20) throw new Error(`--inputs must be an integer >= 20, got ${values.inputs}`)
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`)

// A peer sample lasts about this long; ours is repeated until a sample lasts OURS_SAMPLE_MS.
const PEER_SAMPLE_MS = 600
const PEER_SAMPLES = 3
const OURS_SAMPLE_MS = 25
const OURS_SAMPLES = 11

const peerVersion: string = createRequire(import.meta.url)("moment-business-time/package.json").version

const log = (message: string) => process.stderr.write(`[bench sla] ${message}\n`)

const makeCalendar = (hours: ReadonlyArray<string>): BusinessCalendar.BusinessCalendar => {
  const made = BusinessCalendar.make(spec(hours))
  if (Result.isFailure(made)) throw made.failure
  return made.success
}

const usePeerHours = (hours: ReadonlyArray<string>) => {
  moment.updateLocale(moment.locale(), peerLocale(hours))
}

/** One bucket's inputs as each library takes them, converted once, outside any timing. */
interface Converted {
  readonly bucket: Bucket
  readonly raw: Inputs
  readonly starts: ReadonlyArray<DateTime.Utc>
  readonly durations: ReadonlyArray<Duration.Duration>
  readonly ends: ReadonlyArray<DateTime.Utc>
  readonly peerStarts: ReadonlyArray<moment.Moment>
  readonly peerEnds: ReadonlyArray<moment.Moment>
}

const convert = (inputs: ReadonlyArray<Inputs>): Array<Converted> =>
  inputs.map((raw, i) => ({
    bucket: buckets[i] as Bucket,
    raw,
    starts: raw.starts.map((t) => DateTime.makeUnsafe(t)),
    durations: raw.durations.map((ms) => Duration.millis(ms)),
    ends: raw.ends.map((t) => DateTime.makeUnsafe(t)),
    peerStarts: raw.starts.map((t) => moment.tz(t, timeZone)),
    peerEnds: raw.ends.map((t) => moment.tz(t, timeZone))
  }))

// -- the work, one pass over the first k inputs of a bucket; each returns a checksum ------------

const oursAdd = (calendar: BusinessCalendar.BusinessCalendar, c: Converted, k: number): number => {
  let sum = 0
  for (let i = 0; i < k; i++) {
    const due = BusinessCalendar.addBusinessTime(
      calendar,
      c.starts[i] as DateTime.Utc,
      c.durations[i] as Duration.Duration
    )
    sum += Result.isSuccess(due) ? due.success.epochMilliseconds % 1_000_003 : -1
  }
  return sum
}

const oursBetween = (calendar: BusinessCalendar.BusinessCalendar, c: Converted, k: number): number => {
  let sum = 0
  for (let i = 0; i < k; i++) {
    const time = BusinessCalendar.businessTimeBetween(calendar, c.starts[i] as DateTime.Utc, c.ends[i] as DateTime.Utc)
    sum += Result.isSuccess(time) ? Duration.toMillis(time.success) : -1
  }
  return sum
}

const peerAdd = (c: Converted, k: number): number => {
  let sum = 0
  for (let i = 0; i < k; i++) {
    const start = c.peerStarts[i] as moment.Moment
    sum +=
      start
        .clone()
        .addWorkingTime(c.raw.durations[i] as number, "milliseconds")
        .valueOf() % 1_000_003
  }
  return sum
}

const peerBetween = (c: Converted, k: number): number => {
  let sum = 0
  for (let i = 0; i < k; i++) {
    sum += (c.peerEnds[i] as moment.Moment).workingDiff(c.peerStarts[i] as moment.Moment, "milliseconds")
  }
  return sum
}

// -- correctness: every answer of ours against the peer's, mismatches classified ---------------

const paris = (t: number) => moment.tz(t, timeZone).format("ddd YYYY-MM-DD HH:mm:ss.SSS Z")
const hm = (ms: number) => {
  const sign = ms < 0 ? "-" : ""
  const m = Math.abs(ms)
  return `${sign}${Math.floor(m / 3_600_000)}h${String(Math.floor((m % 3_600_000) / 60_000)).padStart(2, "0")}m${
    m % 60_000 === 0 ? "" : `${((m % 60_000) / 1000).toFixed(3)}s`
  }`
}

interface Check {
  readonly operation: "addBusinessTime" | "businessTimeBetween"
  readonly calendar: string
  cases: number
  matches: number
  readonly classes: Map<string, Array<string>>
}

const classify = (check: Check, label: string, example: string) => {
  const examples = check.classes.get(label) ?? []
  examples.push(example)
  check.classes.set(label, examples)
}

const isClosing = (calendar: BusinessCalendar.BusinessCalendar, t: number): boolean => {
  const before = BusinessCalendar.isOpen(calendar, DateTime.makeUnsafe(t - 1))
  const at = BusinessCalendar.isOpen(calendar, DateTime.makeUnsafe(t))
  return Result.isSuccess(before) && before.success && Result.isSuccess(at) && !at.success
}

const nextOpeningMs = (calendar: BusinessCalendar.BusinessCalendar, t: number): number => {
  const opening = BusinessCalendar.nextOpening(calendar, DateTime.makeUnsafe(t))
  return Result.isSuccess(opening) ? opening.success.epochMilliseconds : Number.NaN
}

interface Compared {
  readonly add: Check
  readonly between: Check
  /** Cases where businessTimeBetween(s, addBusinessTime(s, d)) is not d (ours, expected 0). */
  roundTripFailures: number
}

const compare = (calendar: BusinessCalendar.BusinessCalendar, name: string, data: ReadonlyArray<Converted>) => {
  const out: Compared = {
    add: { operation: "addBusinessTime", calendar: name, cases: 0, matches: 0, classes: new Map() },
    between: { operation: "businessTimeBetween", calendar: name, cases: 0, matches: 0, classes: new Map() },
    roundTripFailures: 0
  }
  for (const c of data) {
    for (let i = 0; i < c.raw.starts.length; i++) {
      const s = c.raw.starts[i] as number
      const d = c.raw.durations[i] as number
      const due = BusinessCalendar.addBusinessTime(
        calendar,
        c.starts[i] as DateTime.Utc,
        c.durations[i] as Duration.Duration
      )
      if (Result.isFailure(due)) throw due.failure
      const ours = due.success.epochMilliseconds
      const peer = (c.peerStarts[i] as moment.Moment).clone().addWorkingTime(d, "milliseconds").valueOf()
      out.add.cases++
      const back = BusinessCalendar.businessTimeBetween(calendar, c.starts[i] as DateTime.Utc, due.success)
      if (Result.isFailure(back) || Duration.toMillis(back.success) !== d) out.roundTripFailures++
      if (ours === peer) out.add.matches++
      else {
        const example = `start ${paris(s)} + ${hm(d)}: ours ${paris(ours)}, peer ${paris(peer)}`
        if (isClosing(calendar, ours) && peer === nextOpeningMs(calendar, ours))
          classify(out.add, "due exactly at a closing time: ours = the closing, peer = the next opening", example)
        else if (isClosing(calendar, peer) && ours === nextOpeningMs(calendar, peer))
          classify(out.add, "due exactly at a closing time: peer = the closing, ours = the next opening", example)
        else classify(out.add, "unexplained", example)
      }

      const e = c.raw.ends[i] as number
      const time = BusinessCalendar.businessTimeBetween(
        calendar,
        c.starts[i] as DateTime.Utc,
        c.ends[i] as DateTime.Utc
      )
      if (Result.isFailure(time)) throw time.failure
      const oursBetween = Duration.toMillis(time.success)
      const peerBetween = (c.peerEnds[i] as moment.Moment).workingDiff(c.peerStarts[i] as moment.Moment, "milliseconds")
      out.between.cases++
      if (oursBetween === peerBetween) out.between.matches++
      else {
        const example = `[${paris(s)}, ${paris(e)}): ours ${hm(oursBetween)}, peer ${hm(peerBetween)}`
        // moment-business-time's workingDiff also "counts" each interval of `to`'s day that starts
        // after `to`, as the negative span (to - interval start): with a lunch break, a `to` in the
        // morning or in the break loses (14:00 - to), which can make the answer negative.
        const afternoon = moment.tz(e, timeZone).startOf("day").hours(14).valueOf()
        if (e < afternoon && oursBetween - peerBetween === afternoon - e)
          classify(
            out.between,
            "peer bug: `to` before the day's afternoon interval; workingDiff subtracts (14:00 - to)",
            example
          )
        else classify(out.between, "unexplained", example)
      }
    }
  }
  return out
}

// -- timing --------------------------------------------------------------------------------------

let checksum = 0

/** Operations per second of `pass` (which does `k` operations), the median of `samples` samples. */
const opsPerSecond = (pass: () => number, k: number, sampleMs: number, samples: number): number => {
  let passes = 1
  for (;;) {
    const t0 = performance.now()
    for (let p = 0; p < passes; p++) checksum += pass()
    if (performance.now() - t0 >= sampleMs / 2 || passes >= 1 << 20) break
    passes *= 2
  }
  const timing = timeIt(
    () => {
      for (let p = 0; p < passes; p++) checksum += pass()
    },
    { iterations: samples, warmup: 1 }
  )
  return (k * passes * 1000) / timing.p50
}

interface Measured {
  readonly bucket: string
  readonly k: number
  readonly ours: number
  readonly peer: number
}

// -- run -------------------------------------------------------------------------------------------

log(`generating ${n} inputs per bucket (seed ${seed})`)
const calendar = makeCalendar(DAY_HOURS)
usePeerHours(DAY_HOURS)
const data = convert(generate(makeCalendar(DAY_HOURS), n, seed))

// The first pass on a fresh calendar builds its 128-day chunks: reported apart, not a figure.
const cold = makeCalendar(DAY_HOURS)
const coldStart = performance.now()
for (const c of data) checksum += oursAdd(cold, c, n)
const coldMs = performance.now() - coldStart

log("correctness: every input through both libraries")
const main = compare(calendar, "Mon-Fri 09:00-18:00", data)

const measured: Record<"addBusinessTime" | "businessTimeBetween", Array<Measured>> = {
  addBusinessTime: [],
  businessTimeBetween: []
}
for (const c of data) {
  for (const operation of ["addBusinessTime", "businessTimeBetween"] as const) {
    // Size the peer's sample (its cost varies a lot with the span) from a probe on 10 inputs.
    const probeStart = performance.now()
    checksum += operation === "addBusinessTime" ? peerAdd(c, 10) : peerBetween(c, 10)
    const perCall = Math.max((performance.now() - probeStart) / 10, 1e-4)
    const k = Math.min(n, Math.max(20, Math.round(PEER_SAMPLE_MS / perCall)))
    log(`timing ${operation}, ${c.bucket.name}, on ${k} inputs`)
    const ours =
      operation === "addBusinessTime"
        ? opsPerSecond(() => oursAdd(calendar, c, k), k, OURS_SAMPLE_MS, OURS_SAMPLES)
        : opsPerSecond(() => oursBetween(calendar, c, k), k, OURS_SAMPLE_MS, OURS_SAMPLES)
    const peer =
      operation === "addBusinessTime"
        ? opsPerSecond(() => peerAdd(c, k), k, PEER_SAMPLE_MS, PEER_SAMPLES)
        : opsPerSecond(() => peerBetween(c, k), k, PEER_SAMPLE_MS, PEER_SAMPLES)
    measured[operation].push({ bucket: c.bucket.name, k, ours, peer })
  }
}

log("correctness, lunch-break calendar (not timed)")
const splitCalendar = makeCalendar(SPLIT_HOURS)
usePeerHours(SPLIT_HOURS)
const split = compare(
  splitCalendar,
  "Mon-Fri 09:00-12:00, 14:00-18:00",
  convert(generate(splitCalendar, Math.max(20, Math.floor(n / 2)), seed + 1))
)
usePeerHours(DAY_HOURS)

// -- report ----------------------------------------------------------------------------------------

/** Throughput over an equal mix of the buckets: operations / total time. */
const overall = (rates: ReadonlyArray<number>) => rates.length / rates.reduce((sum, r) => sum + 1 / r, 0)

const RATIO_TARGET = 100
const ADD_TARGET = 1_000_000
const summary = {
  addBusinessTime: {
    ours: overall(measured.addBusinessTime.map((m) => m.ours)),
    peer: overall(measured.addBusinessTime.map((m) => m.peer))
  },
  businessTimeBetween: {
    ours: overall(measured.businessTimeBetween.map((m) => m.ours)),
    peer: overall(measured.businessTimeBetween.map((m) => m.peer))
  }
}

const rows: Array<Row> = []
for (const operation of ["addBusinessTime", "businessTimeBetween"] as const) {
  const target = `>= ${RATIO_TARGET}x${operation === "addBusinessTime" ? `, >= ${ADD_TARGET.toLocaleString("en")} ops/s` : ""}`
  for (const m of measured[operation])
    rows.push({
      operation,
      span: m.bucket,
      "inputs timed": m.k,
      "ours ops/s": Math.round(m.ours),
      "peer ops/s": Math.round(m.peer),
      "ours/peer": m.ours / m.peer,
      target: ""
    })
  const s = summary[operation]
  const ok = s.ours / s.peer >= RATIO_TARGET && (operation !== "addBusinessTime" || s.ours >= ADD_TARGET)
  rows.push({
    operation,
    span: "overall (equal mix)",
    "inputs timed": "",
    "ours ops/s": Math.round(s.ours),
    "peer ops/s": Math.round(s.peer),
    "ours/peer": s.ours / s.peer,
    target: `${target}: ${ok ? "met" : "NOT MET"}`
  })
}

process.stdout.write(
  `\nbench sla: Tessera BusinessCalendar vs moment-business-time ${peerVersion} + moment-timezone ${moment.tz.version}\n` +
    `calendar: ${timeZone}, Mon-Fri ${DAY_HOURS.join(", ")}, ${yearlyHolidays.length + datedHolidays.length / 2} holidays a year ` +
    `(${yearlyHolidays.join(" ")} yearly; ${datedHolidays.join(" ")})\n` +
    `inputs: ${n} per bucket, seed ${seed}; starts over 2026-2027 (55% uniform, 15% DST weeks, 15% around holidays, 15% exactly at opening/closing)\n` +
    `spans: addBusinessTime adds the bucket's business time (bd = business day of 9 h); businessTimeBetween measures wall-clock spans of ` +
    `${buckets.map((b) => `${b.name}: ${hm(b.between[0])}-${hm(b.between[1])}`).join(", ")}\n\n`
)
table(rows)

const checkRows: Array<Row> = []
const examples: Array<string> = []
for (const [compared, timed] of [
  [main, "timed"],
  [split, "not timed"]
] as const) {
  for (const check of [compared.add, compared.between]) {
    const mismatches = check.cases - check.matches
    checkRows.push({
      calendar: `${check.calendar} (${timed})`,
      operation: check.operation,
      cases: check.cases,
      "same answer": check.matches,
      mismatches,
      "of which unexplained": check.classes.get("unexplained")?.length ?? 0
    })
    for (const [label, list] of check.classes) {
      examples.push(`${check.calendar}, ${check.operation}: ${list.length} x ${label}`)
      for (const example of list.slice(0, 3)) examples.push(`    ${example}`)
    }
  }
}
process.stdout.write("\ncorrectness: ours against the peer on the same inputs\n")
table(checkRows)
process.stdout.write(
  `${examples.length === 0 ? "no mismatches" : examples.join("\n")}\n` +
    `round trip businessTimeBetween(s, addBusinessTime(s, d)) == d: ${main.roundTripFailures + split.roundTripFailures} failures over ${main.add.cases + split.add.cases} cases\n\n` +
    `first addBusinessTime pass on a fresh calendar (builds its 128-day chunks): ${data.length * n} calls in ${coldMs.toFixed(1)} ms\n` +
    `timing: median of ${OURS_SAMPLES} samples of >= ${OURS_SAMPLE_MS / 2} ms (ours) and ${PEER_SAMPLES} of ~${PEER_SAMPLE_MS} ms (peer) on the same inputs, ` +
    `after a full warm-up pass; one thread; ${cpus()[0]?.model ?? "unknown CPU"}; node ${process.version}; checksum ${checksum}\n\n`
)

const unexplained = [main, split].reduce(
  (sum, c) =>
    sum + (c.add.classes.get("unexplained")?.length ?? 0) + (c.between.classes.get("unexplained")?.length ?? 0),
  0
)
if (main.roundTripFailures + split.roundTripFailures > 0) throw new Error("bench sla: round trip failed, see above")
if (unexplained > 0) process.stderr.write(`[bench sla] WARNING: ${unexplained} unexplained mismatches, see above\n`)

figures("sla", {
  addBusinessTime: {
    value: summary.addBusinessTime.ours,
    unit: "ops/s",
    baseline: `moment-business-time addWorkingTime (moment-timezone, ${timeZone}), same calendar and inputs, equal mix of spans 1 min-30 business days`,
    baselineValue: summary.addBusinessTime.peer
  },
  businessTimeBetween: {
    value: summary.businessTimeBetween.ours,
    unit: "ops/s",
    baseline: `moment-business-time workingDiff (moment-timezone, ${timeZone}), same calendar and inputs, equal mix of spans 1 min-45 days`,
    baselineValue: summary.businessTimeBetween.peer
  }
})
