// The reporting bench (issue 18): the time to compute a month's report (every metric, by group and
// channel) with `SqlReport.report` over 1,000,000 tickets' metrics on SQLite and PostgreSQL,
// against hand-written SQL computing the same numbers from the same tables (`handWritten.ts`),
// interleaved in the same run; and on each database `restrictedQueue`, the queue p99 of agents
// restricted to 3 of 50 groups against unrestricted agents', through the help desk's access
// policy (`restricted.ts`).
//
// The tickets' rows are built once for both databases in the shape `SqlReport.put` writes them,
// loaded in bulk and checked against `SqlReport.put` on a sample (`load.ts`), then cached: a
// SQLite file in /tmp and a PostgreSQL database, both named by a key of the data version, the size
// and the reporting migration's text.
//
// Usage: pnpm bench reporting [--tickets N] [--rounds N] [--only sqlite|postgres] [--rebuild] [--queue-tickets N]
import { createHash } from "node:crypto"
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs"
import { parseArgs } from "node:util"
import type { Report } from "@tessera/core"
import { Connection, SqlReport } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { DateTime, Effect } from "effect"
import pg from "pg"
import { type Figure, figures, type Row, table } from "../lib/report.js"
import * as StoreLoad from "../store/load.js"
import { dataVersion, month, workspace } from "./data.js"
import * as HandWritten from "./handWritten.js"
import * as Load from "./load.js"
import * as Restricted from "./restricted.js"

const { values } = parseArgs({
  options: {
    tickets: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "5" },
    only: { type: "string" },
    rebuild: { type: "boolean", default: false },
    "queue-tickets": { type: "string", default: "100000" }
  }
})
const tickets = Number(values.tickets)
const rounds = Math.max(1, Number(values.rounds))
const log = (line: string) => console.error(`[reporting] ${line}`)

const migrationText = readFileSync(
  new URL("../../packages/adapters/sql/src/migrations/006_report_metrics.ts", import.meta.url),
  "utf8"
)
const cacheKey = createHash("sha256").update(`${dataVersion}\n${tickets}\n${migrationText}`).digest("hex").slice(0, 16)
const period: Report.Period = { from: DateTime.makeUnsafe(month.from), to: DateTime.makeUnsafe(month.to) }
const by: ReadonlyArray<Report.Dimension> = ["group", "channel"]

const sqlitePath = `/tmp/tessera-bench-reporting-${cacheKey}.sqlite`
// Named by the key, not the size alone: a branch with other data or another migration 006 (another
// worktree on the same server) keeps its own database instead of dropping this one.
const pgDatabase = `tessera_bench_reporting_${cacheKey}`
const pgUrlFor = (base: string, database: string) => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}
const pgMarker = `tessera-bench reporting ${cacheKey}`

const withAdmin = async <A>(base: string, body: (query: (text: string) => Promise<pg.QueryResult>) => Promise<A>) => {
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    return await body((text) => admin.query(text))
  } finally {
    await admin.end()
  }
}

/**
 * Builds the databases that are not cached (or all with `--rebuild`) in one pass over the data
 * (`load.ts`), checks each against `SqlReport.put` on a sample, then marks it built: the SQLite
 * file is renamed into place, the PostgreSQL database gets its comment.
 */
const build = async (sqlite: boolean, pgBase: string | undefined) => {
  const needSqlite = sqlite && (values.rebuild || !existsSync(sqlitePath))
  let needPostgres = false
  if (pgBase !== undefined) {
    const existing = await withAdmin(pgBase, async (query) =>
      query(`select shobj_description(oid, 'pg_database') as comment from pg_database where datname = '${pgDatabase}'`)
    )
    needPostgres = values.rebuild || existing.rows[0]?.comment !== pgMarker
  }
  if (!needSqlite && !needPostgres) return { sqlite: "cached", postgres: "cached" }
  const building = `${sqlitePath}.building`
  const loaders = []
  if (needSqlite) {
    for (const p of [sqlitePath, building]) rmSync(p, { force: true })
    loaders.push(await Load.sqliteLoader(building))
  }
  const pgUrl = pgBase === undefined ? undefined : pgUrlFor(pgBase, pgDatabase)
  if (needPostgres && pgBase !== undefined && pgUrl !== undefined) {
    await withAdmin(pgBase, async (query) => {
      await query(`drop database if exists ${pgDatabase} with (force)`)
      await query(`create database ${pgDatabase}`)
    })
    loaders.push(await Load.postgresLoader(pgUrl))
  }
  const names = [needSqlite ? "sqlite" : [], needPostgres ? "postgres" : []].flat().join(" and ")
  log(`building ${names} (${tickets} tickets)`)
  const seconds = await Load.load(tickets, loaders, log)
  const done = `built in ${seconds.toFixed(0)} s (${names} together)`
  if (needSqlite) {
    const checked = await Load.checkSqlite(building, tickets)
    log(`sqlite: ${checked} sample tickets' rows equal SqlReport.put's`)
    renameSync(building, sqlitePath)
  }
  if (needPostgres && pgBase !== undefined && pgUrl !== undefined) {
    const checked = await withAdmin(pgBase, (query) =>
      Load.checkPostgres(pgUrl, query, (database) => pgUrlFor(pgBase, database), tickets)
    )
    log(`postgres: ${checked} sample tickets' rows equal SqlReport.put's`)
    await withAdmin(pgBase, (query) => query(`comment on database ${pgDatabase} is '${pgMarker}'`))
  }
  return { sqlite: needSqlite ? done : "cached", postgres: needPostgres ? done : "cached" }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number

/** The numbers both paths must agree on, per (dimension, key): a sanity check before timing. */
const fingerprint = (report: Report.Report) =>
  [{ dimension: "all", rows: [{ key: null, summary: report.summary }] }, ...report.breakdowns].flatMap((b) =>
    b.rows.map(
      (r) =>
        `${b.dimension}/${r.key}: ${r.summary.created} ${r.summary.solved} ${r.summary.firstReply.calendar.median} ${r.summary.firstReply.business.p90} ${r.summary.nextReply.calendar.p90} ${r.summary.backlog.tickets} ${r.summary.backlog.age.business.median} ${r.summary.oneTouch.count} ${r.summary.reopens}`
    )
  )

/** Times `SqlReport.report` and the hand-written statements, interleaved, on one URL. */
const measure = async (
  url: string,
  handWritten: () => Promise<{ created: number; solved: number; backlog: number }>
): Promise<{ ours: number; theirs: number; report: Report.Report }> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        // No statement bound: a report over a million tickets may run past the default 30 s.
        const connection = yield* Connection.scoped(url, { statementTimeout: 0 })
        const reports = SqlReport.make({ db: connection.db, dialect: connection.dialect })
        const report = yield* reports.report(workspace, period, by)
        const hand = yield* Effect.promise(handWritten)
        if (
          hand.created !== report.summary.created ||
          hand.solved !== report.summary.solved ||
          hand.backlog !== report.summary.backlog.tickets
        ) {
          return yield* Effect.die(new Error(`hand-written SQL disagrees: ${JSON.stringify(hand)}`))
        }
        const ours: Array<number> = []
        const theirs: Array<number> = []
        for (let round = 0; round < rounds; round++) {
          const runOurs = Effect.gen(function* () {
            const t = performance.now()
            const again = yield* reports.report(workspace, period, by)
            ours.push(performance.now() - t)
            if (fingerprint(again).join("\n") !== fingerprint(report).join("\n")) {
              return yield* Effect.die(new Error("SqlReport gave two answers"))
            }
          })
          const runTheirs = Effect.promise(async () => {
            const t = performance.now()
            await handWritten()
            theirs.push(performance.now() - t)
          })
          // Alternate which goes first, so both see the same machine.
          if (round % 2 === 0) yield* Effect.andThen(runOurs, runTheirs)
          else yield* Effect.andThen(runTheirs, runOurs)
          log(
            `monthReport round ${round + 1}/${rounds}: tessera ${ours.at(-1)?.toFixed(0)} ms, hand-written ${theirs.at(-1)?.toFixed(0)} ms`
          )
        }
        return { ours: median(ours), theirs: median(theirs), report }
      })
    )
  )

const bindings = { w: workspace, from: month.from, to: month.to, bto: month.to }

const sqliteHandWritten = () => {
  const db = new SqliteDatabase(sqlitePath, { readonly: true })
  const statements = HandWritten.bind(HandWritten.sqlite(), bindings).map((text) => db.prepare(text))
  return async () => {
    const [counts] = statements.map((s) => s.all() as Array<Record<string, number>>)
    for (const s of statements.slice(1)) s.all()
    const all = counts?.find((r) => r.d === 0)
    return { created: Number(all?.created), solved: Number(all?.solved), backlog: Number(all?.backlog) }
  }
}

const postgresHandWritten = (url: string) => {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const statements = HandWritten.bind(HandWritten.postgres(), bindings)
  return {
    run: async () => {
      const results = []
      for (const text of statements) results.push(await pool.query(text))
      const all = results[0]?.rows.find((r) => r.g === 1 && r.h === 1)
      return { created: Number(all?.created), solved: Number(all?.solved), backlog: Number(all?.backlog) }
    },
    close: () => pool.end()
  }
}

const main = async () => {
  const only = values.only
  const pgBase = process.env.TESSERA_PG_URL
  if (only !== "sqlite" && (pgBase === undefined || pgBase === "")) {
    throw new Error("TESSERA_PG_URL is not set (or pass --only sqlite): the bench never skips a database")
  }
  const built = await build(only === undefined || only === "sqlite", only === "sqlite" ? undefined : pgBase)
  log(`sqlite: ${built.sqlite} (${sqlitePath}); postgres: ${built.postgres} (${pgDatabase})`)
  const rows: Array<Row> = []
  const groups: Record<string, Record<string, Figure>> = {}
  const baseline = "hand-written SQL computing the same numbers from the same tables (group and channel)"
  if (only === undefined || only === "sqlite") {
    const result = await measure(`sqlite:${sqlitePath}`, sqliteHandWritten())
    rows.push(row("sqlite", result))
    groups.sqlite = { monthReport: figure(result, baseline) }
  }
  if (only === undefined || only === "postgres") {
    const base = pgBase as string
    const url = pgUrlFor(base, pgDatabase)
    const hand = postgresHandWritten(url)
    try {
      const result = await measure(url, hand.run)
      rows.push(row("postgres", result))
      groups.postgres = { monthReport: figure(result, baseline) }
    } finally {
      await hand.close()
    }
  }
  // restrictedQueue: on the store bench's cached databases (built here if missing).
  const queueTickets = Number(values["queue-tickets"])
  const queueRows: Array<Row> = []
  const queueFigures: Record<string, Figure> = {}
  const queueBaseline = `an unrestricted agent's same queue (scope "all"), through the same help desk, sampled interleaved, ${queueTickets} tickets`
  const queueFigure = (database: string, q: Restricted.QueueResult) => {
    log(`restrictedQueue on ${database}, the store's SQL:\n${q.restrictedSql}\nplan:\n${q.plan}`)
    queueRows.push({
      database,
      figure: "restrictedQueue p99",
      "tessera ms": q.restricted,
      "baseline ms": q.unrestricted,
      ratio: q.restricted / q.unrestricted,
      note: `3 of 50 groups, through helpdesk.as(agent).list (${queueTickets} tickets)`
    })
    if (q.raw !== undefined) {
      queueRows.push({
        database,
        figure: "restrictedQueue p99, SQL alone",
        "tessera ms": q.raw.restricted,
        "baseline ms": q.raw.unrestricted,
        ratio: q.raw.restricted / q.raw.unrestricted,
        note: "information: the same statements on better-sqlite3 alone, sampled the same way"
      })
    }
    queueFigures[database] = {
      value: q.restricted,
      unit: "ms",
      baseline: queueBaseline,
      baselineValue: q.unrestricted,
      ratio: q.restricted / q.unrestricted
    }
  }
  if (only === undefined || only === "sqlite") {
    const store = await StoreLoad.buildSqlite(queueTickets, false)
    log(`restrictedQueue: sqlite store database ${store.cached ? "cached" : `built in ${store.seconds.toFixed(0)} s`}`)
    queueFigure("sqlite", await Restricted.restrictedQueueSqlite(store.path))
  }
  if (only === undefined || only === "postgres") {
    const base = pgBase as string
    const store = await StoreLoad.buildPostgres(base, queueTickets, false)
    log(
      `restrictedQueue: postgres store database ${store.cached ? "cached" : `built in ${store.seconds.toFixed(0)} s`}`
    )
    queueFigure(
      "postgres",
      await Restricted.restrictedQueuePostgres(pgUrlFor(base, StoreLoad.benchDatabase(queueTickets)))
    )
  }
  table([...rows, ...queueRows])
  figures("reporting", {
    ...Object.fromEntries(
      Object.entries(groups).map(([database, group]) => [
        database,
        { ...group, ...(queueFigures[database] === undefined ? {} : { restrictedQueue: queueFigures[database] }) }
      ])
    )
  })
}

const row = (database: string, result: { ours: number; theirs: number; report: Report.Report }): Row => ({
  database,
  figure: `monthReport (${tickets} tickets)`,
  "tessera ms": result.ours,
  "baseline ms": result.theirs,
  ratio: result.ours / result.theirs,
  note: `${result.report.summary.created} opened, ${result.report.summary.solved} solved, ${result.report.summary.backlog.tickets} in the backlog`
})

const figure = (result: { ours: number; theirs: number }, baseline: string): Figure => ({
  value: result.ours,
  unit: "ms",
  baseline,
  baselineValue: result.theirs,
  ratio: result.ours / result.theirs
})

await main()
