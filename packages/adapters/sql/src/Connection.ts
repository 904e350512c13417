/**
 * Opens a kysely client from a URL: `sqlite:<path>` (better-sqlite3, WAL, the embedded default),
 * `postgres://...` (a pg pool) or `mysql://...` / `mariadb://...` (a mysql2 pool). It configures
 * the connection the way the stores expect (WAL and a busy timeout on SQLite, int8 read back as
 * numbers on PostgreSQL, utf8mb4 and strict mode on MySQL) and leaves migrations
 * and stores to their own modules. The drivers are optional peers, so each is loaded only when
 * its URL is opened. The clients it creates keep their statements: SQLite prepares each SQL
 * text once, and PostgreSQL runs repeated queries as named prepared statements; a Kysely the
 * user builds is left as it is.
 */

import type { Duration, Scope } from "effect"
import { Effect, Result } from "effect"
import type { Kysely } from "kysely"
import type { Database, Dialect } from "./Database.js"
import type { Driver } from "./dialect/Driver.js"
import * as MysqlConnection from "./dialect/mysqlConnection.js"
import * as PostgresConnection from "./dialect/postgresConnection.js"
import * as SqliteConnection from "./dialect/sqliteConnection.js"
import {
  type ConnectionFailed,
  type InvalidOption,
  InvalidUrl,
  type PackageNotInstalled
} from "./internal/OpenErrors.js"

export {
  ConnectionFailed,
  defaultStatementTimeout,
  InvalidOption,
  InvalidUrl,
  PackageNotInstalled
} from "./internal/OpenErrors.js"

/**
 * Where a URL points: a SQLite file (or `:memory:`), a PostgreSQL server or a MariaDB/MySQL server.
 *
 * @category models
 * @since 0.1.0
 */
export type Target =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres"; readonly connectionString: string }
  | { readonly dialect: "mysql"; readonly connectionString: string }

/**
 * An open client: the kysely instance, its dialect, and `close`, which releases what `open` opened.
 *
 * @category models
 * @since 0.1.0
 */
export interface Connection {
  readonly db: Kysely<Database>
  readonly dialect: Dialect
  readonly close: Effect.Effect<void>
}

/**
 * The URL with its password masked, for messages and logs.
 *
 * @category constructors
 * @since 0.1.0
 */
export const redact = (url: string): string => {
  // Only URLs with an authority (`scheme://user:password@host`) carry a password.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url
  try {
    const parsed = new URL(url)
    if (parsed.password === "") return url
    parsed.password = "***"
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@")
  }
}

/**
 * Reads a URL: `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`),
 * `postgres://` / `postgresql://`, or `mysql://` / `mariadb://`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parse = (url: string): Result.Result<Target, InvalidUrl> => {
  const sqlite = /^sqlite:(?:\/\/)?(.*)$/i.exec(url)
  if (sqlite !== null) {
    const path = sqlite[1] ?? ""
    return path === ""
      ? Result.fail(new InvalidUrl({ url, reason: "no file path after `sqlite:` (e.g. sqlite:helpdesk.db)" }))
      : Result.succeed({ dialect: "sqlite", path })
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return Result.succeed({ dialect: "postgres", connectionString: url })
  if (/^(mysql|mariadb):\/\//i.test(url)) return Result.succeed({ dialect: "mysql", connectionString: url })
  return Result.fail(
    new InvalidUrl({
      url: redact(url),
      reason: "expected sqlite:<path>, postgres://user@host:port/database or mysql://user@host:port/database"
    })
  )
}

/**
 * Options of `open`.
 *
 * @category models
 * @since 0.1.0
 */
export interface OpenOptions {
  /** PostgreSQL and MySQL: connections in the pool (the driver's default, 10, when absent). */
  readonly connections?: number
  /**
   * PostgreSQL and MySQL: how long one statement may run on the server before the server stops
   * it; default 30 seconds, `0` for no bound. PostgreSQL: `statement_timeout` (lock waits
   * included); absent, a `statement_timeout` in the URL's `options` is left as it is. MariaDB:
   * `max_statement_time`; MySQL: `max_execution_time` (reads only); on both, a row lock waits as
   * long at most (`innodb_lock_wait_timeout`, whole seconds). A statement stopped this way fails
   * the store's operation with `StoreUnavailable` ("statement timeout: ...").
   */
  readonly statementTimeout?: Duration.Input
}

/** The driver of each dialect (`dialect/*Connection.ts`), which loads its package when used. */
const drivers: Readonly<Record<Dialect, Driver>> = {
  sqlite: SqliteConnection.open,
  postgres: PostgresConnection.open,
  mysql: MysqlConnection.open
}

/**
 * Opens a client for the URL; the caller closes it (`connection.close`), or uses `scoped`. When the
 * driver package of the URL's database is not installed, it fails with `PackageNotInstalled`,
 * whose `install` says what to run (`npm i better-sqlite3`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const open = (
  url: string,
  options: OpenOptions = {}
): Effect.Effect<Connection, InvalidUrl | InvalidOption | ConnectionFailed | PackageNotInstalled> =>
  Effect.flatMap(Effect.fromResult(parse(url)), (target) =>
    Effect.map(
      drivers[target.dialect](redact(url), "path" in target ? target.path : target.connectionString, options),
      (opened): Connection => ({ db: opened.db, dialect: target.dialect, close: opened.close })
    )
  )

/**
 * Opens a client for the URL, closed when the scope closes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scoped = (
  url: string,
  options: OpenOptions = {}
): Effect.Effect<Connection, InvalidUrl | InvalidOption | ConnectionFailed | PackageNotInstalled, Scope.Scope> =>
  Effect.acquireRelease(open(url, options), (connection) => connection.close)
