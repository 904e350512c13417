// Append cost: events appended one command at a time through the `Helpdesk` on the SQL store,
// against two raw-driver baselines measured in the same run:
// - raw inserts of the very same event rows, one row per transaction, into the same table of a
//   fresh database with the same schema (better-sqlite3 prepared statement; on PostgreSQL and
//   MariaDB/MySQL a single-row INSERT on one connection, autocommit);
// - the statements the store ran for the timed commands (the event rows and everything written
//   with them: projection, texts, tags), recorded from the driver and replayed raw (replay.ts;
//   the client-server databases through their `Server`: replayPg.ts, replayMysql.ts).
import { copyFileSync, rmSync } from "node:fs"
import { Helpdesk, IdGenerator, MemoryHelpdesk } from "@tessera/core"
import { Migrations, SqlStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Kysely, SqliteDialect } from "kysely"
import { prng as rng } from "../lib/random.js"
import { vocabulary } from "./data.js"
import {
  analyse,
  type EventRow,
  eventColumns,
  type Recorded,
  type Recorder,
  type ReplayReport,
  type ReplayTiming,
  recordSqlite,
  rowValues,
  type Segment,
  type Server,
  segments,
  snapshotSqlite,
  sqliteTarget
} from "./replay.js"
import { primed, type ReplaySession, type ReplayTarget, replayOn, sessionOn } from "./replaySession.js"

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
  /**
   * The process's CPU time (user + system, every thread) over the timed commands (ms): on a
   * shared machine it swings less than the wall time, since waiting for a core is left out.
   */
  readonly helpdeskCpuMs: number
  /** Per-command latency through the Helpdesk, sorted (ms). */
  readonly commandMs: ReadonlyArray<number>
  readonly rawRowMs: ReadonlyArray<number>
  /** The same SQL statements replayed on the raw driver (see replay.ts). */
  readonly replay: ReplayResult
  /**
   * The same commands through a help desk on the memory store, in the same run: the help desk's
   * own work with no SQL at all (total and CPU in ms, per-command latency sorted).
   */
  readonly memory: { readonly totalMs: number; readonly cpuMs: number; readonly commandMs: ReadonlyArray<number> }
  /**
   * The replay plus the memory-store run, against the replay: the `appendOverheadRatio` of a
   * store that added nothing to the help desk's own work.
   */
  readonly floorRatio: number
}

export interface ReplayResult extends ReplayReport {
  /** The replay's total for the timed commands (ms): transactions, and the statements outside them. */
  readonly withOutsideMs: number
  readonly transactionsOnlyMs: number
}

const ws = "ws_append"
const agent = { _tag: "agent", id: "agt_bench" } as const
const priorities = ["low", "normal", "high", "urgent"] as const

/**
 * How the Helpdesk half records its statements. SQLite: the timed commands only, with the
 * database copied to each of `copies` right before them. PostgreSQL and MariaDB/MySQL: everything
 * from the first command on (`fromStart`), so that a fresh database can be brought to the same
 * state. `countEvents` reads the events stored so far, from outside the store.
 */
type Recording = { readonly countEvents: (url: string) => Promise<number> } & (
  | { readonly recorder: Recorder; readonly copies: ReadonlyArray<string> }
  | { readonly recorder: Recorder; readonly fromStart: true }
)

/** The help desk of the Helpdesk half: on the SQL store at `url`, or on the memory store. */
type Desk = { readonly url: string } | "memory"

/**
 * The replay run between the Helpdesk's chunks of timed commands (see replaySession.ts): `start`
 * with the statements before the timed part, then `chunk` after each chunk, with the statements
 * it recorded and where its commands began among them.
 */
interface Interleave {
  readonly start: (prefix: ReadonlyArray<Recorded>) => Promise<void>
  readonly chunk: (statements: ReadonlyArray<Recorded>, starts: ReadonlySet<number>) => Promise<void>
}

/**
 * Timed commands per chunk: the Helpdesk runs this many, then their statements are replayed, so
 * a server that slows down or speeds up over the run does so for both halves.
 */
const interleaveEvery = 100

/**
 * The interleaved replay on the copy `open` gives (once the prefix is known: it runs first,
 * untimed); `finish` gives its timings once the Helpdesk half is done.
 */
const interleavedOn = (
  open: () => Promise<ReplayTarget>,
  options: { readonly cpu?: boolean } = {}
): Interleave & { readonly finish: () => Promise<ReplayTiming> } => {
  let session: ReplaySession | undefined
  return {
    start: async (prefix) => {
      session = sessionOn(await primed(await open(), prefix), options)
    },
    chunk: (statements, starts) =>
      session === undefined
        ? Promise.reject(new Error("append bench: a chunk before the replay started"))
        : session.run(segments(statements, starts)),
    finish: () =>
      session === undefined ? Promise.reject(new Error("append bench: the replay never started")) : session.finish()
  }
}

const layerOf = (desk: Desk) =>
  desk === "memory"
    ? Layer.merge(
        MemoryHelpdesk.layer({ workspaceId: ws }, { ids: "timeOrdered", roundTrip: false }),
        IdGenerator.layerTimeOrdered
      )
    : Helpdesk.layer({ workspaceId: ws }).pipe(
        Layer.provideMerge(Layer.mergeAll(SqlStore.layerUrl({ url: desk.url }), IdGenerator.layerTimeOrdered))
      )

/**
 * Runs the Helpdesk half on a fresh database at `url`; returns timings, where the timed part
 * begins in the stored events (`timedFrom`) and in the recording (`recordedBefore`). On the memory
 * store (`record` undefined), the very same commands with no SQL at all: what the help desk's
 * own work costs (`timedFrom` and `recordedBefore` are 0 then).
 */
const throughHelpdesk = async (
  desk: Desk,
  options: AppendOptions,
  record: Recording | undefined,
  interleave?: Interleave
): Promise<{
  readonly commandMs: Array<number>
  readonly totalMs: number
  readonly cpuMs: number
  readonly timedFrom: number
  readonly recordedBefore: number
}> => {
  const runtime = ManagedRuntime.make(layerOf(desk))
  try {
    const hd = await runtime.runPromise(
      Effect.gen(function* () {
        return yield* Helpdesk.Helpdesk
      })
    )
    const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
    if (record !== undefined && "fromStart" in record) record.recorder.start()
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
    // Not recorded: a look from outside the store.
    record?.recorder.stop()
    const timedFrom = record === undefined || desk === "memory" ? 0 : await record.countEvents(desk.url)
    const recorder = record?.recorder
    if (record !== undefined && "copies" in record && desk !== "memory") {
      // Between commands: the last one awaited its commit, so no write is in flight.
      const [first, ...others] = record.copies
      if (first !== undefined) {
        snapshotSqlite(desk.url.slice("sqlite:".length), first)
        for (const other of others) copyFileSync(first, other)
      }
    }
    const recordedBefore = recorder?.statements.length ?? 0
    if (interleave !== undefined && recorder !== undefined) {
      await interleave.start(recorder.statements.slice(0, recordedBefore))
    }
    const commandMs: Array<number> = []
    // The clocks run while the help desk does, read at each chunk's end; a chunk's replay (if
    // any) is left out of them.
    let totalMs = 0
    let cpuMs = 0
    let cpu = process.cpuUsage()
    let started = performance.now()
    let chunkFrom = recordedBefore
    recorder?.start()
    for (let i = 0; i < options.commands; i++) {
      const t0 = performance.now()
      const from = recorder?.statements.length ?? 0
      await run(command(options.warmup + i))
      commandMs.push(performance.now() - t0)
      recorder?.commands.push({ from, kind })
      if ((i + 1) % interleaveEvery === 0 || i + 1 === options.commands) {
        totalMs += performance.now() - started
        const used = process.cpuUsage(cpu)
        cpuMs += (used.user + used.system) / 1000
        if (interleave !== undefined && recorder !== undefined) {
          // Not recorded: the replay's own statements (its raw client is the driver's class too).
          recorder.stop()
          const statements = recorder.statements.slice(chunkFrom)
          const starts = recorder.commands.filter((c) => c.from >= chunkFrom).map((c) => c.from - chunkFrom)
          await interleave.chunk(statements, new Set(starts))
          chunkFrom = recorder.statements.length
          recorder.start()
        }
        cpu = process.cpuUsage()
        started = performance.now()
      }
    }
    recorder?.stop()
    return { commandMs, totalMs, cpuMs, timedFrom, recordedBefore }
  } finally {
    await runtime.dispose()
  }
}

/** Events stored so far in the SQLite file (a separate read-only look, outside the timed part). */
const countSqliteEvents = async (url: string): Promise<number> => {
  const db = new SqliteDatabase(url.slice("sqlite:".length), { readonly: true })
  try {
    return (db.prepare("select count(*) as n from events").get() as { n: number }).n
  } finally {
    db.close()
  }
}

const readSqliteEvents = (url: string): Array<EventRow> => {
  const db = new SqliteDatabase(url.slice("sqlite:".length), { readonly: true })
  try {
    return db.prepare(`select ${eventColumns} from events order by position`).all() as Array<EventRow>
  } finally {
    db.close()
  }
}

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
    const insert = db.prepare(`insert into events (${eventColumns}) values (?, ?, ?, ?, ?, ?, ?)`)
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
    const interleaved = interleavedOn(async () => sqliteTarget(replayTimed), { cpu: true })
    let helpdesk: Awaited<ReturnType<typeof throughHelpdesk>>
    try {
      helpdesk = await throughHelpdesk(
        { url },
        options,
        { recorder, copies: [replayTimed, replayEach], countEvents: countSqliteEvents },
        interleaved
      )
    } finally {
      recorder.restore()
    }
    const timed = await interleaved.finish()
    const memory = await throughHelpdesk("memory", options, undefined)
    const rows = readSqliteEvents(url)
    const raw = await rawSqlite(`${base}-raw.sqlite`, rows, helpdesk.timedFrom)
    const replay = await replayStatements(`${base}.sqlite`, recorder, helpdesk.commandMs, rows.length, timed, [
      replayTimed,
      replayEach
    ])
    return result(helpdesk, raw, rows.length - helpdesk.timedFrom, replay, memory)
  } finally {
    for (const f of all) rmSync(f, { force: true })
  }
}

/**
 * The replay of the recorded statements on two copies: timed per segment, between the Helpdesk's
 * chunks (`timed`, the totals), and now timed statement by statement (the breakdown). Both copies
 * must end with the Helpdesk's events and projection, row for row.
 */
const replayStatements = async (
  helpdeskPath: string,
  recorder: Recorder,
  commandMs: ReadonlyArray<number>,
  events: number,
  timed: ReplayTiming,
  [timedCopy, eachCopy]: readonly [string, string]
): Promise<ReplayResult> => {
  const segs = segments(recorder.statements, new Set(recorder.commands.map((c) => c.from)))
  const each = await replayOn(sqliteTarget(eachCopy), segs, { perStatement: true, cpu: true })
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
  return report(recorder, segs, timed, each, commandMs)
}

const report = (
  recorder: Recorder,
  segs: ReadonlyArray<Segment>,
  timed: ReplayTiming,
  each: ReplayTiming,
  commandMs: ReadonlyArray<number>
): ReplayResult => {
  // Chunks end where commands do, so the chunks' segments are the recording's, one for one.
  if (timed.segmentMs.length !== segs.length || each.segmentMs.length !== segs.length) {
    throw new Error(
      `append replay: ${timed.segmentMs.length} and ${each.segmentMs.length} segments timed, ${segs.length} recorded`
    )
  }
  const r = analyse(recorder, segs, timed, each, commandMs)
  return { ...r, withOutsideMs: r.transactionMs + r.outsideMs, transactionsOnlyMs: r.transactionMs }
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

/**
 * The append half on a client-server database: the Helpdesk on a fresh database, recorded from
 * the start; the raw INSERTs on a second; the recording replayed on two more (timed per command,
 * and statement by statement), each of which must end with the Helpdesk's rows.
 */
export const appendServer = async (server: Server, options: AppendOptions): Promise<AppendResult> => {
  // Named after this process, so that runs on other branches never drop each other's; dropped at the end.
  const databases = ["", "_raw", "_replay", "_replay_each"].map(
    (suffix) => `tessera_bench_append_${process.pid}${suffix}`
  ) as [string, string, string, string]
  try {
    return await appendOn(server, databases, options)
  } finally {
    for (const database of databases) await server.drop(database)
  }
}

const appendOn = async (
  server: Server,
  [main, single, replayTimed, replayEach]: readonly [string, string, string, string],
  options: AppendOptions
): Promise<AppendResult> => {
  for (const database of [main, single, replayTimed, replayEach]) await server.recreate(database)
  const url = server.urlFor(main)
  const recorder = server.record()
  const interleaved = interleavedOn(() => server.target(server.urlFor(replayTimed)))
  let helpdesk: Awaited<ReturnType<typeof throughHelpdesk>>
  try {
    helpdesk = await throughHelpdesk(
      { url },
      options,
      { recorder, fromStart: true, countEvents: server.countEvents },
      interleaved
    )
  } finally {
    recorder.restore()
  }
  const timed = await interleaved.finish()
  const memory = await throughHelpdesk("memory", options, undefined)
  const rows = await server.readEvents(url)
  const raw = await server.raw(server.urlFor(single), rows, helpdesk.timedFrom)
  // The timed commands' statements, as a recording of their own (indices from 0).
  const before = helpdesk.recordedBefore
  const timedPart: Recorder = {
    ...recorder,
    statements: recorder.statements.slice(before),
    commands: recorder.commands.map((c) => ({ from: c.from - before, kind: c.kind }))
  }
  const prefix = recorder.statements.slice(0, before)
  const segs = segments(timedPart.statements, new Set(timedPart.commands.map((c) => c.from)))
  const each = await replayOn(await primed(await server.target(server.urlFor(replayEach)), prefix), segs, {
    perStatement: true
  })
  const expected = await server.digests(url)
  for (const [database, r] of [
    [replayTimed, timed],
    [replayEach, each]
  ] as const) {
    if (r.events !== rows.length) {
      throw new Error(
        `append replay (${server.name}): ${database} holds ${r.events} events after the replay, the Helpdesk's ${rows.length}`
      )
    }
    const digests = await server.digests(server.urlFor(database))
    for (const [table, digest] of expected) {
      if (digests.get(table) !== digest) {
        throw new Error(
          `append replay (${server.name}): ${database}'s ${table} differs from the Helpdesk's after the replay`
        )
      }
    }
  }
  return result(
    helpdesk,
    raw,
    rows.length - helpdesk.timedFrom,
    report(timedPart, segs, timed, each, helpdesk.commandMs),
    memory
  )
}

const result = (
  helpdesk: { readonly commandMs: Array<number>; readonly totalMs: number; readonly cpuMs: number },
  raw: { readonly totalMs: number; readonly rowMs: Array<number> },
  events: number,
  replay: ReplayResult,
  memory: { readonly totalMs: number; readonly cpuMs: number; readonly commandMs: Array<number> }
): AppendResult => {
  if (events !== raw.rowMs.length || events < helpdesk.commandMs.length) {
    throw new Error(
      `append bench: ${helpdesk.commandMs.length} commands stored ${events} events, raw ${raw.rowMs.length}`
    )
  }
  return {
    events,
    helpdeskMs: helpdesk.totalMs,
    helpdeskCpuMs: helpdesk.cpuMs,
    rawMs: raw.totalMs,
    commandMs: sorted(helpdesk.commandMs),
    rawRowMs: sorted(raw.rowMs),
    replay,
    memory: { totalMs: memory.totalMs, cpuMs: memory.cpuMs, commandMs: sorted(memory.commandMs) },
    floorRatio: (replay.withOutsideMs + memory.totalMs) / replay.withOutsideMs
  }
}
