// Append cost: events appended one command at a time through the `Helpdesk` on the SQL store,
// against raw driver inserts of the very same event rows, one row per transaction, into the same
// table of a fresh database with the same schema (better-sqlite3 prepared statement; pg
// single-row INSERT on one connection, autocommit).
import { rmSync } from "node:fs"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { Migrations, SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Kysely, PostgresDialect, SqliteDialect } from "kysely"
import pg from "pg"
import { rng, vocabulary } from "./data.js"
import { pgUrlFor, recreatePgDatabase } from "./load.js"

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

/** Runs the Helpdesk half on a fresh database at `url`; returns timings and the rows it wrote. */
const throughHelpdesk = async (
  url: string,
  options: AppendOptions
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
    /** One command that appends exactly one event: mostly notes, some field changes. */
    const command = (i: number) => {
      const n = Math.floor(random() * ids.length)
      const ticket = ids[n] as string
      const s = state[n] as { priority: number; open: boolean }
      const u = random()
      if (u < 0.55) return hd.note({ ticket, by: agent, text: sentence(5 + Math.floor(random() * 30)) })
      if (u < 0.7) {
        s.priority = (s.priority + 1 + Math.floor(random() * 3)) % 4
        return hd.setPriority({ ticket, by: agent, priority: priorities[s.priority] as (typeof priorities)[number] })
      }
      if (u < 0.85) return hd.tag({ ticket, by: agent, add: [`bench-${i}-${tagCounter++}`] })
      s.open = !s.open
      return hd.changeStatus({ ticket, by: agent, status: s.open ? "open" : "pending" })
    }
    for (let i = 0; i < options.warmup; i++) await run(command(i))
    const timedFrom = await countEvents(url)
    const commandMs: Array<number> = []
    const started = performance.now()
    for (let i = 0; i < options.commands; i++) {
      const t0 = performance.now()
      await run(command(options.warmup + i))
      commandMs.push(performance.now() - t0)
    }
    const totalMs = performance.now() - started
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
  for (const f of [...files(`${base}.sqlite`), ...files(`${base}-raw.sqlite`)]) rmSync(f, { force: true })
  try {
    const url = `sqlite:${base}.sqlite`
    const helpdesk = await throughHelpdesk(url, options)
    const rows = await readEvents(url)
    const raw = await rawSqlite(`${base}-raw.sqlite`, rows, helpdesk.timedFrom)
    return result(helpdesk, raw, rows.length - helpdesk.timedFrom)
  } finally {
    for (const f of [...files(`${base}.sqlite`), ...files(`${base}-raw.sqlite`)]) rmSync(f, { force: true })
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
