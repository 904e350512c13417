/**
 * `tessera explain`: a rule set against one stored ticket. Trigger rules are asked about one unit
 * of work of the ticket (its latest by default), as `RuleTriggers.explain` answers: whether each
 * runs on the unit's events, the tree of its conditions with the values they read, and what it
 * would ask for; then the unit is run as the help desk would run it (`Replay`), loops included.
 * Automations are asked about the ticket as it stands at `now`, with whether they are due.
 *
 * @since 0.1.0
 */
import { type Ids, Ticket, type TicketEvent } from "@tessera/core"
import { Automations, Interpreter, type Rule, RuleTriggers } from "@tessera/rules"
import { DateTime, Effect, Schema } from "effect"
import * as Describe from "./Describe.js"
import type * as DryRun from "./DryRun.js"
import * as Replay from "./Replay.js"
import type * as Store from "./Store.js"

/**
 * The ticket has no unit of work at the event asked for (a rule caused that event, or there is
 * no such event).
 *
 * @category errors
 * @since 0.1.0
 */
export class NoSuchUnit extends Schema.TaggedError<NoSuchUnit>()("NoSuchUnit", {
  /** The ticket as the command line named it (a public number or an internal id). */
  reference: Schema.String,
  event: Schema.Number,
  units: Schema.Array(Schema.Number)
}) {
  override get message() {
    return `Ticket ${this.reference} has no unit of work at event ${this.event}; units start at events ${this.units.join(", ")}`
  }
}

/**
 * How one trigger rule fares on the unit.
 *
 * @category models
 * @since 0.1.0
 */
export interface TriggerReport {
  readonly rule: { readonly id: string; readonly version: number; readonly name?: string }
  readonly onEvents: boolean
  readonly matched: boolean
  readonly conditions: Interpreter.ConditionTrace
  /** What it would ask for on its first pass, in words. */
  readonly wouldRun: ReadonlyArray<string>
}

/**
 * How one automation fares on the ticket at `now`.
 *
 * @category models
 * @since 0.1.0
 */
export interface AutomationReport {
  readonly rule: { readonly id: string; readonly version: number; readonly name?: string }
  readonly matched: boolean
  /** Matched, and not already fired in this episode of its condition: the schedule would run it. */
  readonly due: boolean
  readonly conditions: Interpreter.ConditionTrace
}

/**
 * The explanation of a rule set on a ticket.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly ticket: {
    readonly id: Ids.TicketId
    readonly publicId: number
    readonly subject: string
    readonly status: string
    readonly priority: string
    readonly group?: string
    readonly assignee?: string
    readonly tags: ReadonlyArray<string>
  }
  readonly unit: { readonly version: number; readonly at: string; readonly events: ReadonlyArray<string> }
  /** The versions at which the ticket's units of work start (for `--event`). */
  readonly units: ReadonlyArray<number>
  readonly triggers: ReadonlyArray<TriggerReport>
  /** The unit run with every pass, as the help desk would: the changes, or the failure. */
  readonly outcome: Pick<DryRun.UnitResult, "changes" | "links" | "failed">
  readonly now: string
  readonly automations: ReadonlyArray<AutomationReport>
}

/**
 * What `explain` asks about.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The version of an event of the unit to explain (default: the ticket's latest unit). */
  readonly event?: number
  /** The instant automations are asked at (default: the `Clock`'s now). */
  readonly now?: DateTime.Utc
  readonly settings?: Replay.Settings
  readonly ruleOptions?: RuleTriggers.Options
  /** Called with the ticket's history before the rules run (to read its tiers ahead, say). */
  readonly prefetch?: (history: ReadonlyArray<TicketEvent.TicketEvent>) => Effect.Effect<void, Store.DatabaseFailed>
}

const ruleRef = (rule: Rule.Rule) => ({
  id: rule.id,
  version: rule.version,
  ...(rule.name === undefined ? {} : { name: rule.name })
})

/**
 * Explains a rule set on the ticket a reference names.
 *
 * @category combinators
 * @since 0.1.0
 */
export const explain = (
  reader: Store.Reader,
  rules: Rule.RuleSet,
  ref: string,
  options: Options = {}
): Effect.Effect<Report, Store.DatabaseFailed | Store.NoSuchTicket | NoSuchUnit> =>
  Effect.gen(function* () {
    const id = yield* reader.resolve(ref)
    const history: ReadonlyArray<TicketEvent.TicketEvent> = yield* reader.history(id)
    if (options.prefetch !== undefined) yield* options.prefetch(history)
    const ticket = Ticket.fold(history)
    const units = Replay.unitsOf(history)
    const starts = units.map((u) => u.version)
    const unit =
      options.event === undefined
        ? units[units.length - 1]
        : units.find(
            (u) =>
              options.event !== undefined && options.event >= u.version && options.event < u.version + u.events.length
          )
    if (ticket === undefined || unit === undefined)
      return yield* new NoSuchUnit({ reference: ref, event: options.event ?? history.length, units: starts })
    const ruleOptions = options.ruleOptions ?? {}
    const current = Ticket.fold(unit.events, unit.before) as Ticket.Ticket
    const context = { before: unit.before, current, events: unit.events, now: unit.at, pass: 1 }
    const triggers = RuleTriggers.explain(rules, context, ruleOptions).map(
      (e): TriggerReport => ({
        rule: e.rule,
        onEvents: e.onEvents,
        matched: e.matched,
        conditions: e.conditions,
        wouldRun: e.commands.map(Describe.command).filter((s) => s !== "")
      })
    )
    const outcome = yield* Replay.run(RuleTriggers.make(rules, ruleOptions), unit, options.settings)
    const now = options.now ?? (yield* DateTime.now)
    const at = now.epochMilliseconds
    const automations = rules
      .filter((r) => r.kind === "automation" && r.enabled !== false)
      .map((rule): AutomationReport => {
        const conditions = Interpreter.explain(rule.if, Automations.factsAt(ticket, at, ruleOptions))
        return {
          rule: ruleRef(rule),
          matched: conditions.held,
          due: conditions.held && Automations.due(rule, history, at, ruleOptions),
          conditions
        }
      })
    return {
      ticket: {
        id: ticket.id,
        publicId: ticket.publicId,
        subject: ticket.subject,
        status: ticket.status,
        priority: ticket.priority,
        ...(ticket.group === undefined ? {} : { group: ticket.group }),
        ...(ticket.assignee === undefined ? {} : { assignee: ticket.assignee }),
        tags: ticket.tags
      },
      unit: { version: unit.version, at: DateTime.formatIso(unit.at), events: unit.events.map((e) => e._tag) },
      units: starts,
      triggers,
      outcome: {
        changes: outcome.changes.map((e) => ({
          rule: e.rule?.id ?? "",
          event: e._tag,
          description: Describe.event(e)
        })),
        links: outcome.links.map((l) => ({ rule: l.rule.id, kind: l.kind, to: l.to })),
        ...(outcome.failed === undefined
          ? {}
          : {
              failed: {
                reason: outcome.failed.reason,
                rules: outcome.failed.rules.map((r) => r.id),
                passes: outcome.failed.passes,
                detail: outcome.failed.detail
              }
            })
      },
      now: DateTime.formatIso(now),
      automations
    }
  })

/**
 * The explanation as lines of text for people.
 *
 * @category combinators
 * @since 0.1.0
 */
export const render = (report: Report): ReadonlyArray<string> => {
  const t = report.ticket
  const lines: Array<string> = [
    `Ticket #${t.publicId} (${t.id}) "${t.subject}": ${t.status}, priority ${t.priority}, group ${t.group ?? "-"}, assignee ${t.assignee ?? "-"}, tags ${t.tags.join(", ") || "-"}`,
    `Unit of work explained: event ${report.unit.version} at ${report.unit.at} (${report.unit.events.join(", ")}); units start at events ${report.units.join(", ")} (--event N picks one)`,
    ""
  ]
  if (report.triggers.length === 0) lines.push("Triggers: none enabled")
  else lines.push("Triggers:")
  for (const e of report.triggers) {
    const verdict = e.matched
      ? `matches: would ${e.wouldRun.join(", ") || "ask for nothing"}`
      : e.onEvents
        ? "does not match: its conditions fail"
        : "does not match: it does not run on these events"
    lines.push(`  ${e.rule.id} v${e.rule.version}${e.rule.name === undefined ? "" : ` (${e.rule.name})`}: ${verdict}`)
    lines.push(...Describe.trace(e.conditions, "    "))
  }
  const o = report.outcome
  lines.push("", "Outcome, every pass run as the help desk would:")
  if (o.failed !== undefined)
    lines.push(
      `  the rules would fail (${o.failed.reason}: ${o.failed.rules.join(", ")}): ${o.failed.detail}; their changes would be dropped`
    )
  else if (o.changes.length === 0 && o.links.length === 0) lines.push("  nothing would change")
  for (const c of o.changes) lines.push(`  ${c.rule}: ${c.description}`)
  for (const l of o.links) lines.push(`  ${l.rule}: link as ${l.kind} to ${l.to}`)
  if (report.automations.length > 0) {
    lines.push("", `Automations, on the ticket as it stands at ${report.now}:`)
    for (const a of report.automations) {
      const verdict = a.due
        ? "due: the schedule would run it"
        : a.matched
          ? "matches, but already fired in this episode"
          : "does not match"
      lines.push(`  ${a.rule.id} v${a.rule.version}: ${verdict}`)
      lines.push(...Describe.trace(a.conditions, "    "))
    }
  }
  return lines
}
