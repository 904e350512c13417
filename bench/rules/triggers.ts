// bench/rules, the help-desk part: how long `open` takes when many trigger rules all match
// (issue 12), and how long `Analysis.check` takes on large rule sets, each against a baseline
// measured in the same run.
//
// - allMatch1000Ms: `open` through a memory `Helpdesk` whose 1,000 trigger rules all match (the
//   ticket comes by e-mail) and each add a tag of its own. Baseline: `open` through the same
//   help desk, same rules, on a ticket none of them match (it comes from the web).
// - allMatch10000Ms: the same with 10,000 rules that add tags from a pool of 1,000 (the tag
//   limit), rule i the tag i mod 1,000: every pass asks every rule, and 9,000 of them change
//   nothing. Baseline: as above.
// - check10000Ms: `Analysis.check` of the 10,000 own-tag rules; baseline: ten times the check of
//   their first 1,000, so the ratio says how the check scales (1 is linear).
import { performance } from "node:perf_hooks"
import { Helpdesk, Limits, MemoryHelpdesk } from "@tessera/core"
import { Analysis, Rule, RuleTriggers } from "@tessera/rules"
import { Effect, Result } from "effect"
import { type Figure, percentile, type Row } from "../lib/report.js"

const median = (samples: ReadonlyArray<number>): number =>
  percentile(
    [...samples].sort((x, y) => x - y),
    50
  )

/** Rules that match a ticket that came by e-mail, and add `tagOf(i)`. */
export const allMatchRules = (n: number, tagOf: (i: number) => string): Rule.RuleSet => {
  const docs = Array.from({ length: n }, (_, i) => ({
    id: `all-${String(i).padStart(5, "0")}`,
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "channel", op: "is", value: "email" },
    then: [{ addTags: [tagOf(i)] }]
  }))
  const decoded = Rule.decodeRuleSet(docs)
  if (Result.isFailure(decoded)) throw decoded.failure
  return decoded.success
}

export const ownTag = (i: number): string => `own-${i}`
export const poolTag = (i: number): string => `pool-${i % Limits.tagsPerTicket}`

interface OpenTimes {
  readonly matchingMs: number
  readonly baselineMs: number
  readonly tagsOnMatching: number
  readonly versionOnMatching: number
  readonly samples: number
}

/**
 * Opens tickets through one memory help desk with `rules`: `samples` that every rule matches and
 * as many that none does, interleaved after one warm-up of each; medians in ms.
 */
export const timeOpens = (rules: Rule.RuleSet, samples: number): Promise<OpenTimes> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveContact({ id: "con_1", name: "Jane", emails: ["jane@example.com"] })
      const open = (channel: "email" | "web") =>
        helpdesk.open({ requester: { id: "con_1" }, subject: "Charged twice", text: "Refund me, please.", channel })
      const matching: Array<number> = []
      const baseline: Array<number> = []
      let last = yield* open("email")
      yield* open("web")
      for (let i = 0; i < samples; i++) {
        for (const channel of i % 2 === 0 ? (["email", "web"] as const) : (["web", "email"] as const)) {
          const t0 = performance.now()
          const ticket = yield* open(channel)
          const ms = performance.now() - t0
          if (channel === "email") {
            matching.push(ms)
            last = ticket
          } else {
            baseline.push(ms)
            if (ticket.tags.length !== 0) throw new Error("bench rules: a rule matched the baseline ticket")
          }
        }
      }
      return {
        matchingMs: median(matching),
        baselineMs: median(baseline),
        tagsOnMatching: last.tags.length,
        versionOnMatching: last.version,
        samples
      }
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "bench" }, { triggers: RuleTriggers.make(rules) })))
  )

/** The median of `runs` timings of `Analysis.check(rules)`, in ms, and its findings. */
export const timeCheck = (rules: Rule.RuleSet, runs: number): { readonly ms: number; readonly findings: number } => {
  const times: Array<number> = []
  let findings = 0
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    findings = Analysis.check(rules).length
    times.push(performance.now() - t0)
  }
  return { ms: median(times), findings }
}

export interface TriggerResults {
  readonly figures: {
    readonly allMatch1000Ms: Figure
    readonly allMatch10000Ms: Figure
    readonly check10000Ms: Figure
  }
  readonly rows: ReadonlyArray<Row>
  readonly samples: {
    readonly allMatch1000: number
    readonly allMatch10000: number
    readonly check1000: number
    readonly check10000: number
  }
}

const TARGET_MS = 1000
const SAMPLES = { allMatch1000: 7, allMatch10000: 5, check1000: 5, check10000: 3 } as const

export const measureTriggers = async (log: (message: string) => void): Promise<TriggerResults> => {
  const own1000 = allMatchRules(1000, ownTag)
  const pool10000 = allMatchRules(10_000, poolTag)
  const own10000 = allMatchRules(10_000, ownTag)

  log("open with 1,000 rules that all match, each adding its own tag")
  const a = await timeOpens(own1000, SAMPLES.allMatch1000)
  if (a.tagsOnMatching !== 1000) throw new Error(`bench rules: expected 1,000 tags, got ${a.tagsOnMatching}`)
  log("open with 10,000 rules that all match, adding tags from a pool of 1,000")
  const b = await timeOpens(pool10000, SAMPLES.allMatch10000)
  if (b.tagsOnMatching !== Limits.tagsPerTicket)
    throw new Error(`bench rules: expected ${Limits.tagsPerTicket} tags, got ${b.tagsOnMatching}`)

  log("Analysis.check of 1,000 and of 10,000 rules")
  timeCheck(own1000, 1)
  const c1000 = timeCheck(own1000, SAMPLES.check1000)
  const c10000 = timeCheck(own10000, SAMPLES.check10000)
  if (c1000.findings !== 0 || c10000.findings !== 0)
    throw new Error("bench rules: the own-tag rules were expected to have no findings")

  const row = (name: string, value: number, baseline: number, baselineName: string, work: string): Row => ({
    figure: name,
    "value ms": value,
    baseline: baselineName,
    "baseline ms": baseline,
    ratio: value / baseline,
    work,
    target: `< ${TARGET_MS} ms: ${value < TARGET_MS ? "met" : "NOT MET"}`
  })
  return {
    samples: SAMPLES,
    figures: {
      allMatch1000Ms: {
        value: a.matchingMs,
        unit: "ms",
        baseline: "open through the same help desk and the same 1,000 rules, none of which match",
        baselineValue: a.baselineMs
      },
      allMatch10000Ms: {
        value: b.matchingMs,
        unit: "ms",
        baseline: "open through the same help desk and the same 10,000 rules, none of which match",
        baselineValue: b.baselineMs
      },
      check10000Ms: {
        value: c10000.ms,
        unit: "ms",
        baseline: "ten times Analysis.check of the first 1,000 of these rules",
        baselineValue: 10 * c1000.ms
      }
    },
    rows: [
      row(
        "allMatch1000Ms",
        a.matchingMs,
        a.baselineMs,
        "same open, no rule matches",
        `${a.tagsOnMatching} tags, ${a.versionOnMatching} events`
      ),
      row(
        "allMatch10000Ms",
        b.matchingMs,
        b.baselineMs,
        "same open, no rule matches",
        `${b.tagsOnMatching} tags, ${b.versionOnMatching} events`
      ),
      row(
        "check10000Ms",
        c10000.ms,
        10 * c1000.ms,
        "10 x check of 1,000 rules",
        `1,000 rules: ${c1000.ms.toFixed(1)} ms`
      )
    ]
  }
}
