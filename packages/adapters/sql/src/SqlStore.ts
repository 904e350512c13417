/**
 * Everything a help desk stores, on one SQL database, as layers: `layer` on the user's kysely
 * client (migrated first, never closed here) and `layerUrl`, which opens the client from a URL
 * (`sqlite:helpdesk.db`, `sqlite::memory:`, `postgres://...`, `mysql://...`) and closes it with
 * the layer. Switching the embedded default to PostgreSQL or MariaDB/MySQL is changing that one URL.
 */
import { DirectoryStore, Outbox, type StoreError, TicketStore, Timers } from "@tessera/core"
import { Context, type Duration, Effect, Layer } from "effect"
import type { Kysely } from "kysely"
import * as Connection from "./Connection.js"
import type { Database, Dialect } from "./Database.js"
import { type MigrationFailed, migrate } from "./Migrations.js"
import * as SqlDirectoryStore from "./SqlDirectoryStore.js"
import * as SqlTicketStore from "./SqlTicketStore.js"

/**
 * Options of `layer`: the user's client and its dialect; `migrate` (default `true`) brings the
 * schema up to date first.
 *
 * A PostgreSQL client you build is yours to configure, and `layerUrl` does the following for its
 * own: give the `pg.Pool` an `error` listener, and each client one as it connects
 * (`pool.on("connect", (c) => c.on("error", ...))`), or a connection the server ends (a
 * terminated backend, a restart) ends your process; and bound statements with
 * `statement_timeout` in the pool's config. On such a client an interrupted query stops waiting
 * for its statement, but the statement is not cancelled on the server.
 *
 * A MariaDB/MySQL client (a mysql2 pool) works as it is; `layerUrl` also sets on each connection
 * READ COMMITTED (under REPEATABLE READ, appends opening different tickets may deadlock on an
 * index gap, and are retried), a strict `sql_mode` without `NO_BACKSLASH_ESCAPES`, a
 * `group_concat_max_len` as large as `max_allowed_packet` (shorter, a long conversation's
 * snapshot is read from its events instead) and the statement bound, and refuses a statement
 * past `max_allowed_packet` as `ValueTooLarge` before sending it (on your pool the server resets
 * the connection: `StoreUnavailable`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly migrate?: boolean
  /** The first public number of each workspace (default 1). */
  readonly firstPublicId?: number
}

/**
 * Options of `layerUrl`.
 *
 * @category models
 * @since 0.1.0
 */
export interface UrlOptions {
  /**
   * `sqlite:<path>`, `sqlite::memory:`, `postgres://user@host:port/database` or
   * `mysql://user@host:port/database` (also `mariadb://`).
   */
  readonly url: string
  /** The first public number of each workspace (default 1). */
  readonly firstPublicId?: number
  /** PostgreSQL and MySQL: connections in the pool (the driver's default, 10, when absent). */
  readonly connections?: number
  /**
   * PostgreSQL and MySQL: how long one statement may run before the server stops it (default 30
   * seconds, `Connection.defaultStatementTimeout`; `0` for no bound). The operation then fails
   * with `StoreUnavailable` ("statement timeout: ..."). PostgreSQL: a `statement_timeout` in the
   * URL's `options` is kept when this is absent. MariaDB: `max_statement_time`; MySQL:
   * `max_execution_time` (reads only); on both, row lock waits are bounded as long. A negative
   * value, or one that is no duration, fails the layer with `Connection.InvalidOption`.
   */
  readonly statementTimeout?: Duration.Input
  /** Run the migrations first (default `true`). */
  readonly migrate?: boolean
}

/**
 * What a store layer provides: the ticket store with its timers and outbox.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = TicketStore.TicketStore | Timers.Timers | Outbox.Outbox

/**
 * The ticket store, its timers and outbox on the user's client, after the migrations.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<Services, MigrationFailed | StoreError.StoreUnavailable> =>
  Layer.effectContext(
    Effect.gen(function* () {
      if (options.migrate ?? true) yield* migrate(options.db, options.dialect)
      return yield* storeContext(options)
    })
  )

const storeContext = (options: Options) =>
  Effect.map(
    SqlTicketStore.make({
      db: options.db,
      dialect: options.dialect,
      ...(options.firstPublicId === undefined ? {} : { firstPublicId: options.firstPublicId })
    }),
    (store) =>
      Context.make(TicketStore.TicketStore, store.tickets).pipe(
        Context.add(Timers.Timers, store.timers),
        Context.add(Outbox.Outbox, store.outbox)
      )
  )

/**
 * Opens the database of a URL, migrates it, and provides the ticket store with its timers and
 * outbox and the directory store; the client is closed when the layer's scope closes.
 *
 * @example
 * const store = SqlStore.layerUrl({ url: "sqlite:helpdesk.db" })
 * // or: SqlStore.layerUrl({ url: process.env.DATABASE_URL })   // postgres://...
 *
 * @category layers
 * @since 0.1.0
 */
export const layerUrl = (
  options: UrlOptions
): Layer.Layer<
  Services | DirectoryStore.DirectoryStore,
  | MigrationFailed
  | StoreError.StoreUnavailable
  | Connection.InvalidUrl
  | Connection.InvalidOption
  | Connection.ConnectionFailed
  | Connection.PackageNotInstalled
> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const connection = yield* Effect.acquireRelease(
        Connection.open(options.url, {
          ...(options.connections === undefined ? {} : { connections: options.connections }),
          ...(options.statementTimeout === undefined ? {} : { statementTimeout: options.statementTimeout })
        }),
        (c) => c.close
      )
      if (options.migrate ?? true) yield* migrate(connection.db, connection.dialect)
      const stores = yield* storeContext({
        db: connection.db,
        dialect: connection.dialect,
        ...(options.firstPublicId === undefined ? {} : { firstPublicId: options.firstPublicId })
      })
      const directory = yield* SqlDirectoryStore.make({ db: connection.db, dialect: connection.dialect })
      return Context.add(stores, DirectoryStore.DirectoryStore, directory)
    })
  )
