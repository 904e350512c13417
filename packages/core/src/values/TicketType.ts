/**
 * The kind of request a ticket is, by purpose. `problem` groups incidents that share a root
 * cause; `account` tickets (billing, subscriptions) usually want stricter access.
 */
import { Schema } from "effect"

/**
 * A ticket's type.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketType = Schema.Literals([
  "question",
  "incident",
  "problem",
  "task",
  "service_request",
  "feedback",
  "account"
])
/** @category models @since 0.1.0 */
export type TicketType = typeof TicketType.Type

/**
 * Support levels: 1 is the front line; escalation to experts raises it to 2 or 3.
 *
 * @category models
 * @since 0.1.0
 */
export const SupportLevel = Schema.Literals([1, 2, 3])
/** @category models @since 0.1.0 */
export type SupportLevel = typeof SupportLevel.Type
