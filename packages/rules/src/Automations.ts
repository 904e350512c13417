/**
 * Automations: rules that run on a schedule over open tickets, on time conditions ("pending for 3
 * days: remind, then close"). They are idempotent per condition episode: an automation that
 * fired for a ticket does not fire again until its condition has been false and become true
 * again. The ticket's own log says whether it fired (every event a rule causes names it), so
 * nothing else is stored, and several nodes running the same schedule cannot fire twice (appends
 * are optimistic: the second writer sees the first one's events and stops).
 *
 * An episode ends when the condition is false at one of the ticket's events after the firing
 * (a reply, a status change, a tag...), evaluated at that event's time. A condition that turns
 * false and true again with no event in between (only time passing) stays one episode.
 *
 * An automation whose action fails (or whose events would go past the append limit) changes
 * nothing: `Helpdesk.applyRules` records a `RulesFailed` naming it, and that counts as its firing
 * for the episode, so a broken rule is not retried (and recorded again) on every run; a new
 * version of the rule runs again at once.
 */
import { type Helpdesk, type Ticket as T, Ticket, type TicketEvent, type Triggers } from "@tessera/core"
import { DateTime, Effect } from "effect"
import * as Facts from "./Facts.js"
import * as Interpreter from "./Interpreter.js"
import type * as Rule from "./Rule.js"
import * as RuleTriggers from "./RuleTriggers.js"

/**
 * The facts an automation reads: the ticket as it is at `now`, with no command (change operators
 * do not hold; no trigger event).
 *
 * @category constructors
 * @since 0.1.0
 */
export const factsAt = (ticket: T.Ticket, now: number, options: RuleTriggers.Options = {}): Facts.Facts => {
  const tiers = options.tiers?.(ticket) ?? {}
  return Facts.make({
    ticket,
    previous: ticket,
    now,
    requesterTier: tiers.requester,
    organizationTier: tiers.organization,
    isOpen: options.isOpen
  })
}

const holds = (rule: Rule.Rule, ticket: T.State, at: number, options: RuleTriggers.Options) =>
  ticket !== undefined && Interpreter.evaluate(rule.if, factsAt(ticket, at, options))

/**
 * Whether an automation fires on a ticket now: its condition holds, and it has not fired in this
 * episode of the condition (see the module's description).
 *
 * @category predicates
 * @since 0.1.0
 */
export const due = (
  rule: Rule.Rule,
  history: ReadonlyArray<TicketEvent.TicketEvent>,
  now: number,
  options: RuleTriggers.Options = {}
): boolean => {
  const current = Ticket.fold(history)
  if (!holds(rule, current, now, options)) return false
  const fired = history.findLastIndex(
    (e) =>
      e.rule?.id === rule.id ||
      (e._tag === "RulesFailed" && e.rules.some((r) => r.id === rule.id && r.version === rule.version))
  )
  if (fired < 0) return true
  // The firing's own events come together; the episode may end at any later event.
  let end = fired
  while (end + 1 < history.length && history[end + 1]?.rule?.id === rule.id) end++
  let state = Ticket.fold(history.slice(0, end + 1))
  for (const event of history.slice(end + 1)) {
    state = Ticket.evolve(state, event)
    if (!holds(rule, state, event.at.epochMilliseconds, options)) return true
  }
  return false
}

/**
 * An automation as the `Helpdesk` runs it (`applyRules`): its actions, when its condition still
 * holds on the ticket as the pass finds it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toRule = (
  rule: Rule.Rule,
  options: RuleTriggers.Options = {}
): Triggers.TriggerRule<Helpdesk.HelpdeskError> => ({
  rule: { id: rule.id, version: rule.version },
  fire: (context) =>
    Effect.sync(() =>
      holds(rule, context.current, context.now.epochMilliseconds, options) && context.pass === 1
        ? rule.then.flatMap((action) =>
            RuleTriggers.commandsFor(rule, action, context.current, context.before?.version ?? 0, options)
          )
        : []
    )
})

/**
 * What a run did: how many open tickets it looked at, each firing, and each `RulesFailed` it
 * caused (the automations' action failed, or the triggers that followed them).
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly checked: number
  readonly fired: ReadonlyArray<{ readonly ticketId: string; readonly rules: ReadonlyArray<string> }>
  readonly failed: ReadonlyArray<{
    readonly ticketId: string
    readonly reason: TicketEvent.RulesFailedReason
    readonly rules: ReadonlyArray<string>
  }>
}

/**
 * Runs the automations of a rule set over a help desk's open tickets at the `Clock`'s now: each
 * ticket's due automations (`due`) are applied together (`Helpdesk.applyRules`), their events
 * naming them.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  helpdesk: Helpdesk.Service,
  rules: Rule.RuleSet,
  options: RuleTriggers.Options & { readonly pageSize?: number } = {}
): Effect.Effect<Report, Helpdesk.HelpdeskError> =>
  Effect.gen(function* () {
    const automations = rules.filter((r) => r.kind === "automation" && r.enabled !== false)
    const fired: Array<Report["fired"][number]> = []
    const failed: Array<Report["failed"][number]> = []
    let checked = 0
    if (automations.length === 0) return { checked, fired, failed }
    let cursor: string | undefined
    do {
      const page = yield* helpdesk.asSystem("automations").list({
        category: ["new", "open", "pending", "on_hold"],
        sort: "created",
        direction: "asc",
        limit: options.pageSize ?? 100,
        ...(cursor === undefined ? {} : { cursor })
      })
      for (const item of page.items) {
        checked++
        const history = yield* helpdesk.asSystem("automations").history(item.id)
        const now = (yield* DateTime.now).epochMilliseconds
        const dueRules = automations.filter((rule) => due(rule, history, now, options))
        if (dueRules.length === 0) continue
        yield* helpdesk.applyRules(
          item.id,
          dueRules.map((rule) => toRule(rule, options))
        )
        const written = (yield* helpdesk.asSystem("automations").history(item.id)).slice(history.length)
        const failure = written.find((e): e is TicketEvent.RulesFailed => e._tag === "RulesFailed")
        const ids = new Set(dueRules.map((r) => r.id))
        // A failure of the automations themselves leaves none of their events: they did not fire.
        if (failure === undefined || written.some((e) => e.rule !== undefined && ids.has(e.rule.id)))
          fired.push({ ticketId: item.id, rules: dueRules.map((r) => r.id) })
        if (failure !== undefined)
          failed.push({ ticketId: item.id, reason: failure.reason, rules: failure.rules.map((r) => r.id) })
      }
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return { checked, fired, failed }
  })

/**
 * What a rule would have done on stored tickets: each event of each history is taken as a unit of
 * work (the ticket before and after it), and the rule's matches are listed with the commands it
 * would have run, from `from` on. A dry run: nothing is written.
 *
 * @category combinators
 * @since 0.1.0
 */
export const dryRun = (
  rule: Rule.Rule,
  histories: Iterable<ReadonlyArray<TicketEvent.TicketEvent>>,
  options: RuleTriggers.Options & { readonly from?: number } = {}
): ReadonlyArray<{
  readonly ticketId: string
  readonly at: string
  readonly event: string
  readonly explanation: RuleTriggers.RuleExplanation
}> => {
  const out: Array<{
    readonly ticketId: string
    readonly at: string
    readonly event: string
    readonly explanation: RuleTriggers.RuleExplanation
  }> = []
  for (const history of histories) {
    let before: T.State
    for (const event of history) {
      const after = Ticket.evolve(before, event)
      const at = event.at.epochMilliseconds
      if (after !== undefined && (options.from === undefined || at >= options.from)) {
        const context = { before, current: after, events: [event], now: event.at, pass: 1 }
        // An automation is asked as a trigger on any event would be: does it hold after this one?
        const asTrigger: Rule.Rule = rule.kind === "trigger" ? rule : { ...rule, kind: "trigger" }
        const [explanation] = RuleTriggers.explain([asTrigger], context, options)
        if (explanation?.matched === true) {
          out.push({ ticketId: after.id, at: DateTime.formatIso(event.at), event: event._tag, explanation })
        }
      }
      before = after
    }
  }
  return out
}
