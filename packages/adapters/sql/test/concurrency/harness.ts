/**
 * The parent side of the concurrency test: prepares a fresh database, opens the tickets
 * through a `Helpdesk`, runs worker processes (`worker.ts`) against them, then checks the
 * store against what the workers were told was accepted:
 *
 * - every stream's versions are 1..n with no gap (through `read` and directly in SQL), and
 *   event positions grow with versions;
 * - every accepted command's unique value is in exactly one event, of the right type, on the
 *   right ticket; no event carries a value that was not accepted (nothing lost, nothing
 *   duplicated, nothing invented); the event count is opens + accepted + automatic status changes;
 * - each custom-field change starts `from` the value the previous change set (no lost update);
 * - the `tickets` projection (`load`, the raw row's columns, `ticket_tags`, and `query`
 *   summaries) equals `Ticket.fold` of the events read back;
 * - a poller that followed `readAll(after = last seen)` while the workers wrote saw every event
 *   they wrote exactly once, in position order, and nothing else (`FeedCheck`, issue 14).
 *
 * Problems are collected, not thrown at the first, so one run reports everything it found.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { isDeepStrictEqual } from "node:util"
import {
  Helpdesk,
  IdGenerator,
  MemoryDirectoryStore,
  Priority,
  Ticket,
  type TicketEvent,
  TicketQuery,
  TicketStore
} from "@tessera/core"
import { FeedCheck } from "@tessera/core/testing"
import BetterSqlite3 from "better-sqlite3"
import { DateTime, Effect, Layer, ManagedRuntime, Schema } from "effect"
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from "kysely"
import mysql from "mysql2"
import pg from "pg"
import type { Database, Dialect } from "../../src/Database.js"
import { migrate } from "../../src/Migrations.js"
import { layerUrl } from "../../src/SqlStore.js"
import * as Children from "../children.js"
import { mysqlUrl, pgUrl } from "../support.js"
import { decodeWorkerLine, helpdeskConfig, markerField, type Op, type WorkerResult } from "./protocol.js"

const here = dirname(fileURLToPath(import.meta.url))
const workerPath = join(here, "worker.ts")

// -- databases ------------------------------------------------------------------------------

/** A fresh database for one run: the store's URL, a raw connection for SQL checks, cleanup. */
export interface TestDatabase {
  readonly dialect: Dialect
  readonly url: string
  readonly db: Kysely<Database>
  readonly cleanup: () => Promise<void>
}

/** A temporary SQLite file in WAL mode. */
export const prepareSqlite = (): TestDatabase => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-concurrency-"))
  const file = join(dir, "store.db")
  const raw = new BetterSqlite3(file)
  raw.pragma("journal_mode = wal")
  raw.pragma("busy_timeout = 5000")
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) })
  return {
    dialect: "sqlite",
    url: `sqlite:${file}`,
    db,
    cleanup: async () => {
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A new PostgreSQL database on the server of `adminUrl`, dropped at cleanup. */
export const preparePostgres = async (adminUrl: string): Promise<TestDatabase> => {
  const name = `tessera_concurrency_${Date.now()}_${process.pid}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    // Databases left by runs that were killed before their cleanup (more than an hour old).
    const stale = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'tessera\\_concurrency\\_%'"
    )
    for (const { datname } of stale.rows) {
      const started = Number(/^tessera_concurrency_(\d+)_\d+$/.exec(datname)?.[1] ?? Number.NaN)
      if (started < Date.now() - 3_600_000) await admin.query(`drop database if exists ${datname} with (force)`)
    }
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 2 }) })
  })
  return {
    dialect: "postgres",
    url: url.toString(),
    db,
    cleanup: async () => {
      await db.destroy()
      const dropper = new pg.Client({ connectionString: adminUrl })
      await dropper.connect()
      try {
        await dropper.query(`drop database if exists ${name} with (force)`)
      } finally {
        await dropper.end()
      }
    }
  }
}

/** A new MariaDB/MySQL database on the server of `adminUrl`, dropped at cleanup. */
export const prepareMysql = async (adminUrl: string): Promise<TestDatabase> => {
  const name = `tessera_concurrency_${Date.now()}_${process.pid}`
  const server = new URL(adminUrl)
  server.pathname = "/"
  const onServer = async (statement: string) => {
    const admin = mysql.createConnection({ uri: server.toString() }).promise()
    try {
      await admin.query(statement)
    } finally {
      await admin.end()
    }
  }
  // Databases left by runs that were killed before their cleanup (more than an hour old).
  const admin = mysql.createConnection({ uri: server.toString() }).promise()
  try {
    const [stale] = await admin.query("show databases like 'tessera\\_concurrency\\_%'")
    for (const row of stale as ReadonlyArray<Record<string, string>>) {
      const datname = Object.values(row)[0] ?? ""
      const started = Number(/^tessera_concurrency_(\d+)_\d+$/.exec(datname)?.[1] ?? Number.NaN)
      if (started < Date.now() - 3_600_000) await admin.query(`drop database if exists ${datname}`)
    }
  } finally {
    await admin.end()
  }
  await onServer(`create database ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = new Kysely<Database>({
    dialect: new MysqlDialect({
      pool: mysql.createPool({ uri: url.toString(), charset: "utf8mb4", supportBigNumbers: true, connectionLimit: 2 })
    })
  })
  return {
    dialect: "mysql",
    url: url.toString(),
    db,
    cleanup: async () => {
      await db.destroy()
      await onServer(`drop database if exists ${name}`)
    }
  }
}

/**
 * The databases the multi-process tests run on, as one table: the concurrency and feed-order
 * tests each run once per row. `pooled` databases give each process a pool of connections;
 * SQLite gives each its single connection to the shared file (WAL), writers taking turns
 * through `BEGIN IMMEDIATE` and `busy_timeout`. The servers come from `TESSERA_PG_URL` and
 * `TESSERA_MYSQL_URL`: without them their rows fail, they never skip.
 */
export interface Target {
  readonly name: string
  readonly dialect: Dialect
  readonly pooled: boolean
  readonly prepare: () => Promise<TestDatabase>
}

export const targets: ReadonlyArray<Target> = [
  { name: "SQLite", dialect: "sqlite", pooled: false, prepare: async () => prepareSqlite() },
  { name: "PostgreSQL", dialect: "postgres", pooled: true, prepare: () => preparePostgres(pgUrl()) },
  { name: "MariaDB/MySQL", dialect: "mysql", pooled: true, prepare: () => prepareMysql(mysqlUrl()) }
]

// -- workers --------------------------------------------------------------------------------

interface RunningWorker extends Children.Child {
  readonly ready: Promise<void>
  readonly result: Promise<WorkerResult>
}

const startWorker = async (
  nodeArgs: ReadonlyArray<string>,
  args: ReadonlyArray<string>,
  index: number
): Promise<RunningWorker> => {
  const worker = await Children.start(workerPath, [...args, "--index", String(index), "--handshake"], nodeArgs)
  const { process: child, stderr } = worker
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const fail = (what: string) => new Error(`worker ${index} ${what}\n--- stderr ---\n${stderr().slice(-4000)}`)
  let resolveReady: () => void = () => undefined
  let rejectReady: (error: Error) => void = () => undefined
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve
    rejectReady = reject
  })
  const result = new Promise<WorkerResult>((resolve, reject) => {
    let last: WorkerResult | undefined
    const lines = createInterface({ input: child.stdout })
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return
      const message = decodeWorkerLine(line)
      if (message.type === "ready") resolveReady()
      else last = message
    })
    void exited.then((code) => {
      const error = fail(`exited with code ${code} before ${last === undefined ? "its result" : "finishing"}`)
      rejectReady(error)
      if (code === 0 && last !== undefined) resolve(last)
      else reject(error)
    })
  })
  // Avoid unhandled rejections when one worker fails while others are awaited.
  ready.catch(() => undefined)
  result.catch(() => undefined)
  return { ...worker, ready, result }
}

// -- the run --------------------------------------------------------------------------------

export interface RunOptions {
  readonly database: TestDatabase
  readonly processes: number
  /** Connections of each worker's pool (1 for SQLite). */
  readonly connections: number
  /** Concurrent command loops in each worker. */
  readonly fibers: number
  readonly durationMs: number
  readonly tickets: number
  /**
   * Runs after the workers and before the checks: the checks' own test damages the database
   * here, to show that they catch what they claim to.
   */
  readonly tamper?: (db: Kysely<Database>, workspace: string) => Promise<void>
  /** Extra `node` flags for the workers (say `--cpu-prof`), for diagnosis. */
  readonly nodeArgs?: ReadonlyArray<string>
}

export interface Report {
  readonly dialect: Dialect
  readonly processes: number
  readonly connections: number
  readonly fibers: number
  readonly durationMs: number
  readonly tickets: number
  readonly sent: number
  readonly accepted: number
  readonly acceptedByOp: Record<Op, number>
  readonly refused: number
  readonly refusedByError: Record<string, number>
  readonly refusedSamples: ReadonlyArray<string>
  readonly appends: number
  readonly conflicts: number
  readonly appendErrors: number
  readonly maxConflictsPerCommand: number
  readonly maxAppendMs: number
  readonly events: number
  readonly eventsByType: Record<string, number>
  readonly automaticStatusChanges: number
  readonly commandEventsPerSecond: number
  /** Worker CPU time per accepted command (retries included): a figure less noisy than rates. */
  readonly workerCpuMsPerCommand: number
  /** Wall time of each phase: opening the tickets, starting the workers, their work, the checks. */
  readonly phasesMs: { readonly open: number; readonly start: number; readonly work: number; readonly verify: number }
  readonly latencyMs: { readonly p50Max: number; readonly p99Max: number; readonly max: number }
  readonly workers: ReadonlyArray<Omit<WorkerResult, "accepted" | "refused"> & { accepted: number; refused: number }>
  /** What the poller following the feed during the work saw, against the events written meanwhile. */
  readonly feed: Omit<FeedCheck.Report, "examples"> & { readonly reads: number }
  readonly problems: ReadonlyArray<string>
}

const eventTypeOf: Record<Op, TicketEvent.TicketEvent["_tag"]> = {
  field: "CustomFieldChanged",
  note: "NoteAdded",
  tag: "TagsChanged",
  reply: "ReplyAdded"
}

const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const encodeSummary = Schema.encodeSync(TicketQuery.TicketSummary)
const decodeState = Schema.decodeUnknownSync(Schema.fromJsonString(Ticket.Ticket))
const decodeSummary = Schema.decodeUnknownSync(Schema.fromJsonString(TicketQuery.TicketSummary))

/** The first path where two JSON-like values differ, for readable problems. */
const firstDifference = (a: unknown, b: unknown, path = "$"): string | undefined => {
  if (isDeepStrictEqual(a, b)) return undefined
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const key of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`
      )
      if (d !== undefined) return d
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 200)} != ${JSON.stringify(b)?.slice(0, 200)}`
}

/** Opens the tickets, runs the workers, checks everything; never throws on a failed check. */
export const run = async (options: RunOptions): Promise<Report> => {
  const { database } = options
  const workspace = `ws_load_${database.dialect}`
  const problems: Array<string> = []
  let omitted = 0
  // Keep every problem the checks find (one lost event early in a long stream shifts hundreds of
  // versions): a cap could hide the drift the checks' own test looks for.
  const problem = (text: string) => {
    if (problems.length < 10_000) problems.push(text)
    else omitted++
  }

  const t0 = Date.now()
  await Effect.runPromise(migrate(database.db, database.dialect))

  let parentIds = 0
  const parentIdGenerator = Layer.succeed(
    IdGenerator.IdGenerator,
    IdGenerator.IdGenerator.of({ next: (kind) => Effect.sync(() => `${kind}_parent_${++parentIds}`) })
  )
  const runtime = ManagedRuntime.make(
    // The directory is in memory, as in the workers: this test is about the ticket store.
    Helpdesk.layer(helpdeskConfig(workspace)).pipe(
      Layer.provide(MemoryDirectoryStore.layer),
      Layer.provideMerge(Layer.mergeAll(layerUrl({ url: database.url, connections: 2 }), parentIdGenerator))
    )
  )
  const dir = mkdtempSync(join(tmpdir(), "tessera-concurrency-ids-"))
  const workers: Array<RunningWorker> = []
  try {
    // 1. The tickets, opened by their requester (category "new").
    const ticketIds = await runtime.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        const out: Array<string> = []
        for (let i = 1; i <= options.tickets; i++) {
          const ticket = yield* helpdesk.open({
            requester: { email: "requester@example.com", name: "Requester" },
            subject: `Load ticket ${i}`,
            text: `Opening message of load ticket ${i}`,
            channel: "web"
          })
          out.push(ticket.id)
        }
        return out
      })
    )
    const t1 = Date.now()
    // The feed's last position before the work: the poller follows from there.
    const feedFrom = await runtime.runPromise(
      Effect.gen(function* () {
        const store = yield* TicketStore.TicketStore
        let after = 0
        for (;;) {
          const last = (yield* store.readAll(after, 1_000)).at(-1)
          if (last === undefined) return after
          after = last.position
        }
      })
    )
    const idsFile = join(dir, "tickets.json")
    writeFileSync(idsFile, JSON.stringify(ticketIds))

    // 2. The workers: all ready (connected, help desk built), then all go at once.
    const args = [
      "--url",
      database.url,
      "--workspace",
      workspace,
      "--tickets",
      idsFile,
      "--duration",
      String(options.durationMs),
      "--connections",
      String(options.connections),
      "--fibers",
      String(options.fibers)
    ]
    for (let i = 1; i <= options.processes; i++) workers.push(await startWorker(options.nodeArgs ?? [], args, i))
    // Starting takes about a second per process (loading the bundle and effect), more on a busy
    // machine; the work's clock starts only when every worker is ready.
    await Children.withTimeout(Promise.all(workers.map((w) => w.ready)), 45_000, "the workers to be ready")
    const t2 = Date.now()
    let working = true
    const polling = runtime.runPromise(
      Effect.gen(function* () {
        const store = yield* TicketStore.TicketStore
        return yield* FeedCheck.follow((after) => store.readAll(after, 100), {
          from: feedFrom,
          done: Effect.sync(() => !working),
          pause: Effect.sleep("5 millis")
        })
      })
    )
    for (const w of workers) w.process.stdin.end("go\n")
    const results = await Children.withTimeout(
      Promise.all(workers.map((w) => w.result)),
      options.durationMs + 20_000,
      "the workers' results"
    )
    working = false
    const followed = await polling

    const t3 = Date.now()
    if (options.tamper !== undefined) await options.tamper(database.db, workspace)

    // 3. What the workers were told.
    const acceptedByValue = new Map<string, { readonly op: Op; readonly ticket: string }>()
    const refusedValues = new Map<string, string>()
    const acceptedByOp: Record<Op, number> = { field: 0, note: 0, tag: 0, reply: 0 }
    const refusedByError: Record<string, number> = {}
    const refusedSamples: Array<string> = []
    const ticketsWithReply = new Set<string>()
    for (const r of results) {
      for (const [op, ticket, value] of r.accepted) {
        if (acceptedByValue.has(value)) problem(`value ${value} was accepted twice (harness bug)`)
        acceptedByValue.set(value, { op, ticket })
        acceptedByOp[op]++
        if (op === "reply") ticketsWithReply.add(ticket)
      }
      for (const f of r.refused) {
        refusedValues.set(f.value, f.error)
        refusedByError[f.error] = (refusedByError[f.error] ?? 0) + 1
        if (refusedSamples.length < 10) refusedSamples.push(`${f.op} ${f.ticket} ${f.value}: ${f.error}: ${f.message}`)
      }
    }

    // 4. The streams, through the store.
    const found = new Map<string, Array<{ readonly ticket: string; readonly type: string }>>()
    const note = (value: string, ticket: string, type: string) => {
      const list = found.get(value) ?? []
      list.push({ ticket, type })
      found.set(value, list)
    }
    const foldedById = new Map<string, Ticket.Ticket>()
    const streamLengths = new Map<string, number>()
    const eventTypesById = new Map<string, ReadonlyArray<string>>()
    let automaticStatusChanges = 0
    await runtime.runPromise(
      Effect.gen(function* () {
        const store = yield* TicketStore.TicketStore
        for (const id of ticketIds) {
          const { events, version } = yield* store.read(id as Ticket.Ticket["id"])
          streamLengths.set(id, events.length)
          eventTypesById.set(
            id,
            events.map((e) => e._tag)
          )
          if (version !== events.length) problem(`${id}: read gives version ${version} for ${events.length} events`)
          let marker: unknown
          let replies = 0
          let statusChanges = 0
          events.forEach((event, i) => {
            if (event.ticketId !== id) problem(`${id} v${i + 1}: event names ticket ${event.ticketId}`)
            switch (event._tag) {
              case "TicketOpened":
                if (i !== 0) problem(`${id} v${i + 1}: TicketOpened after the first event`)
                break
              case "CustomFieldChanged":
                if (event.key !== markerField) problem(`${id} v${i + 1}: change of unexpected field ${event.key}`)
                if (event.from !== marker) {
                  problem(`${id} v${i + 1}: lost update: field changed from ${event.from} but was ${marker}`)
                }
                marker = event.to
                note(String(event.to), id, event._tag)
                break
              case "NoteAdded":
              case "ReplyAdded":
                note(event.message.text, id, event._tag)
                if (event._tag === "ReplyAdded") replies++
                break
              case "TagsChanged":
                if (event.added.length !== 1 || event.removed.length !== 0) {
                  problem(`${id} v${i + 1}: TagsChanged adds ${event.added.length}, removes ${event.removed.length}`)
                }
                for (const tag of event.added) note(tag, id, event._tag)
                break
              case "StatusChanged": {
                statusChanges++
                automaticStatusChanges++
                const previous = events[i - 1]
                // The only automatic event here: the first agent reply takes a new ticket into work.
                if (
                  event.fromCategory !== "new" ||
                  event.toCategory !== "open" ||
                  previous?._tag !== "ReplyAdded" ||
                  replies !== 1
                ) {
                  problem(
                    `${id} v${i + 1}: unexpected StatusChanged ${event.fromCategory}->${event.toCategory} after ${previous?._tag} (${replies} replies so far)`
                  )
                }
                break
              }
              default:
                problem(`${id} v${i + 1}: unexpected event ${event._tag}`)
            }
          })
          const expectedStatusChanges = ticketsWithReply.has(id) ? 1 : 0
          if (statusChanges !== expectedStatusChanges) {
            problem(`${id}: ${statusChanges} StatusChanged events, expected ${expectedStatusChanges}`)
          }
          const folded = Ticket.fold(events)
          if (folded === undefined) {
            problem(`${id}: the events fold to no ticket`)
            continue
          }
          foldedById.set(id, folded)
          if (folded.version !== events.length) problem(`${id}: fold version ${folded.version} != ${events.length}`)
          const loaded = yield* store.load(id as Ticket.Ticket["id"])
          if (loaded.version !== events.length)
            problem(`${id}: load gives version ${loaded.version}, read ${events.length}`)
          if (loaded.state === undefined) problem(`${id}: load gives no state`)
          else {
            const d = firstDifference(encodeTicket(loaded.state), encodeTicket(folded))
            if (d !== undefined) problem(`${id}: load differs from the fold of read: ${d}`)
          }
        }

        // `query` summaries equal the summaries of the folds.
        const page = yield* store.query(workspace as Ticket.Ticket["workspaceId"], { limit: 500 })
        if (page.items.length !== ticketIds.length) {
          problem(`query returns ${page.items.length} tickets, expected ${ticketIds.length}`)
        }
        for (const item of page.items) {
          const folded = foldedById.get(item.id)
          if (folded === undefined) {
            problem(`query returns unknown ticket ${item.id}`)
            continue
          }
          const d = firstDifference(encodeSummary(item), encodeSummary(TicketQuery.summarize(folded)))
          if (d !== undefined) problem(`${item.id}: query summary differs from the fold: ${d}`)
        }
        // The tag index answers for a sample of the tags written.
        const tags = Array.from(acceptedByValue.entries())
          .filter(([, a]) => a.op === "tag")
          .slice(0, 25)
        for (const [tag, { ticket }] of tags) {
          const hits = yield* store.query(workspace as Ticket.Ticket["workspaceId"], { tagsAny: [tag] })
          const hitIds = hits.items.map((t) => t.id)
          if (!isDeepStrictEqual(hitIds, [ticket]))
            problem(`query tagsAny [${tag}] gives ${hitIds.join(",")}, expected ${ticket}`)
        }
      })
    )

    // 5. Every accepted value exactly once, on its ticket, in the right event; nothing else.
    for (const [value, { op, ticket }] of acceptedByValue) {
      const hits = found.get(value) ?? []
      if (hits.length === 0) problem(`lost: accepted ${op} ${value} on ${ticket} is in no event`)
      else if (hits.length > 1) problem(`duplicated: accepted ${op} ${value} is in ${hits.length} events`)
      else if (hits[0]?.ticket !== ticket || hits[0]?.type !== eventTypeOf[op]) {
        problem(`misplaced: accepted ${op} ${value} on ${ticket} found as ${hits[0]?.type} on ${hits[0]?.ticket}`)
      }
    }
    for (const [value, hits] of found) {
      if (acceptedByValue.has(value)) continue
      const refusal = refusedValues.get(value)
      problem(
        refusal === undefined
          ? `invented: ${hits[0]?.type} ${value} on ${hits[0]?.ticket} was never accepted`
          : `refused with ${refusal} but written: ${hits[0]?.type} ${value} on ${hits[0]?.ticket}`
      )
    }

    // 6. Directly in SQL: streams, versions, positions, types, counts.
    const { db } = database
    const groups = await db
      .selectFrom("events")
      .select([
        "stream_id",
        sql<string>`count(*)`.as("n"),
        sql<string>`count(distinct version)`.as("distinct_versions"),
        sql<string>`min(version)`.as("min_version"),
        sql<string>`max(version)`.as("max_version")
      ])
      .where("workspace_id", "=", workspace)
      .groupBy("stream_id")
      .execute()
    if (groups.length !== ticketIds.length)
      problem(`events hold ${groups.length} streams, expected ${ticketIds.length}`)
    for (const g of groups) {
      const n = Number(g.n)
      if (Number(g.min_version) !== 1 || Number(g.max_version) !== n || Number(g.distinct_versions) !== n) {
        problem(
          `${g.stream_id}: ${n} events with versions ${g.min_version}..${g.max_version} (${g.distinct_versions} distinct)`
        )
      }
      if (streamLengths.get(g.stream_id) !== n) {
        problem(`${g.stream_id}: ${n} rows in SQL, ${streamLengths.get(g.stream_id)} events through read`)
      }
    }
    const rows = await db
      .selectFrom("events")
      .select(["stream_id", "version", "position", "type"])
      .where("workspace_id", "=", workspace)
      .orderBy("stream_id")
      .orderBy("version")
      .execute()
    const eventsByType: Record<string, number> = {}
    let previous: { stream: string; version: number; position: number } | undefined
    for (const row of rows) {
      const version = Number(row.version)
      const position = Number(row.position)
      eventsByType[row.type] = (eventsByType[row.type] ?? 0) + 1
      const expectedVersion = previous?.stream === row.stream_id ? previous.version + 1 : 1
      if (version !== expectedVersion) problem(`${row.stream_id}: version ${version} where ${expectedVersion} was due`)
      if (previous?.stream === row.stream_id && position <= previous.position) {
        problem(`${row.stream_id} v${version}: position ${position} not after ${previous.position}`)
      }
      const typeThroughRead = eventTypesById.get(row.stream_id)?.[version - 1]
      if (typeThroughRead !== row.type)
        problem(`${row.stream_id} v${version}: type ${row.type}, read gives ${typeThroughRead}`)
      previous = { stream: row.stream_id, version, position }
    }
    // The poller against every event written during the work (what the database holds, tampered
    // or not: the checks above compare that with what the workers were told).
    const written = await db
      .selectFrom("events")
      .select(["stream_id", "version"])
      .where("position", ">", feedFrom)
      .execute()
    const feedReport = FeedCheck.compare(
      written.map((e) => ({ ticketId: e.stream_id, version: Number(e.version) })),
      followed.events
    )
    if (!FeedCheck.isClean(feedReport)) problem(`feed: ${FeedCheck.format(feedReport)}`)
    const accepted = acceptedByValue.size
    const expectedEvents = ticketIds.length + accepted + ticketsWithReply.size
    if (rows.length !== expectedEvents) {
      problem(
        `${rows.length} events stored, expected ${expectedEvents} = ${ticketIds.length} opens + ${accepted} accepted + ${ticketsWithReply.size} automatic status changes`
      )
    }
    const expectedByType: Record<string, number> = {
      TicketOpened: ticketIds.length,
      CustomFieldChanged: acceptedByOp.field,
      NoteAdded: acceptedByOp.note,
      TagsChanged: acceptedByOp.tag,
      ReplyAdded: acceptedByOp.reply,
      StatusChanged: ticketsWithReply.size
    }
    for (const type of new Set([...Object.keys(expectedByType), ...Object.keys(eventsByType)])) {
      if ((eventsByType[type] ?? 0) !== (expectedByType[type] ?? 0)) {
        problem(`${eventsByType[type] ?? 0} ${type} events stored, expected ${expectedByType[type] ?? 0}`)
      }
    }

    // 7. The raw projection rows and tag rows equal the folds.
    const ticketRows = await db.selectFrom("tickets").selectAll().where("workspace_id", "=", workspace).execute()
    if (ticketRows.length !== ticketIds.length)
      problem(`tickets holds ${ticketRows.length} rows, expected ${ticketIds.length}`)
    const tagRows = await db
      .selectFrom("ticket_tags")
      .select(["ticket_id", "tag"])
      .where("workspace_id", "=", workspace)
      .execute()
    const tagsByTicket = new Map<string, Array<string>>()
    for (const t of tagRows) tagsByTicket.set(t.ticket_id, [...(tagsByTicket.get(t.ticket_id) ?? []), t.tag])
    const textRows = await db
      .selectFrom("ticket_texts")
      .select(["ticket_id", "n", "data", "words"])
      .where("workspace_id", "=", workspace)
      .orderBy("ticket_id")
      .orderBy("n")
      .execute()
    const textsByTicket = new Map<string, Array<(typeof textRows)[number]>>()
    for (const t of textRows) textsByTicket.set(t.ticket_id, [...(textsByTicket.get(t.ticket_id) ?? []), t])
    const millis = (value: number | string | null) => (value === null ? null : Number(value))
    for (const row of ticketRows) {
      const t = foldedById.get(row.id)
      if (t === undefined) {
        problem(`tickets holds unknown ticket ${row.id}`)
        continue
      }
      const actual = {
        workspace_id: row.workspace_id,
        public_id: Number(row.public_id),
        version: Number(row.version),
        subject: row.subject,
        requester: row.requester,
        organization: row.organization,
        channel: row.channel,
        priority: row.priority,
        priority_rank: Number(row.priority_rank),
        type: row.type,
        status: row.status,
        category: row.category,
        group_id: row.group_id,
        assignee: row.assignee,
        created_at: millis(row.created_at),
        updated_at: millis(row.updated_at),
        sla_due_at: millis(row.sla_due_at),
        texts: (textsByTicket.get(row.id) ?? []).map((x) => Number(x.n)),
        document: (textsByTicket.get(row.id) ?? []).map((x) => x.words).join(" ")
      }
      const expected = {
        workspace_id: t.workspaceId,
        public_id: t.publicId,
        version: t.version,
        subject: t.subject,
        requester: t.requester,
        organization: t.organization ?? null,
        channel: t.channel,
        priority: t.priority,
        priority_rank: Priority.rank(t.priority),
        type: t.type ?? null,
        status: t.status,
        category: t.category,
        group_id: t.group ?? null,
        assignee: t.assignee ?? null,
        created_at: DateTime.toEpochMillis(t.createdAt),
        updated_at: DateTime.toEpochMillis(t.updatedAt),
        sla_due_at: null,
        texts: [0, ...t.messages.map((_, i) => i + 1)],
        document: TicketQuery.searchDocument(t)
      }
      const d = firstDifference(actual, expected)
      if (d !== undefined) problem(`${row.id}: tickets row differs from the fold: ${d}`)
      try {
        const summary = decodeSummary(row.summary)
        const ds = firstDifference(encodeSummary(summary), encodeSummary(TicketQuery.summarize(t)))
        if (ds !== undefined) problem(`${row.id}: tickets.summary differs from the fold: ${ds}`)
      } catch (error) {
        problem(`${row.id}: tickets.summary does not decode as a TicketSummary: ${String(error).slice(0, 300)}`)
      }
      try {
        // The snapshot commands start from: the summary with the messages of ticket_texts.
        const messages = (textsByTicket.get(row.id) ?? []).flatMap((x) => (x.data === null ? [] : [x.data]))
        const state = decodeState(`${row.summary.slice(0, -1)},"messages":[${messages.join(",")}]}`)
        const ds = firstDifference(encodeTicket(state), encodeTicket(t))
        if (ds !== undefined) problem(`${row.id}: the stored snapshot differs from the fold: ${ds}`)
      } catch (error) {
        problem(`${row.id}: the stored snapshot does not decode as a Ticket: ${String(error).slice(0, 300)}`)
      }
      const storedTags = [...(tagsByTicket.get(row.id) ?? [])].sort()
      const foldedTags = [...t.tags].sort()
      if (!isDeepStrictEqual(storedTags, foldedTags)) {
        problem(`${row.id}: ticket_tags holds ${storedTags.length} tags, the fold ${foldedTags.length}`)
      }
    }

    // 8. Figures.
    const sum = (f: (r: WorkerResult) => number) => results.reduce((acc, r) => acc + f(r), 0)
    const longest = Math.max(...results.map((r) => r.elapsedMs))
    return {
      dialect: database.dialect,
      processes: options.processes,
      connections: options.connections,
      fibers: options.fibers,
      durationMs: options.durationMs,
      tickets: ticketIds.length,
      sent: sum((r) => r.sent),
      accepted,
      acceptedByOp,
      refused: sum((r) => r.refused.length),
      refusedByError,
      refusedSamples,
      appends: sum((r) => r.appends),
      conflicts: sum((r) => r.conflicts),
      appendErrors: sum((r) => r.appendErrors),
      maxConflictsPerCommand: Math.max(...results.map((r) => r.maxConflictsPerCommand)),
      maxAppendMs: Math.max(...results.map((r) => r.maxAppendMs)),
      events: rows.length,
      eventsByType,
      automaticStatusChanges,
      commandEventsPerSecond: Math.round(((accepted + ticketsWithReply.size) / longest) * 1000),
      workerCpuMsPerCommand: Math.round((sum((r) => r.cpuMs) / Math.max(1, accepted)) * 100) / 100,
      phasesMs: { open: t1 - t0, start: t2 - t1, work: t3 - t2, verify: Date.now() - t3 },
      latencyMs: {
        p50Max: Math.max(...results.map((r) => r.latencyMs.p50)),
        p99Max: Math.max(...results.map((r) => r.latencyMs.p99)),
        max: Math.max(...results.map((r) => r.latencyMs.max))
      },
      workers: results.map(({ accepted: a, refused: f, ...rest }) => ({
        ...rest,
        accepted: a.length,
        refused: f.length
      })),
      feed: {
        committed: feedReport.committed,
        seen: feedReport.seen,
        missed: feedReport.missed,
        duplicated: feedReport.duplicated,
        outOfOrder: feedReport.outOfOrder,
        unexpected: feedReport.unexpected,
        reads: followed.reads
      },
      problems: omitted === 0 ? problems : [...problems, `... and ${omitted} more problems`]
    }
  } finally {
    Children.killAll(workers)
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
