/**
 * The event-store part of the ticket store port: each ticket is a stream of events with a
 * version, appended with optimistic concurrency, one stream at a time (`append`) or several all
 * or nothing (`appendAll`). An append also writes its effects (timers, outbox messages, the SLA
 * due time the queue sorts on) in the same unit of work, so they exist exactly when its events
 * do. Queries over tickets are `TicketIndex`'s; public numbers are `PublicNumbers`'.
 */
import type { DateTime, Effect } from "effect"
import type { State } from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import type { LimitExceeded } from "../values/Limits.js"
import type { Message } from "../values/Message.js"
import type { OutboxMessage } from "./Outbox.js"
import { EmailMessageRecorded, type PublicIdTaken, type StoreError, type VersionConflict } from "./StoreError.js"
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
 * What an append writes besides the events, in the same unit of work (one transaction): timers
 * to schedule, outbox messages to deliver, and values derived from outside the events (the next
 * SLA due time, the SLA fold). When the append fails, none of them is written; once it
 * succeeds, the store's `Timers.claimDue` and `Outbox.claim` return them. A timer or message
 * whose id is already stored is kept once (ids are deterministic, so a retried command does not
 * schedule or send twice).
 *
 * @category models
 * @since 0.1.0
 */
export interface AppendEffects {
  /** Timers for the store's `Timers` port. */
  readonly timers?: ReadonlyArray<Timer>
  /** Messages for the store's `Outbox` port. */
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
 * What an append may fail with: a stale version (retryable: reload and decide again), a public
 * number already held, an email message already recorded in the workspace, a limit, or a store
 * failure (`StoreError`: `Unsupported` and `ValueTooLarge` among them, neither retryable).
 *
 * @category errors
 * @since 0.1.0
 */
export type AppendError = VersionConflict | PublicIdTaken | EmailMessageRecorded | LimitExceeded | StoreError

/**
 * The streams of tickets. Every operation is atomic: it happens entirely or not at all.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventStore {
  /** Reads a stream; a stream that does not exist is empty (version 0). */
  readonly read: (ticketId: TicketId) => Effect.Effect<StoredStream, StoreError>
  /**
   * The current state of a stream and its version: exactly `Ticket.fold` of what `read`
   * returns, which a store may keep as a snapshot so that commands need not replay history.
   */
  readonly load: (ticketId: TicketId) => Effect.Effect<LoadedStream, StoreError>
  /**
   * `load` of each stream, in the order given (a stream named twice is loaded twice), in as few
   * round trips as the store can: the help desk reads the candidates of a duplicate suggestion
   * this way, not one by one.
   */
  readonly loadMany: (ticketIds: ReadonlyArray<TicketId>) => Effect.Effect<ReadonlyArray<LoadedStream>, StoreError>
  /**
   * `load`, unless the stream is still at `version`: then `undefined`, and its state is not read.
   * The version check and the load are one read, so a caller that remembers a state (the help
   * desk, when other processes write the same tickets) learns whether it is current for the price
   * of a load when it is not, and of a version check when it is.
   */
  readonly loadIfChanged: (ticketId: TicketId, version: number) => Effect.Effect<LoadedStream | undefined, StoreError>
  /**
   * Appends events if the stream is still at `expectedVersion`, atomically with the
   * projection and the effects (timers, outbox); returns the new version. A `TicketOpened`
   * whose public number is taken in its workspace fails with `PublicIdTaken` and appends
   * nothing. An append that records, as a new message, an email `Message-ID` the workspace
   * already holds (`recordedEmailIds`; or twice in one append) fails with `EmailMessageRecorded`
   * and appends nothing, so that the same mail taken in twice, even by two processes at once,
   * is one message. More than `Limits.eventsPerAppend` events, or events that take the ticket past
   * `Limits.tagsPerTicket` or `Limits.messagesPerTicket` (adding tags or messages), fail with
   * `LimitExceeded` and append nothing; everything within the limits is written, unless a value
   * is larger than the store's database accepts (`ValueTooLarge`, writing nothing). The events
   * kept are what `TicketEvent.TicketEventJson` gives back (encoded, then decoded); an event
   * that does not round-trip is a defect of the caller, which a store need not check on every
   * append (the memory store does; the SQL store folds the events as given and leaves the
   * round-trip to its codec's tests).
   */
  readonly append: (
    ticketId: TicketId,
    expectedVersion: number,
    events: ReadonlyArray<TicketEvent>,
    effects?: AppendEffects
  ) => Effect.Effect<number, AppendError>
  /**
   * Appends to several streams at once, all or nothing: every stream must be at its expected
   * version (else `VersionConflict` for the first that is not, in batch order, and nothing is
   * written), and each is written as `append` would, in one transaction. Returns the new
   * versions, in the order of the batch. An email `Message-ID` recorded by two streams of the
   * batch fails the batch with `EmailMessageRecorded` (naming the first). Links, merges and splits use it, so both sides of a
   * change always agree. More than `Limits.streamsPerBatch` streams, or a stream beyond
   * `append`'s limits, fail with `LimitExceeded`; more than the store's
   * `capabilities.maxBatch` (within `Limits.streamsPerBatch`) with `Unsupported`; both write
   * nothing. A stream named twice in one batch is a defect of the caller (the store dies with a
   * message naming it, writing nothing).
   */
  readonly appendAll: (batch: ReadonlyArray<AppendRequest>) => Effect.Effect<ReadonlyArray<number>, AppendError>
}

/**
 * The defect a batch naming `ticketId` twice dies with: a programming error of the caller, which
 * no retry fixes (shared by the stores so that they say it alike).
 *
 * @category constructors
 * @since 0.1.0
 */
export const duplicateInBatch = (ticketId: TicketId): Error =>
  new Error(`appendAll: ticket ${ticketId} appears twice in one batch; merge its events into one entry`)

/**
 * The first ticket a batch names twice, if any.
 *
 * @category combinators
 * @since 0.1.0
 */
export const repeatedStream = (batch: ReadonlyArray<{ readonly ticketId: TicketId }>): TicketId | undefined => {
  const named = new Set<TicketId>()
  for (const { ticketId } of batch) {
    if (named.has(ticketId)) return ticketId
    named.add(ticketId)
  }
  return undefined
}

/**
 * The email `Message-ID`s that `events`, appended to a stream in state `prior`, record as new
 * messages, in order: the message of a `TicketOpened` that opens the stream and of each
 * `ReplyAdded` or `NoteAdded` on an open one, when it has `email` ids and no `origin`. A message
 * a merge or a split moves (`MergedIn`, `SplitReceived`, and the `TicketOpened` of a split, whose
 * message has an `origin`) was recorded where it was first written and is not recorded again;
 * events that do not apply (a reply before the opening, a second opening) record nothing.
 * Every store indexes exactly these (`TicketIndex.findByEmailId`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const recordedEmailIds = (prior: State, events: ReadonlyArray<TicketEvent>): ReadonlyArray<string> => {
  const recorded: Array<string> = []
  let open = prior !== undefined
  for (const event of events) {
    let message: Message | undefined
    if (event._tag === "TicketOpened") {
      if (!open) message = event.message
      open = true
    } else if (open && (event._tag === "ReplyAdded" || event._tag === "NoteAdded")) message = event.message
    if (message?.email !== undefined && message.origin === undefined) recorded.push(message.email.messageId)
  }
  return recorded
}

/**
 * The first email `Message-ID` that a batch records twice (within one stream or across two),
 * as the refusal `appendAll` fails with: it names the stream of the batch that records it
 * first. `recorded` holds, per request in batch order, its workspace and `recordedEmailIds`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const repeatedEmailId = (
  recorded: ReadonlyArray<{
    readonly ticketId: TicketId
    readonly workspaceId: WorkspaceId | string
    readonly messageIds: ReadonlyArray<string>
  }>
): EmailMessageRecorded | undefined => {
  const first = new Map<string, TicketId>()
  for (const { ticketId, workspaceId, messageIds } of recorded) {
    for (const messageId of messageIds) {
      const key = `${workspaceId}\u0000${messageId}`
      const holder = first.get(key)
      if (holder !== undefined) return new EmailMessageRecorded({ workspaceId, messageId, ticketId: holder })
      first.set(key, ticketId)
    }
  }
  return undefined
}
