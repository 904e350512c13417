/**
 * What became of a ticket's notifications, in its log: the outbox worker reports each delivered
 * or given-up notification, and the help desk records it as `NotificationDelivered` or
 * `NotificationFailed` by the system, once (a redelivery reports the same outcome again, and it is
 * left out). A record about the ticket, like an SLA milestone: it does not update the ticket,
 * runs no trigger (so no rule can answer a delivery with another notification) and never reaches
 * the requester's view. Sending is `@tessera/notify`'s business.
 */
import { DateTime, Effect, Schema } from "effect"
import * as Lru from "../internal/lru.js"
import * as C from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import { type TicketId, TicketRef } from "../values/Ids.js"
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

/**
 * What identifies a record: its kind, notification and attempt (and, for a failure, its error).
 * Two outcomes with the same key are the same record.
 */
const keyOf = (kind: "delivered" | "failed", notification: string, attempt: number, error: string | undefined) =>
  JSON.stringify(kind === "delivered" ? [notification, attempt] : [notification, attempt, error ?? ""])

/** The keys of the records in a log. */
const keysIn = (events: ReadonlyArray<TicketEvent>): Set<string> => {
  const keys = new Set<string>()
  for (const event of events) {
    if (event._tag === "NotificationDelivered")
      keys.add(keyOf("delivered", event.notification, event.attempt, undefined))
    else if (event._tag === "NotificationFailed")
      keys.add(keyOf("failed", event.notification, event.attempt, event.error))
  }
  return keys
}

/** The records a ticket's log holds at `version` (a log only grows, so a version names one prefix). */
interface Known {
  readonly version: number
  readonly keys: ReadonlySet<string>
}

/** Tickets whose records an instance remembers. */
const remembered = 1000

/**
 * The notification records of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, unitOfWork: UnitOfWork.UnitOfWork) => {
  const known = Lru.make<TicketId, Known>(remembered)

  /**
   * Records a notification's outcome on its ticket (closed tickets included); answers whether it
   * recorded it (`false`: the log already had it). Each attempt decides on the records of the
   * version it appends after: those this instance remembers for that version, or else the log
   * read fresh. The append expects that version, so two workers reporting the same outcome at
   * once record it once (the second one's append conflicts, and it decides again on the log).
   */
  const recordNotification = (raw: NotificationOutcomeInput): Op<boolean> =>
    Effect.gen(function* () {
      const input = yield* decode(NotificationOutcomeInput, "outcome")(raw)
      const key = keyOf(input.outcome, input.notification, input.attempt, input.error)
      let recorded = false
      let decidedOn: Known | undefined
      const after = yield* unitOfWork.execute(input.ticket, Actor.system("notify"), undefined, (ticket) =>
        Effect.gen(function* () {
          const remembered = known.get(ticket.id)
          if (remembered !== undefined && remembered.version === ticket.version) decidedOn = remembered
          else {
            const log = yield* deps.store.read(ticket.id)
            decidedOn = { version: log.version, keys: keysIn(log.events) }
            known.set(ticket.id, decidedOn)
          }
          recorded = !decidedOn.keys.has(key)
          const { ticket: _, outcome, at, ...fields } = input
          return new C.RecordNotifications({
            ticketId: ticket.id,
            outcomes: recorded ? [{ ...fields, kind: outcome, reachedAt: DateTime.toUtc(at) }] : []
          })
        })
      )
      // Appended after the version decided on: the log now holds one more record.
      if (recorded && decidedOn !== undefined && after.version === decidedOn.version + 1) {
        known.set(after.id, { version: after.version, keys: new Set(decidedOn.keys).add(key) })
      }
      return recorded
    })

  return { recordNotification }
}
