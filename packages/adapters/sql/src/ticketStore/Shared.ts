/**
 * What the modules of the SQL ticket store share: the client and its dialect, key escaping for
 * PostgreSQL, the codecs, the caches of decoded snapshots and summaries, and how one operation
 * runs its statements (`run`, `transact`). Each module of `ticketStore/` takes a `Shared` and
 * builds its part of the port from it; `SqlTicketStore.make` builds one and composes them.
 */
import { type Limits, Lru, Message, type StoreError, Ticket, TicketEvent, TicketQuery } from "@tessera/core"
import { DateTime, Effect, Schema } from "effect"
import { type Expression, type ExpressionBuilder, type InsertType, type Kysely, type RawBuilder, sql } from "kysely"
import type { Database, Dialect, TicketsTable } from "../Database.js"
import { inChunks as inChunksOf } from "../internal/Chunks.js"
import * as DriverError from "../internal/DriverError.js"
import * as QueryScope from "../internal/QueryScope.js"
import { transact as writeTransaction } from "../internal/transact.js"

/** What an append may fail with. */
export type AppendError =
  | StoreError.VersionConflict
  | StoreError.PublicIdTaken
  | Limits.LimitExceeded
  | StoreError.StoreError

/** An expression builder on the tickets projection. */
export type Tickets = ExpressionBuilder<Database, "tickets">

/** A ticket's state (`undefined` for a stream that holds no ticket). */
export type State = Ticket.State

export const encodeEvent = Schema.encodeSync(TicketEvent.TicketEventJson)
export const decodeEvent = Schema.decodeUnknownSync(TicketEvent.TicketEventJson)
export const decodeEventResult = Schema.decodeUnknownResult(TicketEvent.TicketEventJson)
export const encodeTicket = Schema.encodeSync(Ticket.Ticket)
// States this store folds from events it has just checked are valid by construction: encoding
// them for the projection skips re-running every field's checks.
export const encodeFolded = { disableChecks: true } as const
export const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
export const decodeSummary = Schema.decodeUnknownSync(TicketQuery.TicketSummary)
export const encodeMessage = Schema.encodeSync(Message.Message)
export const millis = DateTime.toEpochMillis

/** Full-text rowids on SQLite: the texts of ticket `num` are `num * textSpan + n` (2^24 per ticket). */
export const textSpan = 16_777_216

/** A complete row to insert: every column given (null where empty), times as numbers. */
export type Row<T> = { readonly [K in keyof T]-?: Exclude<InsertType<T[K]>, undefined> }

/** A ticket's projection row (its `num` on SQLite comes from the insert). */
export type TicketRow = Row<Omit<TicketsTable, "num">>

/** An expected refusal raised inside a transaction, so that it rolls back. */
export class Refused {
  constructor(readonly error: AppendError) {}
}

/** A concurrent writer inserted the same (stream, version) first. */
export class RaceLost {
  readonly _tag = "RaceLost"
}

/** A bounded cache by ticket id (core's one cache): the least recently used entry goes first. */
export type Cache<V> = Lru.Lru<string, V>

/**
 * The client, its dialect and what every module of the store uses with them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shared {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly pg: boolean
  /** A value as stored in a text column (PostgreSQL: U+0000 escaped). */
  readonly key: (value: string) => string
  /** A stored text value as it was given (`key` undone). */
  readonly unkey: (value: string) => string
  /** Insertion order of timers and outbox rows, for ties (PostgreSQL: a bigserial; SQLite: rowid). */
  readonly seq: RawBuilder<number>
  /** A number to compare a bigint column with; a fraction must not be cast to bigint. */
  readonly numeric: (value: number) => Expression<number>
  /**
   * Decoded snapshots by ticket, valid for the version they were read at, with the projection
   * row this process wrote for it (if it did).
   */
  readonly states: Cache<{ readonly version: number; readonly state: State; readonly row?: TicketRow }>
  /** Decoded summaries by ticket, valid for the version and due time they were read at. */
  readonly summaries: Cache<{
    readonly version: number
    readonly sla: number | null
    readonly summary: TicketQuery.TicketSummary
  }>
  /** Turns a query into the thunk `Effect.tryPromise` runs in the calling fiber's signal. */
  readonly withSignal: <A>(query: () => Promise<A>) => (signal: AbortSignal) => Promise<A>
  /**
   * Runs one operation's statements. Interrupting the calling fiber cancels the statement
   * running on the server (PostgreSQL clients of `Connection.open`) and sends no further ones.
   */
  readonly run: <A>(
    operation: string,
    query: () => Promise<A>
  ) => Effect.Effect<A, StoreError.StoreUnavailable | StoreError.ValueTooLarge>
  /** Runs `body` in one write transaction (SQLite: `BEGIN IMMEDIATE`, see `transact.ts`). */
  readonly transact: <A>(body: (trx: Kysely<Database>) => Promise<A>) => Promise<A>
  /** Runs a multi-row write in slices within the dialect's bound parameters (see `Chunks`). */
  readonly inChunks: <A>(rows: ReadonlyArray<A>, write: (slice: Array<A>) => Promise<unknown>) => Promise<void>
}

/**
 * What the modules share, on the user's client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (db: Kysely<Database>, dialect: Dialect): Shared => {
  const pg = dialect === "postgres"
  // PostgreSQL text cannot hold U+0000: keys are escaped (injectively, so equality is kept)
  // rather than failing the statement. SQLite stores them as they are.
  const key = pg
    ? (value: string): string =>
        value.includes("\u0000") || value.includes("\u0001")
          ? value.replaceAll("\u0001", "\u0001\u0001").replaceAll("\u0000", "\u0001\u0002")
          : value
    : (value: string): string => value
  const unkey = pg
    ? (value: string): string => {
        if (!value.includes("\u0001")) return value
        let out = ""
        for (let i = 0; i < value.length; i++) {
          const c = value.charAt(i)
          if (c === "\u0001") {
            out += value.charAt(i + 1) === "\u0002" ? "\u0000" : "\u0001"
            i++
          } else out += c
        }
        return out
      }
    : (value: string): string => value
  const withSignal = QueryScope.of(db)
  return {
    db,
    dialect,
    pg,
    key,
    unkey,
    seq: sql<number>`${sql.ref(pg ? "seq" : "rowid")}`,
    numeric: (value: number): Expression<number> =>
      Number.isSafeInteger(value) || !pg ? sql<number>`${value}` : sql<number>`cast(${value} as double precision)`,
    // A version's state never changes, so a hit saves decoding JSON on every append and query.
    // With the state, the projection row this process wrote for it (if it did): an update then
    // sets only the columns that changed, and SQLite leaves the other columns' indexes alone.
    states: Lru.make(1_000),
    summaries: Lru.make(20_000),
    withSignal,
    run: (operation, query) =>
      Effect.tryPromise({ try: withSignal(query), catch: (cause) => DriverError.failure(operation, cause) }),
    transact: (body) => writeTransaction(db, dialect, body),
    inChunks: inChunksOf(dialect)
  }
}
