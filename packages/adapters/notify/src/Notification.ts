/**
 * The shared model of outbound notifications: who one is for (`Recipient`, in one `Audience`),
 * what was rendered for them, the `Delivery` a channel's `Sender` carries out, and how a delivery
 * fails. The outbox worker turns each claimed outbox message into deliveries (one per recipient,
 * each with its own idempotency key) and hands them to the sender of their channel; email and
 * webhooks are two such senders.
 */
import type { Ids } from "@tessera/core"
import { type Effect, Schema } from "effect"

/**
 * Who reads a notification: a `customer` (the requester, a follower or CC: never an internal
 * note or an internal field), an `agent` (everything an agent may see), or an `integration` (a
 * webhook endpoint of the help desk's own systems).
 *
 * @category models
 * @since 0.1.0
 */
export type Audience = "customer" | "agent" | "integration"

/**
 * One recipient of a notification, resolved from the ticket and the directory.
 *
 * @category models
 * @since 0.1.0
 */
export interface Recipient {
  readonly audience: Audience
  /** An email address for people; the endpoint's name for an integration. */
  readonly address: string
  readonly name?: string
  /** The language templates are chosen in (BCP 47, `en`, `fr`, ...). */
  readonly language: string
  /** The IANA time zone dates are written in. */
  readonly timeZone: string
  readonly contact?: Ids.ContactId
  readonly agent?: Ids.AgentId
  /**
   * Whether the help desk trusts the address: false for a requester whose only contact so far is
   * the message that opened the ticket. An unverified recipient never gets their message echoed.
   */
  readonly verified: boolean
}

/**
 * A template rendered for one recipient: subject, plain text and HTML.
 *
 * @category models
 * @since 0.1.0
 */
export interface Rendered {
  readonly subject: string
  readonly text: string
  readonly html: string
}

/**
 * One delivery to one recipient over one channel. `key` is its idempotency key: the same for
 * every attempt, so a receiver that saw it once can drop a repeat.
 *
 * @category models
 * @since 0.1.0
 */
export interface Delivery {
  readonly key: string
  /** The outbox message it comes from. */
  readonly outboxId: string
  /** The sender that carries it (`email`, `webhook`). */
  readonly channel: string
  readonly template: string
  readonly workspaceId: Ids.WorkspaceId
  readonly ticketId: Ids.TicketId
  readonly publicId: number
  readonly recipient: Recipient
  /** What the channel sends: each sender defines and checks its own body. */
  readonly body: unknown
}

/**
 * What a sender reports of a delivery it made: when, and the receiver's id for it if any (an
 * SMTP queue id, an HTTP status).
 *
 * @category models
 * @since 0.1.0
 */
export interface Receipt {
  readonly acceptedBy?: string
}

/**
 * A delivery failed. `retryable` says whether another attempt may succeed (a refused connection,
 * a 5xx, a timeout) or never will (a 4xx, a refused address, a target the SSRF guard forbids).
 *
 * @category errors
 * @since 0.1.0
 */
export class DeliveryFailed extends Schema.TaggedError<DeliveryFailed>()("DeliveryFailed", {
  channel: Schema.String,
  reason: Schema.String,
  retryable: Schema.Boolean
}) {
  override get message() {
    return `Delivery over ${this.channel} failed${this.retryable ? " (will be retried)" : ""}: ${this.reason}`
  }
}

/**
 * A channel's sender: carries out one delivery.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sender {
  readonly channel: string
  /** Carries out one delivery; fails with whether another attempt may help. */
  readonly send: (delivery: Delivery) => Effect.Effect<Receipt, DeliveryFailed>
}
