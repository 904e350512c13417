/**
 * #12: what the store does when PostgreSQL takes its connection away or a statement runs too
 * long, on clients of `Connection.open`. A backend the server ends (idle, or in the middle of a
 * statement) costs at most the operation that used it, as a retryable `StoreUnavailable`; a
 * statement past the statement timeout fails the same way, saying so; and a query whose fiber is
 * interrupted is cancelled on the server, leaving no statement and no open transaction behind.
 * Statements are held back with table locks taken by the test, so timings do not matter.
 */
import { randomUUID } from "node:crypto"
import { Actor, type Ids, type StoreError, type Tag, type Ticket, TicketEvent } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, Exit, Fiber, Result, type Scope } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterEach, expect, it } from "vitest"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import { freshSchema, pgUrl, withSearchPath } from "./support.js"

const ws = "ws_resilience" as Ids.WorkspaceId

const opened = (id: string) =>
  new TicketEvent.TicketOpened({
    ticketId: id as Ids.TicketId,
    at: DateTime.makeUnsafe("2026-03-09T13:00:00.000Z"),
    by: Actor.contact("jane"),
    workspaceId: ws,
    publicId: Number(id.replace(/\D/g, "")) as Ids.PublicId,
    subject: `Ticket ${id}`,
    requester: "jane" as Ids.ContactId,
    channel: "email",
    priority: "normal",
    status: "open" as Ticket.Ticket["status"],
    category: "open",
    tags: ["vpn" as Tag.Tag],
    customFields: {},
    message: {
      id: `${id}.m0` as Ids.MessageId,
      visibility: "public",
      author: Actor.contact("jane"),
      channel: "email",
      at: DateTime.makeUnsafe("2026-03-09T13:00:00.000Z"),
      text: "It is broken",
      attachments: []
    }
  })

/** Clients the test opened itself (locks, checks), ended after each test. */
const clients: Array<pg.Client> = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)))
})

const client = (schema: string) =>
  Effect.promise(async () => {
    const c = new pg.Client({ connectionString: withSearchPath(pgUrl(), schema) })
    clients.push(c)
    await c.connect()
    return c
  })

/** A store on a schema of its own, its connections named `application` on the server. */
const openStore = (options: Connection.OpenOptions = {}) =>
  Effect.gen(function* () {
    const schema = yield* freshSchema
    const application = `tessera_${randomUUID().slice(0, 8)}`
    const url = new URL(withSearchPath(pgUrl(), schema))
    url.searchParams.set("application_name", application)
    const connection = yield* Connection.scoped(url.toString(), options).pipe(Effect.orDie)
    yield* Migrations.migrate(connection.db, connection.dialect).pipe(Effect.orDie)
    const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "postgres" })
    const admin = yield* client(schema)
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
        const locker = yield* client(schema)
        yield* Effect.promise(() => locker.query(`begin; lock table ${table} in access exclusive mode`))
        return yield* Effect.ensuring(
          body,
          Effect.promise(() => locker.query("rollback"))
        )
      })
    return { tickets, admin, application, sessions, settle, locked }
  })

const waiting = "state = 'active' and wait_event_type = 'Lock'"

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

const unavailable = (result: Result.Result<unknown, unknown>): StoreError.StoreUnavailable => {
  expect(Result.isFailure(result)).toBe(true)
  const error = (result as Result.Failure<unknown, StoreError.StoreUnavailable>).failure
  expect(error._tag).toBe("StoreUnavailable")
  expect(error.retryable).toBe(true)
  return error
}

it("a backend terminated in the middle of a statement fails that operation as a lost connection, and the next one succeeds", () =>
  run(
    Effect.gen(function* () {
      const store = yield* openStore()
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

it("idle connections ended by the server are replaced: at most the operation that met one fails, retryably, and the next operations succeed", () =>
  run(
    Effect.gen(function* () {
      const store = yield* openStore({ connections: 3 })
      // Three connections in the pool, all idle afterwards.
      yield* Effect.all(
        ["tkt_1", "tkt_2", "tkt_3"].map((id) => store.tickets.append(id as Ids.TicketId, 0, [opened(id)])),
        { concurrency: "unbounded" }
      )
      const { rows } = yield* Effect.promise(() =>
        store.admin.query<{ n: number }>(
          "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and state = 'idle'",
          [store.application]
        )
      )
      expect(rows[0]?.n).toBeGreaterThan(0)
      expect(yield* store.settle("true", (n) => n === 0)).toBe(0)
      // The pool hears each connection end (an unheard `error` event would end this process), but
      // only once it reads that connection's socket: an operation lent one just before fails as
      // a retryable lost connection (never anything else), and its retry gets a new connection.
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
    })
  ))

it("a statement past the statement timeout fails with StoreUnavailable saying so", () =>
  run(
    Effect.gen(function* () {
      const store = yield* openStore({ statementTimeout: "300 millis" })
      const failed = yield* store.locked("tickets", Effect.result(store.tickets.query(ws, {})))
      const error = unavailable(failed)
      expect(error.reason).toMatch(/^statement timeout: canceling statement due to statement timeout/)
      expect((yield* store.tickets.query(ws, {})).items).toEqual([])
    })
  ))

it("an interrupted query is cancelled on the server at once, and its connection serves the next query", () =>
  run(
    Effect.gen(function* () {
      const store = yield* openStore({ connections: 1 })
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
      const store = yield* openStore({ connections: 1 })
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
