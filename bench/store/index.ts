// bench/store: the SQL store on SQLite, PostgreSQL and MariaDB/MySQL, in one run.
//
// 1. Append cost: commands through the `Helpdesk` (each appends one event: notes, priority,
//    tags, status) on a fresh database, against raw driver inserts of the very same event rows,
//    one row per transaction. Figure `appendCostRatio`: time per event through the Helpdesk /
//    raw time per event.
//    Figure `appendOverheadRatio`: the same Helpdesk time / the time of the SQL statements the
//    store ran for those commands (the event rows and the projection, texts and tags written with
//    them), recorded from the driver and replayed raw in the same run (see replay.ts, replayPg.ts,
//    replayMysql.ts): what the library adds to the storage work it asks of the database.
// 2. Latency at 1,000,000 tickets (one workspace, plus two smaller ones the workspace filter
//    must skip), through the store's `query`: "top 50 open tickets of a group by SLA due" and
//    full-text search, each against hand-written SQL on the raw driver; the adapter's SQL is
//    EXPLAINed. The databases are built once and cached (see load.ts, loadMysql.ts); `--rebuild`
//    forces it.
//
// Usage: pnpm bench store [--rebuild] [--only sqlite|postgres|mysql] [--tickets N] [--commands N]
//        [--append-only]
// `--append-only` measures the append half alone (no big load, no latency): a quick way to follow
// `appendOverheadRatio` while working on the library (`--only sqlite --append-only` needs no server).
// PostgreSQL: TESSERA_PG_URL; MariaDB/MySQL: TESSERA_MYSQL_URL (each required unless `--only`
// leaves its database out). The bench creates and drops its own databases on those servers.
import { cpus } from "node:os"
import { parseArgs } from "node:util"
import { type Figure, figures, type Row, table } from "../lib/report.js"
import { type AppendResult, appendServer, appendSqlite } from "./append.js"
import { type LatencyResult, latencyPostgres, latencySqlite } from "./latency.js"
import { latencyMysql } from "./latencyMysql.js"
import { benchDatabase, buildPostgres, buildSqlite, type LoadReport, pgUrlFor } from "./load.js"
import { buildMysql, mysqlUrlFor } from "./loadMysql.js"
import { printReplay } from "./replay.js"
import { mysqlServer } from "./replayMysql.js"
import { postgresServer } from "./replayPg.js"

const { values } = parseArgs({
  options: {
    rebuild: { type: "boolean", default: false },
    "append-only": { type: "boolean", default: false },
    only: { type: "string" },
    tickets: { type: "string", default: "1000000" },
    commands: { type: "string", default: "5000" },
    "open-tickets": { type: "string", default: "200" },
    "queue-samples": { type: "string", default: "2000" },
    "search-samples": { type: "string", default: "500" }
  }
})

const int = (name: string, raw: string | undefined): number => {
  const n = Number(raw)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`)
  return n
}

const mainTickets = int("tickets", values.tickets)
const appendOptions = {
  tickets: int("open-tickets", values["open-tickets"]),
  warmup: 500,
  commands: int("commands", values.commands)
}
const latencyOptions = {
  queueSamples: int("queue-samples", values["queue-samples"]),
  searchSamples: int("search-samples", values["search-samples"])
}
type Dialect = "sqlite" | "postgres" | "mysql"
const dialects = (["sqlite", "postgres", "mysql"] as const).filter(
  (d) => values.only === undefined || values.only === d
)
if (dialects.length === 0) throw new Error(`--only must be sqlite, postgres or mysql, got ${values.only}`)

/** A server's URL from the environment, required when its database is measured. */
const serverUrl = (dialect: Dialect, variable: string, example: string): string => {
  if (!dialects.includes(dialect as never)) return ""
  const url = process.env[variable]
  if (url === undefined || url === "") {
    process.stderr.write(
      `[bench store] ${variable} is not set: it names the server the ${dialect} half runs on (e.g. ${example}); ` +
        `set it, or leave ${dialect} out with --only.\n`
    )
    process.exit(1)
  }
  return url
}
const pgUrl = serverUrl("postgres", "TESSERA_PG_URL", "postgres://postgres@127.0.0.1:55432/postgres")
const mysqlUrl = serverUrl("mysql", "TESSERA_MYSQL_URL", "mysql://root@127.0.0.1:53306/tessera")

function perEventUs(ms: number, events: number): number {
  return (ms * 1000) / events
}

/** The figure `appendOverheadRatio` of an append half. */
function overhead(a: AppendResult): Figure {
  return {
    value: perEventUs(a.helpdeskMs, a.events),
    unit: "µs/event",
    baseline: "the SQL statements the store ran for the same commands, replayed raw, one transaction per command",
    baselineValue: perEventUs(a.replay.withOutsideMs, a.events),
    floorRatio: a.floorRatio
  }
}

const log = (message: string) => process.stderr.write(`[bench store] ${message}\n`)

interface DialectResult {
  readonly load: LoadReport
  readonly append: AppendResult
  readonly latency: LatencyResult
}
const appendOnly = values["append-only"]

const build = async (dialect: Dialect): Promise<LoadReport & { readonly latencyUrl: string }> => {
  switch (dialect) {
    case "sqlite": {
      const built = await buildSqlite(mainTickets, values.rebuild)
      return { ...built, latencyUrl: built.path }
    }
    case "postgres":
      return {
        ...(await buildPostgres(pgUrl, mainTickets, values.rebuild)),
        latencyUrl: pgUrlFor(pgUrl, benchDatabase(mainTickets))
      }
    case "mysql":
      return {
        ...(await buildMysql(mysqlUrl, mainTickets, values.rebuild)),
        latencyUrl: mysqlUrlFor(mysqlUrl, benchDatabase(mainTickets))
      }
  }
}

/** The append half alone (`--append-only`). */
const runAppend = (dialect: Dialect): Promise<AppendResult> => {
  log(`${dialect}: append cost (${appendOptions.commands} commands)`)
  return dialect === "sqlite"
    ? appendSqlite(appendOptions)
    : appendServer(dialect === "postgres" ? postgresServer(pgUrl) : mysqlServer(mysqlUrl), appendOptions)
}

const runDialect = async (dialect: Dialect): Promise<DialectResult> => {
  log(`${dialect}: building (or reusing) the ${mainTickets}-ticket database`)
  const load = await build(dialect)
  log(
    `${dialect}: ${load.cached ? "cached database reused" : `loaded ${load.rows} tickets in ${load.seconds.toFixed(1)} s`}`
  )
  const append = await runAppend(dialect)
  log(`${dialect}: query latency`)
  const latency =
    dialect === "sqlite"
      ? await latencySqlite(load.latencyUrl, latencyOptions)
      : dialect === "postgres"
        ? await latencyPostgres(load.latencyUrl, latencyOptions)
        : await latencyMysql(load.latencyUrl, latencyOptions)
  return { load, append, latency }
}

if (appendOnly) {
  const appended: Partial<Record<Dialect, AppendResult>> = {}
  for (const dialect of dialects) appended[dialect] = await runAppend(dialect)
  for (const [dialect, a] of Object.entries(appended)) printReplay(dialect, a, a.replay)
  process.stdout.write(`\n${cpus().length} CPUs; --append-only: no latency figures\n`)
  figures(
    "store",
    Object.fromEntries(Object.entries(appended).map(([dialect, a]) => [dialect, { appendOverheadRatio: overhead(a) }]))
  )
  process.exit(0)
}

const results: Partial<Record<Dialect, DialectResult>> = {}
for (const dialect of dialects) results[dialect] = await runDialect(dialect)

// -- report -------------------------------------------------------------------------------------

for (const [dialect, r] of Object.entries(results)) {
  process.stdout.write(`\n== ${dialect}: the adapter's SQL and plans ==\n`)
  for (const e of r.latency.explain) process.stdout.write(`-- ${e.name}\n${e.sql}\n${e.plan}\n\n`)
}

const rows: Array<Row> = []
for (const [dialect, r] of Object.entries(results)) {
  const a = r.append
  rows.push({
    db: dialect,
    measure: "append: Helpdesk command (1 event)",
    n: a.events,
    "per s": (a.events * 1000) / a.helpdeskMs,
    "mean ms": a.helpdeskMs / a.events,
    "p50 ms": a.commandMs[Math.floor(a.commandMs.length / 2)] ?? Number.NaN,
    "p99 ms": a.commandMs[Math.floor(a.commandMs.length * 0.99)] ?? Number.NaN,
    "vs raw": a.helpdeskMs / a.rawMs
  })
  rows.push({
    db: dialect,
    measure: "append: raw INSERT, 1 row per tx",
    n: a.rawRowMs.length,
    "per s": (a.rawRowMs.length * 1000) / a.rawMs,
    "mean ms": a.rawMs / a.rawRowMs.length,
    "p50 ms": a.rawRowMs[Math.floor(a.rawRowMs.length / 2)] ?? Number.NaN,
    "p99 ms": a.rawRowMs[Math.floor(a.rawRowMs.length * 0.99)] ?? Number.NaN,
    "vs raw": 1
  })
  const l = r.latency
  const lat = (measure: string, t: typeof l.queue, n: number | string, vs?: number) =>
    rows.push({
      db: dialect,
      measure,
      n,
      "per s": 1000 / t.mean,
      "mean ms": t.mean,
      "p50 ms": t.p50,
      "p99 ms": t.p99,
      "vs raw": vs ?? ""
    })
  lat(
    `queue top 50 by SLA (avg ${l.queueRows.toFixed(1)} rows)`,
    l.queue,
    l.queue.samples.length,
    l.queue.p99 / l.queueRaw.p99
  )
  lat("queue: hand-written SQL, raw driver", l.queueRaw, l.queueRaw.samples.length, 1)
  lat(
    `search, all (avg ${l.searchRows.toFixed(1)} rows)`,
    l.search,
    l.search.samples.length,
    l.search.p99 / l.searchRaw.p99
  )
  lat("search: common words", l.searchCommon, l.searchCommon.samples.length)
  lat("search: a rare word", l.searchRare, l.searchRare.samples.length)
  lat("search: hand-written SQL, raw driver", l.searchRaw, l.searchRaw.samples.length, 1)
}
process.stdout.write("\n")
table(rows)
process.stdout.write("\n")
const notes: Array<string> = [
  `tickets: ${mainTickets} in the measured workspace (+${Math.round(mainTickets / 10)} in two others); ${cpus().length} CPUs; "vs raw" of latency rows is p99 / p99 (store and raw sampled interleaved)`
]
for (const [dialect, r] of Object.entries(results)) {
  notes.push(
    `${dialect}: data ${r.load.cached ? "cached" : `loaded in ${r.load.seconds.toFixed(1)} s`}${
      r.latency.retried === 0
        ? ""
        : `; ${r.latency.retried} latency pairs sampled again after a server failure (stderr)`
    }; queue query ${
      r.latency.queueUsesIndex
        ? "walks tickets_group_queue (no sort)"
        : "DOES NOT walk tickets_group_queue in order: see its plan"
    }`
  )
}
process.stdout.write(`${notes.join("\n")}\n`)
// The store's own statements replayed raw (see replay.ts), command by command.
for (const [dialect, r] of Object.entries(results)) printReplay(dialect, r.append, r.append.replay)
process.stdout.write("\n")

const group = (r: DialectResult): Record<string, Figure> => ({
  appendCostRatio: {
    value: perEventUs(r.append.helpdeskMs, r.append.events),
    unit: "µs/event",
    baseline: "raw driver INSERT of the same event rows, one row per transaction",
    baselineValue: perEventUs(r.append.rawMs, r.append.events)
  },
  appendOverheadRatio: overhead(r.append),
  queueP99Ms: {
    value: r.latency.queue.p99,
    unit: "ms",
    baseline: "p99 of the same queue question as hand-written SQL on the raw driver",
    baselineValue: r.latency.queueRaw.p99
  },
  searchP99Ms: {
    value: r.latency.search.p99,
    unit: "ms",
    baseline: "p99 of the same searches as hand-written SQL on the raw driver",
    baselineValue: r.latency.searchRaw.p99
  }
})

figures("store", Object.fromEntries(Object.entries(results).map(([dialect, r]) => [dialect, group(r)])))
