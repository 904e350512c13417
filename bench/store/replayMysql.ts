// Append cost on MariaDB/MySQL: the very SQL statements the store sent for a whole Helpdesk run,
// recorded from the mysql2 driver itself (every connection's `query` and `execute`), replayed
// on a fresh database with the same schema on one raw mysql2 connection, with the session
// settings the store's connections had. Everything before the timed commands is replayed
// untimed, so the database is in the same state when the timed part starts (as replayPg.ts does
// for PostgreSQL; see replay.ts for the report they share).
import mysql from "mysql2"
import type { Connection } from "mysql2/promise"
import { migrateMysql, mysqlUrlFor, recreateMysqlDatabase, withMysql } from "./loadMysql.js"
import {
  type AnyFn,
  type EventRow,
  eventColumns,
  type Recorded,
  type Recorder,
  recorderOver,
  rowValues,
  type Server
} from "./replay.js"
import type { ReplayTarget } from "./replaySession.js"

/**
 * What mysql2's `query` / `execute` was given: `(sql, values, cb)`, `(options, values, cb)`, or
 * (from a pool) a query command holding `sql` and `values`.
 */
const callOf = (
  args: ReadonlyArray<unknown>
): { readonly sql: string; readonly values: Array<unknown> } | undefined => {
  const [first, second] = args
  if (typeof first === "string") return { sql: first, values: Array.isArray(second) ? [...second] : [] }
  if (typeof first === "object" && first !== null && typeof (first as { sql?: unknown }).sql === "string") {
    const options = first as { readonly sql: string; readonly values?: ReadonlyArray<unknown> }
    const values = Array.isArray(second) ? second : (options.values ?? [])
    return { sql: options.sql, values: [...values] }
  }
  return undefined
}

const READER = /^\s*(?:select|values|show|with)\b/i
const SESSION = /^\s*set\s+session\b/i

/** The prototype that defines mysql2's `query` and `execute` (every connection of every pool is one). */
const connectionPrototype = (): Record<string, AnyFn> => {
  let proto = mysql.Connection.prototype as unknown as Record<string, AnyFn> | null
  while (proto !== null && !Object.hasOwn(proto, "query")) proto = Object.getPrototypeOf(proto)
  if (proto === null || !Object.hasOwn(proto, "execute")) throw new Error("bench store: mysql2 has no Connection.query")
  return proto
}

/** A recorder of mysql2, and the session settings the store's connections ran when they opened. */
export interface MysqlRecorder extends Recorder {
  readonly session: Array<Recorded>
}

/**
 * Patches mysql2's connection `query` and `execute` to push what runs while recording is on
 * (kysely's MySQL dialect runs everything through `query`). `set session` statements are kept
 * whenever they run: the store's connections open before the recording starts, and the replay
 * must run with the same settings. `restore` must run in a `finally`.
 */
export const recordMysql = (): MysqlRecorder => {
  const session: Array<Recorded> = []
  const recorder = recorderOver((push) => {
    const proto = connectionPrototype()
    const originals = (["query", "execute"] as const).map((method) => {
      const original = proto[method] as AnyFn
      proto[method] = function (this: unknown, ...args: Array<unknown>) {
        const call = callOf(args)
        if (call !== undefined) {
          const recorded = { sql: call.sql, params: call.values, method, reader: READER.test(call.sql) }
          if (SESSION.test(call.sql) && !session.some((s) => s.sql === call.sql)) session.push(recorded)
          push(recorded)
        }
        return original.apply(this, args)
      }
      return [method, original] as const
    })
    return () => {
      for (const [method, original] of originals) proto[method] = original
    }
  })
  return { ...recorder, session }
}

/** A raw connection to `url`, set up by `session` (the store's own settings). */
const rawConnection = async (url: string, session: ReadonlyArray<Recorded>): Promise<Connection> => {
  const connection = mysql.createConnection({ uri: url, charset: "utf8mb4", supportBigNumbers: true }).promise()
  for (const s of session) await connection.query(s.sql, s.params as Array<unknown>)
  return connection
}

const exec = (c: Connection, s: Recorded): Promise<unknown> =>
  s.method === "execute" ? c.execute(s.sql, s.params as Array<never>) : c.query(s.sql, s.params as Array<unknown>)

/**
 * The fresh database at `url`, migrated by the adapter's own migrations, as a replay target on
 * one raw connection set up as the store's are (`session`); each statement is sent as the store
 * sent it (`query`: the values formatted into the text by mysql2).
 */
const mysqlTarget =
  (session: () => ReadonlyArray<Recorded>) =>
  async (url: string): Promise<ReplayTarget> => {
    await migrateMysql(url)
    const c = await rawConnection(url, session())
    return { exec: (s) => exec(c, s), countEvents: () => countIn(c), close: () => c.end() }
  }

const countIn = async (c: Connection): Promise<number> => {
  const [rows] = (await c.query("select count(*) as n from events")) as unknown as [Array<{ n: number }>]
  return Number(rows[0]?.n)
}

/** Raw inserts on one connection, one autocommitted single-row INSERT each, sent as the store sends statements. */
const rawMysql =
  (session: () => ReadonlyArray<Recorded>) =>
  async (
    url: string,
    rows: ReadonlyArray<EventRow>,
    timedFrom: number
  ): Promise<{ readonly totalMs: number; readonly rowMs: Array<number> }> => {
    await migrateMysql(url)
    const c = await rawConnection(url, session())
    try {
      const sql = `insert into events (${eventColumns}) values (?, ?, ?, ?, ?, ?, ?)`
      const insert = (r: EventRow) => c.query(sql, [...rowValues(r)])
      for (const r of rows.slice(0, timedFrom)) await insert(r)
      const rowMs: Array<number> = []
      const started = performance.now()
      for (const r of rows.slice(timedFrom)) {
        const t0 = performance.now()
        await insert(r)
        rowMs.push(performance.now() - t0)
      }
      return { totalMs: performance.now() - started, rowMs }
    } finally {
      await c.end()
    }
  }

/** The tables an append writes, each with its key, to compare a replay with the original. */
const written: ReadonlyArray<readonly [string, string]> = [
  ["events", "position"],
  ["tickets", "id"],
  ["ticket_texts", "ticket_id, n"],
  ["ticket_words", "ticket_id, word, n"],
  ["ticket_tags", "ticket_id, tag"],
  ["timers", "id"],
  ["outbox", "id"]
]

/** Each written table's rows in key order, as one string per table (a check, not a hash). */
export const mysqlDigests = (url: string): Promise<Map<string, string>> =>
  withMysql(url, async (c) => {
    const out = new Map<string, string>()
    for (const [table, key] of written) {
      const [rows] = await c.query({ sql: `select * from ${table} order by ${key}`, rowsAsArray: true })
      out.set(table, JSON.stringify(rows))
    }
    return out
  })

/**
 * MariaDB/MySQL for the append half, on the server of `baseUrl`. The replays and the raw INSERTs
 * run with the session settings the recorder saw the store's connections take.
 */
export const mysqlServer = (baseUrl: string): Server => {
  let recorder: MysqlRecorder | undefined
  const session = () => {
    if (recorder === undefined || recorder.session.length === 0) {
      throw new Error("append bench (mysql): the store's session settings were not recorded")
    }
    return recorder.session
  }
  return {
    name: "mysql",
    urlFor: (database) => mysqlUrlFor(baseUrl, database),
    recreate: (database) => recreateMysqlDatabase(baseUrl, database),
    drop: (database) => recreateMysqlDatabase(baseUrl, database, true),
    record: () => {
      recorder = recordMysql()
      return recorder
    },
    target: mysqlTarget(session),
    raw: rawMysql(session),
    countEvents: (url) => withMysql(url, countIn),
    readEvents: (url) =>
      withMysql(url, async (c) => {
        const [rows] = await c.query(`select ${eventColumns} from events order by position`)
        return rows as Array<EventRow>
      }),
    digests: mysqlDigests
  }
}
