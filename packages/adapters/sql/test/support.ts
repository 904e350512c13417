/**
 * Databases for the integration tests: each call opens an empty, migrated database that is
 * removed when its scope closes. SQLite gets a file of its own in a temporary directory (WAL, as in
 * production); PostgreSQL gets a schema of its own on the server of `TESSERA_PG_URL`, reached
 * through a pool whose `search_path` is that schema; MariaDB/MySQL a database of its own on the
 * server of `TESSERA_MYSQL_URL`. `databases` is the table of the three, for tests that run on each;
 * `oncePerFile` keeps one database for all the tests of a file that isolate themselves by workspace.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DirectoryStore, Helpdesk, IdGenerator, MemoryDirectoryStore, TicketStore, Timers } from "@tessera/core"
import { Effect, Exit, type Layer, Scope } from "effect"
import mysql from "mysql2/promise"
import pg from "pg"
import { afterAll } from "vitest"
import * as Connection from "../src/Connection.js"
import type { Dialect } from "../src/Database.js"
import * as Migrations from "../src/Migrations.js"
import * as SqlTicketStore from "../src/SqlTicketStore.js"

/**
 * The PostgreSQL server of the integration tests. Unset, the test fails: a skipped PostgreSQL run
 * would pass CI while proving nothing about PostgreSQL.
 */
export const pgUrl = (): string => {
  const url = process.env.TESSERA_PG_URL
  if (url === undefined || url === "") {
    throw new Error(
      "TESSERA_PG_URL is not set: the PostgreSQL integration tests need a server " +
        "(e.g. TESSERA_PG_URL=postgres://postgres@127.0.0.1:55532/postgres); they never skip"
    )
  }
  return url
}

/** A temporary directory, removed with everything in it when the scope closes. */
export const tempDir: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-sql-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const migrated = (connection: Connection.Connection) =>
  Effect.as(Migrations.migrate(connection.db, connection.dialect), connection)

/** An empty, migrated SQLite database in a file of its own. */
export const freshSqlite: Effect.Effect<Connection.Connection, never, Scope.Scope> = Effect.gen(function* () {
  const dir = yield* tempDir
  const connection = yield* Connection.scoped(`sqlite:${join(dir, "tessera.db")}`)
  return yield* migrated(connection)
}).pipe(Effect.orDie)

/** The URL of the test server with `search_path` set to one schema. */
export const withSearchPath = (url: string, schema: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set("options", `-c search_path=${schema}`)
  return parsed.toString()
}

/** A schema of its own on the test server, dropped (with its tables) when the scope closes. */
export const freshSchema: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const schema = `tessera_test_${randomUUID().replaceAll("-", "")}`
    const client = new pg.Client({ connectionString: pgUrl() })
    await client.connect()
    try {
      await client.query(`create schema ${schema}`)
    } finally {
      await client.end()
    }
    return schema
  }),
  (schema) =>
    Effect.promise(async () => {
      const client = new pg.Client({ connectionString: pgUrl() })
      await client.connect()
      try {
        await client.query(`drop schema if exists ${schema} cascade`)
      } finally {
        await client.end()
      }
    })
)

/** An empty, migrated PostgreSQL database: a schema of its own, and a pool that sees only it. */
export const freshPostgres: Effect.Effect<Connection.Connection, never, Scope.Scope> = Effect.gen(function* () {
  const schema = yield* freshSchema
  const connection = yield* Connection.scoped(withSearchPath(pgUrl(), schema))
  return yield* migrated(connection)
}).pipe(Effect.orDie)

/**
 * A `Helpdesk` of workspace `acme` on a fresh PostgreSQL schema reached through a pool of one
 * connection, so that the server's `pg_prepared_statements` is the list of what the store prepared
 * (the statement tests read it). The directory is in memory; ids are time-ordered.
 */
export const onePostgresConnection = Effect.gen(function* () {
  const schema = yield* freshSchema
  const connection = yield* Connection.scoped(withSearchPath(pgUrl(), schema), { connections: 1 })
  yield* Migrations.migrate(connection.db, "postgres")
  const store = yield* SqlTicketStore.make({ db: connection.db, dialect: "postgres" })
  const helpdesk = yield* Helpdesk.make({ workspaceId: "acme" }).pipe(
    Effect.provideService(TicketStore.TicketStore, store.tickets),
    Effect.provideService(Timers.Timers, store.timers),
    Effect.provideServiceEffect(DirectoryStore.DirectoryStore, MemoryDirectoryStore.make),
    Effect.provide(IdGenerator.layerTimeOrdered as Layer.Layer<IdGenerator.IdGenerator>)
  )
  return { connection, store, helpdesk }
})

/**
 * The MariaDB (or MySQL) server of the integration tests. Unset, the test fails: a skipped MySQL
 * run would pass CI while proving nothing about MySQL.
 */
export const mysqlUrl = (): string => {
  const url = process.env.TESSERA_MYSQL_URL
  if (url === undefined || url === "") {
    throw new Error(
      "TESSERA_MYSQL_URL is not set: the MariaDB/MySQL integration tests need a server " +
        "(e.g. TESSERA_MYSQL_URL=mysql://root@127.0.0.1:53306/tessera); they never skip"
    )
  }
  return url
}

/** The URL of the test server with its path naming database `database`. */
export const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/** Runs `statement` on the test server, outside any database. */
const onMysqlServer = async (statement: string): Promise<void> => {
  const connection = await mysql.createConnection({ uri: withDatabase(mysqlUrl(), "") })
  try {
    await connection.query(statement)
  } finally {
    await connection.end()
  }
}

/** A database of its own on the MySQL test server, dropped (with its tables) when the scope closes. */
export const freshMysqlDatabase: Effect.Effect<string, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(async () => {
    const database = `tessera_test_${randomUUID().replaceAll("-", "")}`
    await onMysqlServer(`create database ${database}`)
    return database
  }),
  (database) => Effect.promise(() => onMysqlServer(`drop database if exists ${database}`))
)

/** An empty, migrated MySQL database: a database of its own, and a pool that sees only it. */
export const freshMysql: Effect.Effect<Connection.Connection, never, Scope.Scope> = Effect.gen(function* () {
  const database = yield* freshMysqlDatabase
  const connection = yield* Connection.scoped(withDatabase(mysqlUrl(), database))
  return yield* migrated(connection)
}).pipe(Effect.orDie)

/** A URL of an empty database of its own on the MySQL test server, dropped when the scope closes. */
export const freshMysqlUrl: Effect.Effect<string, never, Scope.Scope> = Effect.map(freshMysqlDatabase, (database) =>
  withDatabase(mysqlUrl(), database)
)

/** A URL of an empty schema of its own on the PostgreSQL test server, dropped when the scope closes. */
export const freshPostgresUrl: Effect.Effect<string, never, Scope.Scope> = Effect.map(freshSchema, (schema) =>
  withSearchPath(pgUrl(), schema)
)

/** A URL of a new SQLite file (WAL once opened) in a directory removed when the scope closes. */
export const freshSqliteUrl: Effect.Effect<string, never, Scope.Scope> = Effect.map(
  tempDir,
  (dir) => `sqlite:${join(dir, "tessera.db")}`
)

/** One database of the table the integration tests run on. */
export interface DatabaseUnderTest {
  readonly name: Dialect
  /** A URL of an empty database of its own, removed when the scope closes. */
  readonly freshUrl: Effect.Effect<string, never, Scope.Scope>
  /** An empty, migrated database, its connection closed and the database removed with the scope. */
  readonly fresh: Effect.Effect<Connection.Connection, never, Scope.Scope>
}

/**
 * The three databases, in the order the tests report them. A server's row fails, never skips,
 * when its URL is unset.
 */
export const databases: ReadonlyArray<DatabaseUnderTest> = [
  { name: "sqlite", freshUrl: freshSqliteUrl, fresh: freshSqlite },
  { name: "postgres", freshUrl: freshPostgresUrl, fresh: freshPostgres },
  { name: "mysql", freshUrl: freshMysqlUrl, fresh: freshMysql }
]

/**
 * `acquire` run once for the whole test file, the first time a test asks for it, and released
 * after the file's last test. Call it at the top level of the file. For the conformance suites:
 * each of their tests writes only to workspaces, streams and channels no other test uses (their
 * stores migrate the database on each build, finding it up to date), so a database per test only
 * repeated the migration, which costs about 1.5 s on MariaDB and 0.5 s on PostgreSQL each time.
 */
export const oncePerFile = <A>(acquire: Effect.Effect<A, never, Scope.Scope>): Effect.Effect<A> => {
  const scope = Scope.makeUnsafe()
  let acquired: Promise<A> | undefined
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
  return Effect.promise(() => {
    acquired ??= Effect.runPromise(Scope.provide(acquire, scope))
    return acquired
  })
}
