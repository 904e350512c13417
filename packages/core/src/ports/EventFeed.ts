/**
 * The feed part of the ticket store port: every committed event of every stream in one global
 * order, for readers that follow the store by polling with the last position they saw (an event
 * bus, the outbox worker, reporting). The order is the order of commits, so such a reader never
 * misses an event, however appends overlap. Keeping each reader's position, and waking it up, is
 * the reader's business; the store only answers "what committed after P".
 */
import type { Effect } from "effect"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import type { StoreError } from "./StoreError.js"

/**
 * An event as the feed gives it: where it sits in the store's global order (`position`) and in
 * its stream (`version`), with the event itself, decoded as `EventStore.read` gives it.
 *
 * @category models
 * @since 0.1.0
 */
export interface CommittedEvent {
  /** Its place in the store's global order: a positive safe integer, never reused. */
  readonly position: number
  /**
   * The workspace of the ticket its stream held once the append that wrote it committed; none
   * for an event appended to a stream that held no ticket yet (events before its `TicketOpened`,
   * which the `Helpdesk` never writes).
   */
  readonly workspaceId: WorkspaceId | undefined
  readonly ticketId: TicketId
  /** Its version in its stream: the stream's version right after it (the first event is 1). */
  readonly version: number
  readonly event: TicketEvent
}

/**
 * What `readAll` reads besides a range of positions.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReadAllOptions {
  /** Only the events of this workspace's tickets (the positions stay the global ones). */
  readonly workspaceId?: WorkspaceId
}

/**
 * The committed events of every stream, in the order they committed.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventFeed {
  /**
   * The committed events after position `after` (0: from the first), in position order, at most
   * `limit` of them: fewer only when no more had committed when the store read them (an empty
   * answer means none yet). With `options.workspaceId`, only that workspace's events.
   *
   * Positions increase in commit order: an event that commits after another has the larger
   * position, and the events of one append or batch become visible together. So a reader that
   * asks again with the last position it saw never misses an event that committed in between:
   * positions may skip numbers, but a skipped number never fills in later. In one stream,
   * positions follow versions, and `readAll` gives each stream exactly the events `read` gives.
   * An append that fails (a version conflict, a limit, a rolled-back transaction) leaves no
   * event and no position behind.
   *
   * `after` must be a safe integer of at least 0 and `limit` one of at least 1: anything else is a
   * defect of the caller (the store dies with `invalidRange`'s message).
   */
  readonly readAll: (
    after: number,
    limit: number,
    options?: ReadAllOptions
  ) => Effect.Effect<ReadonlyArray<CommittedEvent>, StoreError>
}

/**
 * The defect a `readAll` with a position or limit out of range dies with, shared by the stores so
 * that they say it alike; `undefined` when both are in range.
 *
 * @category constructors
 * @since 0.1.0
 */
export const invalidRange = (after: number, limit: number): Error | undefined =>
  Number.isSafeInteger(after) && after >= 0 && Number.isSafeInteger(limit) && limit >= 1
    ? undefined
    : new Error(
        `readAll: after must be a safe integer of at least 0 and limit one of at least 1 (got after ${after}, limit ${limit})`
      )
