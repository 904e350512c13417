/**
 * Opening SQLite for `Connection.open` (`sqlite:<path>`): better-sqlite3, loaded only when such
 * a URL is opened, in WAL mode with a busy timeout, and behind a cache of prepared statements so
 * that each SQL text is compiled once per connection.
 */
import { Lru } from "@tessera/core"
import type BetterSqlite3 from "better-sqlite3"
import { Effect, Schedule } from "effect"
import { Kysely, type SqliteDatabase, SqliteDialect } from "kysely"
import type { Database } from "../Database.js"
import * as DriverError from "../internal/DriverError.js"
import * as DriverPackage from "../internal/DriverPackage.js"
import type { Driver } from "./Driver.js"
import * as SqliteDirect from "./sqliteDirect.js"

/** SQLite: prepared statements kept per connection `open` creates (least recently used dropped first). */
const SQLITE_STATEMENTS = 256

/**
 * The database kysely's `SqliteDialect` sees: better-sqlite3 behind a statement cache. Kysely
 * calls `prepare` for every query, and compiling the SQL again each time costs more than running
 * a small query, so each SQL text is prepared once and its statement reused.
 */
const cachingStatements = (database: BetterSqlite3.Database): SqliteDatabase => {
  const statements = Lru.make<string, BetterSqlite3.Statement<Array<unknown>>>(SQLITE_STATEMENTS)
  return {
    close: () => {
      statements.clear()
      database.close()
    },
    prepare: (sql) => {
      const cached = statements.get(sql)
      if (cached !== undefined) {
        // A statement still being iterated (a `.stream()`) cannot run again until it is done:
        // better-sqlite3 refuses, so that query gets a statement of its own, not cached.
        if (cached.busy) return database.prepare(sql)
        return cached
      }
      const statement = database.prepare<Array<unknown>>(sql)
      statements.set(sql, statement)
      return statement
    }
  }
}

/** SQLite: how long a statement waits for another process's write lock before it fails. */
const SQLITE_BUSY_MILLIS = 5000

/**
 * WAL (several processes: reads side by side, writes take turns) and the busy timeout, which
 * goes first so that every later statement waits for a lock instead of failing. Switching a
 * fresh file to WAL reads its header and then writes it; when another process starting at the
 * same moment holds the lock in between, SQLite refuses at once without waiting (the busy
 * timeout never applies to an upgrade from a read), so that switch is tried again for as long
 * as the busy timeout would have waited.
 */
const configureSqlite = (database: BetterSqlite3.Database): Effect.Effect<void, unknown> => {
  const pragma = (statement: string) => Effect.try({ try: () => database.pragma(statement), catch: (cause) => cause })
  return Effect.gen(function* () {
    yield* pragma(`busy_timeout = ${SQLITE_BUSY_MILLIS}`)
    yield* pragma("journal_mode = WAL").pipe(
      Effect.retry({
        while: DriverError.isBusy,
        schedule: Schedule.spaced("10 millis").pipe(
          Schedule.jittered,
          Schedule.upTo({ duration: `${SQLITE_BUSY_MILLIS} millis` })
        )
      })
    )
    yield* pragma("synchronous = NORMAL")
  })
}

/**
 * Opens a SQLite file (created if missing; `:memory:` for a private in-memory database) with
 * better-sqlite3, configured and behind the statement cache.
 *
 * @category constructors
 * @since 0.1.0
 */
export const open: Driver = (url, path) =>
  Effect.gen(function* () {
    const database = yield* Effect.tryPromise({
      try: async () => {
        const { default: SqliteDatabase } = await DriverPackage.load(
          "better-sqlite3",
          url,
          () => import("better-sqlite3")
        )
        return new SqliteDatabase(path, { timeout: SQLITE_BUSY_MILLIS })
      },
      catch: (cause) => cause
    })
    yield* Effect.onError(configureSqlite(database), () => Effect.sync(() => database.close()))
    const cached = cachingStatements(database)
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) })
    SqliteDirect.register(db, {
      prepare: (sql) => cached.prepare(sql) as BetterSqlite3.Statement<Array<unknown>>,
      fresh: (sql) => database.prepare<Array<unknown>>(sql),
      inTransaction: () => database.inTransaction
    })
    return { db, close: Effect.promise(() => db.destroy()) }
  }).pipe(Effect.mapError(DriverPackage.failure(url)))
