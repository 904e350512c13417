/**
 * A `TicketStore` adapter written from the port and the conformance suite alone, on the small
 * key-value database of `KeyValue`: streams under `stream/`, each workspace's tickets (the index
 * queries read) under `ticket/<workspace>/`, the feed of every event by position under `feed/`,
 * public numbers, the email ids recorded, timers and outbox messages in buckets of their own, and every append one
 * transaction. It declares no search and batches of
 * at most 25 streams, so the suite holds it to refusing the rest with `Unsupported`.
 * docs/adapters.md walks through it region by region.
 */
import {
  EventFeed,
  EventStore,
  type Ids,
  Limits,
  StoreCapabilities,
  StoreError,
  Ticket,
  TicketEvent,
  TicketQuery,
  TicketStore,
  type Visibility
} from "@tessera/core"
import { DateTime, Effect, type Layer, Option, Schema } from "effect"
import * as KeyValue from "./KeyValue.js"
import * as Queues from "./KeyValueQueues.js"

// #region capabilities
/**
 * What this adapter declares: nothing survives the process, one process only, no search, and at
 * most 25 streams per batch (as DynamoDB's transactions take 25 items).
 *
 * @category models
 * @since 0.1.0
 */
export const capabilities: TicketStore.StoreCapabilities = {
  durable: false,
  multiProcess: false,
  search: "none",
  maxBatch: 25
}
// #endregion

/** A stream as stored: its events as the codec encodes them, and its workspace once opened. */
interface StreamRecord {
  readonly events: ReadonlyArray<string>
  readonly workspaceId: string | null
}

/**
 * A ticket in its workspace's index: its snapshot (`Ticket` encoded), its SLA due time, and the
 * help desk's SLA fold with the version it was written at (`AppendEffects.sla`).
 */
interface TicketRecord {
  readonly state: unknown
  readonly slaDueAt: number | null
  readonly sla: TicketStore.StoredSla | null
}

/** An event in the feed, under its position: its stream, version and workspace, and the event encoded. */
interface FeedRecord {
  readonly ticketId: string
  readonly version: number
  readonly workspaceId: string | null
  readonly event: string
}

const encodeEvent = Schema.encodeSync(TicketEvent.TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEvent.TicketEventJson)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
const millis = DateTime.toEpochMillis

/** A key of the database: a bucket and a name, each part escaped so that no id can add a `/`. */
const key = KeyValue.key

/** An expected refusal raised inside a transaction, so that nothing of it is applied. */
class Refused {
  constructor(readonly error: TicketStore.AppendError) {}
}

// #region run
/** Runs one operation on the database: its failure is the retryable `StoreUnavailable`, cause kept. */
const run = <A>(operation: string, query: () => Promise<A>): Effect.Effect<A, StoreError.StoreUnavailable> =>
  Effect.tryPromise({
    try: query,
    catch: (cause) => new StoreError.StoreUnavailable({ operation, reason: String(cause), cause })
  })

/** Runs a write that may be refused: a refusal thrown in its transaction becomes the port's error. */
const runWrite = <A>(operation: string, query: () => Promise<A>): Effect.Effect<A, TicketStore.AppendError> =>
  Effect.tryPromise({
    try: query,
    catch: (cause) =>
      cause instanceof Refused
        ? cause.error
        : new StoreError.StoreUnavailable({ operation, reason: String(cause), cause })
  })
// #endregion

/**
 * Builds the store on an empty database: the ticket store and the timers and outbox its appends
 * write to.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  db: KeyValue.KeyValue = KeyValue.make(),
  options: { readonly firstPublicId?: number } = {}
): Effect.Effect<TicketStore.Adapter> =>
  Effect.sync(() => {
    const first = options.firstPublicId ?? 1
    // The timers and the outbox, which appends write to in their transaction.
    const { schedule, pending, timers, outbox } = Queues.make(db, run)

    const streamOf = (tx: KeyValue.Transaction, ticketId: string): StreamRecord => {
      const stored = tx.get(key("stream", ticketId))
      return stored === undefined ? { events: [], workspaceId: null } : JSON.parse(stored)
    }
    const recordOf = (tx: KeyValue.Transaction, stream: StreamRecord, ticketId: string): TicketRecord | undefined => {
      const stored = stream.workspaceId === null ? undefined : tx.get(key("ticket", stream.workspaceId, ticketId))
      return stored === undefined ? undefined : (JSON.parse(stored) as TicketRecord)
    }
    const stateOf = (tx: KeyValue.Transaction, stream: StreamRecord, ticketId: string): Ticket.State => {
      const record = recordOf(tx, stream, ticketId)
      return record === undefined ? undefined : decodeTicket(record.state)
    }

    // #region read-load
    const read = (ticketId: Ids.TicketId) =>
      run("read", () =>
        db.transact((tx) => {
          const events = streamOf(tx, ticketId).events.map((e) => decodeEvent(e))
          return { events, version: events.length }
        })
      )

    // The snapshot the index keeps is the fold of the events: no replay per command. The SLA fold
    // the help desk wrote beside it comes back as it was given, with its version.
    const load = (ticketId: Ids.TicketId) =>
      run("load", () =>
        db.transact((tx) => {
          const stream = streamOf(tx, ticketId)
          const record = recordOf(tx, stream, ticketId)
          const state = record === undefined ? undefined : decodeTicket(record.state)
          const version = stream.events.length
          const sla = record?.sla ?? undefined
          return sla === undefined ? { state, version } : { state, version, sla }
        })
      )
    // Several streams: one by one is fine for a store in memory; a database reads them together.
    const loadMany = (ticketIds: ReadonlyArray<Ids.TicketId>) => Effect.forEach(ticketIds, load)
    // The help desk checks a state it remembers this way: nothing is decoded while it is current.
    const loadIfChanged = (ticketId: Ids.TicketId, version: number) =>
      Effect.flatMap(
        run("load", () => db.transact((tx) => streamOf(tx, ticketId).events.length)),
        (current) => (current === version ? Effect.succeed(undefined) : load(ticketId))
      )
    // #endregion

    // #region append
    /**
     * Checks one stream's request inside a transaction, in the order the port states: its version
     * (`VersionConflict`), then the public number an opening claims (`PublicIdTaken`), then the
     * per-ticket limits (`LimitExceeded`); the email ids come last (`checkEmailIds`). Returns the
     * state the events lead to.
     */
    const check = (tx: KeyValue.Transaction, request: TicketStore.AppendRequest) => {
      const stream = streamOf(tx, request.ticketId)
      const actual = stream.events.length
      if (actual !== request.expectedVersion) {
        throw new Refused(
          new StoreError.VersionConflict({ ticketId: request.ticketId, expected: request.expectedVersion, actual })
        )
      }
      for (const event of request.events) {
        if (event._tag === "TicketOpened" && tx.get(key("number", event.workspaceId, String(event.publicId)))) {
          throw new Refused(new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId }))
        }
      }
      return { stream, prior: stateOf(tx, stream, request.ticketId) }
    }

    /** Writes a checked request: events, the index's snapshot, numbers and the append's effects. */
    const write = (tx: KeyValue.Transaction, request: TicketStore.AppendRequest, checked: ReturnType<typeof check>) => {
      const { ticketId, events, effects = {} } = request
      // What is kept is what the codec gives back: an event that does not round-trip fails here.
      const encoded = events.map((e) => encodeEvent(e))
      const next = Ticket.fold(
        encoded.map((e) => decodeEvent(e)),
        checked.prior
      )
      const workspaceId = next?.workspaceId ?? checked.stream.workspaceId
      if (events.length > 0) {
        tx.put(key("stream", ticketId), JSON.stringify({ events: [...checked.stream.events, ...encoded], workspaceId }))
      }
      for (const event of events) {
        if (event._tag === "TicketOpened") tx.put(key("number", event.workspaceId, String(event.publicId)), ticketId)
      }
      feed(tx, ticketId, checked.stream.events.length, encoded, next?.workspaceId ?? null)
      const version = checked.stream.events.length + events.length
      if (next !== undefined && (events.length > 0 || effects.slaDueAt !== undefined || effects.sla !== undefined)) {
        const index = key("ticket", next.workspaceId, ticketId)
        const stored = tx.get(index)
        const previous = stored === undefined ? undefined : (JSON.parse(stored) as TicketRecord)
        const slaDueAt =
          effects.slaDueAt === undefined
            ? (previous?.slaDueAt ?? null)
            : effects.slaDueAt === null
              ? null
              : millis(effects.slaDueAt)
        const sla = effects.sla === undefined ? (previous?.sla ?? null) : { value: effects.sla, version }
        tx.put(index, JSON.stringify({ state: encodeTicket(next), slaDueAt, sla } satisfies TicketRecord))
      }
      // The effects, in the same transaction: they exist exactly when the events do.
      for (const timer of effects.timers ?? []) schedule(tx, timer)
      for (const message of effects.outbox ?? []) {
        if (tx.get(key("outbox-channel", message.id)) !== undefined) continue
        tx.put(key("outbox-channel", message.id), message.channel)
        tx.put(
          key("outbox", message.channel, message.id),
          pending({ ...message, createdAt: millis(message.createdAt) })
        )
      }
      return version
    }

    const append = (
      ticketId: Ids.TicketId,
      expectedVersion: number,
      events: ReadonlyArray<TicketEvent.TicketEvent>,
      effects?: TicketStore.AppendEffects
    ) => {
      const request = { ticketId, expectedVersion, events, ...(effects === undefined ? {} : { effects }) }
      const tooLarge = Limits.checkWrite([request], "append")
      if (tooLarge !== undefined) return Effect.fail(tooLarge)
      return runWrite("append", () =>
        db.transact((tx) => {
          const checked = check(tx, request)
          const exceeded = beyondLimits(checked.prior, request, "append")
          if (exceeded !== undefined) throw new Refused(exceeded)
          checkEmailIds(tx, [recordedBy(request, checked)])
          return write(tx, request, checked)
        })
      )
    }
    // #endregion

    const beyondLimits = (prior: Ticket.State, request: TicketStore.AppendRequest, operation: string) =>
      Limits.checkTicket(Limits.sizeOf(prior), Limits.sizeOf(Ticket.fold(request.events, prior)), operation)

    // #region email-ids
    /** The email ids the checked requests record as new messages (`EventStore.recordedEmailIds`). */
    const recordedBy = (request: TicketStore.AppendRequest, checked: ReturnType<typeof check>) => {
      const opening = request.events.find((e) => e._tag === "TicketOpened")
      return {
        ticketId: request.ticketId,
        workspaceId: checked.prior?.workspaceId ?? (opening?._tag === "TicketOpened" ? opening.workspaceId : ""),
        messageIds: EventStore.recordedEmailIds(checked.prior, request.events)
      }
    }

    /**
     * Refuses requests that record an email id twice, or one their workspace holds
     * (`EmailMessageRecorded`): checked last, in the same transaction as the writes, so two
     * appends of the same mail make one message.
     */
    const checkEmailIds = (tx: KeyValue.Transaction, recorded: ReadonlyArray<ReturnType<typeof recordedBy>>) => {
      const repeated = EventStore.repeatedEmailId(recorded)
      if (repeated !== undefined) throw new Refused(repeated)
      for (const { workspaceId, messageIds } of recorded) {
        for (const messageId of messageIds) {
          const holder = tx.get(key("email", workspaceId, messageId))
          if (holder !== undefined) {
            throw new Refused(new StoreError.EmailMessageRecorded({ workspaceId, messageId, ticketId: holder }))
          }
        }
      }
      for (const { ticketId, workspaceId, messageIds } of recorded) {
        for (const messageId of messageIds) tx.put(key("email", workspaceId, messageId), ticketId)
      }
    }

    const findByEmailId = (workspaceId: Ids.WorkspaceId, messageId: string) =>
      run("findByEmailId", () =>
        db.transact((tx) => Option.fromNullishOr(tx.get(key("email", workspaceId, messageId)) as Ids.TicketId))
      )
    // #endregion

    // #region append-all
    const appendAll = (
      batch: ReadonlyArray<TicketStore.AppendRequest>
    ): Effect.Effect<ReadonlyArray<number>, TicketStore.AppendError> => {
      // Refusals that need no read come first: too many streams for the port, then for this store.
      const tooLarge = Limits.checkWrite(batch, "appendAll") ?? StoreCapabilities.checkBatch(capabilities, batch.length)
      if (tooLarge !== undefined) return Effect.fail(tooLarge)
      // A stream named twice is the caller's bug: a defect, never a retryable failure.
      const repeated = EventStore.repeatedStream(batch)
      if (repeated !== undefined) return Effect.die(EventStore.duplicateInBatch(repeated))
      return runWrite("appendAll", () =>
        db.transact((tx) => {
          // Every check before any write, in batch order; two openings may not claim one number.
          const claimed = new Set<string>()
          const checked = batch.map((request) => {
            const result = check(tx, request)
            for (const event of request.events) {
              if (event._tag !== "TicketOpened") continue
              const number = key(event.workspaceId, String(event.publicId))
              if (claimed.has(number)) {
                throw new Refused(
                  new StoreError.PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId })
                )
              }
              claimed.add(number)
            }
            return result
          })
          batch.forEach((request, i) => {
            const exceeded = beyondLimits(checked[i]?.prior, request, "appendAll")
            if (exceeded !== undefined) throw new Refused(exceeded)
          })
          checkEmailIds(
            tx,
            batch.map((request, i) => recordedBy(request, checked[i] as ReturnType<typeof check>))
          )
          return batch.map((request, i) => write(tx, request, checked[i] as ReturnType<typeof check>))
        })
      )
    }
    // #endregion

    // #region feed
    // Transactions never interleave, so positions taken from one counter inside them follow the
    // order of commits, with no gaps: a refused append throws, and its counter is never written.
    const feed = (
      tx: KeyValue.Transaction,
      ticketId: string,
      from: number,
      encoded: ReadonlyArray<string>,
      workspaceId: string | null
    ) => {
      const last = Number(tx.get(key("feed-position")) ?? 0)
      encoded.forEach((event, i) => {
        const position = last + i + 1
        const record: FeedRecord = { ticketId, version: from + i + 1, workspaceId, event }
        tx.put(key("feed", String(position)), JSON.stringify(record))
        if (workspaceId !== null) tx.put(key("feed-of", workspaceId, String(position)), String(position))
      })
      tx.put(key("feed-position"), String(last + encoded.length))
    }

    const readAll = (after: number, limit: number, options: TicketStore.ReadAllOptions = {}) => {
      // Out of range is the caller's bug, as the port says: a defect.
      const invalid = EventFeed.invalidRange(after, limit)
      if (invalid !== undefined) return Effect.die(invalid)
      const { workspaceId } = options
      return run("readAll", () =>
        db.transact((tx) => {
          const positions: Array<number> = []
          if (workspaceId === undefined) {
            for (let p = after + 1; positions.length < limit && tx.get(key("feed", String(p))) !== undefined; p++) {
              positions.push(p)
            }
          } else {
            // A workspace's positions, in the order they were written: commit order.
            for (const [, p] of tx.scan(key("feed-of", workspaceId))) {
              if (positions.length === limit) break
              if (Number(p) > after) positions.push(Number(p))
            }
          }
          return positions.map((position): TicketStore.CommittedEvent => {
            const record = JSON.parse(tx.get(key("feed", String(position))) as string) as FeedRecord
            return {
              position,
              workspaceId: (record.workspaceId ?? undefined) as Ids.WorkspaceId | undefined,
              ticketId: record.ticketId as Ids.TicketId,
              version: record.version,
              event: decodeEvent(record.event)
            }
          })
        })
      )
    }
    // #endregion

    // #region public-numbers
    const nextPublicId = (workspaceId: Ids.WorkspaceId) =>
      Effect.flatMap(
        run("nextPublicId", () =>
          db.transact((tx) => {
            const last = Number(tx.get(key("sequence", workspaceId)) ?? first - 1)
            let next = Math.max(last, first - 1) + 1
            // Skip numbers a ticket holds (chosen by hand): never hand out one already used.
            while (tx.get(key("number", workspaceId, String(next))) !== undefined) next++
            if (next <= Limits.publicIdMax) tx.put(key("sequence", workspaceId), String(next))
            return next
          })
        ),
        (next) => {
          const exceeded = Limits.check("publicIdMax", next, "nextPublicId")
          return exceeded === undefined ? Effect.succeed(next as Ids.PublicId) : Effect.fail(exceeded)
        }
      )

    const resolve = (workspaceId: Ids.WorkspaceId, publicId: Ids.PublicId) =>
      run("resolve", () =>
        db.transact((tx) => Option.fromNullishOr(tx.get(key("number", workspaceId, String(publicId))) as Ids.TicketId))
      )
    // #endregion

    // #region query
    const query = (
      workspaceId: Ids.WorkspaceId,
      ticketQuery: TicketQuery.TicketQuery,
      visibility?: Visibility.Visibility
    ) => {
      // No search here: a query with one is refused as the capabilities say, never half answered.
      const unsupported = StoreCapabilities.checkQuery(capabilities, ticketQuery)
      if (unsupported !== undefined) return Effect.fail(unsupported)
      return Effect.flatMap(
        run("query", () => db.scan(key("ticket", workspaceId))),
        (entries) => {
          const summaries = entries.map(([, stored]) => {
            const record = JSON.parse(stored) as TicketRecord
            const summary = TicketQuery.summarize(decodeTicket(record.state))
            return record.slaDueAt === null ? summary : { ...summary, slaDueAt: DateTime.makeUnsafe(record.slaDueAt) }
          })
          // The port's definition of a page, order and cursor, over this workspace's tickets.
          // Who may see what (`Visibility.allows`) is applied with the filters, before paging.
          return TicketQuery.run(ticketQuery, summaries, new Map(), visibility)
        }
      )
    }
    // #endregion

    const tickets = TicketStore.TicketStore.of({
      capabilities,
      read,
      load,
      loadMany,
      loadIfChanged,
      append,
      appendAll,
      readAll,
      nextPublicId,
      resolve,
      query,
      findByEmailId
    })

    return { tickets, timers, outbox }
  })

// #region layer
/**
 * The store as a layer: the ticket store, and the timers and outbox of the same database.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: { readonly firstPublicId?: number } = {}): Layer.Layer<TicketStore.Services> =>
  TicketStore.layerOf(make(KeyValue.make(), options))
// #endregion
