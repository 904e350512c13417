// Query latency on MariaDB/MySQL at 1,000,000 tickets, through the store's own `query`, against
// the same questions hand-written on one raw mysql2 connection (statements sent as the store
// sends them: `query`, values formatted into the text), sampled interleaved (latency.ts). The
// adapter's SQL is captured from a logging kysely client and run under the server's ANALYZE
// (MariaDB) or EXPLAIN ANALYZE (MySQL 8), as are the hand-written searches.
import { TicketQuery } from "@tessera/core"
import type { Database } from "@tessera/sql"
import { type CompiledQuery, Kysely, MysqlDialect } from "kysely"
import mysql from "mysql2"
import type { Connection } from "mysql2/promise"
import { mainWorkspace } from "./data.js"
import { captureSql, getStore, type LatencyOptions, type LatencyResult, measure, storeRuntime } from "./latency.js"

/** A statement and its values. */
interface Statement {
  readonly sql: string
  readonly parameters: ReadonlyArray<unknown>
}

/** The store's search tuning defaults on this dialect: a term matched by fewer texts than this drives. */
const rareTexts = 2_000
/** The store's default window: a search of common terms checks this many tickets in order first. */
const walkWindow = 5_000

const columns = "t.id, t.version, t.summary, t.sla_due_at"
const hasTerm = "exists (select 1 from ticket_words w where w.ticket_id = t.id and w.word like ?)"

/**
 * The hand-written questions. The queue walks `tickets_group_queue` in its order: the generated
 * column `sla_missing` (the index cannot hold `sla_due_at is null` itself) then the due time.
 * A search follows the plan a person would write for this schema, since MariaDB's optimizer
 * alone materializes every match of a common word (seconds at 500,000 tickets): each term's
 * matching words are counted up to `rareTexts`; the rarest term under it drives (its tickets as
 * a semi-join, the other terms checked per ticket, then sorted), and when every term is common
 * the first `walkWindow` tickets in order (ids and sort keys only) are checked, or, when they hold
 * no page and there are more, every term's words are read in one range scan and grouped by ticket
 * (in memory: the session allows 64 MiB, as the store's does). Terms are prefixes (`term%`).
 */
export const mysqlSql = {
  queue: `select id, version, summary, sla_due_at from tickets
    where workspace_id = ? and group_id = ? and category in ('new', 'open', 'pending', 'on_hold')
    order by sla_missing, sla_due_at, id limit 51`,
  count: `select count(*) as n from (select 1 from ticket_words w where w.word like ? limit ${rareTexts}) m`,
  driven: (terms: number): string =>
    `select ${columns} from tickets t
     where t.workspace_id = ? and ${[
       "t.id in (select w.ticket_id from ticket_words w where w.word like ?)",
       ...Array.from({ length: terms - 1 }, () => hasTerm)
     ].join(" and ")}
     order by t.created_at, t.id limit 51`,
  walk: (terms: number): string =>
    `select ${columns} from (select id, created_at from tickets where workspace_id = ?
       order by created_at, id limit ${walkWindow}) c join tickets t on t.id = c.id
     where ${Array.from({ length: terms }, () => hasTerm).join(" and ")}
     order by c.created_at, c.id limit 51`,
  more: `select count(*) as n from (select 1 from tickets where workspace_id = ? limit ${walkWindow + 1}) c`,
  every: (terms: number): string =>
    `select ${columns} from tickets t
     where t.workspace_id = ? and t.id in (select w.ticket_id from ticket_words w
       where ${Array.from({ length: terms }, () => "w.word like ?").join(" or ")}
       group by w.ticket_id having ${Array.from({ length: terms }, () => "max(w.word like ?) = 1").join(" and ")})
     order by t.created_at, t.id limit 51`,
  terms: (text: string): ReadonlyArray<string> => TicketQuery.searchTerms(text).map((t) => `${t}%`)
}

type Rows = Array<Record<string, unknown>>

const rows = async (c: Connection, q: Statement): Promise<Rows> =>
  ((await c.query(q.sql, [...q.parameters])) as unknown as [Rows])[0]

/** Runs the hand-written search of `terms` (see `mysqlSql`); returns the page's statements, last the one that answered. */
export const rawSearch = async (c: Connection, terms: ReadonlyArray<string>): Promise<Array<Statement>> => {
  let rarest: { readonly term: string; readonly n: number } | undefined
  for (const term of terms) {
    const n = Number((await rows(c, { sql: mysqlSql.count, parameters: [term] }))[0]?.n)
    if (n < rareTexts && (rarest === undefined || n < rarest.n)) rarest = { term, n }
  }
  const driven = (driver: string): Statement => ({
    sql: mysqlSql.driven(terms.length),
    parameters: [mainWorkspace, driver, ...terms.filter((t) => t !== driver)]
  })
  if (rarest !== undefined) {
    const q = driven(rarest.term)
    await rows(c, q)
    return [q]
  }
  const walk = { sql: mysqlSql.walk(terms.length), parameters: [mainWorkspace, ...terms] }
  const page = await rows(c, walk)
  if (page.length > 50) return [walk]
  const more = Number((await rows(c, { sql: mysqlSql.more, parameters: [mainWorkspace] }))[0]?.n) > walkWindow
  if (!more) return [walk]
  const every = { sql: mysqlSql.every(terms.length), parameters: [mainWorkspace, ...terms, ...terms] }
  await rows(c, every)
  return [walk, every]
}

/**
 * MariaDB failed to delete the file of an on-disk temporary table that is no longer there
 * (`EE_DELETE`, errno 2): seen on the shared development server while other processes' tests ran,
 * for statements that succeed when run again. The error may be wrapped (the store's
 * `StoreUnavailable` keeps the driver's error as its `cause`).
 */
const lostTemporaryFile = (error: unknown): boolean => {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if ((current as { readonly code?: unknown }).code === "EE_DELETE") return true
    current = (current as { readonly cause?: unknown }).cause
  }
  return false
}

/** The plan of `q` as the server ran it: MariaDB's `analyze`, MySQL's `explain analyze`. */
const planOf = async (
  c: Connection,
  mariadb: boolean,
  q: { readonly sql: string; readonly parameters: ReadonlyArray<unknown> }
): Promise<string> => {
  const [rows] = (await c.query(`${mariadb ? "analyze" : "explain analyze"} ${q.sql}`, [
    ...q.parameters
  ])) as unknown as [Array<Record<string, unknown>>]
  if (!mariadb) return rows.map((r) => String(Object.values(r)[0])).join("\n")
  const columns = [
    "id",
    "select_type",
    "table",
    "type",
    "key",
    "key_len",
    "ref",
    "rows",
    "r_rows",
    "r_filtered",
    "Extra"
  ]
  const cells = [
    columns,
    ...rows.map((r) => columns.map((k) => (r[k] === null || r[k] === undefined ? "" : String(r[k]))))
  ]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)))
  return cells
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}

export const latencyMysql = async (url: string, options: LatencyOptions): Promise<LatencyResult> => {
  const runtime = storeRuntime(url)
  const c = mysql.createConnection({ uri: url, charset: "utf8mb4", supportBigNumbers: true }).promise()
  await c.query("set session tmp_table_size = 67108864, max_heap_table_size = 67108864")
  try {
    const store = await runtime.runPromise(getStore)
    const [[version]] = (await c.query("select version() as v")) as unknown as [Array<{ v: string }>]
    const mariadb = /mariadb/i.test(String(version?.v))
    const measured = await measure(
      store,
      {
        queue: (group) => c.query(mysqlSql.queue, [mainWorkspace, group]),
        search: (terms) => rawSearch(c, terms),
        terms: mysqlSql.terms,
        transient: lostTemporaryFile
      },
      options
    )
    const captured: Array<CompiledQuery> = []
    const pool = mysql.createPool({ uri: url, charset: "utf8mb4", supportBigNumbers: true, connectionLimit: 1 })
    const logging = new Kysely<Database.Database>({
      dialect: new MysqlDialect({ pool }),
      log: (event) => {
        captured.push(event.query)
      }
    })
    const { queueSql, searchSqls } = await captureSql(logging, "mysql", captured)
    await logging.destroy()
    const queuePlan = await planOf(c, mariadb, queueSql)
    const explain: Array<{ name: string; sql: string; plan: string }> = [
      { name: "queue", sql: queueSql.sql, plan: queuePlan },
      {
        name: "raw queue",
        sql: mysqlSql.queue,
        plan: await planOf(c, mariadb, { sql: mysqlSql.queue, parameters: [mainWorkspace, "grp_07"] })
      }
    ]
    for (const s of searchSqls)
      explain.push({ name: s.name, sql: s.query.sql, plan: await planOf(c, mariadb, s.query) })
    for (const s of searchSqls) {
      const answered = (await rawSearch(c, mysqlSql.terms(s.text))).at(-1) as Statement
      explain.push({ name: `raw ${s.name}`, sql: answered.sql, plan: await planOf(c, mariadb, answered) })
    }
    return {
      ...measured,
      explain,
      // MariaDB's table says "Using filesort", MySQL's tree "Sort:".
      queueUsesIndex: /tickets_group_queue/.test(queuePlan) && !/filesort|\bSort:/i.test(queuePlan)
    }
  } finally {
    await c.end()
    await runtime.dispose()
  }
}
