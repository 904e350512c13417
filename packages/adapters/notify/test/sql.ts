/**
 * Databases for the worker's integration tests: a fresh SQLite file, a fresh PostgreSQL schema
 * and a fresh MariaDB/MySQL database, each removed when its scope closes, and a help desk on one
 * of them whose new tickets ask for an acknowledgement. A server that is not configured fails the
 * test: it never skips.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { Connection, SqlStore } from "@tessera/sql"
import { Effect, Layer, type Scope } from "effect"
import { sql } from "kysely"
import { acknowledge } from "./support.js"

const serverUrl = (variable: string): string => {
  const url = process.env[variable]
  if (url === undefined || url === "")
    throw new Error(`${variable} is not set: this test needs the server; it never skips`)
  return url
}

/** Runs `statement` on the server of `url`, then closes the connection. */
const onServer = (url: string, statement: string) =>
  Effect.scoped(
    Effect.flatMap(Connection.scoped(url), (connection) =>
      Effect.promise(() => sql.raw(statement).execute(connection.db))
    )
  ).pipe(Effect.orDie)

const fresh = () => `tessera_notify_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`

/** A new SQLite file in a directory removed with the scope. */
export const freshSqliteUrl: Effect.Effect<string, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-notify-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  ),
  (dir) => `sqlite:${join(dir, "outbox.db")}`
)

/** A schema of its own on the PostgreSQL test server (`TESSERA_PG_URL`), dropped with the scope. */
export const freshPostgresUrl: Effect.Effect<string, never, Scope.Scope> = Effect.suspend(() => {
  const base = serverUrl("TESSERA_PG_URL")
  const schema = fresh()
  return Effect.acquireRelease(onServer(base, `create schema ${schema}`), () =>
    onServer(base, `drop schema if exists ${schema} cascade`)
  ).pipe(
    Effect.map(() => {
      const url = new URL(base)
      url.searchParams.set("options", `-c search_path=${schema}`)
      return url.toString()
    })
  )
})

/** A database of its own on the MariaDB/MySQL test server (`TESSERA_MYSQL_URL`), dropped with the scope. */
export const freshMysqlUrl: Effect.Effect<string, never, Scope.Scope> = Effect.suspend(() => {
  const base = serverUrl("TESSERA_MYSQL_URL")
  const database = fresh()
  return Effect.acquireRelease(onServer(base, `create database ${database}`), () =>
    onServer(base, `drop database if exists ${database}`)
  ).pipe(
    Effect.map(() => {
      const url = new URL(base)
      url.pathname = `/${database}`
      return url.toString()
    })
  )
})

/** A help desk of workspace `acme` on the database at `url`, acknowledging new tickets. */
export const helpdeskOn = (url: string, options: { readonly acknowledging?: boolean } = {}) =>
  Helpdesk.layer(
    { workspaceId: "acme" },
    options.acknowledging === false ? {} : { triggers: { rules: [acknowledge] } }
  ).pipe(Layer.provideMerge(Layer.mergeAll(SqlStore.layerUrl({ url, connections: 4 }), IdGenerator.layerTimeOrdered)))
