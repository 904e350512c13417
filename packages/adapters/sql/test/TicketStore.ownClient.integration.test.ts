/**
 * The conformance suite on `SqlStore.layer({ db, dialect })`: a kysely client the user built,
 * configured as kysely's documentation shows and nothing more (no statement cache, no named
 * statements, PostgreSQL's int8 read back as strings; on MySQL none of the session settings:
 * the server's REPEATABLE READ and SQL mode, a 1 MB `group_concat`), rather than one
 * `Connection.open` made. The store must hold to the in-memory reference on each.
 */
import { join } from "node:path"
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer } from "effect"
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely"
import mysql from "mysql2"
import pg from "pg"
import type { Database } from "../src/Database.js"
import {
  freshMysqlDatabase,
  freshSchema,
  mysqlUrl,
  oncePerFile,
  pgUrl,
  tempDir,
  withDatabase,
  withSearchPath
} from "./support.js"

/** The user's client, destroyed when the layer's scope closes (the store never closes it). */
const owned = (make: () => Kysely<Database>) =>
  Effect.acquireRelease(Effect.sync(make), (db) => Effect.promise(() => db.destroy()))

// One database per kind for the whole file (each test writes to workspaces of its own); the
// first store built on it migrates it, the others find it up to date.
const sqliteFile = oncePerFile(Effect.map(tempDir, (dir) => join(dir, "own.db")))
const postgresSchema = oncePerFile(freshSchema)
const mysqlDatabase = oncePerFile(freshMysqlDatabase)

const sqliteClient = Layer.unwrap(
  Effect.gen(function* () {
    const file = yield* sqliteFile
    const db = yield* owned(
      () => new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(file) }) })
    )
    return SqlStore.layer({ db, dialect: "sqlite" })
  })
)

const postgresClient = Layer.unwrap(
  Effect.gen(function* () {
    const schema = yield* postgresSchema
    const db = yield* owned(
      () =>
        new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: withSearchPath(pgUrl(), schema), max: 4 })
          })
        })
    )
    return SqlStore.layer({ db, dialect: "postgres" })
  })
)

const mysqlClient = Layer.unwrap(
  Effect.gen(function* () {
    const database = yield* mysqlDatabase
    const db = yield* owned(
      () =>
        new Kysely<Database>({
          dialect: new MysqlDialect({
            pool: mysql.createPool({ uri: withDatabase(mysqlUrl(), database), connectionLimit: 4 })
          })
        })
    )
    return SqlStore.layer({ db, dialect: "mysql" })
  })
)

// Every part but `concurrency`: what a client built apart changes is how values and statements
// travel (int8 as strings, no statement cache or names), not how writers take turns, and that
// part already runs on each database through `layerUrl` (`TicketStore.integration.test.ts`).
const parts = TicketStoreSuite.parts.filter((part) => part !== "concurrency")
// For the same reason, half the runs of `TicketStore.integration.test.ts`: every run sends the
// client the same statement shapes and reads back the same columns (int8 among them), which the
// first runs already meet. 50 model runs are still 50 random sequences of up to 50 help desk
// operations per database.
const volume = { parts, numRuns: 50, propertyRuns: 25 }

TicketStoreSuite.run("sql (sqlite, the user's own kysely client)", sqliteClient, volume)
TicketStoreSuite.run("sql (postgres, the user's own kysely client)", postgresClient, volume)
TicketStoreSuite.run("sql (mysql, the user's own kysely client)", mysqlClient, volume)
