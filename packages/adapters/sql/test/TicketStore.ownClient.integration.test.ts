/**
 * The conformance suite on `SqlStore.layer({ db, dialect })`: a kysely client the user built,
 * configured as kysely's documentation shows and nothing more (no statement cache, no named
 * statements, PostgreSQL's int8 read back as strings; on MySQL none of the session settings:
 * the server's REPEATABLE READ and SQL mode, a 1 MB `group_concat`), rather than one
 * `Connection.open` made. The store must hold to the in-memory reference on each.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { TicketStoreSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer } from "effect"
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from "kysely"
import mysql from "mysql2"
import pg from "pg"
import type { Database } from "../src/Database.js"
import { freshMysqlDatabase, freshSchema, mysqlUrl, pgUrl, withDatabase, withSearchPath } from "./support.js"

// Read now: without a server this file fails at once instead of skipping.
const url = pgUrl()
const mysqlServer = mysqlUrl()

/** The user's client, destroyed when the layer's scope closes (the store never closes it). */
const owned = (make: () => Kysely<Database>) =>
  Effect.acquireRelease(Effect.sync(make), (db) => Effect.promise(() => db.destroy()))

const sqliteClient = Layer.unwrap(
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-own-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    const db = yield* owned(
      () => new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(join(dir, "own.db")) }) })
    )
    return SqlStore.layer({ db, dialect: "sqlite" })
  })
)

const postgresClient = Layer.unwrap(
  Effect.gen(function* () {
    const schema = yield* freshSchema
    const db = yield* owned(
      () =>
        new Kysely<Database>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withSearchPath(url, schema), max: 4 }) })
        })
    )
    return SqlStore.layer({ db, dialect: "postgres" })
  })
)

const mysqlClient = Layer.unwrap(
  Effect.gen(function* () {
    const database = yield* freshMysqlDatabase
    const db = yield* owned(
      () =>
        new Kysely<Database>({
          dialect: new MysqlDialect({
            pool: mysql.createPool({ uri: withDatabase(mysqlServer, database), connectionLimit: 4 })
          })
        })
    )
    return SqlStore.layer({ db, dialect: "mysql" })
  })
)

// Every part but `concurrency`: what a client built apart changes is how values and statements
// travel (int8 as strings, no statement cache or names), not how writers take turns, and that
// part's 8 × 500 commands on one ticket already run on each database through `layerUrl` (it
// alone took about 100 s per database here).
const parts = TicketStoreSuite.parts.filter((part) => part !== "concurrency")

TicketStoreSuite.run("sql (sqlite, the user's own kysely client)", sqliteClient, { parts })
TicketStoreSuite.run("sql (postgres, the user's own kysely client)", postgresClient, { parts })
TicketStoreSuite.run("sql (mysql, the user's own kysely client)", mysqlClient, { parts })
