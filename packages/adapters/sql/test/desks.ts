/**
 * Help desks on a SQLite file for the tests that watch what the store sends (`StatementCounts`,
 * `LockReads`): each desk has a kysely client of its own on the file, as each of several processes
 * would, and the test sees that client's traffic through a recording wrapper of better-sqlite3
 * (every statement with the rows it gave back) and a kysely plugin counting the queries compiled.
 */
import { DirectoryStore, Helpdesk, IdGenerator, MemoryDirectoryStore, TicketStore, Timers } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, type Layer, type Scope } from "effect"
import { Kysely, type KyselyPlugin, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect } from "kysely"
import type { Database } from "../src/Database.js"
import * as Migrations from "../src/Migrations.js"

/** One statement and the rows it gave back (none for a statement that returns no rows). */
export interface Ran {
  readonly sql: string
  readonly rows: ReadonlyArray<Record<string, unknown>>
}

/** better-sqlite3 as kysely sees it, recording every statement with its rows in `log`. */
const recording = (file: string, log: Array<Ran>): KyselySqliteDatabase => {
  const database = new SqliteDatabase(file, { timeout: 5000 })
  return {
    close: () => database.close(),
    prepare: (sql) => {
      const statement = database.prepare<Array<unknown>>(sql)
      return {
        reader: statement.reader,
        all: (parameters) => {
          const rows = statement.all(...parameters) as Array<Record<string, unknown>>
          log.push({ sql, rows })
          return rows
        },
        run: (parameters) => {
          log.push({ sql, rows: [] })
          return statement.run(...parameters)
        },
        iterate: (parameters) => {
          log.push({ sql, rows: [] })
          return statement.iterate(...parameters)
        }
      }
    }
  }
}

export interface Desk {
  readonly helpdesk: Helpdesk.Service
  /** The statements this desk's client ran since the last call, with their rows. */
  readonly ran: () => ReadonlyArray<Ran>
  /** The queries kysely compiled on this desk's client since the last call (a plugin sees each one). */
  readonly compilations: () => number
}

/**
 * A help desk of workspace `acme` on its own client of `file` (migrated first), with a state
 * cache of `stateCacheSize` tickets (the help desk's default when not given).
 */
export const open = (
  file: string,
  options: { readonly stateCacheSize?: number } = {}
): Effect.Effect<Desk, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    const log: Array<Ran> = []
    let compiled = 0
    const counting: KyselyPlugin = {
      transformQuery: ({ node }) => {
        compiled += 1
        return node
      },
      transformResult: async ({ result }) => result
    }
    const db = yield* Effect.acquireRelease(
      Effect.sync(
        () =>
          new Kysely<Database>({
            dialect: new SqliteDialect({ database: recording(file, log) }),
            plugins: [counting]
          })
      ),
      (db) => Effect.promise(() => db.destroy())
    )
    yield* Migrations.migrate(db, "sqlite")
    const store = yield* SqlTicketStore.make({ db, dialect: "sqlite" })
    const helpdesk = yield* Helpdesk.make({
      workspaceId: "acme",
      ...(options.stateCacheSize === undefined ? {} : { stateCacheSize: options.stateCacheSize })
    }).pipe(
      Effect.provideService(TicketStore.TicketStore, store.tickets),
      Effect.provideService(Timers.Timers, store.timers),
      Effect.provideServiceEffect(DirectoryStore.DirectoryStore, MemoryDirectoryStore.make),
      Effect.provide(IdGenerator.layerTimeOrdered as Layer.Layer<IdGenerator.IdGenerator>)
    )
    return {
      helpdesk,
      ran: () => log.splice(0, log.length),
      compilations: () => {
        const count = compiled
        compiled = 0
        return count
      }
    }
  })
