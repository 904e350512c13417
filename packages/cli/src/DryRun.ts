/**
 * `tessera dry-run`: a rule set's trigger rules replayed over the stored tickets of a period, each
 * unit of work in the period asked as the help desk would have asked it (`Replay`), and summed up:
 * what would change, how often each rule would fire, and which tickets would loop. It reads one
 * ticket at a time and can be stopped between two tickets; what it found so far is still a
 * summary. Nothing is written. Opening the database and drawing the progress bar are the caller's.
 *
 * @since 0.1.0
 */
import type { Ids, TicketEvent } from "@tessera/core"
import { type Rule, RuleTriggers } from "@tessera/rules"
import { DateTime, Effect } from "effect"
import * as Describe from "./Describe.js"
import * as Replay from "./Replay.js"
import type * as Store from "./Store.js"

/**
 * One change a rule would make.
 *
 * @category models
 * @since 0.1.0
 */
export interface Change {
  readonly rule: string
  readonly event: TicketEvent.TicketEvent["_tag"]
  readonly description: string
}

/**
 * A unit of work on which the rules would do something: change the ticket, ask for links, or fail.
 *
 * @category models
 * @since 0.1.0
 */
export interface UnitResult {
  readonly ticketId: Ids.TicketId
  readonly publicId: number
  /** The version of the unit's first event in the ticket's history. */
  readonly version: number
  readonly at: string
  /** The types of the unit's own events (`TicketOpened`, `ReplyAdded`, ...). */
  readonly events: ReadonlyArray<string>
  readonly changes: ReadonlyArray<Change>
  readonly links: ReadonlyArray<{ readonly rule: string; readonly kind: string; readonly to: string | number }>
  /** When the rules would fail: why, the rules named, the passes taken; their changes are dropped. */
  readonly failed?: {
    readonly reason: TicketEvent.RulesFailedReason
    readonly rules: ReadonlyArray<string>
    readonly passes: number
    readonly detail: string
  }
}

/**
 * How often a rule would fire: in how many units of work (and on how many tickets) it would change
 * something, and in how many it was among the rules of a loop.
 *
 * @category models
 * @since 0.1.0
 */
export interface RuleCount {
  readonly id: string
  readonly version: number
  readonly fired: number
  readonly tickets: number
  readonly looped: number
}

/**
 * A dry run's summary. `interrupted` when it was stopped before the last ticket: the counts are
 * then those of the tickets examined.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  readonly from: string
  readonly to: string
  readonly workspace: string
  readonly interrupted: boolean
  readonly tickets: {
    /** Tickets that may have events in the period (created before its end, updated since its start). */
    readonly total: number
    readonly examined: number
    /** Tickets on which some rule would change something. */
    readonly changed: number
    readonly looped: number
    /** Tickets on which the rules would fail otherwise (an action failed, too many events). */
    readonly failed: number
  }
  /** Units of work in the period that were replayed. */
  readonly units: number
  readonly rules: ReadonlyArray<RuleCount>
  /** Changes by kind (`priority`, `tags`, ...): on how many tickets. */
  readonly changesByKind: ReadonlyArray<{ readonly kind: string; readonly tickets: number }>
  /** Every unit on which the rules would do something, in ticket order. */
  readonly results: ReadonlyArray<UnitResult>
}

/**
 * What a dry run reads and how it reports.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
  readonly settings?: Replay.Settings
  readonly ruleOptions?: RuleTriggers.Options
  /** Called with each ticket's history before its rules run (to read its tiers ahead, say). */
  readonly prefetch?: (history: ReadonlyArray<TicketEvent.TicketEvent>) => Effect.Effect<void, Store.DatabaseFailed>
  /** Called once the tickets are listed (`done` 0), then after each ticket. */
  readonly progress?: (done: number, total: number) => Effect.Effect<void>
  /** Asked after each ticket: `true` stops the run there. */
  readonly stop?: () => boolean
}

/** Lets signals (Ctrl-C) and timers through between two tickets: reads may all be synchronous. */
const breathe = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

const resultOf = (outcome: Replay.Outcome, publicId: number): UnitResult | undefined => {
  const { unit, changes, links, failed } = outcome
  if (changes.length === 0 && links.length === 0 && failed === undefined) return undefined
  return {
    ticketId: unit.ticketId,
    publicId,
    version: unit.version,
    at: DateTime.formatIso(unit.at),
    events: unit.events.map((e) => e._tag),
    changes: changes.map((e) => ({
      rule: e.rule?.id ?? "",
      event: e._tag,
      description: Describe.event(e)
    })),
    links: links.map((l) => ({ rule: l.rule.id, kind: l.kind, to: l.to })),
    ...(failed === undefined
      ? {}
      : {
          failed: {
            reason: failed.reason,
            rules: failed.rules.map((r) => r.id),
            passes: failed.passes,
            detail: failed.detail
          }
        })
  }
}

/**
 * Dry-runs the trigger rules of a rule set over the tickets with units of work in `[from, to)`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  reader: Store.Reader,
  rules: Rule.RuleSet,
  options: Options
): Effect.Effect<Summary, Store.DatabaseFailed> =>
  Effect.gen(function* () {
    const triggers = RuleTriggers.make(rules, options.ruleOptions)
    const settings = options.settings ?? Replay.defaults
    const from = options.from.epochMilliseconds
    const to = options.to.epochMilliseconds
    const counts = new Map(
      rules
        .filter((r) => r.kind === "trigger" && r.enabled !== false)
        .map((r) => [r.id, { id: r.id, version: r.version, fired: 0, tickets: new Set<string>(), looped: 0 }])
    )
    const kinds = new Map<string, Set<string>>()
    const results: Array<UnitResult> = []
    const changed = new Set<string>()
    const looped = new Set<string>()
    const failedTickets = new Set<string>()
    let units = 0
    let examined = 0
    let interrupted = false

    const listed = yield* reader.activeIn(options.from, options.to)
    if (options.progress !== undefined) yield* options.progress(0, listed.length)
    for (const ticket of listed) {
      if (options.stop?.() === true) {
        interrupted = true
        break
      }
      const history = yield* reader.history(ticket.id)
      if (options.prefetch !== undefined) yield* options.prefetch(history)
      for (const unit of Replay.unitsOf(history)) {
        const at = unit.at.epochMilliseconds
        if (at < from || at >= to) continue
        units++
        const outcome = yield* Replay.run(triggers, unit, settings)
        const result = resultOf(outcome, ticket.publicId)
        if (result === undefined) continue
        results.push(result)
        const firedHere = new Set(outcome.changes.map((e) => e.rule?.id).filter((id) => id !== undefined))
        for (const id of firedHere) {
          const count = counts.get(id)
          if (count === undefined) continue
          count.fired++
          count.tickets.add(ticket.id)
        }
        if (outcome.changes.length > 0) changed.add(ticket.id)
        for (const e of outcome.changes) {
          const kind = Describe.changeKind(e)
          const set = kinds.get(kind)
          if (set === undefined) kinds.set(kind, new Set([ticket.id]))
          else set.add(ticket.id)
        }
        if (outcome.failed !== undefined) {
          if (outcome.failed.reason === "loop") {
            looped.add(ticket.id)
            for (const r of outcome.failed.rules) {
              const count = counts.get(r.id)
              if (count !== undefined) count.looped++
            }
          } else failedTickets.add(ticket.id)
        }
      }
      examined++
      if (options.progress !== undefined) yield* options.progress(examined, listed.length)
      yield* breathe
    }

    return {
      from: DateTime.formatIso(options.from),
      to: DateTime.formatIso(options.to),
      workspace: reader.workspaceId,
      interrupted,
      tickets: {
        total: listed.length,
        examined,
        changed: changed.size,
        looped: looped.size,
        failed: failedTickets.size
      },
      units,
      rules: [...counts.values()].map((c) => ({
        id: c.id,
        version: c.version,
        fired: c.fired,
        tickets: c.tickets.size,
        looped: c.looped
      })),
      changesByKind: [...kinds.entries()]
        .map(([kind, tickets]) => ({ kind, tickets: tickets.size }))
        .sort((a, b) => b.tickets - a.tickets || a.kind.localeCompare(b.kind)),
      results
    }
  })

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`

/**
 * The summary as lines of text for people: the period and counts, each rule's firings, the changes
 * by kind, the first `show` units that would change (all of them with `--json`), and every loop.
 *
 * @category combinators
 * @since 0.1.0
 */
export const render = (summary: Summary, source: { readonly rules: string; readonly db: string }, show = 20) => {
  const lines: Array<string> = []
  const t = summary.tickets
  lines.push(`Dry run of ${source.rules} on ${source.db} (workspace ${summary.workspace})`)
  lines.push(`Period: ${summary.from} to ${summary.to} (end excluded). Nothing was written.`)
  if (summary.interrupted)
    lines.push(`Interrupted: ${t.examined} of ${t.total} tickets examined; the counts below are partial.`)
  lines.push(
    `${count(t.examined, "ticket")} examined, ${count(summary.units, "unit")} of work replayed: ${t.changed} would change, ${t.looped} would loop, ${t.failed} would fail otherwise.`
  )
  lines.push("", "Rules (units of work where the rule would fire / tickets / loops it was in):")
  const width = Math.max(4, ...summary.rules.map((r) => r.id.length + ` v${r.version}`.length))
  for (const r of summary.rules)
    lines.push(
      `  ${`${r.id} v${r.version}`.padEnd(width)}  ${r.fired} / ${r.tickets} / ${r.looped}${r.fired === 0 && r.looped === 0 ? "  (never fires)" : ""}`
    )
  if (summary.rules.length === 0) lines.push("  (no enabled trigger rules)")
  if (summary.changesByKind.length > 0) {
    lines.push("", "Would change:")
    for (const k of summary.changesByKind) lines.push(`  ${k.kind}: ${count(k.tickets, "ticket")}`)
  }
  const changes = summary.results.filter((r) => r.changes.length > 0 || r.links.length > 0)
  if (changes.length > 0) {
    lines.push(
      "",
      `Changes (${changes.length} units of work${changes.length > show ? `, the first ${show}; --json lists all` : ""}):`
    )
    for (const r of changes.slice(0, show)) {
      const what = [
        ...r.changes.map((c) => `${c.rule}: ${c.description}`),
        ...r.links.map((l) => `${l.rule}: link as ${l.kind} to ${l.to}`)
      ]
      lines.push(`  #${r.publicId} ${r.at} after ${r.events.join(", ")}: ${what.join("; ")}`)
    }
  }
  const failures = summary.results.filter((r) => r.failed !== undefined)
  if (failures.length > 0) {
    lines.push(
      "",
      `Would loop or fail (${count(failures.length, "unit")} of work${failures.length > show ? `, the first ${show}; --json lists all` : ""}; the rules' changes dropped, a RulesFailed recorded):`
    )
    for (const r of failures.slice(0, show))
      if (r.failed !== undefined)
        lines.push(
          `  #${r.publicId} ${r.at} after ${r.events.join(", ")}: ${r.failed.reason} (${r.failed.rules.join(", ")}; ${count(r.failed.passes, "pass")}): ${r.failed.detail}`
        )
  }
  return lines
}
