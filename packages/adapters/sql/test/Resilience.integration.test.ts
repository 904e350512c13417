/**
 * What the store does when the server takes its connections away (#12 on PostgreSQL, issue 14 on
 * MariaDB/MySQL), on clients of `Connection.open`, on each server of `servers`: connections the
 * server ends while idle cost at most the operation that meets one, as a retryable
 * `StoreUnavailable` saying the connection was lost (the process keeps running, the pool opens new
 * ones), and one ended in the middle of a statement costs only the operation that used it.
 * PostgreSQL also: a statement past the statement timeout fails the same way, saying so, and a
 * query whose fiber is interrupted is cancelled on the server, leaving no statement and no open
 * transaction behind. Statements are held back by locks the test takes, so timings do not matter.
 */
import { randomUUID } from "node:crypto"
import { Actor, type Ids, type StoreError, TicketEvent, type TicketStore } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, Exit, Fiber, Result, type Scope } from "effect"
import { sql } from "kysely"
import mysql from "mysql2/promise"
import pg from "pg"
import { afterEach, describe, expect, it } from "vitest"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import * as Events from "./events.js"
import { freshMysqlDatabase, freshSchema, mysqlUrl, pgUrl, withDatabase, withSearchPath } from "./support.js"

const ws = "ws_resilience" as Ids.WorkspaceId
const at = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")

const opened = (id: string) =>
  Events.opened({
    ticketId: id,
    workspaceId: ws,
    publicId: Number(id.replace(/\D/g, "")),
    at,
    subject: `Ticket ${id}`,
    text: "It is broken",
    tags: ["vpn"]
  })

const noted = (id: string, n: number) =>
  new TicketEvent.NoteAdded({
    ticketId: id as Ids.TicketId,
    at,
    by: Actor.agent("mary"),
    message: {
      id: `${id}.m${n}` as Ids.MessageId,
      visibility: "internal",
      author: Actor.agent("mary"),
      channel: "web",
      at,
      text: `Note ${n}`,
      attachments: []
    }
  })

/** Clients the test opened itself (locks, checks), ended after each test. */
const clients: Array<{ readonly end: () => Promise<unknown> }> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)))
})

const pgClient = (schema: string) =>
  Effect.promise(async () => {
    const c = new pg.Client({ connectionString: withSearchPath(pgUrl(), schema) })
    clients.push(c)
    await c.connect()
    return c
  })

/** A store on a PostgreSQL schema of its own, its connections named `application` on the server. */
const openPostgres = (options: Connection.OpenOptions = {}) =>
  Effect.gen(function* () {
    const schema = yield* freshSchema
    const application = `tessera_${randomUUID().slice(0, 8)}`
    const url = new URL(withSearchPath(pgUrl(), schema))
    url.searchParams.set("application_name", application)
    const connection = yield* Connection.scoped(url.toString(), options).pipe(Effect.orDie)
    yield* Migrations.migrate(connection.db, connection.dialect).pipe(Effect.orDie)
    const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "postgres" })
    const admin = yield* pgClient(schema)
    /** The store's backends in a state, as `pg_stat_activity` shows them. */
    const sessions = (condition: string) =>
      Effect.promise(async () => {
        const { rows } = await admin.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where application_name = $1 and ${condition}`,
          [application]
        )
        return rows[0]?.n ?? 0
      })
    /** Waits (polling) until `sessions(condition)` is `count`; returns what it last saw. */
    const settle = (condition: string, count: (n: number) => boolean) =>
      Effect.gen(function* () {
        let seen = yield* sessions(condition)
        for (let attempt = 0; attempt < 200 && !count(seen); attempt++) {
          yield* Effect.sleep("10 millis")
          seen = yield* sessions(condition)
        }
        return seen
      })
    /** Holds `table` locked (from another session) while `body` runs. */
    const locked = <A, E>(table: string, body: Effect.Effect<A, E>) =>
      Effect.gen(function* () {
        const locker = yield* pgClient(schema)
        yield* Effect.promise(() => locker.query(`begin; lock table ${table} in access exclusive mode`))
        return yield* Effect.ensuring(
          body,
          Effect.promise(() => locker.query("rollback"))
        )
      })
    const pids = (condition: string) =>
      Effect.promise(async () => {
        const { rows } = await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity where application_name = $1 and ${condition}`,
          [application]
        )
        return rows.map((row) => row.pid)
      })
    const server: ServerSession = {
      connection,
      tickets,
      idle: pids("state = 'idle'"),
      waiting: pids(waiting),
      end: (ids) =>
        Effect.promise(async () => {
          for (const pid of ids) await admin.query("select pg_terminate_backend($1)", [pid])
        }),
      lockRow: (ticket) =>
        Effect.gen(function* () {
          const locker = yield* pgClient(schema)
          yield* Effect.promise(async () => {
            await locker.query("begin")
            await locker.query("select id from tickets where id = $1 for update", [ticket])
          })
          return Effect.promise(() => locker.query("rollback"))
        }),
      gone: Effect.asVoid(settle("true", (n) => n === 0)),
      quiet: settle("state <> 'idle'", (n) => n === 0)
    }
    return { ...server, admin, application, sessions, settle, locked }
  })

/** A store on a MariaDB/MySQL database of its own, and an admin connection that sees and kills its sessions. */
const openMysql = (options: Connection.OpenOptions = {}) =>
  Effect.gen(function* () {
    const database = yield* freshMysqlDatabase
    const connection = yield* Connection.scoped(withDatabase(mysqlUrl(), database), options).pipe(Effect.orDie)
    yield* Migrations.migrate(connection.db, connection.dialect).pipe(Effect.orDie)
    const admin = yield* Effect.acquireRelease(
      Effect.promise(() => mysql.createConnection({ uri: withDatabase(mysqlUrl(), database) })),
      (c) => Effect.promise(() => c.end())
    )
    /** The store's sessions (every one on its database but the admin's and the locker's), with what they do. */
    const sessions = (locker: number) =>
      Effect.promise(async () => {
        const [rows] = await admin.query(
          "select id, command from information_schema.processlist where db = ? and id <> connection_id() and id <> ?",
          [database, locker]
        )
        return rows as unknown as ReadonlyArray<{ id: number; command: string }>
      })
    let locker = -1
    const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
    const server: ServerSession = {
      connection,
      tickets,
      idle: Effect.map(sessions(locker), (all) => all.filter((s) => s.command === "Sleep").map((s) => s.id)),
      waiting: Effect.map(sessions(locker), (all) => all.filter((s) => s.command === "Query").map((s) => s.id)),
      end: (ids) =>
        Effect.promise(async () => {
          for (const id of ids) await admin.query(`kill ${Number(id)}`)
        }),
      lockRow: (ticket) =>
        Effect.gen(function* () {
          const c = yield* Effect.promise(() => mysql.createConnection({ uri: withDatabase(mysqlUrl(), database) }))
          clients.push(c)
          locker = c.threadId ?? -1
          yield* Effect.promise(async () => {
            await c.query("begin")
            await c.query("select id from tickets where id = ? for update", [ticket])
          })
          return Effect.promise(() => c.query("rollback"))
        }),
      gone: Effect.void,
      quiet: Effect.gen(function* () {
        /** The store's sessions with an InnoDB transaction open (the admin's own aside). */
        const open = Effect.promise(async () => {
          const [rows] = await admin.query(
            "select count(*) as n from information_schema.innodb_trx t join information_schema.processlist p on p.id = t.trx_mysql_thread_id where p.db = ? and p.id <> connection_id()",
            [database]
          )
          return Number((rows as unknown as ReadonlyArray<{ n: unknown }>)[0]?.n ?? 0)
        })
        // InnoDB serves `innodb_trx` from a cache it refreshes only when last read over 0.1 s
        // ago: polled faster, it would show the first answer for ever.
        let seen = yield* open
        for (let attempt = 0; attempt < 30 && seen > 0; attempt++) {
          yield* Effect.sleep("150 millis")
          seen = yield* open
        }
        return seen
      })
    }
    return server
  })

/** What the shared tests need of a server: a store on it, and a session that sees and ends the store's. */
interface ServerSession {
  readonly connection: Connection.Connection
  readonly tickets: TicketStore.TicketStore["Service"]
  /** The store's idle sessions, by their server ids. */
  readonly idle: Effect.Effect<ReadonlyArray<number>>
  /** The store's sessions running a statement (here: waiting on a lock the test holds). */
  readonly waiting: Effect.Effect<ReadonlyArray<number>>
  /** Ends these sessions on the server. */
  readonly end: (ids: ReadonlyArray<number>) => Effect.Effect<void>
  /** Locks `ticket`'s row from another session; the effect it returns lets go. */
  readonly lockRow: (ticket: string) => Effect.Effect<Effect.Effect<unknown>>
  /** Waits until the ended sessions are gone from the server's list. */
  readonly gone: Effect.Effect<void>
  /** Waits until none of the store's sessions has a transaction open; returns how many still do. */
  readonly quiet: Effect.Effect<number>
}

const servers: ReadonlyArray<{
  readonly name: string
  readonly open: (options?: Connection.OpenOptions) => Effect.Effect<ServerSession, never, Scope.Scope>
}> = [
  { name: "PostgreSQL", open: openPostgres },
  { name: "MariaDB/MySQL", open: openMysql }
]

const waiting = "state = 'active' and wait_event_type = 'Lock'"

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

const unavailable = (result: Result.Result<unknown, unknown>): StoreError.StoreUnavailable => {
  expect(Result.isFailure(result)).toBe(true)
  const error = (result as Result.Failure<unknown, StoreError.StoreUnavailable>).failure
  expect(error._tag).toBe("StoreUnavailable")
  expect(error.retryable).toBe(true)
  return error
}

/**
 * A store on `server` with `ticket` opened, and an append to it from a second store on the same
 * client (one that never saw the ticket, so it reads and locks the row first) forked while
 * another session holds the row locked: returned once that append waits on the lock, with the
 * store's session running it (`running`) and the effect that lets the lock go (`release`).
 */
const waitingOnLock = (server: (typeof servers)[number], ticket: string) =>
  Effect.gen(function* () {
    const store = yield* server.open()
    yield* store.tickets.append(ticket as Ids.TicketId, 0, [opened(ticket)])
    const { tickets: other } = yield* SqlTicketStore.make({
      db: store.connection.db,
      dialect: store.connection.dialect
    })
    const release = yield* store.lockRow(ticket)
    const append = yield* Effect.forkChild(other.append(ticket as Ids.TicketId, 1, [noted(ticket, 1)]))
    let running: ReadonlyArray<number> = []
    for (let attempt = 0; attempt < 500 && running.length === 0; attempt++) {
      yield* Effect.sleep("10 millis")
      running = yield* store.waiting
    }
    expect(running).toHaveLength(1)
    return { store, other, release, append, running }
  })

for (const server of servers) {
  describe(`a store on ${server.name}`, () => {
    it("idle connections ended by the server are replaced: at most the operation that met one fails, retryably, and the next operations succeed", () =>
      run(
        Effect.gen(function* () {
          const store = yield* server.open({ connections: 3 })
          // Three connections in the pool, all idle afterwards.
          yield* Effect.all(
            ["tkt_1", "tkt_2", "tkt_3"].map((id) => store.tickets.append(id as Ids.TicketId, 0, [opened(id)])),
            { concurrency: "unbounded" }
          )
          const idle = yield* store.idle
          expect(idle.length).toBeGreaterThan(0)
          yield* store.end(idle)
          yield* store.gone
          // The pool hears each connection end (an unheard `error` event would end this process),
          // but only once it reads that connection's socket: an operation lent one just before fails
          // as a retryable lost connection (never anything else), and its retry gets a new one.
          const attempts = yield* Effect.all(
            [1, 2, 3].map(() => Effect.result(store.tickets.query(ws, {}))),
            { concurrency: "unbounded" }
          )
          let lost = 0
          for (const attempt of attempts) {
            if (Result.isSuccess(attempt)) expect(attempt.success.items).toHaveLength(3)
            else {
              lost++
              expect(unavailable(attempt).reason).toMatch(/^connection lost: /)
            }
          }
          console.log(`idle connections ended: ${lost} of 3 operations met one before the pool heard of it`)
          const pages = yield* Effect.all(
            [1, 2, 3].map(() => store.tickets.query(ws, {})),
            { concurrency: "unbounded" }
          )
          for (const page of pages) expect(page.items).toHaveLength(3)
          expect(yield* store.tickets.append("tkt_1" as Ids.TicketId, 1, [noted("tkt_1", 1)])).toBe(2)
        })
      ))

    it("a connection ended in the middle of a statement fails that operation as a retryable lost connection, and the next one succeeds", () =>
      run(
        Effect.gen(function* () {
          const { store, other, release, append, running } = yield* waitingOnLock(server, "tkt_2")
          yield* store.end(running)
          const failed = yield* Effect.result(Fiber.join(append))
          yield* release
          const error = unavailable(failed)
          expect(error.operation).toBe("append")
          expect(error.reason).toMatch(/^connection lost: /)
          // Nothing of it was written, and the next operation runs.
          expect((yield* other.read("tkt_2" as Ids.TicketId)).version).toBe(1)
          expect(yield* other.append("tkt_2" as Ids.TicketId, 1, [noted("tkt_2", 1)])).toBe(2)
        })
      ))

    it("an append interrupted while it waits on a row lock writes nothing, even once the lock is let go", () =>
      run(
        Effect.gen(function* () {
          const { store, other, release, append } = yield* waitingOnLock(server, "tkt_4")
          yield* Fiber.interrupt(append)
          // Free to go on (PostgreSQL has cancelled it; elsewhere the locking read now returns),
          // the append must send nothing more but its rollback.
          yield* release
          expect(yield* store.quiet).toBe(0)
          expect((yield* other.read("tkt_4" as Ids.TicketId)).version).toBe(1)
          expect(yield* other.append("tkt_4" as Ids.TicketId, 1, [noted("tkt_4", 1)])).toBe(2)
        })
      ))
  })
}

describe("a store on PostgreSQL, its timeouts and interrupts", () => {
  it("a backend terminated in the middle of a statement fails that operation as a lost connection, and the next one succeeds", () =>
    run(
      Effect.gen(function* () {
        const store = yield* openPostgres()
        yield* store.tickets.append("tkt_1" as Ids.TicketId, 0, [opened("tkt_1")])
        const failed = yield* store.locked(
          "tickets",
          Effect.gen(function* () {
            const fiber = yield* Effect.forkChild(Effect.result(store.tickets.query(ws, {})))
            expect(yield* store.settle(waiting, (n) => n === 1)).toBe(1)
            yield* Effect.promise(() =>
              store.admin.query(
                `select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and ${waiting}`,
                [store.application]
              )
            )
            return yield* Fiber.join(fiber)
          })
        )
        const error = unavailable(failed)
        expect(error.operation).toBe("query")
        expect(error.reason).toMatch(/^connection lost: terminating connection due to administrator command/)
        const page = yield* store.tickets.query(ws, {})
        expect(page.items.map((item) => item.id)).toEqual(["tkt_1"])
      })
    ))

  it("a statement past the statement timeout fails with StoreUnavailable saying so", () =>
    run(
      Effect.gen(function* () {
        const store = yield* openPostgres({ statementTimeout: "300 millis" })
        const failed = yield* store.locked("tickets", Effect.result(store.tickets.query(ws, {})))
        const error = unavailable(failed)
        expect(error.reason).toMatch(/^statement timeout: canceling statement due to statement timeout/)
        expect((yield* store.tickets.query(ws, {})).items).toEqual([])
      })
    ))

  it("an interrupted query is cancelled on the server at once, and its connection serves the next query", () =>
    run(
      Effect.gen(function* () {
        const store = yield* openPostgres({ connections: 1 })
        const left = yield* store.locked(
          "tickets",
          Effect.gen(function* () {
            const exit = yield* Effect.exit(store.tickets.query(ws, {}).pipe(Effect.timeout("200 millis")))
            expect(Exit.isFailure(exit)).toBe(true)
            // The lock is still held: only a cancel ends the statement now.
            return yield* store.settle("state = 'active'", (n) => n === 0)
          })
        )
        expect(left).toBe(0)
        // The one pooled connection is free and outside any transaction.
        expect(yield* store.sessions("state like 'idle in transaction%'")).toBe(0)
        expect((yield* store.tickets.query(ws, {})).items).toEqual([])
      })
    ))

  it("an append interrupted inside its transaction rolls back: nothing is written and no transaction stays open", () =>
    run(
      Effect.gen(function* () {
        const store = yield* openPostgres({ connections: 1 })
        const left = yield* store.locked(
          "events",
          Effect.gen(function* () {
            const exit = yield* Effect.exit(
              store.tickets.append("tkt_7" as Ids.TicketId, 0, [opened("tkt_7")]).pipe(Effect.timeout("200 millis"))
            )
            expect(Exit.isFailure(exit)).toBe(true)
            return yield* store.settle("state <> 'idle'", (n) => n === 0)
          })
        )
        expect(left).toBe(0)
        expect((yield* store.tickets.read("tkt_7" as Ids.TicketId)).version).toBe(0)
        expect(yield* store.tickets.append("tkt_7" as Ids.TicketId, 0, [opened("tkt_7")])).toBe(1)
      })
    ))

  it("connections run with the statement timeout: 30 s by default, the option's, or the URL's own", () =>
    run(
      Effect.gen(function* () {
        const shown = (url: string, options: Connection.OpenOptions) =>
          Effect.flatMap(Connection.scoped(url, options).pipe(Effect.orDie), (connection) =>
            Effect.promise(async () => {
              const { rows } = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(connection.db)
              return rows[0]?.statement_timeout
            })
          )
        const url = pgUrl()
        const withOptions = new URL(url)
        withOptions.searchParams.set("options", "-c statement_timeout=7s")
        expect(yield* shown(url, {})).toBe("30s")
        expect(yield* shown(url, { statementTimeout: "1500 millis" })).toBe("1500ms")
        expect(yield* shown(url, { statementTimeout: 0 })).toBe("0")
        expect(yield* shown(withOptions.toString(), {})).toBe("7s")
      })
    ))
})
