/**
 * The in-memory `TicketStore`, with the `Timers` and `Outbox` its appends write to: the
 * reference implementation of those ports, written for clarity. Events are encoded to JSON and
 * decoded back at append time, as a durable store would see them, so that what round-trips here
 * round-trips everywhere (unless `roundTrip: false` keeps them as given); the folded state is
 * kept as a snapshot for `load`. Each operation runs as one synchronous step, which makes it
 * atomic, and the feed numbers events in the order those steps write them, which is commit
 * order. It holds to `Limits` as every store must (events per append, streams per batch, tags
 * and messages per ticket, the largest public number), and records the email `Message-ID` of
 * each new message once per workspace (`findByEmailId`). Nothing survives the process. Its
 * capabilities can be narrowed (no search, smaller batches) to try an application against what
 * a lesser adapter offers: it then refuses as such an adapter must.
 */
import { DateTime, Effect, type Layer, Option, Schema } from "effect"
import { type CommittedEvent, invalidRange } from "../ports/EventFeed.js"
import { duplicateInBatch, recordedEmailIds, repeatedEmailId, repeatedStream } from "../ports/EventStore.js"
import { type ClaimedMessage, Outbox, type OutboxMessage } from "../ports/Outbox.js"
import * as StoreCapabilities from "../ports/StoreCapabilities.js"
import {
  EmailMessageRecorded,
  type InvalidCursor,
  PublicIdTaken,
  type Unsupported,
  VersionConflict
} from "../ports/StoreError.js"
import * as TicketStore from "../ports/TicketStore.js"
import { type Timer, Timers } from "../ports/Timers.js"
import * as TicketQuery from "../query/TicketQuery.js"
import * as Ticket from "../ticket/Ticket.js"
import { type TicketEvent, TicketEventJson } from "../ticket/TicketEvent.js"
import type { PublicId, TicketId, WorkspaceId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"

/**
 * Options of the in-memory store.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The first public number handed out in each workspace (default 1). */
  readonly firstPublicId?: number
  /**
   * Narrower capabilities than the full ones, to behave as a lesser adapter would: `search:
   * "none"` refuses searches, a smaller `maxBatch` (at least 3) refuses larger batches, both with
   * `Unsupported`.
   */
  readonly capabilities?: {
    readonly search?: StoreCapabilities.SearchSupport
    readonly maxBatch?: number
  }
  /**
   * Whether each appended event goes through its JSON codec and back before it is kept (default
   * `true`): what round-trips here round-trips in a durable store, so tests keep the default.
   * `false` keeps the events as given, to measure a help desk's own work without a store's
   * (`pnpm bench store` does, for the floor of `appendOverheadRatio`).
   */
  readonly roundTrip?: boolean
}

interface Stream {
  /** The events, as they decode back from the JSON a durable store keeps (see `Options.roundTrip`). */
  readonly events: Array<TicketEvent>
  state: Ticket.State
  slaDueAt: DateTime.Utc | undefined
  /** What the last append that gave one wrote as `AppendEffects.sla`, with the version it ended on. */
  sla: TicketStore.StoredSla | undefined
}

/** A request's events as they decode back from the JSON a durable store keeps, and the state they leave. */
interface Prepared {
  readonly events: ReadonlyArray<TicketEvent>
  readonly state: Ticket.State
}

interface Pending<A> {
  readonly value: A
  /** Not claimable before this instant (epoch milliseconds): a lease or a retry delay. */
  availableAt: number
  attempts: number
}

/** An outbox message waiting: its last error, and when it became a dead letter (never claimed while one). */
interface OutboxEntry extends Pending<OutboxMessage> {
  lastError?: string
  deadAt?: number
}

const encodeEvent = Schema.encodeSync(TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEventJson)
const millis = DateTime.toEpochMillis

/**
 * The three ports one in-memory store provides.
 *
 * @category models
 * @since 0.1.0
 */
export type MemoryStore = TicketStore.Adapter

/**
 * Builds an in-memory store: tickets, and the timers and outbox its appends write to.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeStore = (options: Options = {}): Effect.Effect<MemoryStore> =>
  Effect.sync(() => {
    const first = options.firstPublicId ?? 1
    const roundTrip = options.roundTrip ?? true
    const capabilities: StoreCapabilities.StoreCapabilities = {
      durable: false,
      multiProcess: false,
      search: options.capabilities?.search ?? "prefix",
      maxBatch: Math.max(3, Math.min(Limits.streamsPerBatch, options.capabilities?.maxBatch ?? Limits.streamsPerBatch))
    }
    const streams = new Map<TicketId, Stream>()
    const publicIds = new Map<WorkspaceId, Map<number, TicketId>>()
    const sequences = new Map<WorkspaceId, number>()
    /** The ticket each email `Message-ID` was first recorded on, by workspace. */
    const emailIds = new Map<WorkspaceId, Map<string, TicketId>>()
    const timers = new Map<string, Pending<Timer>>()
    const outbox = new Map<string, OutboxEntry>()
    /** Every committed event, in commit order: the event at index i has position i + 1. */
    const feed: Array<CommittedEvent> = []
    const numbersOf = (ws: WorkspaceId) => {
      let numbers = publicIds.get(ws)
      if (numbers === undefined) {
        numbers = new Map()
        publicIds.set(ws, numbers)
      }
      return numbers
    }
    const schedule = (timer: Timer) => {
      if (!timers.has(timer.id)) timers.set(timer.id, { value: timer, availableAt: 0, attempts: 0 })
    }
    /** The first `limit` entries ready at `at` in `order`, leased until `at + lease`. */
    const claim = <A>(
      entries: Iterable<Pending<A>>,
      ready: (value: A) => boolean,
      order: (value: A) => number,
      at: number,
      limit: number,
      lease: number
    ): ReadonlyArray<Pending<A>> => {
      const due = Array.from(entries)
        .filter((p) => ready(p.value) && p.availableAt <= at)
        .sort((a, b) => order(a.value) - order(b.value))
        .slice(0, limit)
      for (const p of due) p.availableAt = at + lease
      return due
    }

    /**
     * A request's events through the codec, and the state they leave: what is kept is what the
     * codec gives back, so a shape that does not round-trip fails here, as it would in a durable
     * store (with `roundTrip: false`, the events as given). Folded once, for the limits and the
     * write (a long conversation is copied per fold).
     */
    const prepare = (request: TicketStore.AppendRequest): Prepared => {
      const events = roundTrip ? request.events.map((e) => decodeEvent(encodeEvent(e))) : request.events
      return { events, state: Ticket.fold(events, streams.get(request.ticketId)?.state) }
    }

    /** The email ids a request records as new messages, with the workspace they are recorded in. */
    const recordedBy = (request: TicketStore.AppendRequest) => {
      const prior = streams.get(request.ticketId)?.state
      const opening = request.events.find((e) => e._tag === "TicketOpened")
      return {
        ticketId: request.ticketId,
        workspaceId: (prior?.workspaceId ??
          (opening?._tag === "TicketOpened" ? opening.workspaceId : "")) as WorkspaceId,
        messageIds: recordedEmailIds(prior, request.events)
      }
    }

    /**
     * An email id the batch records twice, or would record while its workspace already holds it;
     * checked after the limits, as a durable store finds it when it writes.
     */
    const emailRecorded = (
      recorded: ReadonlyArray<ReturnType<typeof recordedBy>>
    ): EmailMessageRecorded | undefined => {
      const repeated = repeatedEmailId(recorded)
      if (repeated !== undefined) return repeated
      for (const { workspaceId, messageIds } of recorded) {
        const held = emailIds.get(workspaceId)
        for (const messageId of messageIds) {
          const ticketId = held?.get(messageId)
          if (ticketId !== undefined) return new EmailMessageRecorded({ workspaceId, messageId, ticketId })
        }
      }
      return undefined
    }

    /** A request beyond the limits of one append, on the stream as it stands; checked after `refusal`. */
    const beyondLimits = (
      request: TicketStore.AppendRequest,
      prepared: Prepared,
      operation: string
    ): Limits.LimitExceeded | undefined =>
      Limits.checkTicket(Limits.sizeOf(streams.get(request.ticketId)?.state), Limits.sizeOf(prepared.state), operation)

    /** Why a request cannot be written now, if it cannot; checked for a whole batch before any write. */
    const refusal = (request: TicketStore.AppendRequest): VersionConflict | PublicIdTaken | undefined => {
      const actual = streams.get(request.ticketId)?.events.length ?? 0
      if (actual !== request.expectedVersion) {
        return new VersionConflict({ ticketId: request.ticketId, expected: request.expectedVersion, actual })
      }
      for (const event of request.events) {
        if (event._tag === "TicketOpened" && numbersOf(event.workspaceId).has(event.publicId)) {
          return new PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
        }
      }
      return undefined
    }

    /** Writes a request that passed `refusal` and `beyondLimits`; returns the stream's new version. */
    const write = ({ ticketId, events, effects = {} }: TicketStore.AppendRequest, prepared: Prepared): number => {
      const stream = streams.get(ticketId) ?? {
        events: [],
        state: Ticket.initial,
        slaDueAt: undefined,
        sla: undefined
      }
      for (const event of events) {
        if (event._tag === "TicketOpened") numbersOf(event.workspaceId).set(event.publicId, ticketId)
      }
      const recorded = recordedEmailIds(stream.state, events)
      if (recorded.length > 0 && prepared.state !== undefined) {
        let held = emailIds.get(prepared.state.workspaceId)
        if (held === undefined) {
          held = new Map()
          emailIds.set(prepared.state.workspaceId, held)
        }
        for (const messageId of recorded) if (!held.has(messageId)) held.set(messageId, ticketId)
      }
      prepared.events.forEach((event, i) => {
        const version = stream.events.length + i + 1
        feed.push({ position: feed.length + 1, workspaceId: prepared.state?.workspaceId, ticketId, version, event })
      })
      stream.events.push(...prepared.events)
      stream.state = prepared.state
      if (effects.slaDueAt !== undefined) stream.slaDueAt = effects.slaDueAt ?? undefined
      if (effects.sla !== undefined) stream.sla = { value: effects.sla, version: stream.events.length }
      if (stream.events.length > 0) streams.set(ticketId, stream)
      for (const timer of effects.timers ?? []) schedule(timer)
      for (const message of effects.outbox ?? []) {
        if (!outbox.has(message.id)) outbox.set(message.id, { value: message, availableAt: 0, attempts: 0 })
      }
      return stream.events.length
    }

    type AppendError = VersionConflict | PublicIdTaken | EmailMessageRecorded | Limits.LimitExceeded | Unsupported

    const appendAll = (
      batch: ReadonlyArray<TicketStore.AppendRequest>
    ): Effect.Effect<ReadonlyArray<number>, AppendError> =>
      Effect.suspend((): Effect.Effect<ReadonlyArray<number>, AppendError> => {
        const tooLarge =
          Limits.checkWrite(batch, "appendAll") ?? StoreCapabilities.checkBatch(capabilities, batch.length)
        if (tooLarge !== undefined) return Effect.fail(tooLarge)
        const repeated = repeatedStream(batch)
        if (repeated !== undefined) return Effect.die(duplicateInBatch(repeated))
        // Two openings in one batch may not claim the same number either.
        const claimed = new Set<string>()
        for (const request of batch) {
          const refused = refusal(request)
          if (refused !== undefined) return Effect.fail(refused)
          for (const event of request.events) {
            if (event._tag !== "TicketOpened") continue
            const number = `${event.workspaceId}\u0000${event.publicId}`
            if (claimed.has(number)) {
              return Effect.fail(new PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId }))
            }
            claimed.add(number)
          }
        }
        const prepared = batch.map(prepare)
        for (const [i, request] of batch.entries()) {
          const exceeded = beyondLimits(request, prepared[i] as Prepared, "appendAll")
          if (exceeded !== undefined) return Effect.fail(exceeded)
        }
        const recorded = emailRecorded(batch.map(recordedBy))
        if (recorded !== undefined) return Effect.fail(recorded)
        return Effect.succeed(batch.map((request, i) => write(request, prepared[i] as Prepared)))
      })

    const append = (
      ticketId: TicketId,
      expectedVersion: number,
      events: ReadonlyArray<TicketEvent>,
      effects: TicketStore.AppendEffects = {}
    ): Effect.Effect<number, AppendError> =>
      Effect.suspend((): Effect.Effect<number, AppendError> => {
        const request = { ticketId, expectedVersion, events, effects }
        const refused = Limits.checkWrite([request], "append") ?? refusal(request)
        if (refused !== undefined) return Effect.fail(refused)
        const prepared = prepare(request)
        const refusedLate = beyondLimits(request, prepared, "append") ?? emailRecorded([recordedBy(request)])
        return refusedLate === undefined ? Effect.succeed(write(request, prepared)) : Effect.fail(refusedLate)
      })

    const loaded = (ticketId: TicketId): TicketStore.LoadedStream => {
      const stream = streams.get(ticketId)
      return stream === undefined
        ? { state: Ticket.initial, version: 0 }
        : {
            state: stream.state,
            version: stream.events.length,
            ...(stream.sla === undefined ? {} : { sla: stream.sla })
          }
    }

    const tickets = TicketStore.TicketStore.of({
      capabilities,
      read: (ticketId) =>
        Effect.sync(() => {
          const stream = streams.get(ticketId)
          return stream === undefined
            ? { events: [], version: 0 }
            : { events: [...stream.events], version: stream.events.length }
        }),
      load: (ticketId) => Effect.sync(() => loaded(ticketId)),
      loadMany: (ticketIds) => Effect.sync(() => ticketIds.map(loaded)),
      loadIfChanged: (ticketId, version) =>
        Effect.sync(() => ((streams.get(ticketId)?.events.length ?? 0) === version ? undefined : loaded(ticketId))),
      append,
      appendAll,
      readAll: (after, limit, options = {}) =>
        Effect.suspend(() => {
          const invalid = invalidRange(after, limit)
          if (invalid !== undefined) return Effect.die(invalid)
          const items: Array<CommittedEvent> = []
          for (let i = after; i < feed.length && items.length < limit; i++) {
            const item = feed[i] as CommittedEvent
            if (options.workspaceId === undefined || item.workspaceId === options.workspaceId) items.push(item)
          }
          return Effect.succeed(items)
        }),
      nextPublicId: (ws) =>
        Effect.suspend(() => {
          const used = numbersOf(ws)
          let next = Math.max(sequences.get(ws) ?? first - 1, first - 1) + 1
          while (used.has(next)) next++
          const exceeded = Limits.check("publicIdMax", next, "nextPublicId")
          if (exceeded !== undefined) return Effect.fail(exceeded)
          sequences.set(ws, next)
          return Effect.succeed(next as PublicId)
        }),
      resolve: (ws, publicId) => Effect.sync(() => Option.fromNullishOr(publicIds.get(ws)?.get(publicId))),
      findByEmailId: (ws, messageId) => Effect.sync(() => Option.fromNullishOr(emailIds.get(ws)?.get(messageId))),
      query: (ws, query, visibility) =>
        Effect.suspend((): Effect.Effect<TicketQuery.TicketPage, InvalidCursor | Unsupported> => {
          const unsupported = StoreCapabilities.checkQuery(capabilities, query)
          if (unsupported !== undefined) return Effect.fail(unsupported)
          const summaries: Array<TicketQuery.TicketSummary> = []
          const documents = new Map<string, string>()
          for (const { state, slaDueAt } of streams.values()) {
            if (state === undefined || state.workspaceId !== ws) continue
            const summary = TicketQuery.summarize(state)
            summaries.push(slaDueAt === undefined ? summary : { ...summary, slaDueAt })
            if (query.search !== undefined) documents.set(state.id, TicketQuery.searchDocument(state, query.searchIn))
          }
          return TicketQuery.run(query, summaries, documents, visibility)
        })
    })

    const timerPort = Timers.of({
      schedule: (timer) => Effect.sync(() => schedule(timer)),
      claimDue: (workspaceId, now, limit, leaseMillis) =>
        Effect.sync(() =>
          claim(
            timers.values(),
            (t) => t.workspaceId === workspaceId && millis(t.dueAt) <= millis(now),
            (t) => millis(t.dueAt),
            millis(now),
            limit,
            leaseMillis
          ).map((p) => p.value)
        ),
      complete: (id) => Effect.sync(() => void timers.delete(id))
    })

    const outboxPort = Outbox.of({
      claim: (channel, now, limit, leaseMillis) =>
        Effect.sync(() =>
          claim(
            [...outbox.values()].filter((p) => p.deadAt === undefined),
            (m) => m.channel === channel,
            (m) => millis(m.createdAt),
            millis(now),
            limit,
            leaseMillis
          ).map((p): ClaimedMessage => {
            const { lastError } = p as OutboxEntry
            return { ...p.value, attempts: p.attempts, ...(lastError === undefined ? {} : { lastError }) }
          })
        ),
      complete: (id) => Effect.sync(() => void outbox.delete(id)),
      retry: (id, retryAt, error) =>
        Effect.sync(() => {
          const pending = outbox.get(id)
          if (pending === undefined || pending.deadAt !== undefined) return
          pending.attempts++
          pending.availableAt = millis(retryAt)
          if (error !== undefined) pending.lastError = error
        }),
      deadLetter: (id, now, error) =>
        Effect.sync(() => {
          const pending = outbox.get(id)
          if (pending === undefined || pending.deadAt !== undefined) return
          pending.attempts++
          pending.lastError = error
          pending.deadAt = millis(now)
        }),
      deadLetters: (workspaceId, limit) =>
        Effect.sync(() =>
          [...outbox.values()]
            .flatMap((p) =>
              p.deadAt === undefined || p.value.workspaceId !== workspaceId
                ? []
                : [
                    {
                      ...p.value,
                      attempts: p.attempts,
                      lastError: p.lastError ?? "",
                      deadAt: DateTime.makeUnsafe(p.deadAt)
                    }
                  ]
            )
            .sort((a, b) => millis(a.deadAt) - millis(b.deadAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, Math.max(0, limit))
        ),
      requeue: (id) =>
        Effect.sync(() => {
          const pending = outbox.get(id)
          if (pending === undefined || pending.deadAt === undefined) return false
          delete pending.deadAt
          pending.attempts = 0
          pending.availableAt = 0
          return true
        })
    })

    return { tickets, timers: timerPort, outbox: outboxPort }
  })

/**
 * Builds the in-memory ticket store alone (its timers and outbox are then out of reach).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<TicketStore.TicketStore["Service"]> =>
  Effect.map(makeStore(options), (store) => store.tickets)

/**
 * The in-memory store as a layer: `TicketStore`, with the `Timers` and `Outbox` it writes to.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<TicketStore.Services> =>
  TicketStore.layerOf(makeStore(options))
