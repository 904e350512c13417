/**
 * What the store does when MariaDB/MySQL takes its connections away (issue 14), on clients of
 * `Connection.open`: connections the server kills while idle cost nothing (the process keeps
 * running, the pool opens new ones), and one killed in the middle of a statement costs only the
 * operation that used it, as a retryable `StoreUnavailable` saying the connection was lost. The
 * statement is held back by a row lock the test takes, so timings do not matter.
 */
import { Actor, type Ids, type Tag, type Ticket, TicketEvent } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, Fiber, Result, type Scope } from "effect"
import mysql from "mysql2/promise"
import { expect, it } from "vitest"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import { freshMysqlDatabase, mysqlUrl, withDatabase } from "./support.js"

const ws = "ws_resilience" as Ids.WorkspaceId
const at = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")

const opened = (id: string) =>
  new TicketEvent.TicketOpened({
    ticketId: id as Ids.TicketId,
    at,
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
      at,
      text: "It is broken",
      attachments: []
    }
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

/** A store on a database of its own, and an admin connection that sees and kills its sessions. */
const openStore = Effect.gen(function* () {
  const database = yield* freshMysqlDatabase
  const connection = yield* Connection.scoped(withDatabase(mysqlUrl(), database)).pipe(Effect.orDie)
  yield* Migrations.migrate(connection.db, connection.dialect).pipe(Effect.orDie)
  const admin = yield* Effect.acquireRelease(
    Effect.promise(() => mysql.createConnection({ uri: withDatabase(mysqlUrl(), database) })),
    (c) => Effect.promise(() => c.end())
  )
  /** The store's sessions (every one on its database but the admin's), with what they do. */
  const sessions = Effect.promise(async () => {
    const [rows] = await admin.query(
      "select id, command, state from information_schema.processlist where db = ? and id <> connection_id()",
      [database]
    )
    return rows as unknown as ReadonlyArray<{ id: number; command: string; state: string | null }>
  })
  const kill = (ids: ReadonlyArray<number>) =>
    Effect.promise(async () => {
      for (const id of ids) await admin.query(`kill ${Number(id)}`)
    })
  const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
  return { tickets, admin, sessions, kill, connection }
})

const run = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

it("connections killed while idle cost nothing: the process keeps running and the next operations run", () =>
  run(
    Effect.gen(function* () {
      const { tickets, sessions, kill } = yield* openStore
      yield* tickets.append("t1" as Ids.TicketId, 0, [opened("t1")])
      const idle = yield* sessions
      expect(idle.length).toBeGreaterThan(0)
      yield* kill(idle.map((s) => s.id))
      // A dead idle connection may still be lent once before the pool learns it is gone: that
      // operation fails as retryable, and the next one runs on a new connection.
      const first = yield* Effect.result(tickets.append("t1" as Ids.TicketId, 1, [noted("t1", 1)]))
      if (Result.isFailure(first)) {
        expect(first.failure).toMatchObject({ _tag: "StoreUnavailable" })
        expect((first.failure as { reason: string }).reason).toMatch(/^connection lost: /)
      }
      const version = Result.isFailure(first) ? 1 : 2
      expect(yield* tickets.append("t1" as Ids.TicketId, version, [noted("t1", version)])).toBe(version + 1)
      expect((yield* tickets.read("t1" as Ids.TicketId)).version).toBe(version + 1)
    })
  ))

it("a connection killed in the middle of a statement fails that operation as a retryable lost connection", () =>
  run(
    Effect.gen(function* () {
      const { tickets, admin, sessions, kill, connection } = yield* openStore
      yield* tickets.append("t2" as Ids.TicketId, 0, [opened("t2")])
      // A store that never saw the ticket reads (and locks) its row first, and waits for ours.
      const { tickets: other } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
      yield* Effect.promise(async () => {
        await admin.query("begin")
        await admin.query("select id from tickets where id = 't2' for update")
      })
      const append = yield* Effect.forkChild(other.append("t2" as Ids.TicketId, 1, [noted("t2", 1)]))
      let waiting: ReadonlyArray<{ id: number }> = []
      for (let attempt = 0; attempt < 500 && waiting.length === 0; attempt++) {
        yield* Effect.sleep("10 millis")
        waiting = (yield* sessions).filter((s) => s.command === "Query")
      }
      expect(waiting).toHaveLength(1)
      yield* kill(waiting.map((s) => s.id))
      const failed = yield* Effect.result(Fiber.join(append))
      yield* Effect.promise(() => admin.query("rollback"))
      expect(Result.isFailure(failed)).toBe(true)
      if (Result.isFailure(failed)) {
        expect(failed.failure).toMatchObject({ _tag: "StoreUnavailable", operation: "append" })
        expect((failed.failure as { retryable: boolean }).retryable).toBe(true)
        expect((failed.failure as { reason: string }).reason).toMatch(/^connection lost: /)
      }
      // Nothing of it was written, and the next operation runs.
      expect((yield* other.read("t2" as Ids.TicketId)).version).toBe(1)
      expect(yield* other.append("t2" as Ids.TicketId, 1, [noted("t2", 1)])).toBe(2)
    })
  ))
