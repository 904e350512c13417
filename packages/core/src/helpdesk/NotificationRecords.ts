/**
 * What became of a ticket's notifications, in its log: the outbox worker reports each delivered
 * or given-up notification, and the help desk records it as `NotificationDelivered` or
 * `NotificationFailed` by the system, once (a redelivery reports the same outcome again, and it is
 * left out). A record about the ticket, like an SLA milestone: it does not update the ticket,
 * runs no trigger (so no rule can answer a delivery with another notification) and never reaches
 * the requester's view. Sending is `@tessera/notify`'s business.
 */
import { DateTime, Effect, Schema } from "effect"
import * as C from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import { TicketRef } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import type * as UnitOfWork from "./UnitOfWork.js"

const Text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/**
 * One notification's outcome, as the outbox worker reports it to `recordNotification`.
 *
 * @category models
 * @since 0.1.0
 */
export const NotificationOutcomeInput = Schema.Struct({
  ticket: TicketRef,
  /** `delivered`: every delivery was accepted; `failed`: the message became a dead letter. */
  outcome: Schema.Literals(["delivered", "failed"]),
  /** The outbox message's id. */
  notification: Text(500),
  /** The attempt it came from (1 for the first). */
  attempt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  template: Text(200),
  channel: Text(200),
  /** Who it went to: addresses, or endpoint names for integrations (at most 100). */
  to: Schema.Array(Text(320)).check(Schema.isMaxLength(100)),
  /** When it was delivered or given up on (ISO 8601). */
  at: Schema.DateTimeUtcFromString,
  /** Why it failed (the last attempt's error); at most 500 characters. */
  error: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(500)))
})
/** @category models @since 0.1.0 */
export interface NotificationOutcomeInput extends Schema.Codec.Encoded<typeof NotificationOutcomeInput> {}

type Outcome = typeof NotificationOutcomeInput.Type

/** Whether `event` already records this outcome: same kind, notification and attempt (and error). */
const records = (event: TicketEvent, outcome: Outcome): boolean =>
  outcome.outcome === "delivered"
    ? event._tag === "NotificationDelivered" &&
      event.notification === outcome.notification &&
      event.attempt === outcome.attempt
    : event._tag === "NotificationFailed" &&
      event.notification === outcome.notification &&
      event.attempt === outcome.attempt &&
      event.error === (outcome.error ?? "")

/**
 * The notification records of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, unitOfWork: UnitOfWork.UnitOfWork) => {
  /**
   * Records a notification's outcome on its ticket (closed tickets included); answers whether it
   * recorded it (`false`: the log already had it). Each attempt reads the log it decides on, so
   * two workers reporting the same outcome at once record it once.
   */
  const recordNotification = (raw: NotificationOutcomeInput): Op<boolean> =>
    Effect.gen(function* () {
      const input = yield* decode(NotificationOutcomeInput, "outcome")(raw)
      let recorded = false
      yield* unitOfWork.execute(input.ticket, Actor.system("notify"), undefined, (ticket) =>
        Effect.gen(function* () {
          const { events } = yield* deps.store.read(ticket.id)
          recorded = !events.some((event) => records(event, input))
          const { ticket: _, outcome, at, ...fields } = input
          return new C.RecordNotifications({
            ticketId: ticket.id,
            outcomes: recorded ? [{ ...fields, kind: outcome, reachedAt: DateTime.toUtc(at) }] : []
          })
        })
      )
      return recorded
    })

  return { recordNotification }
}
