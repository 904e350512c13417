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

/**
 * The hand-written questions. The queue walks `tickets_group_queue` in its order: the generated
 * column `sla_missing` (the index cannot hold `sla_due_at is null` itself) then the due time.
 * A search has one statement per number of terms: each term must prefix-match a word of one of
 * the ticket's texts (`ticket_words`, whose `ticket_words_prefix` index is by word), written as
 * `id in (...)` so that the optimizer may turn each into a semi-join and choose its order.
 */
export const mysqlSql = {
  queue: `select id, version, summary, sla_due_at from tickets
    where workspace_id = ? and group_id = ? and category in ('new', 'open', 'pending', 'on_hold')
    order by sla_missing, sla_due_at, id limit 51`,
  search: (terms: number): string =>
    `select id, version, summary, sla_due_at from tickets
     where workspace_id = ? and ${Array.from(
       { length: terms },
       () => "id in (select w.ticket_id from ticket_words w where w.word like ?)"
     ).join(" and ")}
     order by created_at, id limit 51`,
  terms: (text: string): ReadonlyArray<string> => TicketQuery.searchTerms(text).map((t) => `${t}%`)
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
  try {
    const store = await runtime.runPromise(getStore)
    const [[version]] = (await c.query("select version() as v")) as unknown as [Array<{ v: string }>]
    const mariadb = /mariadb/i.test(String(version?.v))
    const measured = await measure(
      store,
      {
        queue: (group) => c.query(mysqlSql.queue, [mainWorkspace, group]),
        search: (terms) => c.query(mysqlSql.search(terms.length), [mainWorkspace, ...terms]),
        terms: mysqlSql.terms
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
      const terms = mysqlSql.terms(s.text)
      const sql = mysqlSql.search(terms.length)
      explain.push({
        name: `raw ${s.name}`,
        sql,
        plan: await planOf(c, mariadb, { sql, parameters: [mainWorkspace, ...terms] })
      })
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
