/**
 * Everything a help desk stores, on one SQL database, as layers: `layer` on the user's kysely
 * client (migrated first, never closed here) and `layerUrl`, which opens the client from a URL
 * (`sqlite:helpdesk.db`, `sqlite::memory:`, `postgres://...`) and closes it with the layer.
 * Switching the embedded default to PostgreSQL is changing that one URL.
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
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://user@host:port/database`. */
  readonly url: string
  /** The first public number of each workspace (default 1). */
  readonly firstPublicId?: number
  /** PostgreSQL: connections in the pool (pg's default, 10, when absent). */
  readonly connections?: number
  /**
   * PostgreSQL: how long one statement may run before the server cancels it (default 30
   * seconds, `Connection.defaultStatementTimeout`; `0` for no bound). The operation then fails
   * with `StoreUnavailable` ("statement timeout: ..."). A `statement_timeout` in the URL's
   * `options` is kept when this is absent; a negative value, or one that is no duration, fails
   * the layer with `Connection.InvalidOption`.
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
