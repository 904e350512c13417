// Append cost on PostgreSQL: the very SQL statements the store sent for a whole Helpdesk run,
// recorded from pg itself, replayed on a fresh database with the same schema on one raw pg
// connection. Everything before the timed commands (directory, openings, warm-up) is replayed
// untimed, so the database is in the same state when the timed part starts; the timed commands
// are then replayed one after the other, timed per command (see replay.ts for the SQLite half and
// for the report both share).
import { Migrations } from "@tessera/sql"
import { Effect } from "effect"
import { Kysely, PostgresDialect } from "kysely"
import pg from "pg"
import { pgUrlFor, recreatePgDatabase } from "./load.js"
import {
  type AnyFn,
  type EventRow,
  eventColumns,
  type Recorder,
  recorderOver,
  rowValues,
  type Server
} from "./replay.js"
import type { ReplayTarget } from "./replaySession.js"

/** What pg's `query` was given: `(text, values)` or a config `{ text, values, name }`. */
const callOf = (
  args: ReadonlyArray<unknown>
): { readonly text: string; readonly values: Array<unknown> } | undefined => {
  const [first, second] = args
  if (typeof first === "string") return { text: first, values: Array.isArray(second) ? [...second] : [] }
  if (typeof first === "object" && first !== null && typeof (first as { text?: unknown }).text === "string") {
    const config = first as { readonly text: string; readonly values?: ReadonlyArray<unknown> }
    return { text: config.text, values: [...(config.values ?? [])] }
  }
  return undefined
}

const READER = /^\s*(?:select|values)\b/i

/**
 * Patches `pg.Client.prototype.query` (the class every pool's clients are made from; the store's
 * statement naming binds it when a client connects, so patch before the store opens) to push what
 * runs while recording is on. `restore` must run in a `finally`.
 */
export const recordPostgres = (): Recorder =>
  recorderOver((push) => {
    const proto = pg.Client.prototype as unknown as Record<string, AnyFn>
    const original = proto.query as AnyFn
    proto.query = function (this: unknown, ...args: Array<unknown>) {
      const call = callOf(args)
      if (call !== undefined) {
        push({ sql: call.text, params: call.values, method: "query", reader: READER.test(call.text) })
      }
      return original.apply(this, args)
    }
    return () => {
      proto.query = original
    }
  })

/** Statements worth a server-side name, as the store's connections name them. */
const PREPARABLE = /^\s*(?:select|insert|update|delete|with|values|merge)\b/i

/** The connection string with `-c jit=off`, as the store's own connections have it. */
const withoutJit = (url: string): string => {
  const parsed = new URL(url)
  parsed.searchParams.set("options", "-c jit=off")
  return parsed.toString()
}

/**
 * The fresh database at `url`, migrated by the adapter's own migrations, as a replay target on
 * one raw pg connection. Every text that can be is sent as a named statement, so the server
 * parses and plans it once, as it does for the store.
 */
export const postgresTarget = async (url: string): Promise<ReplayTarget> => {
  await migratePostgres(url)
  const client = new pg.Client({ connectionString: withoutJit(url) })
  await client.connect()
  const names = new Map<string, string>()
  return {
    exec: (s) => {
      if (!PREPARABLE.test(s.sql)) return client.query(s.sql, s.params as Array<unknown>)
      let name = names.get(s.sql)
      if (name === undefined) {
        name = `replay_${names.size + 1}`
        names.set(s.sql, name)
      }
      return client.query({ name, text: s.sql, values: s.params as Array<unknown> })
    },
    countEvents: async () => Number((await client.query<{ n: string }>("select count(*) as n from events")).rows[0]?.n),
    close: () => client.end()
  }
}

/** The adapter's migrations on the database at `url`. */
const migratePostgres = async (url: string): Promise<void> => {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  try {
    await Effect.runPromise(
      Migrations.migrate(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), "postgres")
    )
  } finally {
    await pool.end()
  }
}

/** Raw inserts on one pg connection, one autocommitted single-row INSERT each (prepared). */
const rawPostgres = async (
  url: string,
  rows: ReadonlyArray<EventRow>,
  timedFrom: number
): Promise<{ readonly totalMs: number; readonly rowMs: Array<number> }> => {
  await migratePostgres(url)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const text = `insert into events (${eventColumns}) values ($1, $2, $3, $4, $5, $6, $7)`
    const insert = (r: EventRow) => client.query({ name: "bench_insert_event", text, values: [...rowValues(r)] })
    for (const r of rows.slice(0, timedFrom)) await insert(r)
    const timed = rows.slice(timedFrom)
    const rowMs: Array<number> = []
    const started = performance.now()
    for (const r of timed) {
      const t0 = performance.now()
      await insert(r)
      rowMs.push(performance.now() - t0)
    }
    return { totalMs: performance.now() - started, rowMs }
  } finally {
    await client.end()
  }
}

const withClient = async <A>(url: string, body: (client: pg.Client) => Promise<A>): Promise<A> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await body(client)
  } finally {
    await client.end()
  }
}

/** The tables an append writes, each with its key, to compare a replay with the original. */
const written: ReadonlyArray<readonly [string, string]> = [
  ["events", "position"],
  ["tickets", "id"],
  ["ticket_texts", "ticket_id, n"],
  ["ticket_tags", "ticket_id, tag"],
  ["timers", "id"],
  ["outbox", "id"]
]

/** Each written table's rows in key order, as one string per table (a check, not a hash). */
export const pgDigests = (url: string): Promise<Map<string, string>> =>
  withClient(url, async (client) => {
    const out = new Map<string, string>()
    for (const [table, key] of written) {
      const { rows } = await client.query({ text: `select * from ${table} order by ${key}`, rowMode: "array" })
      out.set(table, JSON.stringify(rows))
    }
    return out
  })

/** PostgreSQL for the append half, on the server of `baseUrl`. */
export const postgresServer = (baseUrl: string): Server => ({
  name: "postgres",
  urlFor: (database) => pgUrlFor(baseUrl, database),
  recreate: (database) => recreatePgDatabase(baseUrl, database),
  drop: (database) => recreatePgDatabase(baseUrl, database, true),
  record: recordPostgres,
  target: postgresTarget,
  raw: rawPostgres,
  countEvents: (url) =>
    withClient(url, async (client) =>
      Number((await client.query<{ n: string }>("select count(*) as n from events")).rows[0]?.n)
    ),
  readEvents: (url) =>
    withClient(
      url,
      async (client) => (await client.query<EventRow>(`select ${eventColumns} from events order by position`)).rows
    ),
  digests: pgDigests
})
