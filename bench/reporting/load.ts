// Builds the reporting bench's databases (SQLite and PostgreSQL) from one pass over the generated
// tickets: each batch's rows are made once, in the shape `SqlReport.put` writes them (`rowsOf`
// below), then written to SQLite (prepared statements, one transaction per batch, the bench-only
// file without journal or fsync) while PostgreSQL takes the same batch as JSON rows through
// `json_populate_recordset`, one transaction per batch. Secondary indexes are dropped for the
// load and recreated from their own definitions. Before a database is marked built, a sample of
// tickets is written by the real writer (`SqlReport.put`) into a scratch database of the same
// kind and every reporting table's rows of the sample must be equal in both, or the bench stops.
import { rmSync } from "node:fs"
import type { TicketMetrics } from "@tessera/core"
import { Migrations, SqlReport } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect } from "effect"
import { Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import { bulkSqlite } from "../store/load.js"
import { ticket, workspace } from "./data.js"

/** The tables `SqlReport.put` writes a ticket's rows to, with their columns in table order. */
export const tables = {
  report_tickets: [
    "ticket_id",
    "workspace_id",
    "created_at",
    "created_business",
    "channel",
    "type",
    "group_id",
    "assignee",
    "organization",
    "priority",
    "complexity",
    "created_hour",
    "solved_at",
    "done_since",
    "first_reply_calendar",
    "first_reply_business",
    "full_resolution_calendar",
    "full_resolution_business",
    "requester_wait_calendar",
    "requester_wait_business",
    "agent_work_calendar",
    "agent_work_business",
    "replies",
    "reopens"
  ],
  report_states: ["ticket_id", "workspace_id", "state"],
  report_tags: ["workspace_id", "ticket_id", "tag"],
  report_next_replies: ["workspace_id", "ticket_id", "n", "calendar", "business"],
  report_sla: ["workspace_id", "ticket_id", "policy", "metric", "warnings", "breaches"],
  report_done: ["workspace_id", "ticket_id", "n", "since", "until"],
  report_ratings: ["workspace_id", "ticket_id", "survey", "kind", "verdict", "at"]
} as const

type Table = keyof typeof tables
type Rows = Record<Table, Array<Record<string, unknown>>>

const emptyRows = (): Rows => ({
  report_tickets: [],
  report_states: [],
  report_tags: [],
  report_next_replies: [],
  report_sla: [],
  report_done: [],
  report_ratings: []
})

/**
 * A ticket's rows as `SqlReport.put` writes them for this data: no business calendar (business
 * time from the epoch is the instant itself), keys as they are on SQLite and PostgreSQL (no NUL
 * in the generated values), and no ratings in the generator. The sample check below holds this
 * to the real writer.
 */
const addRows = (rows: Rows, ticketId: string, m: TicketMetrics.TicketMetrics): void => {
  if (m.createdAt === null) return
  const base = { workspace_id: workspace as string, ticket_id: ticketId }
  const current = m.done[m.done.length - 1]
  rows.report_tickets.push({
    ticket_id: ticketId,
    workspace_id: workspace,
    created_at: m.createdAt,
    created_business: m.createdAt,
    channel: m.channel ?? null,
    type: m.type ?? null,
    group_id: m.group ?? null,
    assignee: m.assignee ?? null,
    organization: m.organization ?? null,
    priority: m.priority ?? null,
    complexity: m.complexity ?? null,
    created_hour: m.createdHour === null ? null : String(m.createdHour).padStart(2, "0"),
    solved_at: m.solvedAt,
    done_since: current !== undefined && current[1] === null ? current[0] : null,
    first_reply_calendar: m.firstReply?.calendar ?? null,
    first_reply_business: m.firstReply?.business ?? null,
    full_resolution_calendar: m.fullResolution?.calendar ?? null,
    full_resolution_business: m.fullResolution?.business ?? null,
    requester_wait_calendar: m.requesterWait.calendar,
    requester_wait_business: m.requesterWait.business,
    agent_work_calendar: m.agentWork.calendar,
    agent_work_business: m.agentWork.business,
    replies: m.replies,
    reopens: m.reopens
  })
  rows.report_states.push({ ticket_id: ticketId, workspace_id: workspace, state: JSON.stringify(m) })
  for (const tag of new Set(m.tags)) rows.report_tags.push({ ...base, tag })
  m.nextReplies.forEach((s, n) => {
    rows.report_next_replies.push({ ...base, n, calendar: s.calendar, business: s.business })
  })
  for (const r of m.sla)
    rows.report_sla.push({ ...base, policy: r.policy, metric: r.metric, warnings: r.warnings, breaches: r.breaches })
  m.done.forEach(([since, until], n) => {
    if (until !== null) rows.report_done.push({ ...base, n, since, until })
  })
  if ((m.ratings ?? []).length > 0)
    throw new Error("bench reporting: the generator made ratings, which addRows does not write")
}

const batchSize = 20_000

/** The rows of tickets `[from, to)`. */
const batchRows = (from: number, to: number): Rows => {
  const rows = emptyRows()
  for (let i = from; i < to; i++) {
    const t = ticket(i)
    addRows(rows, t.ticketId, t.metrics)
  }
  return rows
}

/** A loader of one database: `batch` takes rows, `finish` recreates indexes and gathers statistics. */
interface Loader {
  readonly batch: (rows: Rows) => Promise<void>
  readonly finish: () => Promise<void>
}

/** Secondary (non-constraint) indexes of the reporting tables, dropped for the load. */
const reportTables = Object.keys(tables) as ReadonlyArray<Table>

export const sqliteLoader = async (path: string): Promise<Loader> => {
  const db = await bulkSqlite(path)
  const indexes = db
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${reportTables.map(() => "?").join(", ")})`
    )
    .all(...reportTables) as Array<{ name: string; sql: string }>
  for (const index of indexes) db.exec(`drop index "${index.name}"`)
  const inserts = reportTables.map((table) => {
    const columns = tables[table]
    const statement = db.prepare(
      `insert into ${table} (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map(() => "?").join(", ")})`
    )
    return { table, columns, statement }
  })
  const load = db.transaction((rows: Rows) => {
    for (const { table, columns, statement } of inserts) {
      for (const row of rows[table]) statement.run(columns.map((c) => row[c]))
    }
  })
  return {
    batch: async (rows) => load(rows),
    finish: async () => {
      for (const index of indexes) db.exec(index.sql)
      db.exec("analyze")
      db.pragma("journal_mode = DELETE")
      db.close()
    }
  }
}

export const postgresLoader = async (url: string): Promise<Loader> => {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  await Effect.runPromise(
    Migrations.migrate(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), "postgres")
  )
  const client = await pool.connect()
  await client.query("set synchronous_commit = off")
  await client.query("set maintenance_work_mem = '512MB'")
  const indexes = await client.query<{ name: string; def: string }>(
    `select i.indexname as name, i.indexdef as def from pg_indexes i
     where i.schemaname = current_schema() and i.tablename = any($1)
       and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    [reportTables]
  )
  for (const index of indexes.rows) await client.query(`drop index "${index.name}"`)
  const inserts = reportTables.map((table) => {
    const columns = tables[table].map((c) => `"${c}"`).join(", ")
    return {
      table,
      text: `insert into ${table} (${columns}) select ${columns} from json_populate_recordset(null::${table}, $1::json)`
    }
  })
  return {
    batch: async (rows) => {
      await client.query("begin")
      for (const { table, text } of inserts) {
        if (rows[table].length > 0) await client.query(text, [JSON.stringify(rows[table])])
      }
      await client.query("commit")
    },
    finish: async () => {
      try {
        for (const index of indexes.rows) await client.query(index.def)
        await client.query("vacuum analyze")
      } finally {
        client.release()
        await pool.end()
      }
    }
  }
}

/** Loads tickets `[0, tickets)` into every loader, each batch made once; returns the seconds taken. */
export const load = async (
  tickets: number,
  loaders: ReadonlyArray<Loader>,
  log: (line: string) => void
): Promise<number> => {
  const started = performance.now()
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(0)
  let pending: Promise<unknown> = Promise.resolve()
  for (let from = 0; from < tickets; from += batchSize) {
    const rows = batchRows(from, Math.min(tickets, from + batchSize))
    // The previous batch's writes run while this one was made (PostgreSQL works in its own
    // process); one batch in flight at a time.
    await pending
    pending = Promise.all(loaders.map((l) => l.batch(rows)))
    if ((from + batchSize) % 100_000 === 0) log(`${from + batchSize} tickets (${elapsed()} s)`)
  }
  await pending
  log(`rows in after ${elapsed()} s; indexes and statistics`)
  for (const l of loaders) await l.finish()
  return (performance.now() - started) / 1000
}

/** Sample tickets for the writer check: the first ones and some spread over the whole range. */
const sampleIds = (tickets: number): ReadonlyArray<number> => {
  const ids = new Set<number>()
  for (let i = 0; i < Math.min(200, tickets); i++) ids.add(i)
  for (let i = 0; i < 800; i++) ids.add(Math.floor((i * tickets) / 800))
  return [...ids].filter((i) => i < tickets)
}

const orderBy: Record<Table, string> = {
  report_tickets: "ticket_id",
  report_states: "ticket_id",
  report_tags: "ticket_id, tag",
  report_next_replies: "ticket_id, n",
  report_sla: "ticket_id, policy, metric",
  report_done: "ticket_id, n",
  report_ratings: "ticket_id, survey"
}

/** Every reporting table's rows of `ids`, as JSON text per table, read by `all`. */
const dump = async (
  ids: ReadonlyArray<string>,
  all: (text: string, ids: ReadonlyArray<string>) => Promise<ReadonlyArray<unknown>>
): Promise<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const table of reportTables) {
    out[table] = JSON.stringify(
      await all(`select * from ${table} where ticket_id in (IDS) order by ${orderBy[table]}`, ids)
    )
  }
  return out
}

const sampleTickets = (tickets: number) =>
  sampleIds(tickets).map((i) => {
    const t = ticket(i)
    return { ticketId: t.ticketId, metrics: t.metrics }
  })

const compare = (kind: string, built: Record<string, string>, written: Record<string, string>) => {
  for (const table of reportTables) {
    if (built[table] !== written[table]) {
      throw new Error(
        `bench reporting: the ${kind} load's ${table} rows differ from SqlReport.put's for the same tickets:\n` +
          `loaded  ${built[table]?.slice(0, 400)}\nwritten ${written[table]?.slice(0, 400)}`
      )
    }
  }
}

/** Checks a built SQLite file against `SqlReport.put` of a sample into a scratch file. */
export const checkSqlite = async (path: string, tickets: number): Promise<number> => {
  const sample = sampleTickets(tickets)
  const scratch = `${path}.check`
  rmSync(scratch, { force: true })
  const db = new SqliteDatabase(scratch)
  try {
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
    await Effect.runPromise(Migrations.migrate(kysely, "sqlite"))
    await Effect.runPromise(SqlReport.make({ db: kysely as never, dialect: "sqlite" }).put(workspace, sample))
    const built = new SqliteDatabase(path, { readonly: true })
    const reader =
      (on: SqliteDatabase.Database) =>
      async (text: string, ids: ReadonlyArray<string>): Promise<ReadonlyArray<unknown>> =>
        on.prepare(text.replace("IDS", ids.map(() => "?").join(", "))).all(...ids)
    const ids = sample.map((t) => t.ticketId as string)
    try {
      compare("sqlite", await dump(ids, reader(built)), await dump(ids, reader(db)))
    } finally {
      built.close()
    }
    return sample.length
  } finally {
    db.close()
    rmSync(scratch, { force: true })
  }
}

/** Checks a built PostgreSQL database against `SqlReport.put` of a sample into a scratch database. */
export const checkPostgres = async (
  builtUrl: string,
  admin: (text: string) => Promise<unknown>,
  urlOf: (database: string) => string,
  tickets: number
): Promise<number> => {
  const sample = sampleTickets(tickets)
  const scratch = `tessera_bench_reporting_check_${process.pid}`
  await admin(`drop database if exists ${scratch} with (force)`)
  await admin(`create database ${scratch}`)
  const scratchPool = new pg.Pool({ connectionString: urlOf(scratch), max: 1 })
  const builtPool = new pg.Pool({ connectionString: builtUrl, max: 1 })
  // The scratch database is dropped with its connections: one the pool still holds must not
  // take the process down when the server ends it.
  scratchPool.on("error", () => undefined)
  try {
    const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: scratchPool }) })
    await Effect.runPromise(Migrations.migrate(kysely, "postgres"))
    await Effect.runPromise(SqlReport.make({ db: kysely as never, dialect: "postgres" }).put(workspace, sample))
    const reader =
      (on: pg.Pool) =>
      async (text: string, ids: ReadonlyArray<string>): Promise<ReadonlyArray<unknown>> =>
        (await on.query(text.replace("IDS", ids.map((_, i) => `$${i + 1}`).join(", ")), [...ids])).rows
    const ids = sample.map((t) => t.ticketId as string)
    compare("postgres", await dump(ids, reader(builtPool)), await dump(ids, reader(scratchPool)))
    return sample.length
  } finally {
    await builtPool.end()
    await scratchPool.end()
    await admin(`drop database if exists ${scratch} with (force)`)
  }
}
