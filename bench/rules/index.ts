// bench/rules: tickets per second through a compiled Tessera rule set (`Compile.compile(rules)
// .matching(facts)`) against json-rules-engine evaluating the same rules, translated to its
// format, on the same tickets; for 50 and for 500 routing rules.
//
// Data (generate.ts): N seeded tickets, each with the facts of the command that touched it
// (created, a reply, a status change, a priority update; the ticket before the command when
// there is one), and seeded routing rules as JSON documents (triggers on one or two events,
// 2 to 5 conditions on fields, tags, tiers, custom fields, changes), decoded with
// `Rule.decodeRuleSet` as stored rules are. translate.ts turns each rule into a json-rules-engine
// rule with its built-in operators and each ticket's facts into a flat object, outside timing.
//
// Method: first, every ticket goes through both engines (and through the `Interpreter`) and the
// sets of fired rule ids must be identical, or the bench fails. Then ours is timed over all N
// tickets (facts prebuilt): the median of several passes after warm-up passes. json-rules-engine
// is asynchronous: `await engine.run(facts)` one ticket after the other, timed over a pass of
// the first --peer-tickets tickets after a warm-up, the median of a few passes.
//
// Then the help-desk part (triggers.ts, issue 12): `open` through a memory Helpdesk whose
// 1,000 or 10,000 trigger rules all match, against the same open that none of them match, and
// `Analysis.check` of 10,000 rules against ten times the check of 1,000.
//
// Usage: pnpm bench rules [--tickets N] [--peer-tickets N] [--seed S]
import { createRequire } from "node:module"
import { cpus } from "node:os"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { Compile, Interpreter, Rule } from "@tessera/rules"
import { Result } from "effect"
import { Engine, type Event } from "json-rules-engine"
import { figures, type Row, table, timeIt } from "../lib/report.js"
import { type Case, cases, ruleDocuments } from "./generate.js"
import * as Translate from "./translate.js"
import { measureTriggers } from "./triggers.js"

const { values } = parseArgs({
  options: {
    tickets: { type: "string", default: "10000" },
    "peer-tickets-500": { type: "string", default: "2000" },
    seed: { type: "string", default: "20260402" }
  }
})
const n = Number(values.tickets)
const peerN500 = Number(values["peer-tickets-500"])
const seed = Number(values.seed)
if (!Number.isInteger(n) || n < 100) throw new Error(`--tickets must be an integer >= 100, got ${values.tickets}`)
if (!Number.isInteger(peerN500) || peerN500 < 100)
  throw new Error(`--peer-tickets-500 must be an integer >= 100, got ${values["peer-tickets-500"]}`)
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`)

const SIZES = [50, 500] as const
const OURS_PASSES = 15
const OURS_WARMUP = 5
const INTERPRETER_PASSES = 3
const PEER_WARMUP = 300
/** The tickets json-rules-engine is timed and checked on: all of them through 50 rules. */
const peerTickets = (size: number): number => (size === 50 ? n : peerN500)
const RATIO_TARGET = 200
const RATE_TARGET_50 = 500_000

const peerVersion: string = createRequire(import.meta.url)("json-rules-engine/package.json").version

const log = (message: string) => process.stderr.write(`[bench rules] ${message}\n`)

const sameIds = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  const sorted = [...b].sort()
  return [...a].sort().every((id, i) => id === sorted[i])
}

interface Measured {
  readonly size: number
  readonly ours: number
  readonly interpreter: number
  readonly peer: number
  readonly peerTickets: number
  readonly agreed: number
  readonly firedPerTicket: number
  readonly ticketsWithAny: number
  readonly rulesNeverFired: number
  readonly leaves: number
  readonly buildMs: { readonly ours: number; readonly peer: number }
}

const countLeaves = (c: Rule.Condition): number =>
  "all" in c
    ? c.all.reduce((s, x) => s + countLeaves(x), 0)
    : "any" in c
      ? c.any.reduce((s, x) => s + countLeaves(x), 0)
      : "not" in c
        ? countLeaves(c.not)
        : 1

const measure = async (size: number, data: ReadonlyArray<Case>): Promise<Measured> => {
  const decoded = Rule.decodeRuleSet(ruleDocuments(size, seed + size))
  if (Result.isFailure(decoded)) throw decoded.failure
  const rules = decoded.success

  let start = performance.now()
  const compiled = Compile.compile(rules)
  const oursBuild = performance.now() - start
  start = performance.now()
  const engine = new Engine(rules.map(Translate.rule), { allowUndefinedFacts: true })
  const peerBuild = performance.now() - start
  const peerFacts = data.map(Translate.facts)

  // -- ours against the Interpreter, every ticket (also the warm-up of both) ----------------------
  log(`${size} rules: comparing the compiled rules with the Interpreter on ${data.length} tickets`)
  const oursIds = data.map((facts) => compiled.matching(facts).map((r) => r.id))
  let fired = 0
  let ticketsWithAny = 0
  const firedRules = new Set<string>()
  const mismatches: Array<string> = []
  data.forEach((facts, i) => {
    const ours = oursIds[i] as ReadonlyArray<string>
    const interpreted = Interpreter.matching(rules, facts).map((r) => r.id)
    if (!sameIds(ours, interpreted)) mismatches.push(`ticket ${i}: compiled [${ours}] Interpreter [${interpreted}]`)
    fired += ours.length
    if (ours.length > 0) ticketsWithAny++
    for (const id of ours) firedRules.add(id)
  })

  // -- ours: passes over every ticket ------------------------------------------------------------
  log(`${size} rules: timing ours`)
  let sink = 0
  const ours = timeIt(
    () => {
      for (const facts of data) sink += compiled.matching(facts).length
    },
    { iterations: OURS_PASSES, warmup: OURS_WARMUP }
  )
  const interpreter = timeIt(
    () => {
      for (const facts of data) sink += Interpreter.matching(rules, facts).length
    },
    { iterations: INTERPRETER_PASSES, warmup: 0 }
  )

  // -- json-rules-engine: one timed pass of sequential awaits, whose answers are then compared ----
  const k = Math.min(data.length, peerTickets(size))
  log(`${size} rules: timing json-rules-engine on ${k} tickets`)
  for (let i = 0; i < PEER_WARMUP; i++)
    sink += (await engine.run(peerFacts[data.length - 1 - (i % data.length)] as Translate.PeerFacts)).events.length
  const answers: Array<ReadonlyArray<Event>> = new Array(k)
  const t0 = performance.now()
  for (let i = 0; i < k; i++) answers[i] = (await engine.run(peerFacts[i] as Translate.PeerFacts)).events
  const peerMs = performance.now() - t0
  let agreed = 0
  for (let i = 0; i < k; i++) {
    const ours = oursIds[i] as ReadonlyArray<string>
    const theirs = (answers[i] as ReadonlyArray<Event>).map((e) => e.type)
    if (sameIds(ours, theirs)) agreed++
    else
      mismatches.push(
        `ticket ${i} (${(data[i] as Case).events.join("+")}): ours [${ours}] json-rules-engine [${theirs}]`
      )
  }
  if (mismatches.length > 0) {
    process.stdout.write(
      `${size} rules: ${mismatches.length} disagreements, e.g.\n  ${mismatches.slice(0, 5).join("\n  ")}\n`
    )
    throw new Error(`bench rules: the engines disagree on ${mismatches.length} answers with ${size} rules`)
  }
  if (sink === 0) log("(no rule fired at all)")

  return {
    size,
    ours: data.length / (ours.p50 / 1000),
    interpreter: data.length / (interpreter.p50 / 1000),
    peer: k / (peerMs / 1000),
    peerTickets: k,
    agreed,
    firedPerTicket: fired / data.length,
    ticketsWithAny,
    rulesNeverFired: rules.length - firedRules.size,
    leaves: rules.reduce((s, r) => s + countLeaves(r.if), 0) / rules.length,
    buildMs: { ours: oursBuild, peer: peerBuild }
  }
}

log(`generating ${n} tickets (seed ${seed})`)
const t0 = performance.now()
const data = cases(n, seed)
log(`generated in ${(performance.now() - t0).toFixed(0)} ms`)

const results: Array<Measured> = []
for (const size of SIZES) results.push(await measure(size, data))

const rows: Array<Row> = results.map((m) => {
  const ratio = m.ours / m.peer
  const met = ratio >= RATIO_TARGET && (m.size !== 50 || m.ours >= RATE_TARGET_50)
  return {
    rules: m.size,
    "ours tickets/s": Math.round(m.ours),
    "json-rules-engine tickets/s": Math.round(m.peer),
    "ours/jre": ratio,
    "Interpreter tickets/s": Math.round(m.interpreter),
    target: `>= ${RATIO_TARGET}x${m.size === 50 ? `, >= ${RATE_TARGET_50.toLocaleString("en")}/s` : ""}: ${met ? "met" : "NOT MET"}`
  }
})
const dataRows: Array<Row> = results.map((m) => ({
  rules: m.size,
  "leaves/rule": m.leaves,
  "fired/ticket": m.firedPerTicket,
  "tickets with a rule fired": `${((100 * m.ticketsWithAny) / n).toFixed(1)}%`,
  "rules never fired": m.rulesNeverFired,
  "same ids as Interpreter": `${n}/${n}`,
  "same ids as json-rules-engine": `${m.agreed}/${m.peerTickets}`,
  "compile ms (ours)": m.buildMs.ours,
  "new Engine ms (jre)": m.buildMs.peer
}))

const eventMix = new Map<string, number>()
for (const c of data) eventMix.set(c.events.join("+"), (eventMix.get(c.events.join("+")) ?? 0) + 1)

process.stdout.write(
  `\nbench rules: @tessera/rules Compile vs json-rules-engine ${peerVersion}, same rules and tickets\n` +
    `tickets: ${n}, seed ${seed}; events ${[...eventMix].map(([e, k]) => `${e} ${((100 * k) / n).toFixed(0)}%`).join(", ")}\n\n`
)
table(rows)
process.stdout.write("\n")
table(dataRows)
process.stdout.write(
  `\nagreement: the compiled rules fire the same rule ids as the Interpreter on every ticket, and as json-rules-engine on every ticket it ran\n` +
    `timing: ours (and the Interpreter) = median of ${OURS_PASSES} (${INTERPRETER_PASSES}) passes over all ${n} tickets after ${OURS_WARMUP} warm-up passes, facts prebuilt; ` +
    `json-rules-engine = one pass of sequential \`await engine.run(facts)\` over the first ${results.map((m) => `${m.peerTickets} tickets (${m.size} rules)`).join(", ")} after ${PEER_WARMUP} warm-up runs, its answers compared afterwards; ` +
    `one thread; ${cpus()[0]?.model ?? "unknown CPU"}; node ${process.version}\n\n`
)

const figure = (m: Measured) => ({
  value: m.ours,
  unit: "tickets/s",
  baseline: `json-rules-engine ${peerVersion}, same ${m.size} rules and tickets`,
  baselineValue: m.peer,
  ratio: m.ours / m.peer
})
const triggers = await measureTriggers(log)
process.stdout.write(
  "bench rules, help desk: open through a memory Helpdesk with trigger rules that all match; Analysis.check\n\n"
)
table(triggers.rows)
process.stdout.write(
  `\nallMatch: median of ${triggers.samples.allMatch1000} (1,000 rules) and ${triggers.samples.allMatch10000} (10,000 rules) opens of each kind, interleaved, after one of each; ` +
    `check: median of ${triggers.samples.check1000} checks of 1,000 rules after one, and of ${triggers.samples.check10000} of 10,000\n\n`
)

const [r50, r500] = results as [Measured, Measured]
figures("rules", { rules50: figure(r50), rules500: figure(r500), ...triggers.figures })
