/**
 * Parts of events the `Events` and `Commands` arbitraries share and `Arbitraries` does not
 * export: an event's envelope, SLA milestones, moved messages with their origin, notifications.
 */
import * as fc from "fast-check"
import * as SlaPolicy from "../../sla/SlaPolicy.js"
import type { Complexity } from "../../values/Complexity.js"
import type { TicketId } from "../../values/Ids.js"
import type { Message } from "../../values/Message.js"
import type { Rating } from "../../values/Satisfaction.js"
import { actor, dateTime, message, publicId, ticketId } from "./Values.js"

/** An event's envelope for a ticket id. */
export const envelope = (id: fc.Arbitrary<TicketId>) => ({ ticketId: id, at: dateTime, by: actor })

/** The fields of an SLA warning or breach. */
export const slaMilestone = {
  metric: fc.constantFrom(...SlaPolicy.metrics),
  instance: fc.integer({ min: 1, max: 5 }),
  policy: fc.constantFrom("standard", "premium"),
  reachedAt: dateTime
}

export const origin = fc.record({ ticketId, publicId })

/** A message that a merge or split moved here, with its origin. */
export const movedMessage: fc.Arbitrary<Message> = fc.tuple(message(), origin).map(([m, origin]) => ({ ...m, origin }))

export const notificationTemplate = fc.constantFrom("ticket_escalated", "reminder")
export const recipients = fc.uniqueArray(fc.constantFrom("requester", "assignee", "agent:mary", "ops@example.com"), {
  minLength: 1,
  maxLength: 3
})

/** The fields of a notification's outcome, as the outbox worker records it. */
export const notificationOutcome = {
  notification: fc.constantFrom("notification:tkt_1:2", "notification:tkt_1:7"),
  attempt: fc.integer({ min: 1, max: 12 }),
  template: notificationTemplate,
  channel: fc.constantFrom("email", "webhook", "email,webhook"),
  to: fc.uniqueArray(fc.constantFrom("jane@example.com", "Jane <jane@example.com>", "crm-hook"), { maxLength: 3 })
}

/** A satisfaction rating: CSAT good/bad or 1 to 5, or NPS 0 to 10. */
export const rating: fc.Arbitrary<Rating> = fc.oneof(
  fc.record({ kind: fc.constant("csat" as const), score: fc.constantFrom("good" as const, "bad" as const) }),
  fc.record({ kind: fc.constant("csat" as const), score: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("nps" as const), score: fc.integer({ min: 0, max: 10 }) })
)

/** A survey id, a complexity and a language. */
export const surveyId = fc.constantFrom("survey:tkt_1:3", "survey:tkt_1:9", "tkt_2:jane")
export const complexity: fc.Arbitrary<Complexity> = fc.constantFrom("simple", "standard", "complex")
export const language = fc.constantFrom("en", "fr", "pt-BR")
export const ratingComment = fc.oneof(fc.constantFrom("", "Charged twice, still waiting"), fc.string({ maxLength: 40 }))
