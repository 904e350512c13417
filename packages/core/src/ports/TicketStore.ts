/**
 * The port for ticket storage: event streams with optimistic concurrency, the per-workspace
 * public-number sequence, and the queries agents' queues run on a projection. A store also
 * keeps the `Timers` and the `Outbox` that its appends write to, in the same transaction. Adapters (memory,
 * SQL) implement it; the conformance suite in `@tessera/core/testing` holds them all to the
 * in-memory reference.
 */
import { Context, type DateTime, type Effect, type Option } from "effect"
import type { TicketPage, TicketQuery } from "../query/TicketQuery.js"
import type { State } from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { PublicId, TicketId, WorkspaceId } from "../values/Ids.js"
import type { LimitExceeded } from "../values/Limits.js"
import type { OutboxMessage } from "./Outbox.js"
import type { InvalidCursor, PublicIdTaken, StoreError, VersionConflict } from "./StoreError.js"
import type { Timer } from "./Timers.js"

/**
 * A stream as read: its events in order and its version (the number of events; 0 when empty).
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredStream {
  readonly events: ReadonlyArray<TicketEvent>
  readonly version: number
}

/**
 * A stream's current state (`undefined` when it holds no ticket) and its version.
 *
 * @category models
 * @since 0.1.0
 */
export interface LoadedStream {
  readonly state: State
  readonly version: number
  /** The SLA fold last written with an append (`AppendEffects.sla`), if the store keeps one. */
  readonly sla?: StoredSla
}

/**
 * A value a store keeps beside a ticket's snapshot for the help desk, as it was given, with the
 * version of the stream the append that wrote it ended on: the help desk's SLA fold
 * (`SlaFold.FoldJson`), so that a process that never saw the ticket need not replay its log. A
 * store may keep none (the help desk then replays the log once); one it returns must be exactly
 * what the append at `version` wrote.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoredSla {
  /** Opaque JSON text. */
  readonly value: string
  readonly version: number
}

/**
 * What an append writes besides the events, in the same transaction: timers to schedule,
 * outbox messages to deliver, and values derived from outside the events (the next SLA due
 * time, the SLA fold).
 *
 * @category models
 * @since 0.1.0
 */
export interface AppendEffects {
  readonly timers?: ReadonlyArray<Timer>
  readonly outbox?: ReadonlyArray<OutboxMessage>
  /** The ticket's next SLA due time for queues (`null` clears it; absent leaves it). */
  readonly slaDueAt?: DateTime.Utc | null
  /**
   * The ticket's SLA fold after this append (opaque JSON text): kept beside the snapshot with the
   * version the append ends on, and returned by `load` (`LoadedStream.sla`); absent leaves it.
   */
  readonly sla?: string
}

/**
 * One stream's part of a batch append (`appendAll`). An entry with no events appends nothing
 * and only asserts that the stream is still at `expectedVersion` (a ticket read to decide, such
 * as an ancestor checked for a parent/child cycle).
 *
 * @category models
 * @since 0.1.0
 */
export interface AppendRequest {
  readonly ticketId: TicketId
  readonly expectedVersion: number
  readonly events: ReadonlyArray<TicketEvent>
  readonly effects?: AppendEffects
}

/**
 * What differs between back ends, as data callers can branch on.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoreCapabilities {
  /** Durable across restarts. */
  readonly durable: boolean
  /** Several processes may share the store (claims use row locks or equivalent). */
  readonly multiProcess: boolean
}

/**
 * The ticket store port.
 *
 * @category services
 * @since 0.1.0
 */
export class TicketStore extends Context.Service<
  TicketStore,
  {
    /** Reads a stream; a stream that does not exist is empty (version 0). */
    readonly read: (ticketId: TicketId) => Effect.Effect<StoredStream, StoreError>
    /**
     * The current state of a stream and its version: exactly `Ticket.fold` of what `read`
     * returns, which a store may keep as a snapshot so that commands need not replay history.
     */
    readonly load: (ticketId: TicketId) => Effect.Effect<LoadedStream, StoreError>
    /**
     * Appends events if the stream is still at `expectedVersion`, atomically with the
     * projection and the effects (timers, outbox); returns the new version. A `TicketOpened`
     * whose public number is taken in its workspace fails with `PublicIdTaken` and appends
     * nothing. More than `Limits.eventsPerAppend` events, or events that take the ticket past
     * `Limits.tagsPerTicket` or `Limits.messagesPerTicket` (adding tags or messages), fail with
     * `LimitExceeded` and append nothing; everything within the limits is written.
     */
    readonly append: (
      ticketId: TicketId,
      expectedVersion: number,
      events: ReadonlyArray<TicketEvent>,
      effects?: AppendEffects
    ) => Effect.Effect<number, VersionConflict | PublicIdTaken | LimitExceeded | StoreError>
    /**
     * Appends to several streams at once, all or nothing: every stream must be at its expected
     * version (else `VersionConflict` for the first that is not, and nothing is written), and
     * each is written as `append` would, in one transaction. Returns the new versions, in the
     * order of the batch. A stream appears at most once in a batch (else `StoreUnavailable`,
     * writing nothing). Links, merges and splits use it, so both sides of a change always agree.
     * More than `Limits.streamsPerBatch` streams, or a stream beyond `append`'s limits, fail with
     * `LimitExceeded`, writing nothing.
     */
    readonly appendAll: (
      batch: ReadonlyArray<AppendRequest>
    ) => Effect.Effect<ReadonlyArray<number>, VersionConflict | PublicIdTaken | LimitExceeded | StoreError>
    /**
     * The next free public number of a workspace (never one already used); `LimitExceeded` once
     * the sequence has handed out `Limits.publicIdMax` (or starts beyond it).
     */
    readonly nextPublicId: (workspaceId: WorkspaceId) => Effect.Effect<PublicId, LimitExceeded | StoreError>
    /** The ticket that holds a public number in a workspace. */
    readonly resolve: (
      workspaceId: WorkspaceId,
      publicId: PublicId
    ) => Effect.Effect<Option.Option<TicketId>, StoreError>
    /** One page of a workspace's tickets, as `TicketQuery.run` defines it. */
    readonly query: (
      workspaceId: WorkspaceId,
      query: TicketQuery
    ) => Effect.Effect<TicketPage, InvalidCursor | StoreError>
    readonly capabilities: StoreCapabilities
  }
>()("@tessera/core/TicketStore") {}
