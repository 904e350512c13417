// The reporting bench (issue 18): the time to compute a month's report (every metric, by group and
// channel) with `SqlReport.report` over 1,000,000 tickets' metrics on SQLite and PostgreSQL,
// against hand-written SQL computing the same numbers from the same tables (`handWritten.ts`),
// interleaved in the same run; and `restrictedQueue`, the queue p99 of an agent restricted to 3 of
// 50 groups against an unrestricted one (`restricted.ts`).
//
// The tickets' rows are written by `SqlReport.put` (the same writer the feed's fold uses) once,
// then cached: a SQLite file in /tmp and a PostgreSQL database `tessera_bench_reporting_<N>`,
// both keyed by the data version and the reporting migration's text.
//
// Usage: pnpm bench reporting [--tickets N] [--rounds N] [--only sqlite|postgres] [--rebuild] [--queue-tickets N]
import { createHash } from "node:crypto"
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs"
import { parseArgs } from "node:util"
import type { Report } from "@tessera/core"
import { Connection, Migrations, SqlReport } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { DateTime, Effect } from "effect"
import pg from "pg"
import { type Figure, figures, type Row, table } from "../lib/report.js"
import { dataVersion, month, ticket, workspace } from "./data.js"
import * as HandWritten from "./handWritten.js"
import { restrictedQueue } from "./restricted.js"

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

/** Writes every ticket's rows through `SqlReport.put`, 10,000 per transaction. */
const fill = async (url: string) => {
  const started = performance.now()
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(url)
        yield* Migrations.migrate(connection.db, connection.dialect)
        const reports = SqlReport.make({ db: connection.db, dialect: connection.dialect })
        for (let i = 0; i < tickets; i += 10_000) {
          const batch = Array.from({ length: Math.min(10_000, tickets - i) }, (_, j) => ticket(i + j))
          yield* reports.put(workspace, batch)
          if ((i + 10_000) % 100_000 === 0)
            log(`${i + 10_000} tickets (${((performance.now() - started) / 1000).toFixed(0)} s)`)
        }
      })
    )
  )
  return (performance.now() - started) / 1000
}

const sqlitePath = `/tmp/tessera-bench-reporting-${cacheKey}.sqlite`

const buildSqlite = async () => {
  if (existsSync(sqlitePath) && !values.rebuild) return { cached: true, seconds: 0 }
  const building = `${sqlitePath}.building`
  for (const p of [sqlitePath, building, `${building}-wal`, `${building}-shm`]) rmSync(p, { force: true })
  const seconds = await fill(`sqlite:${building}`)
  const db = new SqliteDatabase(building)
  db.pragma("wal_checkpoint(TRUNCATE)")
  db.exec("analyze")
  db.pragma("journal_mode = DELETE")
  db.close()
  renameSync(building, sqlitePath)
  return { cached: false, seconds }
}

const pgDatabase = `tessera_bench_reporting_${tickets}`
const pgUrlFor = (base: string, database: string) => {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

const buildPostgres = async (base: string) => {
  const marker = `tessera-bench reporting ${cacheKey}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    const existing = await admin.query<{ comment: string | null }>(
      "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
      [pgDatabase]
    )
    if (!values.rebuild && existing.rows[0]?.comment === marker) return { cached: true, seconds: 0 }
    await admin.query(`drop database if exists ${pgDatabase} with (force)`)
    await admin.query(`create database ${pgDatabase}`)
  } finally {
    await admin.end()
  }
  const seconds = await fill(pgUrlFor(base, pgDatabase))
  const client = new pg.Client({ connectionString: pgUrlFor(base, pgDatabase) })
  await client.connect()
  try {
    await client.query("vacuum analyze")
    await client.query(`comment on database ${pgDatabase} is '${marker}'`)
  } finally {
    await client.end()
  }
  return { cached: false, seconds }
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
  const rows: Array<Row> = []
  const groups: Record<string, Record<string, Figure>> = {}
  const baseline = "hand-written SQL computing the same numbers from the same tables (group and channel)"
  if (only === undefined || only === "sqlite") {
    const built = await buildSqlite()
    log(`sqlite: ${built.cached ? "cached" : `built in ${built.seconds.toFixed(0)} s`} (${sqlitePath})`)
    const result = await measure(`sqlite:${sqlitePath}`, sqliteHandWritten())
    rows.push(row("sqlite", result))
    groups.sqlite = { monthReport: figure(result, baseline) }
  }
  if (only === undefined || only === "postgres") {
    const base = pgBase as string
    const built = await buildPostgres(base)
    log(`postgres: ${built.cached ? "cached" : `built in ${built.seconds.toFixed(0)} s`} (${pgDatabase})`)
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
  const queue = await restrictedQueue(Number(values["queue-tickets"]), log)
  rows.push({
    database: "sqlite",
    figure: "restrictedQueue p99",
    "tessera ms": queue.restricted,
    "baseline ms": queue.unrestricted,
    ratio: queue.restricted / queue.unrestricted,
    note: queue.note
  })
  table(rows)
  figures("reporting", {
    ...groups,
    restrictedQueue: {
      value: queue.restricted,
      unit: "ms",
      baseline: queue.baseline,
      baselineValue: queue.unrestricted,
      ratio: queue.restricted / queue.unrestricted
    }
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
