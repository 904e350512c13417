// Builds (once) the MariaDB/MySQL database the latency half of the store bench reads: the schema
// from the adapter's own migrations, then `tickets`, `ticket_tags`, `ticket_texts` and the words
// table the dialect searches (`ticket_words`: each text's distinct words, as the store writes them)
// bulk-loaded with `LOAD DATA LOCAL INFILE` from tab-separated text made in memory. The three
// workspaces' tickets are interleaved in id order, so every clustered index is filled in key
// order; the secondary indexes and the words' foreign key are dropped for the load and made
// again from their definitions, and the result is checked against the migrations' schema.
// A built database is kept, marked with the cache key (see load.ts); `--rebuild` forces a load.
import { Readable } from "node:stream"
import { Migrations } from "@tessera/sql"
import { Effect } from "effect"
import { Kysely, MysqlDialect } from "kysely"
import mysql from "mysql2"
import type { Connection } from "mysql2/promise"
import {
  type Batch,
  dataVersion,
  type TagRow,
  type TextRow,
  type TicketRow,
  textColumns,
  ticketColumns,
  workspaces
} from "./data.js"
import { benchDatabase, cacheKey, type LoadReport, seconds, workspaceBatches } from "./load.js"

/** The URL of another database on the same server. */
export const mysqlUrlFor = (baseUrl: string, database: string): string => {
  const url = new URL(baseUrl)
  url.pathname = `/${database}`
  return url.toString()
}

/** A promise connection to `url`, ended after `body`. */
export const withMysql = async <A>(url: string, body: (c: Connection) => Promise<A>): Promise<A> => {
  const connection = mysql.createConnection({ uri: url, charset: "utf8mb4", supportBigNumbers: true }).promise()
  try {
    return await body(connection)
  } finally {
    await connection.end()
  }
}

/** Drops (if present) and, unless `dropOnly`, creates an empty database on the server of `baseUrl`. */
export const recreateMysqlDatabase = (baseUrl: string, database: string, dropOnly = false): Promise<void> =>
  withMysql(baseUrl, async (c) => {
    await c.query(`drop database if exists \`${database}\``)
    if (!dropOnly) await c.query(`create database \`${database}\``)
  })

/** Runs the adapter's migrations on the (empty) database at `url`, as the store would. */
export const migrateMysql = async (url: string): Promise<void> => {
  const pool = mysql.createPool({ uri: url, charset: "utf8mb4", connectionLimit: 1 })
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool }) })
  try {
    await Effect.runPromise(Migrations.migrate(db, "mysql"))
  } finally {
    await db.destroy()
  }
}

/** What the migrations made of `database`: its columns, indexes and foreign keys, as one string. */
const schemaOf = async (c: Connection, database: string): Promise<string> => {
  const [columns] = await c.query(
    `select table_name, column_name, column_type, collation_name, is_nullable, column_default, generation_expression
     from information_schema.columns where table_schema = ? and table_name <> 'bench_built' order by 1, 2`,
    [database]
  )
  const [indexes] = await c.query(
    `select table_name, index_name, non_unique, seq_in_index, column_name, sub_part
     from information_schema.statistics where table_schema = ? and table_name <> 'bench_built' order by 1, 2, 4`,
    [database]
  )
  const [foreignKeys] = await c.query(
    `select r.table_name, r.constraint_name, r.referenced_table_name, r.update_rule, r.delete_rule,
       k.ordinal_position, k.column_name, k.referenced_column_name
     from information_schema.referential_constraints r join information_schema.key_column_usage k
       on k.constraint_schema = r.constraint_schema and k.table_name = r.table_name and k.constraint_name = r.constraint_name
     where r.constraint_schema = ? order by 1, 2, 6`,
    [database]
  )
  return JSON.stringify([columns, indexes, foreignKeys])
}

/** The schema the migrations create on this server, read back from a scratch database. */
const mysqlSchema = async (baseUrl: string): Promise<string> => {
  const scratch = `tessera_bench_schema_${process.pid}`
  await recreateMysqlDatabase(baseUrl, scratch)
  try {
    await migrateMysql(mysqlUrlFor(baseUrl, scratch))
    return await withMysql(baseUrl, (c) => schemaOf(c, scratch))
  } finally {
    await withMysql(baseUrl, (c) => c.query(`drop database if exists \`${scratch}\``))
  }
}

// -- rows in id order ---------------------------------------------------------------------------

interface TicketRows {
  readonly ticket: TicketRow
  readonly tags: ReadonlyArray<TagRow>
  readonly texts: ReadonlyArray<TextRow>
}

/** One workspace's batches, ticket by ticket (a batch holds each ticket's tags and texts together, in order). */
function* byTicket(batches: Iterator<Batch>): Generator<TicketRows> {
  for (let next = batches.next(); next.done !== true; next = batches.next()) {
    const { tickets, tags, texts } = next.value
    let tag = 0
    let text = 0
    for (const ticket of tickets) {
      const tagsFrom = tag
      while (tags[tag]?.ticket_id === ticket.id) tag++
      const textsFrom = text
      while (texts[text]?.ticket_id === ticket.id) text++
      yield { ticket, tags: tags.slice(tagsFrom, tag), texts: texts.slice(textsFrom, text) }
    }
    if (tag !== tags.length || text !== texts.length)
      throw new Error("bench store: a batch's rows are not in ticket order")
  }
}

/** Every workspace's tickets, merged in id order (each workspace's own come in id order). */
function* inIdOrder(mainTickets: number): Generator<TicketRows> {
  const streams = workspaceBatches(mainTickets).map(byTicket)
  const heads = streams.map((s) => s.next())
  let last = ""
  for (;;) {
    let next: TicketRows | undefined
    let from = -1
    heads.forEach((head, i) => {
      if (head.done === true) return
      if (next === undefined || head.value.ticket.id < next.ticket.id) {
        next = head.value
        from = i
      }
    })
    if (next === undefined) return
    if (next.ticket.id <= last) throw new Error(`bench store: ticket ids out of order at ${next.ticket.id}`)
    last = next.ticket.id
    yield next
    heads[from] = (streams[from] as Generator<TicketRows>).next()
  }
}

/** The words table's rows of one text, as the dialect writes them: distinct words, in key order. */
const wordRows = (text: TextRow): Array<string> =>
  [...new Set(text.words.split(" ").filter((w) => w !== ""))]
    .map((w) => (w.length <= 64 ? w : Array.from(w).slice(0, 64).join("")))
    .sort()

// -- LOAD DATA ----------------------------------------------------------------------------------

/** A value as `LOAD DATA` reads it (fields by tab, lines by newline, `\` escapes, `\N` for NULL). */
const field = (value: string | number | null): string => {
  if (value === null) return "\\N"
  if (typeof value === "number") return String(value)
  return value.replace(/[\\\t\n\r\0]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\0"
  )
}

const line = (values: ReadonlyArray<string | number | null>): string => `${values.map(field).join("\t")}\n`

/** Loads `lines` into `table` in one statement (sent in pieces: mysql2 makes each a packet). */
const loadData = async (c: Connection, table: string, columns: ReadonlyArray<string>, lines: Array<string>) => {
  if (lines.length === 0) return
  const data = Buffer.from(lines.join(""), "utf8")
  const piece = 1 << 20
  const pieces = Array.from({ length: Math.ceil(data.length / piece) }, (_, i) =>
    data.subarray(i * piece, (i + 1) * piece)
  )
  const t0 = performance.now()
  await c.query({
    sql: `load data local infile 'bench-${table}.tsv' into table ${table} character set utf8mb4
      fields terminated by '\\t' escaped by '\\\\' lines terminated by '\\n' (${columns.join(", ")})`,
    infileStreamFactory: () => Readable.from(pieces)
  })
  loadMs.set(table, (loadMs.get(table) ?? 0) + performance.now() - t0)
}

/** Time spent in each table's LOAD DATA statements (ms), for the log. */
const loadMs = new Map<string, number>()
const builtMarker = (key: string) => `tessera-bench store ${key}`

const loaded = ["tickets", "ticket_tags", "ticket_texts", "ticket_words"] as const

/**
 * The foreign keys of the loaded tables, as the clause that adds each back: dropped for the load,
 * with their indexes (InnoDB keeps an index per foreign key, and maintaining one while the rows
 * go in triples the load of `ticket_words`).
 */
const foreignKeys = async (c: Connection, database: string) => {
  const [rows] = (await c.query(
    `select r.table_name as t, r.constraint_name as name, r.referenced_table_name as ref, r.delete_rule as del,
       r.update_rule as upd, group_concat(k.column_name order by k.ordinal_position) as cols,
       group_concat(k.referenced_column_name order by k.ordinal_position) as refcols
     from information_schema.referential_constraints r join information_schema.key_column_usage k
       on k.constraint_schema = r.constraint_schema and k.table_name = r.table_name and k.constraint_name = r.constraint_name
     where r.constraint_schema = ? and r.table_name in (${loaded.map(() => "?").join(", ")})
     group by r.table_name, r.constraint_name, r.referenced_table_name, r.delete_rule, r.update_rule`,
    [database, ...loaded]
  )) as unknown as [
    Array<{ t: string; name: string; ref: string; del: string; upd: string; cols: string; refcols: string }>
  ]
  // RESTRICT is what a key without the clause reports (and MariaDB reports one given it as NO ACTION).
  const rule = (on: string, action: string) => (action === "RESTRICT" ? "" : ` on ${on} ${action}`)
  const quoted = (list: string) =>
    list
      .split(",")
      .map((col) => `\`${col}\``)
      .join(", ")
  return rows.map((r) => ({
    table: r.t,
    name: r.name,
    add: `add constraint \`${r.name}\` foreign key (${quoted(r.cols)}) references \`${r.ref}\` (${quoted(
      r.refcols
    )})${rule("delete", r.del)}${rule("update", r.upd)}`
  }))
}

/** The secondary (non-unique) indexes of the loaded tables: dropped for the load, made again after. */
const secondaryIndexes = async (c: Connection, database: string) => {
  const [rows] = (await c.query(
    `select table_name as t, index_name as i, column_name as c, sub_part as p
     from information_schema.statistics
     where table_schema = ? and table_name in (${loaded.map(() => "?").join(", ")}) and non_unique = 1
     order by table_name, index_name, seq_in_index`,
    [database, ...loaded]
  )) as unknown as [Array<{ t: string; i: string; c: string; p: number | null }>]
  const byTable = new Map<string, Map<string, Array<string>>>()
  for (const r of rows) {
    const indexes = byTable.get(r.t) ?? new Map<string, Array<string>>()
    byTable.set(r.t, indexes)
    const columns = indexes.get(r.i) ?? []
    indexes.set(r.i, columns)
    columns.push(r.p === null ? `\`${r.c}\`` : `\`${r.c}\`(${r.p})`)
  }
  return byTable
}

export const buildMysql = async (
  baseUrl: string,
  mainTickets: number,
  rebuild: boolean,
  database: string = benchDatabase(mainTickets)
): Promise<LoadReport> => {
  const schema = await mysqlSchema(baseUrl)
  const marker = builtMarker(cacheKey(mainTickets, `mysql\n${schema}`))
  const url = mysqlUrlFor(baseUrl, database)
  const existing = await withMysql(baseUrl, async (c) => {
    const [tables] = (await c.query(
      "select 1 from information_schema.tables where table_schema = ? and table_name = 'bench_built'",
      [database]
    )) as unknown as [Array<unknown>]
    if (tables.length === 0) return undefined
    const [rows] = (await c.query(`select marker from \`${database}\`.bench_built`)) as unknown as [
      Array<{ marker: string }>
    ]
    return rows[0]?.marker
  })
  if (!rebuild && existing === marker) return { cached: true, seconds: 0, rows: 0 }
  const started = performance.now()
  await recreateMysqlDatabase(baseUrl, database)
  await migrateMysql(url)
  return withMysql(url, async (c) => {
    const [[infile]] = (await c.query("select @@local_infile as on_")) as unknown as [Array<{ on_: number }>]
    if (Number(infile?.on_) !== 1) {
      throw new Error(
        "bench store: the MariaDB/MySQL server does not take LOAD DATA LOCAL INFILE (local_infile is off)"
      )
    }
    await c.query("set session unique_checks = 0, foreign_key_checks = 0")
    const keys = await foreignKeys(c, database)
    for (const key of keys) await c.query(`alter table ${key.table} drop foreign key \`${key.name}\``)
    const indexes = await secondaryIndexes(c, database)
    for (const [table, named] of indexes) {
      await c.query(`alter table ${table} ${[...named.keys()].map((i) => `drop index \`${i}\``).join(", ")}`)
    }
    const wordColumns = ["ticket_id", "n", "word"]
    const tagColumns = ["workspace_id", "ticket_id", "tag"]
    const chunk = 5_000
    let tickets: Array<string> = []
    let tags: Array<string> = []
    let texts: Array<string> = []
    let words: Array<string> = []
    let rows = 0
    let wordCount = 0
    // One connection per table, so that the four loads of a chunk go on side by side.
    const loaders = await Promise.all(
      loaded.map(async () => {
        const l = mysql.createConnection({ uri: url, charset: "utf8mb4" }).promise()
        await l.query("set session unique_checks = 0, foreign_key_checks = 0")
        return l
      })
    )
    const [lt, lg, lx, lw] = loaders as [Connection, Connection, Connection, Connection]
    let pending: Promise<unknown> = Promise.resolve()
    const flush = async () => {
      await pending
      pending = Promise.all([
        loadData(lt, "tickets", ticketColumns, tickets),
        loadData(lg, "ticket_tags", tagColumns, tags),
        loadData(lx, "ticket_texts", textColumns, texts),
        loadData(lw, "ticket_words", wordColumns, words)
      ])
      // Awaited at the next flush; until then a failure must not count as unhandled.
      pending.catch(() => undefined)
      tickets = []
      tags = []
      texts = []
      words = []
    }
    for (const t of inIdOrder(mainTickets)) {
      tickets.push(line(ticketColumns.map((k) => t.ticket[k])))
      for (const tag of [...t.tags].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)))
        tags.push(line([tag.workspace_id, tag.ticket_id, tag.tag]))
      const pairs: Array<readonly [string, number]> = []
      for (const text of t.texts) {
        texts.push(line(textColumns.map((k) => text[k])))
        for (const w of wordRows(text)) pairs.push([w, text.n])
      }
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]))
      for (const [w, n] of pairs) words.push(line([t.ticket.id, n, w]))
      wordCount += pairs.length
      rows += 1
      if (rows % chunk === 0) await flush()
      // Let the loads in flight go on while the next rows are made.
      if (rows % 200 === 0) await new Promise((resolve) => setImmediate(resolve))
      if (rows % 100_000 === 0) log(`mysql: ${rows} tickets, ${wordCount} words (${seconds(started)})`)
    }
    await flush()
    await pending
    for (const l of loaders) await l.end()
    const perTable = [...loadMs].map(([table, ms]) => `${table} ${(ms / 1000).toFixed(0)} s`).join(", ")
    log(`mysql: rows in after ${seconds(started)} (LOAD DATA: ${perTable}); creating the secondary indexes`)
    for (const [table, named] of indexes) {
      const adds = [...named].map(([i, columns]) => `add index \`${i}\` (${columns.join(", ")})`)
      await c.query(`alter table ${table} ${adds.join(", ")}`)
      log(`mysql: ${table}'s ${named.size} indexes made after ${seconds(started)}`)
    }
    // Foreign key checks are off: the keys are added back without reading the rows again.
    for (const key of keys) await c.query(`alter table ${key.table} ${key.add}`)
    log(`mysql: foreign keys back after ${seconds(started)}`)
    if ((await schemaOf(c, database)) !== schema) {
      throw new Error("bench store: the loaded MariaDB/MySQL database's schema differs from the migrations'")
    }
    for (const ws of workspaces(mainTickets)) {
      await c.query("insert into public_id_sequences (workspace_id, last_value) values (?, ?)", [ws.id, ws.tickets])
    }
    for (const table of loaded) await c.query(`analyze table ${table}`)
    log(`mysql: analyzed after ${seconds(started)}`)
    await c.query("create table bench_built (marker varchar(200) not null)")
    await c.query("insert into bench_built (marker) values (?)", [marker])
    log(`mysql: ${rows} tickets, ${wordCount} words loaded and indexed in ${seconds(started)} (data v${dataVersion})`)
    return { cached: false, seconds: (performance.now() - started) / 1000, rows }
  })
}

const log = (message: string) => process.stderr.write(`[bench store] ${message}\n`)
