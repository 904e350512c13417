// Append cost, the same rows written raw: the very SQL statements the store ran for the timed
// commands, recorded from the driver itself, replayed with raw prepared statements, one
// transaction per recorded transaction. SQLite: recorded from better-sqlite3 and replayed on a
// copy of the database as it was before the timed part (here); PostgreSQL: see replayPg.ts.
// What is left between the Helpdesk's time and the replay's is the library's own work (Effect,
// Schema, kysely, the Helpdesk's deciding); what is left between the replay and one raw INSERT
// per event is the storage work the store does besides appending the event (projection, texts,
// full-text index, ...).
import { copyFileSync, existsSync, statSync } from "node:fs"
import SqliteDatabase from "better-sqlite3"
import { type Row, table } from "../lib/report.js"
import type { ReplayTarget } from "./replaySession.js"

/** better-sqlite3's statement methods and `exec`; pg's `query`; mysql2's `query` and `execute`. */
type Method = "run" | "all" | "get" | "iterate" | "exec" | "query" | "execute"

/** One statement the driver ran, as it ran it. */
export interface Recorded {
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
  readonly method: Method
  /** Whether the statement returns rows (better-sqlite3's `reader`); `exec` counts as a write. */
  readonly reader: boolean
  /**
   * How long the driver call took in the recorded run (ms), where the recorder can time it
   * (better-sqlite3 runs a statement synchronously inside the call): what the statement cost
   * the Helpdesk, to set beside its replay.
   */
  ms?: number
}

export interface Recorder {
  readonly statements: Array<Recorded>
  /** Index in `statements` where each command began, and the command's kind. */
  readonly commands: Array<{ readonly from: number; readonly kind: string }>
  readonly start: () => void
  readonly stop: () => void
  /** Puts the original methods back (idempotent). */
  readonly restore: () => void
}

/** A driver method, as patched. */
export type AnyFn = (this: unknown, ...args: Array<unknown>) => unknown

/**
 * A recorder over a driver patch: `install` patches the driver so that each statement it runs
 * goes to `push` (kept only while recording is on), and returns what undoes the patch.
 */
export const recorderOver = (install: (push: (statement: Recorded) => void) => () => void): Recorder => {
  const statements: Array<Recorded> = []
  const commands: Array<{ readonly from: number; readonly kind: string }> = []
  let on = false
  const undo = install((statement) => {
    if (on) statements.push(statement)
  })
  let restored = false
  return {
    statements,
    commands,
    start: () => {
      on = true
    },
    stop: () => {
      on = false
    },
    restore: () => {
      if (restored) return
      restored = true
      on = false
      undo()
    }
  }
}

/**
 * Patches better-sqlite3's `Statement.prototype.run/all/get/iterate` and `Database.prototype.exec`
 * (one native class for every connection in the process, so the store's statements go through
 * it) to push what runs while recording is on. `restore` must run in a `finally`.
 */
export const recordSqlite = (): Recorder =>
  recorderOver((push) => {
    const probe = new SqliteDatabase(":memory:")
    const statementProto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<string, AnyFn>
    probe.close()
    const databaseProto = SqliteDatabase.prototype as unknown as Record<string, AnyFn>
    const originals: Array<readonly [Record<string, AnyFn>, string, AnyFn]> = []
    for (const method of ["run", "all", "get", "iterate"] as const) {
      const original = statementProto[method] as AnyFn
      originals.push([statementProto, method, original])
      statementProto[method] = function (this: unknown, ...args: Array<unknown>) {
        const s = this as { readonly source: string; readonly reader: boolean }
        const recorded: Recorded = { sql: s.source, params: [...args], method, reader: s.reader }
        push(recorded)
        const t0 = performance.now()
        try {
          return original.apply(this, args)
        } finally {
          recorded.ms = performance.now() - t0
        }
      }
    }
    const exec = databaseProto.exec as AnyFn
    originals.push([databaseProto, "exec", exec])
    databaseProto.exec = function (this: unknown, ...args: Array<unknown>) {
      const recorded: Recorded = { sql: String(args[0]), params: [], method: "exec", reader: false }
      push(recorded)
      const t0 = performance.now()
      try {
        return exec.apply(this, args)
      } finally {
        recorded.ms = performance.now() - t0
      }
    }
    return () => {
      for (const [proto, name, fn] of originals) proto[name] = fn
    }
  })

/**
 * Copies the SQLite file at `path` to `to` as it is now: the WAL is checkpointed into the main
 * file first (from a second connection; call it between commands, when no write is in flight),
 * so the main file alone is the whole database.
 */
export const snapshotSqlite = (path: string, to: string): void => {
  const db = new SqliteDatabase(path)
  try {
    db.pragma("busy_timeout = 5000")
    const [r] = db.pragma("wal_checkpoint(TRUNCATE)") as Array<{ busy: number; log: number; checkpointed: number }>
    if (r === undefined || r.busy !== 0 || r.log !== r.checkpointed) {
      throw new Error(`append replay: could not checkpoint ${path} before copying it (${JSON.stringify(r)})`)
    }
    const wal = `${path}-wal`
    if (existsSync(wal) && statSync(wal).size !== 0) throw new Error(`append replay: ${wal} not empty after checkpoint`)
    copyFileSync(path, to)
  } finally {
    db.close()
  }
}

const BEGIN = /^\s*begin\b/i
const END = /^\s*(?:commit|end|rollback)\b(?!\s+to\b)/i

/** A stretch of the recording: one transaction (begin..commit), or the statements between two. */
export interface Segment {
  readonly inTransaction: boolean
  readonly statements: ReadonlyArray<Recorded>
  /** Index of its first statement in the recording. */
  readonly from: number
}

/**
 * Cuts the recording into transactions (from a `begin` to its `commit` / `rollback`) and the
 * stretches between them; a stretch outside transactions is cut where a command begins too, so
 * each segment belongs to one command.
 */
export const segments = (recorded: ReadonlyArray<Recorded>, commandStarts: ReadonlySet<number>): Array<Segment> => {
  const out: Array<Segment> = []
  let current: { inTransaction: boolean; statements: Array<Recorded>; from: number } | undefined
  recorded.forEach((s, i) => {
    if (BEGIN.test(s.sql)) {
      if (current?.inTransaction === true) throw new Error(`append replay: "${s.sql}" inside a transaction`)
      if (current !== undefined) out.push(current)
      current = { inTransaction: true, statements: [s], from: i }
      return
    }
    if (current !== undefined && !current.inTransaction && commandStarts.has(i)) {
      out.push(current)
      current = undefined
    }
    if (current === undefined) current = { inTransaction: false, statements: [], from: i }
    current.statements.push(s)
    if (current.inTransaction && END.test(s.sql)) {
      out.push(current)
      current = undefined
    }
  })
  if (current?.inTransaction === true) throw new Error("append replay: the recording ends inside a transaction")
  if (current !== undefined) out.push(current)
  return out
}

/** A row of `events`, as read back to be inserted raw. */
export interface EventRow {
  readonly position: number
  readonly workspace_id: string
  readonly stream_id: string
  readonly version: number
  readonly type: string
  readonly data: string
  readonly at: number
}

/**
 * The columns the raw single-row INSERTs write: the position too, since the store hands positions
 * out itself where a database's own would not follow commit order (PostgreSQL, MariaDB/MySQL).
 */
export const eventColumns = "position, workspace_id, stream_id, version, type, data, at"

export const rowValues = (r: EventRow) =>
  [r.position, r.workspace_id, r.stream_id, r.version, r.type, r.data, r.at] as const

/**
 * What the append half needs of a client-server database (PostgreSQL, MariaDB/MySQL): its
 * databases, a recorder of what its driver sends, the replay, the single-row INSERT baseline,
 * and a row-for-row digest of the tables an append writes.
 */
export interface Server {
  readonly name: string
  /** The URL of `database` on the server. */
  readonly urlFor: (database: string) => string
  /** Drops (if present) and creates an empty `database`. */
  readonly recreate: (database: string) => Promise<void>
  /** Drops `database` if present. */
  readonly drop: (database: string) => Promise<void>
  /** Patches the driver (before the store opens); `restore` in a `finally`. */
  readonly record: () => Recorder
  /** Migrates the fresh database at `url` and connects to it, to replay a recording on. */
  readonly target: (url: string) => Promise<ReplayTarget>
  /** Migrates the fresh database at `url`, inserts `rows` one per autocommitted INSERT, timed from `timedFrom`. */
  readonly raw: (
    url: string,
    rows: ReadonlyArray<EventRow>,
    timedFrom: number
  ) => Promise<{ readonly totalMs: number; readonly rowMs: Array<number> }>
  readonly countEvents: (url: string) => Promise<number>
  readonly readEvents: (url: string) => Promise<Array<EventRow>>
  /** Each written table's rows in key order, one string per table. */
  readonly digests: (url: string) => Promise<Map<string, string>>
}

export interface ReplayTiming {
  /** Per segment, in recording order (ms). */
  readonly segmentMs: Array<number>
  /** This process's CPU time over the timed segments (ms), where the replay runs in it (SQLite). */
  readonly cpuMs?: number
  /** Per statement, in recording order (ms); only when timed one by one. */
  readonly statementMs: Array<number>
  /** Events in the replayed copy afterwards. */
  readonly events: number
}

/**
 * The SQLite copy at `path` as a replay target, with the store's pragmas, every table read once
 * so that it starts warm as the store's connection did (untimed); statements are prepared before
 * the chunk that first runs them.
 */
export const sqliteTarget = (path: string): ReplayTarget => {
  const db = new SqliteDatabase(path)
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.pragma("busy_timeout = 5000")
  type Stmt = ReturnType<typeof db.prepare<Array<unknown>>>
  const prepared = new Map<string, Stmt>()
  const tables = db.prepare("select name from sqlite_schema where type = 'table'").pluck().all() as Array<string>
  for (const t of tables) {
    for (const _ of db.prepare(`select * from "${t.replaceAll('"', '""')}"`).iterate()) {
      // read through
    }
  }
  return {
    prepare: (statements) => {
      for (const s of statements) {
        if (s.method !== "exec" && !prepared.has(s.sql)) prepared.set(s.sql, db.prepare<Array<unknown>>(s.sql))
      }
    },
    exec: (s) => {
      if (s.method === "exec") {
        db.exec(s.sql)
        return
      }
      const stmt = prepared.get(s.sql) as Stmt
      switch (s.method) {
        case "run":
          stmt.run(...s.params)
          return
        case "all":
          stmt.all(...s.params)
          return
        case "get":
          stmt.get(...s.params)
          return
        case "iterate":
          for (const _ of stmt.iterate(...s.params)) {
            // read through
          }
          return
        case "query":
        case "execute":
          throw new Error("append replay: a client-server statement in a SQLite recording")
      }
    },
    countEvents: () => (db.prepare("select count(*) as n from events").get() as { n: number }).n,
    close: () => {
      db.close()
    }
  }
}

/** One distinct SQL text a kind of command runs, with its replay time. */
export interface StatementLine {
  readonly sql: string
  readonly inTransaction: boolean
  /** Times per command of this kind, on average. */
  readonly perCommand: number
  /** Replay time of one run (µs), timed statement by statement: mean and median. */
  readonly meanUs: number
  readonly p50Us: number
  /** The same statement's driver call in the recorded run (µs, mean), where the recorder timed it. */
  readonly inRunUs: number | undefined
}

export interface KindReport {
  readonly kind: string
  readonly commands: number
  /** One command through the Helpdesk (µs): mean and median. */
  readonly helpdeskUs: number
  readonly helpdeskP50Us: number
  /** The replay of one command's statements, outside reads included (µs, per-segment timing). */
  readonly replayUs: number
  readonly replayP50Us: number
  readonly statements: Array<StatementLine>
}

export interface ReplayReport {
  readonly commands: number
  readonly transactions: number
  readonly statements: number
  /** Statements inside transactions, `begin` and `commit` included. */
  readonly inTransactions: number
  readonly outsideReads: number
  readonly outsideWrites: number
  /** Replay time of the transactions, and of the statements outside them (ms, per-segment timing). */
  readonly transactionMs: number
  readonly outsideMs: number
  /** Per command, sorted (ms): its replay with the reads outside transactions, and without. */
  readonly commandMs: ReadonlyArray<number>
  readonly commandTxMs: ReadonlyArray<number>
  readonly kinds: Array<KindReport>
  /** The driver calls of the timed commands in the recorded run (ms in all), where the recorder timed them. */
  readonly inRunMs: number | undefined
  /** The timed replay's CPU time (ms), where it ran in this process. */
  readonly cpuMs: number | undefined
}

const median = (xs: Array<number>): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length

/** A multi-row INSERT's values as their first row and `...`, so that one line holds every row count. */
const shape = (sql: string): string => sql.replace(/(\((?:\?, )*\?\))(?:, \((?:\?, )*\?\))+/g, "$1, ...")

/** Puts the recording, the two replays and the Helpdesk's per-command times together. */
export const analyse = (
  recorder: Recorder,
  segs: ReadonlyArray<Segment>,
  timed: ReplayTiming,
  perStatement: ReplayTiming,
  commandMs: ReadonlyArray<number>
): ReplayReport => {
  const commands = recorder.commands
  if (commands.length !== commandMs.length) {
    throw new Error(`append replay: ${commands.length} commands recorded, ${commandMs.length} timed`)
  }
  if (perStatement.statementMs.length !== recorder.statements.length) {
    throw new Error("append replay: the per-statement replay did not run every recorded statement")
  }
  /** The command a recording index belongs to (the last one begun at or before it). */
  const commandAt = (index: number): number => {
    let lo = 0
    let hi = commands.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((commands[mid]?.from ?? 0) <= index) lo = mid
      else hi = mid - 1
    }
    return lo
  }
  const replayOf = new Array<number>(commands.length).fill(0)
  const replayTxOf = new Array<number>(commands.length).fill(0)
  type Line = {
    readonly sql: string
    readonly inTransaction: boolean
    readonly ms: Array<number>
    readonly inRun: Array<number>
  }
  const kindLines = new Map<string, Map<string, Line>>()
  let transactions = 0
  let inTransactions = 0
  let outsideReads = 0
  let outsideWrites = 0
  let transactionMs = 0
  let outsideMs = 0
  segs.forEach((seg, n) => {
    const ms = timed.segmentMs[n] ?? 0
    const command = commandAt(seg.from)
    replayOf[command] = (replayOf[command] ?? 0) + ms
    if (seg.inTransaction) {
      transactions += 1
      inTransactions += seg.statements.length
      transactionMs += ms
      replayTxOf[command] = (replayTxOf[command] ?? 0) + ms
    } else {
      outsideMs += ms
      for (const s of seg.statements) {
        if (s.reader) outsideReads += 1
        else outsideWrites += 1
      }
    }
    const kind = commands[command]?.kind ?? ""
    const byText = kindLines.get(kind) ?? new Map<string, Line>()
    kindLines.set(kind, byText)
    seg.statements.forEach((s, j) => {
      const sql = shape(s.sql)
      const key = `${seg.inTransaction ? "tx" : "out"} ${sql}`
      const line = byText.get(key) ?? { sql, inTransaction: seg.inTransaction, ms: [], inRun: [] }
      line.ms.push(perStatement.statementMs[seg.from + j] ?? 0)
      if (s.ms !== undefined) line.inRun.push(s.ms)
      byText.set(key, line)
    })
  })
  const kinds = new Map<string, { helpdesk: Array<number>; replay: Array<number> }>()
  commands.forEach((c, i) => {
    const k = kinds.get(c.kind) ?? { helpdesk: [], replay: [] }
    k.helpdesk.push(commandMs[i] ?? 0)
    k.replay.push(replayOf[i] ?? 0)
    kinds.set(c.kind, k)
  })
  return {
    commands: commands.length,
    transactions,
    statements: recorder.statements.length,
    inTransactions,
    outsideReads,
    outsideWrites,
    transactionMs,
    outsideMs,
    commandMs: replayOf.sort((a, b) => a - b),
    commandTxMs: replayTxOf.sort((a, b) => a - b),
    cpuMs: timed.cpuMs,
    inRunMs: recorder.statements.every((s) => s.ms !== undefined)
      ? recorder.statements.reduce((sum, s) => sum + (s.ms ?? 0), 0)
      : undefined,
    kinds: [...kinds].map(([kind, k]) => ({
      kind,
      commands: k.helpdesk.length,
      helpdeskUs: mean(k.helpdesk) * 1000,
      helpdeskP50Us: median(k.helpdesk) * 1000,
      replayUs: mean(k.replay) * 1000,
      replayP50Us: median(k.replay) * 1000,
      statements: [...(kindLines.get(kind)?.values() ?? [])].map((l) => ({
        sql: l.sql,
        inTransaction: l.inTransaction,
        perCommand: l.ms.length / k.helpdesk.length,
        meanUs: mean(l.ms) * 1000,
        p50Us: median(l.ms) * 1000,
        inRunUs: l.inRun.length === l.ms.length ? mean(l.inRun) * 1000 : undefined
      }))
    }))
  }
}

/** A statement on one line, shorter: no identifier quotes, `(?, ?, ?)` as `(?×3)`, `set a = ?, b = ?` as `set a, b`. */
const brief = (sql: string, width: number) => {
  let flat = sql.replace(/\s+/g, " ").trim().replaceAll('"', "")
  flat = flat.replace(/\((?:\?, )+\?\)/g, (m) => `(?×${m.split("?").length - 1})`)
  flat = flat.replace(/ set (.*?) where /i, (_m, list: string) => ` set ${list.replaceAll(" = ?", "")} where `)
  return flat.length <= width ? flat : `${flat.slice(0, width - 3)}...`
}

/**
 * Prints the replay next to the Helpdesk and the single-row INSERTs (after the main table):
 * per event, per kind of command, then what a command of each kind runs, statement by statement.
 */
export const printReplay = (
  dialect: string,
  a: {
    readonly events: number
    readonly helpdeskMs: number
    readonly rawMs: number
    readonly commandMs: ReadonlyArray<number>
    readonly rawRowMs: ReadonlyArray<number>
    readonly helpdeskCpuMs: number
    readonly memory: { readonly totalMs: number; readonly cpuMs: number; readonly commandMs: ReadonlyArray<number> }
    readonly floorRatio: number
  },
  r: ReplayReport
): void => {
  const us = (ms: number) => (ms * 1000) / a.events
  const p50 = (sorted: ReadonlyArray<number>) => (sorted[Math.floor(sorted.length / 2)] ?? Number.NaN) * 1000
  const helpdesk = us(a.helpdeskMs)
  const single = us(a.rawMs)
  process.stdout.write(`\n== ${dialect}: append, the store's own SQL statements replayed on the raw driver ==\n`)
  const row = (measure: string, value: number, p50Us: number): Row => ({
    measure,
    events: a.events,
    "µs/event": value,
    "p50 µs": p50Us,
    "helpdesk / this": helpdesk / value,
    "this / single-row": value / single
  })
  table([
    row("Helpdesk command (1 event)", helpdesk, p50(a.commandMs)),
    row("same statements raw (the figure's baseline)", us(r.transactionMs + r.outsideMs), p50(r.commandMs)),
    // PostgreSQL appends are usually one statement, outside begin..commit: no such row then.
    ...(r.transactions === 0
      ? []
      : [row("same statements raw, begin..commit only", us(r.transactionMs), p50(r.commandTxMs))]),
    // Where the recorder timed the driver's calls: the statements as they ran inside the
    // Helpdesk's commands (the same work as the replay, amid the library's own).
    ...(r.inRunMs === undefined
      ? []
      : [row("same statements, as they ran in the Helpdesk run", us(r.inRunMs), Number.NaN)]),
    row("raw single-row INSERT, 1 row per tx", single, p50(a.rawRowMs)),
    // The help desk's own work, with no SQL at all: what no store can take off a command.
    row("same commands on the memory store (no SQL)", us(a.memory.totalMs), p50(a.memory.commandMs))
  ])
  const floor = us(r.transactionMs + r.outsideMs + a.memory.totalMs)
  process.stdout.write(
    `Floor: the replay + the same commands on the memory store = ${floor.toFixed(1)} µs/event, ` +
      `${a.floorRatio.toFixed(2)}× the replay: the appendOverheadRatio of a store that added nothing to the ` +
      `help desk's own work (memory-store CPU ${us(a.memory.cpuMs).toFixed(1)} µs/event)\n`
  )
  if (r.cpuMs !== undefined) {
    // CPU time leaves out the waits for a core, which on a shared machine swing the wall times.
    const cpu = { helpdesk: us(a.helpdeskCpuMs), replay: us(r.cpuMs) }
    process.stdout.write(
      `CPU time (user + system): Helpdesk ${cpu.helpdesk.toFixed(1)} µs/event, replay ${cpu.replay.toFixed(1)} µs/event, ` +
        `ratio ${(cpu.helpdesk / cpu.replay).toFixed(2)}\n`
    )
  }
  process.stdout.write(
    `${r.commands} commands, ${r.transactions} transactions, ${r.statements} statements: ${(
      r.statements / r.commands
    ).toFixed(
      2
    )} per command, ${(r.inTransactions / r.commands).toFixed(2)} of them in transactions (begin and commit included); ` +
      `outside begin..commit: ${r.outsideReads} reads, ${r.outsideWrites} writes (each its own transaction; ${us(
        r.outsideMs
      ).toFixed(1)} µs/event replayed)\n\n`
  )
  table(
    r.kinds.map((k) => ({
      command: k.kind,
      n: k.commands,
      "statements/cmd": k.statements.reduce((n, l) => n + l.perCommand, 0),
      "helpdesk µs": k.helpdeskUs,
      "helpdesk p50": k.helpdeskP50Us,
      "replay µs": k.replayUs,
      "replay p50": k.replayP50Us,
      "helpdesk / replay": k.helpdeskUs / k.replayUs
    }))
  )
  process.stdout.write("\nstatements per kind of command (µs: replayed one by one, each timed, on a second copy)\n")
  table(
    r.kinds.flatMap((k) =>
      k.statements.map((l) => ({
        command: k.kind,
        where: l.inTransaction ? "tx" : "outside",
        "per cmd": l.perCommand,
        "mean µs": l.meanUs,
        "p50 µs": l.p50Us,
        ...(l.inRunUs === undefined ? {} : { "in run µs": l.inRunUs }),
        sql: brief(l.sql, 130)
      }))
    )
  )
}
