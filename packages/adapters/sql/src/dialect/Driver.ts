/**
 * How a dialect opens its client: the `Driver` of each database (`sqliteConnection.ts`,
 * `postgresConnection.ts`, `mysqlConnection.ts`), kept apart from the dialect records so that a
 * record never loads a driver package.
 */
import type { Duration, Effect } from "effect"
import type { Kysely } from "kysely"
import type { Database } from "../Database.js"
import type { ConnectionFailed, InvalidOption, PackageNotInstalled } from "../internal/OpenErrors.js"

/**
 * Options a driver is opened with (see `Connection.OpenOptions`).
 *
 * @category models
 * @since 0.1.0
 */
export interface DriverOptions {
  /** Connections in the pool, for client-server databases (the driver's default when absent). */
  readonly connections?: number
  /** How long one statement may run before the server cancels it (see `Connection.OpenOptions`). */
  readonly statementTimeout?: Duration.Input
}

/**
 * An open kysely client and what closes it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Opened {
  readonly db: Kysely<Database>
  readonly close: Effect.Effect<void>
}

/**
 * Opens clients for one dialect: `Connection.open` parses the URL and hands the driver its
 * `location` (a SQLite path, a connection string). `url` (password masked) names the database in
 * errors. The driver package is loaded only here, when such a URL is opened; when it is not
 * installed, opening fails with `PackageNotInstalled`.
 *
 * @category models
 * @since 0.1.0
 */
export type Driver = (
  url: string,
  location: string,
  options: DriverOptions
) => Effect.Effect<Opened, ConnectionFailed | InvalidOption | PackageNotInstalled>
