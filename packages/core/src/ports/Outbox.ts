/**
 * The port for the outbox: messages to deliver outside (emails, webhooks) are written in the
 * same transaction as the events that caused them, then drained by a deliverer at least once.
 * Each message has a deterministic id, which a receiver uses as its idempotency key. Messages
 * are only ever added by the ticket store's appends (`AppendEffects.outbox`), so a store adapter
 * provides this port from the same store (`TicketStore.Adapter`). A message that keeps failing is
 * parked as a dead letter, with its last error, until an operator puts it back (`requeue`).
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
 * A claimed message with its delivery attempts so far, and the error the last failed one left
 * (`retry`'s), if any.
 *
 * @category models
 * @since 0.1.0
 */
export interface ClaimedMessage extends OutboxMessage {
  readonly attempts: number
  readonly lastError?: string
}

/**
 * A message parked for good (`deadLetter`): never claimed again unless `requeue`d. `attempts`
 * counts the failed attempts, the last one included.
 *
 * @category models
 * @since 0.1.0
 */
export interface DeadLetter extends OutboxMessage {
  readonly attempts: number
  readonly lastError: string
  readonly deadAt: DateTime.Utc
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
    /** Removes a delivered message (a dead letter too: a late worker delivered it after all). */
    readonly complete: (id: string) => Effect.Effect<void, StoreError>
    /**
     * Gives a claimed message back, ready again at `retryAt`, counting the attempt and keeping
     * `error` as its last error (when given). A dead letter or a message not there is left alone.
     */
    readonly retry: (id: string, retryAt: DateTime.Utc, error?: string) => Effect.Effect<void, StoreError>
    /**
     * Parks a claimed message for good at `now`, counting the attempt, with `error` as its last
     * error: no claim returns it again until it is `requeue`d. A message not there is left alone.
     */
    readonly deadLetter: (id: string, now: DateTime.Utc, error: string) => Effect.Effect<void, StoreError>
    /** A workspace's dead letters, at most `limit`, the longest dead first (then by id). */
    readonly deadLetters: (
      workspaceId: WorkspaceId,
      limit: number
    ) => Effect.Effect<ReadonlyArray<DeadLetter>, StoreError>
    /**
     * Puts a dead letter back, ready at once with no attempts counted (for after the cause was
     * fixed); its last error stays until another attempt replaces it. Answers whether `id` was a
     * dead letter: any other message is left alone.
     */
    readonly requeue: (id: string) => Effect.Effect<boolean, StoreError>
  }
>()("@tessera/core/Outbox") {}
