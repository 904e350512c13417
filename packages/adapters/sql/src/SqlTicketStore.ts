/**
 * The `TicketStore` port on SQL, with the `Timers` and `Outbox` its appends write to: one code
 * path for SQLite (better-sqlite3), PostgreSQL (pg) and MariaDB/MySQL (mysql2) on kysely, held to the in-memory store by
 * the conformance suite. An append is one transaction (events, the `tickets` projection with its
 * snapshot, tags, timers, outbox, email ids), and so is a batch of them (`appendAll`); queries
 * are built from `TicketQuery`'s sort keys with bound parameters only. Everything within `Limits`
 * is written (multi-row statements are cut to the databases' bound-parameter maxima, see
 * `Chunks`), and anything beyond is `LimitExceeded`, as in the memory store. Migrations and
 * opening clients are left to `Migrations` and `SqlStore`. The parts live in `ticketStore/`: reads
 * and snapshots, append plans and their statements, the feed, queries and search, public numbers,
 * timers and the outbox; this module composes them.
 */
import { StoreCapabilities, TicketStore } from "@tessera/core"
import { Effect, type Layer } from "effect"
import type { Kysely } from "kysely"
import type { Database, Dialect } from "./Database.js"
import * as Append from "./ticketStore/Append.js"
import * as AppendPlan from "./ticketStore/AppendPlan.js"
import * as EmailIds from "./ticketStore/EmailIds.js"
import * as Feed from "./ticketStore/Feed.js"
import * as SqlOutbox from "./ticketStore/Outbox.js"
import * as PublicIds from "./ticketStore/PublicIds.js"
import * as Query from "./ticketStore/Query.js"
import * as Reads from "./ticketStore/Reads.js"
import * as Search from "./ticketStore/Search.js"
import * as Shared from "./ticketStore/Shared.js"
import * as SqlTimers from "./ticketStore/Timers.js"
import * as Writes from "./ticketStore/Writes.js"

/**
 * What the store runs on: the user's kysely client (never closed here), its dialect, and the
 * first public number of each workspace (default 1, as in the memory store).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly firstPublicId?: number
  /**
   * How searches choose their plan (results are the same either way): a term with fewer than
   * `rare` matching texts (default 2,000 counted on SQLite, 10,000 estimated by PostgreSQL's
   * statistics) drives the query from the full-text index; when every
   * term is common, the first `window` tickets in the query's order (default 5,000) are checked
   * one by one before the matches are collected from the index instead.
   */
  readonly searchTuning?: { readonly rare?: number; readonly window?: number }
}

/**
 * The three ports one SQL store provides.
 *
 * @category models
 * @since 0.1.0
 */
export type SqlStore = TicketStore.Adapter

/**
 * Builds the store on a migrated database.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<SqlStore> =>
  Effect.sync(() => {
    const shared = Shared.make(options.db, options.dialect)
    const reads = Reads.make(shared)
    const capabilities = StoreCapabilities.full({ durable: true, multiProcess: true })
    const planner = AppendPlan.make(shared)
    const emailIds = EmailIds.make(shared)
    const { append, appendAll } = Append.make(shared, capabilities, reads, planner, Writes.make(shared), emailIds)
    const { nextPublicId, resolve } = PublicIds.make(shared, options.firstPublicId ?? 1)
    const { query } = Query.make(shared, Search.make(shared, options.searchTuning))
    const tickets = TicketStore.TicketStore.of({
      capabilities,
      read: reads.read,
      load: reads.load,
      loadMany: reads.loadMany,
      loadIfChanged: reads.loadIfChanged,
      append,
      appendAll,
      readAll: Feed.make(shared).readAll,
      nextPublicId,
      resolve,
      query,
      findByEmailId: emailIds.findByEmailId
    })
    return { tickets, timers: SqlTimers.make(shared), outbox: SqlOutbox.make(shared) }
  })

/**
 * The store as a layer on a migrated database: `TicketStore`, with the `Timers` and `Outbox`
 * it writes to. `SqlStore.layer` also runs the migrations.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<TicketStore.Services> => TicketStore.layerOf(make(options))
