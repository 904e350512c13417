/**
 * What every decision of `decide` is made with: the context it is given (`DecideContext`), the
 * shape of its answer (`Decision`), the envelope every event it writes carries, and how an event
 * of checked fields is built without parsing them again. A module of its own so that the
 * deciders kept apart (`decideRecords`) share it with `decide`.
 */
import { type DateTime, Effect } from "effect"
import { trusted } from "../internal/trusted.js"
import type { Actor } from "../values/Actor.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type * as Status from "./Status.js"
import type { Ticket } from "./Ticket.js"
import type { TicketError } from "./TicketError.js"
import type * as E from "./TicketEvent.js"
import type { RuleRef } from "./TicketEvent.js"

/**
 * What `decide` knows besides the state and the command.
 *
 * @category models
 * @since 0.1.0
 */
export interface DecideContext {
  readonly now: DateTime.Utc
  readonly actor: Actor
  readonly workflow: Status.Workflow
  readonly customFields: ReadonlyArray<FieldDefinition>
  /** The rule on whose behalf the command runs, recorded on every event it produces. */
  readonly rule?: RuleRef
}

/** The events a command decides, or why not. */
export type Decision = Effect.Effect<ReadonlyArray<E.TicketEvent>, TicketError>

/** No event: the command changes nothing. */
export const none: Decision = Effect.succeed([])

/** The fields every event of a decision carries: ticket, time, actor and the rule, if any. */
export const envelope = (ticketId: Ticket["id"], ctx: DecideContext) =>
  ctx.rule === undefined
    ? { ticketId, at: ctx.now, by: ctx.actor }
    : { ticketId, at: ctx.now, by: ctx.actor, rule: ctx.rule }

/**
 * `new Event(fields)`, or, when `valid` (every field comes from the checked state, the decoded
 * command, the actor and the clock: no rule's reference, no HTML, whose sanitised form the
 * constructor checks), the same value without parsing the fields again (`trusted`).
 */
export const event = <C extends new (fields: never) => { readonly _tag: string }>(
  cls: C,
  tag: InstanceType<C>["_tag"],
  fields: ConstructorParameters<C>[0],
  valid: boolean
): InstanceType<C> =>
  valid
    ? (trusted(cls, { _tag: tag, v: 1, ...(fields as object) }) as InstanceType<C>)
    : (new cls(fields) as InstanceType<C>)

/** Whether the events of a command built from `ctx` hold only checked values (see `event`). */
export const plainContext = (ctx: DecideContext) => ctx.rule === undefined
