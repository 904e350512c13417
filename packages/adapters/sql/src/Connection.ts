/**
 * Opens a kysely client from a URL: `sqlite:<path>` (better-sqlite3, WAL, the embedded default)
 * or `postgres://...` (a pg pool). It configures the connection the way the stores expect (WAL
 * and a busy timeout on SQLite, int8 read back as numbers on PostgreSQL) and leaves migrations
 * and stores to their own modules. The drivers are optional peers, so each is loaded only when
 * its URL is opened.
 */
import { Effect, Result, Schema } from "effect"
import { Kysely, PostgresDialect, SqliteDialect } from "kysely"
import type { Database, Dialect } from "./Database.js"

/**
 * The URL names no database this package can open.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  url: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Cannot open ${this.url}: ${this.reason}`
  }
}

/**
 * The database could not be opened or reached (missing directory, refused connection, bad password).
 *
 * @category errors
 * @since 0.1.0
 */
export class ConnectionFailed extends Schema.TaggedError<ConnectionFailed>()("ConnectionFailed", {
  url: Schema.String,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Cannot connect to ${this.url}: ${this.reason}`
  }
}

/**
 * Where a URL points: a SQLite file (or `:memory:`) or a PostgreSQL server.
 *
 * @category models
 * @since 0.1.0
 */
export type Target =
  | { readonly dialect: "sqlite"; readonly path: string }
  | { readonly dialect: "postgres"; readonly connectionString: string }

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
  if (!/^postgres(ql)?:\/\//i.test(url)) return url
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
 * Reads a URL: `sqlite:<path>` (also `sqlite://<path>`, `sqlite::memory:`) or
 * `postgres://` / `postgresql://`.
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
  return Result.fail(
    new InvalidUrl({
      url: redact(url),
      reason: "expected sqlite:<path> or postgres://user@host:port/database"
    })
  )
}

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/** int8 (`bigint` columns: epoch milliseconds, positions) as numbers, not strings. */
const INT8 = 20

const openSqlite = (url: string, path: string): Effect.Effect<Connection, ConnectionFailed> =>
  Effect.tryPromise({
    try: async () => {
      const { default: SqliteDatabase } = await import("better-sqlite3")
      const database = new SqliteDatabase(path)
      try {
        // WAL and a busy timeout: several processes may share the file (writes take turns).
        database.pragma("journal_mode = WAL")
        database.pragma("synchronous = NORMAL")
        database.pragma("busy_timeout = 5000")
      } catch (cause) {
        database.close()
        throw cause
      }
      return database
    },
    catch: (cause) => new ConnectionFailed({ url, reason: reasonOf(cause), cause })
  }).pipe(
    Effect.map((database) => {
      const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
      return {
        db,
        dialect: "sqlite" as const,
        close: Effect.promise(() => db.destroy())
      }
    })
  )

/**
 * Options of `open`.
 *
 * @category models
 * @since 0.1.0
 */
export interface OpenOptions {
  /** PostgreSQL: connections in the pool (pg's default, 10, when absent). */
  readonly connections?: number
}

const openPostgres = (
  url: string,
  connectionString: string,
  options: OpenOptions
): Effect.Effect<Connection, ConnectionFailed> =>
  Effect.tryPromise({
    try: async () => {
      const { default: pg } = await import("pg")
      const pool = new pg.Pool({
        connectionString,
        ...(options.connections === undefined ? {} : { max: options.connections }),
        types: {
          getTypeParser: ((oid: number, format?: "text" | "binary") =>
            oid === INT8 && format !== "binary"
              ? (value: string) => Number(value)
              : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser
        }
      })
      // Fail here, with a clear reason, rather than at the first query.
      try {
        await pool.query("select 1")
      } catch (cause) {
        await pool.end().catch(() => undefined)
        throw cause
      }
      return pool
    },
    catch: (cause) => new ConnectionFailed({ url, reason: reasonOf(cause), cause })
  }).pipe(
    Effect.map((pool) => {
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
      return { db, dialect: "postgres" as const, close: Effect.promise(() => db.destroy()) }
    })
  )

/**
 * Opens a client for the URL; the caller closes it (`connection.close`), or uses `scoped`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const open = (
  url: string,
  options: OpenOptions = {}
): Effect.Effect<Connection, InvalidUrl | ConnectionFailed> =>
  Effect.flatMap(Effect.fromResult(parse(url)), (target) =>
    target.dialect === "sqlite"
      ? openSqlite(url, target.path)
      : openPostgres(redact(url), target.connectionString, options)
  )

/**
 * Opens a client for the URL, closed when the scope closes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scoped = (url: string, options: OpenOptions = {}) =>
  Effect.acquireRelease(open(url, options), (connection) => connection.close)
