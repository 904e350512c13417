/**
 * A value within `Limits` that the database cannot hold is `ValueTooLarge`, not the retryable
 * `StoreUnavailable` (issue 13): on PostgreSQL an email id of 998 three-byte characters makes an
 * index entry of the `email_message_ids` key larger than a btree page's share (2,704 bytes);
 * nothing of the append is written. SQLite has no such bound and stores it; so does MySQL, whose
 * key is a hash of the id (issue 14). On MySQL a value longer than its column (strict mode) is
 * `ValueTooLarge` too, never cut.
 */

import { type Ids, Limits, TicketEvent } from "@tessera/core"
import { Effect, Schema } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import * as SqlTicketStore from "../src/SqlTicketStore.js"
import { freshMysql, freshPostgres, freshSqlite, mysqlUrl, pgUrl } from "./support.js"

pgUrl()
mysqlUrl()

const at = "2026-03-09T13:00:00.000Z"
/**
 * 998 characters of three bytes each in UTF-8: within `Limits.emailIdLength`, 2,994 bytes, all
 * different (PostgreSQL compresses an index entry first, and a repeated one would fit).
 */
const wideId = Array.from({ length: Limits.emailIdLength }, (_, i) => String.fromCodePoint(0x4e00 + i)).join("")

const opening = (
  ws: string,
  ticketId: string,
  tags: ReadonlyArray<string> = [],
  body: { readonly text: string; readonly html?: string } = { text: "Hello" }
) =>
  Schema.decodeUnknownSync(TicketEvent.TicketEvent)({
    _tag: "TicketOpened",
    v: 1,
    ticketId,
    at,
    by: { _tag: "contact", id: "jane" },
    workspaceId: ws,
    publicId: 1,
    subject: "Mail from far away",
    requester: "jane",
    channel: "email",
    priority: "normal",
    status: "new",
    category: "new",
    tags,
    customFields: {},
    message: {
      id: `${ticketId}.m0`,
      visibility: "public",
      author: { _tag: "contact", id: "jane" },
      channel: "email",
      at,
      ...body,
      attachments: [],
      email: { messageId: wideId, references: [] }
    }
  })

describe("a value larger than the database holds", () => {
  it("on PostgreSQL, an append carrying it is ValueTooLarge naming the ticket, writes nothing; so is a batch", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* freshPostgres
          const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "postgres" })
          const id = "ws.t1" as Ids.TicketId
          const error = yield* Effect.flip(tickets.append(id, 0, [opening("ws", id)]))
          expect(error).toMatchObject({ _tag: "ValueTooLarge", operation: "append", ticketId: id })
          expect((error as { retryable: boolean }).retryable).toBe(false)
          expect(String((error as { reason: string }).reason)).toContain("email_message_ids")
          expect(yield* tickets.read(id)).toEqual({ events: [], version: 0 })
          const batch = yield* Effect.flip(
            tickets.appendAll([{ ticketId: id, expectedVersion: 0, events: [opening("ws", id)] }])
          )
          expect(batch).toMatchObject({ _tag: "ValueTooLarge", operation: "appendAll" })
          expect(yield* tickets.read(id)).toEqual({ events: [], version: 0 })
        })
      )
    )
  })

  it("on SQLite, the same append is written", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* freshSqlite
          const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "sqlite" })
          const id = "ws.t1" as Ids.TicketId
          expect(yield* tickets.append(id, 0, [opening("ws", id)])).toBe(1)
          const { events } = yield* tickets.read(id)
          expect(events[0]?._tag === "TicketOpened" ? events[0].message.email?.messageId : undefined).toBe(wideId)
        })
      )
    )
  })
})

describe("a value larger than a MySQL column holds", () => {
  it("the 998-character email id is written, and read back as it was", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* freshMysql
          const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
          const id = "ws.t1" as Ids.TicketId
          expect(yield* tickets.append(id, 0, [opening("ws", id)])).toBe(1)
          const { events } = yield* tickets.read(id)
          expect(events[0]?._tag === "TicketOpened" ? events[0].message.email?.messageId : undefined).toBe(wideId)
        })
      )
    )
  })

  it("a tag longer than its column (255 characters) is ValueTooLarge naming the ticket, and nothing is written", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* freshMysql
          const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
          const id = "ws.t1" as Ids.TicketId
          const tagged = opening("ws", id, ["fits", "é".repeat(256)])
          const error = yield* Effect.flip(tickets.append(id, 0, [tagged]))
          expect(error).toMatchObject({ _tag: "ValueTooLarge", operation: "append", ticketId: id })
          expect(String((error as { reason: string }).reason)).toContain("tag")
          expect(yield* tickets.read(id)).toEqual({ events: [], version: 0 })
          const batch = yield* Effect.flip(tickets.appendAll([{ ticketId: id, expectedVersion: 0, events: [tagged] }]))
          expect(batch).toMatchObject({ _tag: "ValueTooLarge", operation: "appendAll" })
          // 255 characters fit, four bytes each.
          const longest = "😀".repeat(255)
          expect(yield* tickets.append(id, 0, [opening("ws", id, [longest])])).toBe(1)
          const loaded = yield* tickets.load(id)
          expect(loaded.state?.tags).toEqual([longest])
        })
      )
    )
  })

  it("a message past max_allowed_packet is ValueTooLarge, never a lost connection, and nothing is written", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* freshMysql
          const { tickets } = yield* SqlTicketStore.make({ db: connection.db, dialect: "mysql" })
          const packet = yield* Effect.promise(async () => {
            const rows = await sql<{ packet: number }>`select @@max_allowed_packet as packet`.execute(connection.db)
            return Number(rows.rows[0]?.packet)
          })
          // The largest message `Limits` allows, in characters of three bytes: about 18 MB.
          const wide = (length: number) => "語".repeat(length)
          const huge = { text: wide(Limits.textLength), html: `<p>${wide(Limits.htmlLength - 7)}</p>` }
          const id = "ws.t1" as Ids.TicketId
          const outcome = yield* Effect.result(tickets.append(id, 0, [opening("ws", id, [], huge)]))
          // Past this server's packet (16 MB by default on MariaDB) it is refused; a server
          // configured for more takes it.
          if (3 * (Limits.textLength + Limits.htmlLength) > packet) {
            expect(outcome).toMatchObject({ _tag: "Failure", failure: { _tag: "ValueTooLarge", ticketId: id } })
            expect(yield* tickets.read(id)).toEqual({ events: [], version: 0 })
            expect(yield* tickets.append(id, 0, [opening("ws", id)])).toBe(1)
          } else expect(outcome).toMatchObject({ _tag: "Success", success: 1 })
        })
      )
    )
  }, 60_000)
})
