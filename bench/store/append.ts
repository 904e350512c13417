// Append cost: events appended one command at a time through the `Helpdesk` on the SQL store,
// against raw driver inserts of the very same event rows, one row per transaction, into the same
// table of a fresh database with the same schema (better-sqlite3 prepared statement; pg
// single-row INSERT on one connection, autocommit). On SQLite, the statements the store runs for
// the timed commands are also recorded and replayed raw (replay.ts; informational).
import { copyFileSync, rmSync } from "node:fs"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { Migrations, SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import { rng, vocabulary } from "./data.js"
import { pgUrlFor, recreatePgDatabase } from "./load.js"
import {
  analyse,
  type Recorder,
  type ReplayReport,
  recordSqlite,
  replaySqlite,
  segments,
  snapshotSqlite
} from "./replay.js"

export interface AppendOptions {
  /** Tickets opened first (not timed). */
  readonly tickets: number
  /** Commands run untimed after the openings, to warm the JIT and the caches. */
  readonly warmup: number
  /** Commands timed; each appends one event. */
  readonly commands: number
}

export interface AppendResult {
  readonly events: number
  readonly helpdeskMs: number
  readonly rawMs: number
  /** Per-command latency through the Helpdesk, sorted (ms). */
  readonly commandMs: ReadonlyArray<number>
  readonly rawRowMs: ReadonlyArray<number>
  /** SQLite: the same SQL statements replayed on the raw driver (informational, see replay.ts). */
  readonly replay?: ReplayResult
}

export interface ReplayResult extends ReplayReport {
  /** The replay's total for the timed commands (ms): transactions, and the statements outside them. */
  readonly withOutsideMs: number
  readonly transactionsOnlyMs: number
}

interface EventRow {
  readonly position: number
  readonly workspace_id: string
  readonly stream_id: string
  readonly version: number
  readonly type: string
  readonly data: string
  readonly at: number
}

const ws = "ws_append"
const agent = { _tag: "agent", id: "agt_bench" } as const
const priorities = ["low", "normal", "high", "urgent"] as const

/**
 * Runs the Helpdesk half on a fresh database at `url`; returns timings and the rows it wrote.
 * `record` (SQLite): copies the database to each of `copies` right before the timed part and
 * records the statements the timed commands run.
 */
const throughHelpdesk = async (
  url: string,
  options: AppendOptions,
  record?: { readonly recorder: Recorder; readonly copies: ReadonlyArray<string> }
): Promise<{ readonly commandMs: Array<number>; readonly totalMs: number; readonly timedFrom: number }> => {
  const layer = Helpdesk.layer({ workspaceId: ws }).pipe(
    Layer.provideMerge(Layer.mergeAll(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered))
  )
  const runtime = ManagedRuntime.make(layer)
  try {
    const hd = await runtime.runPromise(
      Effect.gen(function* () {
        return yield* Helpdesk.Helpdesk
      })
    )
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
    await run(hd.saveGroup({ id: "grp_bench", name: "Bench" }))
    await run(hd.saveAgent({ id: agent.id, name: "Bench Agent", email: "agent@bench.example", groups: ["grp_bench"] }))
    await run(hd.saveContact({ id: "con_bench", name: "Bench Requester", emails: ["requester@bench.example"] }))
    const words = vocabulary(2000)
    const random = rng(42)
    const sentence = (n: number) =>
      Array.from({ length: n }, () => words[Math.floor(random() ** 3 * words.length)] as string).join(" ")
    const ids: Array<string> = []
    const state: Array<{ priority: number; open: boolean }> = []
    for (let i = 0; i < options.tickets; i++) {
      const t = await run(
        hd.open({
          requester: { id: "con_bench" },
          by: agent,
          subject: sentence(6),
          text: sentence(30),
          channel: "email",
          group: "grp_bench",
          assignee: agent.id,
          status: "open"
        })
      )
      ids.push(t.id)
      state.push({ priority: 1, open: true })
    }
    let tagCounter = 0
    /** The kind of the command `command` made last (for the replay's breakdown). */
    let kind = ""
    /** One command that appends exactly one event: mostly notes, some field changes. */
    const command = (i: number) => {
      const n = Math.floor(random() * ids.length)
      const ticket = ids[n] as string
      const s = state[n] as { priority: number; open: boolean }
      const u = random()
      if (u < 0.55) {
        kind = "note"
        return hd.note({ ticket, by: agent, text: sentence(5 + Math.floor(random() * 30)) })
      }
      if (u < 0.7) {
        kind = "priority"
        s.priority = (s.priority + 1 + Math.floor(random() * 3)) % 4
        return hd.setPriority({ ticket, by: agent, priority: priorities[s.priority] as (typeof priorities)[number] })
      }
      if (u < 0.85) {
        kind = "tag"
        return hd.tag({ ticket, by: agent, add: [`bench-${i}-${tagCounter++}`] })
      }
      kind = "status"
      s.open = !s.open
      return hd.changeStatus({ ticket, by: agent, status: s.open ? "open" : "pending" })
    }
    for (let i = 0; i < options.warmup; i++) await run(command(i))
    const timedFrom = await countEvents(url)
    if (record !== undefined) {
      // Between commands: the last one awaited its commit, so no write is in flight.
      const [first, ...others] = record.copies
      if (first !== undefined) {
        snapshotSqlite(url.slice("sqlite:".length), first)
        for (const other of others) copyFileSync(first, other)
      }
    }
    const recorder = record?.recorder
    const commandMs: Array<number> = []
    recorder?.start()
    const started = performance.now()
    for (let i = 0; i < options.commands; i++) {
      const t0 = performance.now()
      const from = recorder?.statements.length ?? 0
      await run(command(options.warmup + i))
      commandMs.push(performance.now() - t0)
      recorder?.commands.push({ from, kind })
    }
    const totalMs = performance.now() - started
    recorder?.stop()
    return { commandMs, totalMs, timedFrom }
  } finally {
    await runtime.dispose()
  }
}

/** Events stored so far (a separate read-only look, outside the timed part). */
const countEvents = async (url: string): Promise<number> => {
  if (url.startsWith("sqlite:")) {
    const db = new SqliteDatabase(url.slice("sqlite:".length), { readonly: true })
    try {
      return (db.prepare("select count(*) as n from events").get() as { n: number }).n
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return Number((await client.query<{ n: string }>("select count(*) as n from events")).rows[0]?.n)
  } finally {
    await client.end()
  }
}

const eventColumns = "workspace_id, stream_id, version, type, data, at"

const readEvents = async (url: string): Promise<Array<EventRow>> => {
  const query = `select position, ${eventColumns} from events order by position`
  if (url.startsWith("sqlite:")) {
    const db = new SqliteDatabase(url.slice("sqlite:".length), { readonly: true })
    try {
      return db.prepare(query).all() as Array<EventRow>
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<EventRow>(query)).rows
  } finally {
    await client.end()
  }
}

const rowValues = (r: EventRow) => [r.workspace_id, r.stream_id, r.version, r.type, r.data, r.at] as const

/** Raw inserts into a fresh SQLite file with the same schema and the store's pragmas. */
const rawSqlite = async (
  path: string,
  rows: ReadonlyArray<EventRow>,
  timedFrom: number
): Promise<{ readonly totalMs: number; readonly rowMs: Array<number> }> => {
  const db = new SqliteDatabase(path)
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    db.pragma("busy_timeout = 5000")
    await Effect.runPromise(
      Migrations.migrate(new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) }), "sqlite")
    )
    const insert = db.prepare(`insert into events (${eventColumns}) values (?, ?, ?, ?, ?, ?)`)
    for (const r of rows.slice(0, timedFrom)) insert.run(...rowValues(r))
    const timed = rows.slice(timedFrom)
    const rowMs: Array<number> = []
    const started = performance.now()
    for (const r of timed) {
      const t0 = performance.now()
      insert.run(...rowValues(r))
      rowMs.push(performance.now() - t0)
    }
    return { totalMs: performance.now() - started, rowMs }
  } finally {
    db.close()
  }
}

/** Raw inserts on one pg connection, one autocommitted single-row INSERT each (prepared). */
const rawPostgres = async (
  url: string,
  rows: ReadonlyArray<EventRow>,
  timedFrom: number
): Promise<{ readonly totalMs: number; readonly rowMs: Array<number> }> => {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  await Effect.runPromise(
    Migrations.migrate(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }), "postgres")
  )
  const client = await pool.connect()
  try {
    const text = `insert into events (${eventColumns}) values ($1, $2, $3, $4, $5, $6)`
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
    client.release()
    await pool.end()
  }
}

const sorted = (xs: Array<number>) => xs.sort((a, b) => a - b)

export const appendSqlite = async (options: AppendOptions): Promise<AppendResult> => {
  const base = `/tmp/tessera-bench-append-${process.pid}`
  const files = (p: string) => [p, `${p}-wal`, `${p}-shm`]
  const replayTimed = `${base}-replay.sqlite`
  const replayEach = `${base}-replay-each.sqlite`
  const all = [base, `${base}-raw`, `${base}-replay`, `${base}-replay-each`].flatMap((b) => files(`${b}.sqlite`))
  for (const f of all) rmSync(f, { force: true })
  try {
    const url = `sqlite:${base}.sqlite`
    const recorder = recordSqlite()
    let helpdesk: Awaited<ReturnType<typeof throughHelpdesk>>
    try {
      helpdesk = await throughHelpdesk(url, options, { recorder, copies: [replayTimed, replayEach] })
    } finally {
      recorder.restore()
    }
    const rows = await readEvents(url)
    const raw = await rawSqlite(`${base}-raw.sqlite`, rows, helpdesk.timedFrom)
    const replay = replayStatements(`${base}.sqlite`, recorder, helpdesk.commandMs, rows.length, [
      replayTimed,
      replayEach
    ])
    return { ...result(helpdesk, raw, rows.length - helpdesk.timedFrom), replay }
  } finally {
    for (const f of all) rmSync(f, { force: true })
  }
}

/**
 * Replays the recorded statements twice, each on its own copy: once timed per segment (the
 * totals), once timed statement by statement (the breakdown). Both copies must end with the
 * Helpdesk's events and projection, row for row.
 */
const replayStatements = (
  helpdeskPath: string,
  recorder: Recorder,
  commandMs: ReadonlyArray<number>,
  events: number,
  [timedCopy, eachCopy]: readonly [string, string]
): ReplayResult => {
  const segs = segments(recorder.statements, new Set(recorder.commands.map((c) => c.from)))
  const timed = replaySqlite(timedCopy, segs, false)
  const each = replaySqlite(eachCopy, segs, true)
  for (const [copy, r] of [
    [timedCopy, timed],
    [eachCopy, each]
  ] as const) {
    if (r.events !== events) {
      throw new Error(`append replay: ${copy} holds ${r.events} events after the replay, the Helpdesk's ${events}`)
    }
    for (const table of ["events", "tickets", "ticket_texts", "ticket_tags", "timers", "outbox"]) {
      if (tableDigest(copy, table) !== tableDigest(helpdeskPath, table)) {
        throw new Error(`append replay: ${copy}'s ${table} differs from the Helpdesk's after the replay`)
      }
    }
  }
  const report = analyse(recorder, segs, timed, each, commandMs)
  return { ...report, withOutsideMs: report.transactionMs + report.outsideMs, transactionsOnlyMs: report.transactionMs }
}

/** A table's rows in rowid order, as one string (small tables: a check, not a hash). */
const tableDigest = (path: string, table: string): string => {
  const db = new SqliteDatabase(path, { readonly: true })
  try {
    return JSON.stringify(db.prepare(`select * from ${table} order by rowid`).raw().all())
  } finally {
    db.close()
  }
}

export const appendPostgres = async (baseUrl: string, options: AppendOptions): Promise<AppendResult> => {
  await recreatePgDatabase(baseUrl, "tessera_bench_append")
  await recreatePgDatabase(baseUrl, "tessera_bench_append_raw")
  const url = pgUrlFor(baseUrl, "tessera_bench_append")
  const helpdesk = await throughHelpdesk(url, options)
  const rows = await readEvents(url)
  const raw = await rawPostgres(pgUrlFor(baseUrl, "tessera_bench_append_raw"), rows, helpdesk.timedFrom)
  return result(helpdesk, raw, rows.length - helpdesk.timedFrom)
}

const result = (
  helpdesk: { readonly commandMs: Array<number>; readonly totalMs: number },
  raw: { readonly totalMs: number; readonly rowMs: Array<number> },
  events: number
): AppendResult => {
  if (events !== raw.rowMs.length || events < helpdesk.commandMs.length) {
    throw new Error(
      `append bench: ${helpdesk.commandMs.length} commands stored ${events} events, raw ${raw.rowMs.length}`
    )
  }
  return {
    events,
    helpdeskMs: helpdesk.totalMs,
    rawMs: raw.totalMs,
    commandMs: sorted(helpdesk.commandMs),
    rawRowMs: sorted(raw.rowMs)
  }
}
