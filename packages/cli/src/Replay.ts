/**
 * Stored history replayed as units of work, and a rule set run on one of them by the help desk's
 * own trigger runner (`TriggerRunner.run`), so a dry run passes, loops and fails exactly as the
 * `Helpdesk` would. A unit is what a person or the system did in one command: consecutive events
 * with one author and one instant that no rule caused. Events that rules caused when the ticket
 * was written (and `RulesFailed` records) are applied to the ticket but not asked about: the new
 * rules are asked on the ticket as it was stored. Nothing here reads or writes a database.
 *
 * @since 0.1.0
 */
import {
  Actor,
  type CustomField,
  type Helpdesk,
  type Ids,
  Status,
  Ticket,
  type TicketEvent,
  TriggerRunner,
  type Triggers
} from "@tessera/core"
import { type DateTime, Effect } from "effect"

/**
 * One unit of work of a stored ticket: the ticket before it, its events, the version of its first
 * event (1 for the ticket's opening) and its instant.
 *
 * @category models
 * @since 0.1.0
 */
export interface Unit {
  readonly ticketId: Ids.TicketId
  readonly before: Ticket.State
  readonly events: ReadonlyArray<TicketEvent.TicketEvent>
  readonly version: number
  readonly at: DateTime.Utc
}

/** Whether an event is a command's own (not caused by a rule, and no record of failed rules). */
const own = (e: TicketEvent.TicketEvent): boolean => e.rule === undefined && e._tag !== "RulesFailed"

/**
 * The units of work of a history, in order (see the module's description).
 *
 * @category constructors
 * @since 0.1.0
 */
export const unitsOf = (history: ReadonlyArray<TicketEvent.TicketEvent>): ReadonlyArray<Unit> => {
  const units: Array<Unit> = []
  let state: Ticket.State
  let i = 0
  while (i < history.length) {
    const first = history[i] as TicketEvent.TicketEvent
    if (!own(first)) {
      state = Ticket.evolve(state, first)
      i++
      continue
    }
    const before = state
    const events: Array<TicketEvent.TicketEvent> = []
    const at = first.at.epochMilliseconds
    const by = Actor.label(first.by)
    let e: TicketEvent.TicketEvent | undefined = first
    while (e !== undefined && own(e) && e.at.epochMilliseconds === at && Actor.label(e.by) === by) {
      events.push(e)
      state = Ticket.evolve(state, e)
      i++
      e = history[i]
    }
    units.push({ ticketId: first.ticketId, before, events, version: i - events.length + 1, at: first.at })
  }
  return units
}

/**
 * What the help desk's configuration gives the rules: the workflow (rules' status changes are
 * checked against it), the custom fields (a rule may only set a defined one) and how many passes a
 * unit of work may take.
 *
 * @category models
 * @since 0.1.0
 */
export interface Settings {
  readonly workflow: Status.Workflow
  readonly customFields: ReadonlyArray<CustomField.FieldDefinition>
  readonly maxPasses: number
}

/**
 * The default settings: the default workflow, no custom fields, 10 passes (the `Helpdesk`'s).
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaults: Settings = { workflow: Status.defaultWorkflow, customFields: [], maxPasses: 10 }

/**
 * What the rules would have made of a unit: the events each rule would have caused, the links
 * they would have asked for, and `failed` when they would have failed (their changes are then
 * dropped: `changes` is empty).
 *
 * @category models
 * @since 0.1.0
 */
export interface Outcome {
  readonly unit: Unit
  readonly changes: ReadonlyArray<TicketEvent.TicketEvent>
  readonly links: ReadonlyArray<TriggerRunner.PendingLink>
  readonly failed: TicketEvent.RulesFailed | undefined
}

/**
 * Runs trigger rules on a unit of work, as the `Helpdesk` runs them after a command.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  triggers: Triggers.Triggers<Helpdesk.HelpdeskError>,
  unit: Unit,
  settings: Settings = defaults
): Effect.Effect<Outcome> =>
  Effect.map(
    TriggerRunner.run(triggers.rules, {
      ticketId: unit.ticketId,
      before: unit.before,
      events: unit.events,
      context: {
        now: unit.at,
        actor: (unit.events[0] as TicketEvent.TicketEvent).by,
        workflow: settings.workflow,
        customFields: settings.customFields
      },
      maxPasses: triggers.maxPasses ?? settings.maxPasses
    }),
    (outcome) => ({
      unit,
      changes: outcome.failed === undefined ? outcome.events.slice(unit.events.length) : [],
      links: outcome.links,
      failed: outcome.failed
    })
  )
