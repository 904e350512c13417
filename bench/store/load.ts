// Builds (once) the databases the latency half of the store bench reads: the schema from the
// adapter's own migrations, then the `tickets` projection, `ticket_tags` and `ticket_texts`
// bulk-loaded with raw SQL (PostgreSQL computes the generated tsvector). The secondary indexes the
// migrations declare (the GIN index of the texts among them) are dropped for the load and
// recreated from their own definitions afterwards, which is faster and yields the same schema.
// On SQLite the FTS5 insert trigger is likewise dropped for the load, the index is built in one
// `rebuild` from `ticket_texts`, and the trigger is recreated from its own definition.
// A built database is kept, keyed by a hash of the migrations and the data generator, so reruns
// skip the load; `--rebuild` forces it.
import { createHash } from "node:crypto"
import { existsSync, renameSync, rmSync } from "node:fs"
import { Migrations } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect } from "effect"
import { Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import {
  type Batch,
  check,
  dataVersion,
  sqliteTextColumns,
  sqliteTicketColumns,
  textColumns,
  ticketBatches,
  ticketColumns,
  workspaces
} from "./data.js"

/**
 * What a built database depends on: the schema the adapter's migrations actually create on that
 * dialect (read back from a scratch database, so edits that change nothing there keep the cache),
 * the size, and `dataVersion` (bump it when the generator or the load changes).
 */
export const cacheKey = (mainTickets: number, schema: string): string =>
  createHash("sha256").update(`data v${dataVersion} tickets ${mainTickets}\n${schema}`).digest("hex").slice(0, 16)

const sqliteSchema = async (): Promise<string> => {
  const db = new SqliteDatabase(":memory:")
  try {
    await Effect.runPromise(
      Migrations.migrate(new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) }), "sqlite")
    )
    const rows = db.prepare("select type, name, tbl_name, sql from sqlite_master order by type, name").all()
    return JSON.stringify(rows)
  } finally {
    db.close()
  }
}

const pgSchema = async (baseUrl: string): Promise<string> => {
  const scratch = `tessera_bench_schema_${process.pid}`
  await recreatePgDatabase(baseUrl, scratch)
  const pool = new pg.Pool({ connectionString: pgUrlFor(baseUrl, scratch), max: 1 })
  try {
    await Effect.runPromise(
      Migrations.migrate(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), "postgres")
    )
    const columns = await pool.query(
      `select table_name, column_name, data_type, collation_name, is_nullable, column_default, generation_expression
       from information_schema.columns where table_schema = current_schema() order by 1, 2`
    )
    const indexes = await pool.query(
      "select indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1"
    )
    return JSON.stringify([columns.rows, indexes.rows])
  } finally {
    await pool.end()
    const admin = new pg.Client({ connectionString: baseUrl })
    await admin.connect()
    await admin.query(`drop database if exists ${scratch} with (force)`)
    await admin.end()
  }
}

export interface LoadReport {
  readonly cached: boolean
  readonly seconds: number
  readonly rows: number
}

const batchSize = 10_000
const log = (message: string) => process.stderr.write(`[bench store] ${message}\n`)

/**
 * Each workspace's batches (ticket numbers from 1 across the workspaces, in this order), with the
 * first batch of each checked against core's schemas: one generator per workspace, so that a
 * loader may also interleave them (see loadMysql.ts).
 */
export const workspaceBatches = (mainTickets: number, size: number = batchSize): Array<Generator<Batch>> => {
  let firstNum = 1
  return workspaces(mainTickets).map((ws, i) => {
    const batches = ticketBatches(ws.id, ws.tickets, i + 1, size, firstNum)
    firstNum += ws.tickets
    return (function* checked() {
      let first = true
      for (const batch of batches) {
        if (first) check(batch, 500)
        first = false
        yield batch
      }
    })()
  })
}

/** Every workspace's batches, one workspace after the other. */
function* allBatches(mainTickets: number): Generator<Batch> {
  for (const batches of workspaceBatches(mainTickets)) yield* batches
}

export const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(0)} s`

// -- SQLite -------------------------------------------------------------------------------------

/** The cached SQLite file for the current schema and generator. */
export const sqlitePath = async (mainTickets: number): Promise<string> =>
  `/tmp/tessera-bench-store-${cacheKey(mainTickets, await sqliteSchema())}.sqlite`

/**
 * A new bench-only SQLite file for a bulk load, migrated by the adapter: no journal and no fsync
 * (a load that dies is rebuilt), a large page cache.
 */
export const bulkSqlite = async (path: string): Promise<SqliteDatabase.Database> => {
  const db = new SqliteDatabase(path)
  db.pragma("journal_mode = OFF")
  db.pragma("synchronous = OFF")
  db.pragma("cache_size = -524288")
  db.pragma("temp_store = MEMORY")
  // The dialect's destroy would close the database: the migration client is simply dropped.
  await Effect.runPromise(
    Migrations.migrate(new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) }), "sqlite")
  )
  return db
}

export const buildSqlite = async (mainTickets: number, rebuild: boolean): Promise<LoadReport & { path: string }> => {
  const path = await sqlitePath(mainTickets)
  if (existsSync(path) && !rebuild) return { cached: true, seconds: 0, rows: 0, path }
  const building = `${path}.building`
  for (const p of [path, `${path}-wal`, `${path}-shm`, building]) rmSync(p, { force: true })
  const started = performance.now()
  const db = await bulkSqlite(building)
  const indexes = db
    .prepare(
      "select name, sql from sqlite_master where type = 'index' and tbl_name in ('tickets', 'ticket_tags', 'ticket_texts') and sql is not null"
    )
    .all() as Array<{ name: string; sql: string }>
  for (const index of indexes) db.exec(`drop index "${index.name}"`)
  // The FTS5 index is built in one go after the load: its insert trigger goes for the load.
  const triggers = db
    .prepare("select name, sql from sqlite_master where type = 'trigger' and name = 'ticket_texts_fts_insert'")
    .all() as Array<{ name: string; sql: string }>
  if (triggers.length !== 1) throw new Error("bench store: the migrations define no ticket_texts_fts_insert trigger")
  for (const trigger of triggers) db.exec(`drop trigger "${trigger.name}"`)
  const insertTicket = db.prepare(
    `insert into tickets (${sqliteTicketColumns.join(", ")}) values (${sqliteTicketColumns.map(() => "?").join(", ")})`
  )
  const insertTag = db.prepare("insert into ticket_tags (workspace_id, ticket_id, tag) values (?, ?, ?)")
  const insertText = db.prepare(
    `insert into ticket_texts (${sqliteTextColumns.join(", ")}) values (${sqliteTextColumns.map(() => "?").join(", ")})`
  )
  const loadBatch = db.transaction((batch: Batch) => {
    for (const t of batch.tickets) insertTicket.run(sqliteTicketColumns.map((c) => t[c]))
    for (const t of batch.tags) insertTag.run(t.workspace_id, t.ticket_id, t.tag)
    for (const t of batch.texts) insertText.run(sqliteTextColumns.map((c) => t[c]))
  })
  let rows = 0
  let texts = 0
  for (const batch of allBatches(mainTickets)) {
    loadBatch(batch)
    rows += batch.tickets.length
    texts += batch.texts.length
    if (rows % 200_000 === 0) log(`sqlite: ${rows} tickets, ${texts} texts (${seconds(started)})`)
  }
  log(`sqlite: rows in after ${seconds(started)}; building the full-text index`)
  db.exec("insert into ticket_texts_fts(ticket_texts_fts) values ('rebuild')")
  for (const trigger of triggers) db.exec(trigger.sql)
  log(`sqlite: full-text index built after ${seconds(started)}; creating ${indexes.length} indexes`)
  for (const index of indexes) db.exec(index.sql)
  const sequence = db.prepare("insert into public_id_sequences (workspace_id, last_value) values (?, ?)")
  for (const ws of workspaces(mainTickets)) sequence.run(ws.id, ws.tickets)
  db.exec("analyze")
  db.pragma("journal_mode = WAL")
  db.close()
  renameSync(building, path)
  return { cached: false, seconds: (performance.now() - started) / 1000, rows, path }
}

// -- PostgreSQL ---------------------------------------------------------------------------------

/**
 * The cached database of a size on a client-server database (PostgreSQL, MariaDB/MySQL): one per
 * size, so that runs of different sizes (and benches of other branches) do not rebuild each
 * other's.
 */
export const benchDatabase = (mainTickets: number): string => `tessera_bench_${mainTickets}`

/** The URL of another database on the same server. */
export const pgUrlFor = (baseUrl: string, database: string): string => {
  const url = new URL(baseUrl)
  url.pathname = `/${database}`
  return url.toString()
}

/** Drops (if present) and, unless `dropOnly`, creates an empty database on the server of `baseUrl`. */
export const recreatePgDatabase = async (baseUrl: string, database: string, dropOnly = false): Promise<void> => {
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  try {
    await admin.query(`drop database if exists ${database} with (force)`)
    if (!dropOnly) await admin.query(`create database ${database}`)
  } finally {
    await admin.end()
  }
}

const builtMarker = (key: string) => `tessera-bench store ${key}`

/** What the comment of a complete `tessera_bench` database says for the current schema and data. */
export const pgMarker = async (baseUrl: string, mainTickets: number): Promise<string> =>
  builtMarker(cacheKey(mainTickets, await pgSchema(baseUrl)))

export const buildPostgres = async (
  baseUrl: string,
  mainTickets: number,
  rebuild: boolean,
  database: string = benchDatabase(mainTickets)
): Promise<LoadReport> => {
  const marker = await pgMarker(baseUrl, mainTickets)
  const admin = new pg.Client({ connectionString: baseUrl })
  await admin.connect()
  const existing = await admin.query<{ comment: string | null }>(
    "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
    [database]
  )
  await admin.end()
  if (!rebuild && existing.rows[0]?.comment === marker) return { cached: true, seconds: 0, rows: 0 }
  const started = performance.now()
  await recreatePgDatabase(baseUrl, database)
  const url = pgUrlFor(baseUrl, database)
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  await Effect.runPromise(
    Migrations.migrate(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), "postgres")
  )
  const client = await pool.connect()
  try {
    await client.query("set synchronous_commit = off")
    await client.query("set maintenance_work_mem = '1GB'")
    // Secondary indexes only: those behind constraints (primary keys, unique) stay.
    const indexes = await client.query<{ name: string; def: string }>(
      `select i.indexname as name, i.indexdef as def from pg_indexes i
       where i.schemaname = current_schema() and i.tablename in ('tickets', 'ticket_tags', 'ticket_texts')
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`
    )
    for (const index of indexes.rows) await client.query(`drop index "${index.name}"`)
    // A batch travels as one JSON text: JSON.stringify is far cheaper than pg's array literals
    // (its key list keeps PostgreSQL's columns only: no SQLite `num` or `key`).
    const columns = ticketColumns.join(", ")
    const insertTickets = `insert into tickets (${columns}) select ${columns} from json_populate_recordset(null::tickets, $1::json)`
    const insertTags = `insert into ticket_tags (workspace_id, ticket_id, tag)
      select workspace_id, ticket_id, tag from json_populate_recordset(null::ticket_tags, $1::json)`
    const texts = textColumns.join(", ")
    const insertTexts = `insert into ticket_texts (${texts}) select ${texts} from json_populate_recordset(null::ticket_texts, $1::json)`
    let rows = 0
    let textRows = 0
    for (const batch of allBatches(mainTickets)) {
      await client.query("begin")
      await client.query(insertTickets, [JSON.stringify(batch.tickets, [...ticketColumns])])
      await client.query(insertTags, [JSON.stringify(batch.tags)])
      await client.query(insertTexts, [JSON.stringify(batch.texts, [...textColumns])])
      await client.query("commit")
      rows += batch.tickets.length
      textRows += batch.texts.length
      if (rows % 200_000 === 0) log(`postgres: ${rows} tickets, ${textRows} texts (${seconds(started)})`)
    }
    log(`postgres: rows in after ${seconds(started)}; creating ${indexes.rows.length} indexes`)
    for (const index of indexes.rows) await client.query(index.def)
    for (const ws of workspaces(mainTickets)) {
      await client.query("insert into public_id_sequences (workspace_id, last_value) values ($1, $2)", [
        ws.id,
        ws.tickets
      ])
    }
    await client.query("vacuum (analyze) tickets")
    await client.query("vacuum (analyze) ticket_tags")
    await client.query("vacuum (analyze) ticket_texts")
    await client.query(`comment on database ${database} is '${marker}'`)
    return { cached: false, seconds: (performance.now() - started) / 1000, rows }
  } finally {
    client.release()
    await pool.end()
  }
}
