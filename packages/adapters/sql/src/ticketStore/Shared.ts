/**
 * What the modules of the SQL ticket store share: the client and its dialect's record (what the
 * database does its own way, `dialect/`), the codecs, the caches of decoded snapshots and summaries, and how one operation
 * runs its statements (`run`, `transact`). Each module of `ticketStore/` takes a `Shared` and
 * builds its part of the port from it; `SqlTicketStore.make` builds one and composes them.
 */
import { type Limits, Lru, type StoreError, Ticket, TicketEvent, type TicketQuery } from "@tessera/core"
import { DateTime, type Effect, Schema } from "effect"
import type { ExpressionBuilder, Kysely } from "kysely"
import type { Database, Dialect } from "../Database.js"
import type { SqlDialect, TicketRow } from "../dialect/Dialect.js"
import * as Dialects from "../dialect/index.js"
import { inChunks as inChunksOf } from "../internal/Chunks.js"
import * as DriverError from "../internal/DriverError.js"
import * as QueryScope from "../internal/QueryScope.js"
import * as StatementCache from "../internal/StatementCache.js"

/** What an append may fail with. */
export type AppendError =
  | StoreError.VersionConflict
  | StoreError.PublicIdTaken
  | StoreError.EmailMessageRecorded
  | Limits.LimitExceeded
  | StoreError.StoreError

/** An expression builder on the tickets projection. */
export type Tickets = ExpressionBuilder<Database, "tickets">

/** A ticket's state (`undefined` for a stream that holds no ticket). */
export type State = Ticket.State

// Events, snapshots and messages are written as `PlainJson` (what these schemas would encode).
export const decodeEventResult = Schema.decodeUnknownResult(TicketEvent.TicketEventJson)
export const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)
export const millis = DateTime.toEpochMillis

export type { Row, TicketRow } from "../dialect/Dialect.js"

/** An expected refusal raised inside a transaction, so that it rolls back. */
export class Refused {
  constructor(readonly error: AppendError) {}
}

/** A concurrent writer inserted the same (stream, version) first. */
export class RaceLost {
  readonly _tag = "RaceLost"
}

/** An email id the append records is held in its workspace (the table's key refused it). */
export class EmailIdHeld {
  readonly _tag = "EmailIdHeld"
  constructor(readonly cause: unknown) {}
}

/** Compiled statement shapes a store keeps (least recently used forgotten first). */
const STATEMENT_SHAPES = 512

/** A bounded cache by ticket id (core's one cache): the least recently used entry goes first. */
export type Cache<V> = Lru.Lru<string, V>

/**
 * The client, its dialect and what every module of the store uses with them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shared {
  /** What the database does its own way. */
  readonly dialect: SqlDialect
  /** A value as stored in a text column (`SqlDialect.key`). */
  readonly key: (value: string) => string
  /** A stored text value as it was given (`key` undone). */
  readonly unkey: (value: string) => string
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
  /**
   * Runs one operation's statements as `run` does, failing with `onFailure` of what they reject
   * with (for operations whose failures are not all the driver's).
   */
  readonly attempt: <A, E>(
    query: (db: Kysely<Database>) => Promise<A>,
    onFailure: (cause: unknown) => E
  ) => Effect.Effect<A, E>
  /**
   * Runs one operation's statements, on the client it is given: the store's own, or a
   * connection held for the operation (PostgreSQL and MariaDB/MySQL clients of
   * `Connection.open`), where interrupting the calling fiber sends no further statements but a
   * rollback, and on PostgreSQL cancels the one running on the server (`QueryScope`). There is
   * no other client to run them on.
   */
  readonly run: <A>(
    operation: string,
    query: (db: Kysely<Database>) => Promise<A>
  ) => Effect.Effect<A, StoreError.StoreUnavailable | StoreError.ValueTooLarge>
  /** Runs a multi-row write in slices within the dialect's bound parameters (see `Chunks`). */
  readonly inChunks: <A>(rows: ReadonlyArray<A>, write: (slice: Array<A>) => Promise<unknown>) => Promise<void>
  /** The hot statements (appends, loads), each shape compiled once (see `StatementCache`). */
  readonly statements: StatementCache.StatementCache
}

/**
 * What the modules share, on the user's client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (db: Kysely<Database>, name: Dialect): Shared => {
  const dialect = Dialects.of(name)
  const attempt = QueryScope.runner(db)
  return {
    dialect,
    key: dialect.key,
    unkey: dialect.unkey,
    // A version's state never changes, so a hit saves decoding JSON on every append and query.
    // With the state, the projection row this process wrote for it (if it did): an update then
    // sets only the columns that changed, and SQLite leaves the other columns' indexes alone.
    states: Lru.make(1_000),
    summaries: Lru.make(20_000),
    attempt,
    run: (operation, query) => attempt(query, (cause) => DriverError.failure(operation, cause)),
    inChunks: inChunksOf(dialect.parameterLimit, dialect.statementBytes),
    // A shape per statement, column set and row count that runs: a few hundred in practice.
    statements: StatementCache.make(STATEMENT_SHAPES, dialect.direct)
  }
}
