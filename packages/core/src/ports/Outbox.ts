/**
 * The port for the outbox: messages to deliver outside (emails, webhooks) are written in the
 * same transaction as the events that caused them, then drained by a deliverer at least once.
 * Each message has a deterministic id, which a receiver uses as its idempotency key. Messages
 * are only ever added by the ticket store's appends (`AppendEffects.outbox`), so a store adapter
 * provides this port from the same store (`TicketStore.Adapter`).
 */
import { Context, type DateTime, type Effect } from "effect"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import type { StoreError } from "./StoreError.js"

/**
 * One message waiting for delivery. `payload` is JSON the deliverer understands.
 *
 * @category models
 * @since 0.1.0
 */
export interface OutboxMessage {
  readonly id: string
  readonly workspaceId: WorkspaceId
  readonly ticketId: TicketId
  /** What kind of delivery (`email`, `webhook`, ...): deliverers claim their own. */
  readonly channel: string
  readonly payload: unknown
  readonly createdAt: DateTime.Utc
}

/**
 * A claimed message with its delivery attempts so far.
 *
 * @category models
 * @since 0.1.0
 */
export interface ClaimedMessage extends OutboxMessage {
  readonly attempts: number
}

/**
 * The outbox port. Messages are added by the store's `append` and `appendAll` (in the events'
 * transaction, see `AppendEffects`); this port drains them.
 *
 * @category services
 * @since 0.1.0
 */
export class Outbox extends Context.Service<
  Outbox,
  {
    /**
     * Claims up to `limit` messages of a channel that are ready at `now`, for `leaseMillis`:
     * no other claimer gets them until the lease ends, and they come back if not completed.
     */
    readonly claim: (
      channel: string,
      now: DateTime.Utc,
      limit: number,
      leaseMillis: number
    ) => Effect.Effect<ReadonlyArray<ClaimedMessage>, StoreError>
    /** Removes a delivered message. */
    readonly complete: (id: string) => Effect.Effect<void, StoreError>
    /** Gives a claimed message back, ready again at `retryAt`, counting the attempt. */
    readonly retry: (id: string, retryAt: DateTime.Utc) => Effect.Effect<void, StoreError>
  }
>()("@tessera/core/Outbox") {}
