/**
 * The hook through which rules run inside the `Helpdesk`: after a command is decided, and before
 * anything is written, each trigger rule is asked in order what it wants done to the ticket as it
 * now stands; the commands it returns are decided at once (so the next rule sees their effect)
 * and their events carry the rule's id and version. A pass that changed something is followed by
 * another, until a pass changes nothing: then the command's events and the rules' are appended
 * together, as one unit of work. `TriggerRunner` runs the passes.
 *
 * A rule fires once per episode of its condition: once it has fired (changed the ticket), it fires
 * again only after it no longer matches (it asks for nothing), which is checked after every
 * change to something it reads (`reads`; every change for a rule that does not say). A match that
 * changes nothing is not a firing. So a rule whose condition stays true fires once, whatever other
 * rules do after it. When the rules fail (they keep re-enabling each other until `maxPasses`, an
 * action fails, or their events would go past `Limits.eventsPerAppend`), their changes are
 * dropped and the command's own events are written with a `RulesFailed` event: a bad rule set
 * never costs a customer's message.
 *
 * Core knows nothing of rule documents: `@tessera/rules` compiles them into `TriggerRule`s.
 */
import { type DateTime, type Effect, Schema } from "effect"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketCommand } from "../ticket/TicketCommand.js"
import type { RuleRef, TicketEvent } from "../ticket/TicketEvent.js"
import type { ManualLinkKind } from "../values/Link.js"

/**
 * What a trigger rule sees: the ticket before the command (`undefined` for a new ticket), as it
 * stands now, and every event of this unit of work so far (the command's, then the rules'). The
 * `events` array grows as the unit goes on: read it during the call, do not keep it.
 *
 * @category models
 * @since 0.1.0
 */
export interface TriggerContext {
  readonly before: Ticket.State
  readonly current: Ticket.Ticket
  readonly events: ReadonlyArray<TicketEvent>
  readonly now: DateTime.Utc
  /** 1 for the first pass over the rules. */
  readonly pass: number
}

/**
 * A link a rule asks for, from the ticket to `to` (an id or a public number; `to` is the ticket's
 * `kind`). A link changes two tickets, so it is made right after the unit of work is written,
 * with the same checks as `Helpdesk.link`; one that is refused (a cycle, say) is not made.
 *
 * @category models
 * @since 0.1.0
 */
export interface LinkRequest {
  readonly _tag: "LinkRequest"
  readonly kind: ManualLinkKind
  readonly to: string | number
}

/**
 * One thing a rule's answer may depend on, for `TriggerRule.reads`:
 *
 * - a field of the ticket by name: `"priority"`, `"messages"`, `"updatedAt"`, ... (`"tags"` is
 *   the whole list and `"customFields"` all of them);
 * - `tag:<tag>`: whether the ticket carries that tag (normalised, as `Tag.normalize` gives it);
 * - `customField:<key>`: one custom field;
 * - `event:<type>`: whether the unit of work has an event of that type (it changes when the
 *   first one comes);
 * - `events`: the unit's events themselves (every change adds some).
 *
 * @category models
 * @since 0.1.0
 */
export type Read =
  | keyof Ticket.Ticket
  | `tag:${string}`
  | `customField:${string}`
  | `event:${TicketEvent["_tag"]}`
  | "events"

/**
 * A trigger rule as the `Helpdesk` runs it: its identity, and what it wants now (nothing when it
 * does not match): commands on the ticket, and links. A command the ticket refuses (a transition
 * the workflow does not allow, say) is skipped; the rest of the rule's commands still run.
 *
 * @category models
 * @since 0.1.0
 */
export interface TriggerRule<E = never> {
  readonly rule: RuleRef
  /** What the rule asks for on the ticket as it now stands: commands and links (none when it does not match). */
  readonly fire: (context: TriggerContext) => Effect.Effect<ReadonlyArray<TicketCommand | LinkRequest>, E>
  /**
   * Everything whether `fire` asks for something depends on, besides what is fixed for a unit of
   * work (the ticket before it, `now`). A rule that has fired is asked again after a change only
   * when the change touched one of these, which keeps a pass linear in the rules and their
   * changes. Left out, the rule may read anything: it is asked after every change. A list that
   * misses something the rule reads makes the rule miss the end of an episode.
   */
  readonly reads?: ReadonlyArray<Read>
}

/**
 * The trigger rules of a help desk, in the order they run, and how many passes a unit of work may
 * take (default 10).
 *
 * @category models
 * @since 0.1.0
 */
export interface Triggers<E = never> {
  readonly rules: ReadonlyArray<TriggerRule<E>>
  readonly maxPasses?: number
}

/**
 * The rules still changed the ticket on the last pass allowed: they undo each other, or keep
 * raising something.
 *
 * @deprecated No longer raised: a rule loop no longer fails the command. The rules' changes are
 * dropped and a `RulesFailed` event (reason `loop`) is written with the command's events; look
 * for that event in the ticket's history instead.
 * @category errors
 * @since 0.1.0
 */
export class TriggerLoop extends Schema.TaggedError<TriggerLoop>()("TriggerLoop", {
  ticketId: Schema.String,
  passes: Schema.Int,
  /** The rules that fired on the last pass, in order. */
  rules: Schema.Array(Schema.String)
}) {
  override get message() {
    return `Rules on ticket ${this.ticketId} still changed it after ${this.passes} passes (last: ${this.rules.join(", ")})`
  }
}
