/**
 * Migration 007 (issue 18) on a database written before it: the contacts following each ticket
 * are read from the tickets' summaries into `ticket_followers`, so that a customer's queue then
 * holds the tickets they follow, on every database; later appends keep the table in step.
 */
import { Actor, type Ids, TicketEvent, type TicketStore } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import * as Migrations from "../src/Migrations.js"
import { databases } from "./support.js"

const at = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
const mary = Actor.agent("mary")
const ws = "acme" as Ids.WorkspaceId

const opened = (id: string, publicId: number, requester: string) =>
  new TicketEvent.TicketOpened({
    ticketId: id as Ids.TicketId,
    at,
    by: mary,
    workspaceId: ws,
    publicId: publicId as Ids.PublicId,
    subject: "Printer",
    requester: requester as Ids.ContactId,
    channel: "web",
    priority: "normal",
    status: "new" as never,
    category: "new",
    tags: [],
    customFields: {},
    message: {
      id: `${id}.m0` as Ids.MessageId,
      visibility: "public",
      author: Actor.contact(requester),
      channel: "web",
      at,
      text: "It jams",
      attachments: []
    }
  })

const follow = (id: string, contact: string, removed = false) =>
  new (removed ? TicketEvent.FollowerRemoved : TicketEvent.FollowerAdded)({
    ticketId: id as Ids.TicketId,
    at,
    by: mary,
    follower: Actor.contact(contact)
  })

/** A customer's queue: the ids of the tickets `contact` sees, sorted. */
const queue = (store: TicketStore.TicketStore["Service"], contact: string) =>
  Effect.map(store.query(ws, {}, { _tag: "Customer", contact: contact as Ids.ContactId, organizations: [] }), (page) =>
    page.items.map((t) => t.id).sort()
  )

for (const { name, fresh: database } of databases) {
  describe(`migration 008_ticket_followers on ${name}`, () => {
    it("backfills the followers of existing tickets; a customer's queue then holds what they follow", () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const connection = yield* database
            const db = connection.db
            const store = (yield* SqlTicketStore.make({ db, dialect: connection.dialect })).tickets
            yield* store.append("tkt_a" as Ids.TicketId, 0, [opened("tkt_a", 1, "jane"), follow("tkt_a", "omar")])
            yield* store.append("tkt_b" as Ids.TicketId, 0, [
              opened("tkt_b", 2, "lee"),
              follow("tkt_b", "omar"),
              follow("tkt_b", "jane"),
              follow("tkt_b", "omar", true)
            ])
            yield* store.append("tkt_c" as Ids.TicketId, 0, [opened("tkt_c", 3, "lee")])
            expect(yield* queue(store, "omar")).toEqual(["tkt_a"])
            expect(yield* queue(store, "jane")).toEqual(["tkt_a", "tkt_b"])

            // The database as 006 left it: no table of followers.
            yield* Effect.promise(async () => {
              await sql`drop table ticket_followers`.execute(db)
              await sql`delete from kysely_migration where name = '008_ticket_followers'`.execute(db)
            })
            expect(yield* Migrations.migrate(db, connection.dialect)).toEqual(["008_ticket_followers"])
            const after = (yield* SqlTicketStore.make({ db, dialect: connection.dialect })).tickets
            expect(yield* queue(after, "omar")).toEqual(["tkt_a"])
            expect(yield* queue(after, "jane")).toEqual(["tkt_a", "tkt_b"])
            expect(yield* queue(after, "lee")).toEqual(["tkt_b", "tkt_c"])

            // Appends after it keep the table in step, a leaving follower included.
            yield* after.append("tkt_c" as Ids.TicketId, 1, [follow("tkt_c", "omar")])
            yield* after.append("tkt_a" as Ids.TicketId, 2, [follow("tkt_a", "omar", true)])
            expect(yield* queue(after, "omar")).toEqual(["tkt_c"])
          })
        )
      ))
  })
}
