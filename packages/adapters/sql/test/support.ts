/**
 * Fresh databases for the integration tests: each call opens an empty, migrated database that is
 * removed when its scope closes. SQLite gets a file of its own in a temporary directory (WAL, as in
 * production); PostgreSQL gets a schema of its own on the server of `TESSERA_PG_URL`, reached
 * through a pool whose `search_path` is that schema; MariaDB/MySQL a database of its own on the
 * server of `TESSERA_MYSQL_URL`.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import mysql from "mysql2/promise"
import pg from "pg"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"

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
