/**
 * Migration 002 (issue 12) on a database written before it: every text gets its visibility from
 * the message it holds, a ticket that opened with a note loses the note as its description, and
 * a requester's search then leaves notes out, on both databases.
 */
import { Actor, type Ids, TicketEvent, type TicketStore } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, type Scope } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import type * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import { freshMysql, freshPostgres, freshSqlite } from "./support.js"

const at = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
const mary = Actor.agent("mary")
const jane = Actor.contact("jane")

const message = (id: string, visibility: "public" | "internal", text: string) => ({
  id: id as Ids.MessageId,
  visibility,
  author: visibility === "public" ? jane : mary,
  channel: "web" as const,
  at,
  text,
  attachments: []
})

const opened = (id: string, publicId: number, first: ReturnType<typeof message>) =>
  new TicketEvent.TicketOpened({
    ticketId: id as Ids.TicketId,
    at,
    by: mary,
    workspaceId: "acme" as Ids.WorkspaceId,
    publicId: publicId as Ids.PublicId,
    subject: "Printer",
    requester: "jane" as Ids.ContactId,
    channel: "web",
    priority: "normal",
    status: "new" as never,
    category: "new",
    tags: [],
    customFields: {},
    message: first
  })

const databases: ReadonlyArray<readonly [string, Effect.Effect<Connection.Connection, never, Scope.Scope>]> = [
  ["sqlite", freshSqlite],
  ["postgres", freshPostgres],
  ["mysql", freshMysql]
]

type Store = TicketStore.TicketStore["Service"]

for (const [name, database] of databases) {
  describe(`migration 002_text_visibility on ${name}`, () => {
    it("backfills each text's visibility and clears a note used as description; public search then skips notes", () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const connection = yield* database
            const db = connection.db
            const before = (yield* SqlTicketStore.make({ db, dialect: connection.dialect })).tickets
            yield* before.append("tkt_a" as Ids.TicketId, 0, [
              opened("tkt_a", 1, message("a0", "public", "The printer jams")),
              new TicketEvent.NoteAdded({
                ticketId: "tkt_a" as Ids.TicketId,
                at,
                by: mary,
                message: message("a1", "internal", "Firmware quuxware is old")
              }),
              new TicketEvent.ReplyAdded({
                ticketId: "tkt_a" as Ids.TicketId,
                at,
                by: mary,
                message: message("a2", "public", "We ordered toner")
              })
            ])
            // A split made before issue 12: it opened with a note, which was its description.
            yield* before.append("tkt_b" as Ids.TicketId, 0, [
              opened("tkt_b", 2, message("b0", "internal", "Escalate to vendor wibblecorp"))
            ])

            // The database as 001 left it: no visibility, the note as the description.
            yield* Effect.promise(async () => {
              const summary = await sql<{ summary: string }>`select summary from tickets where id = 'tkt_b'`.execute(db)
              const old = {
                ...JSON.parse(summary.rows[0]?.summary ?? "{}"),
                description: "Escalate to vendor wibblecorp"
              }
              await sql`update tickets set summary = ${JSON.stringify(old)} where id = 'tkt_b'`.execute(db)
              await sql`alter table ticket_texts drop column visibility`.execute(db)
              // And as no later migration left it either: they run again after 002.
              await sql`drop table ticket_sla`.execute(db)
              await sql`drop table ticket_followers`.execute(db)
              await sql`drop table if exists event_positions`.execute(db)
              for (const index of ["tickets_queue", "tickets_assignee_queue"]) {
                await (name === "mysql"
                  ? sql`drop index ${sql.id(index)} on tickets`
                  : sql`drop index ${sql.id(index)}`
                ).execute(db)
              }
              await (name === "mysql" ? sql`drop index outbox_dead on outbox` : sql`drop index outbox_dead`).execute(db)
              await sql`alter table outbox drop column dead_at`.execute(db)
              await sql`alter table outbox drop column last_error`.execute(db)
              for (const table of [
                "report_tickets",
                "report_tags",
                "report_next_replies",
                "report_sla",
                "report_done",
                "report_ratings",
                "report_states",
                "report_checkpoints"
              ]) {
                await sql`drop table ${sql.table(table)}`.execute(db)
              }
              await sql`delete from kysely_migration where name in ('002_text_visibility', '003_ticket_sla', '004_event_positions', '005_outbox_dead_letters', '006_report_metrics', '007_queue_indexes', '008_ticket_followers')`.execute(
                db
              )
            })
            expect(yield* Migrations.migrate(db, connection.dialect)).toEqual([
              "002_text_visibility",
              "003_ticket_sla",
              "004_event_positions",
              "005_outbox_dead_letters",
              "006_report_metrics",
              "007_queue_indexes",
              "008_ticket_followers"
            ])

            const texts = yield* Effect.promise(() =>
              sql<{
                ticket_id: string
                n: number
                visibility: string
              }>`select ticket_id, n, visibility from ticket_texts order by ticket_id, n`.execute(db)
            )
            expect(texts.rows.map((r) => [r.ticket_id, Number(r.n), r.visibility])).toEqual([
              ["tkt_a", 0, "public"],
              ["tkt_a", 1, "public"],
              ["tkt_a", 2, "internal"],
              ["tkt_a", 3, "public"],
              ["tkt_b", 0, "public"],
              ["tkt_b", 1, "internal"]
            ])
            const after: Store = (yield* SqlTicketStore.make({ db, dialect: connection.dialect })).tickets
            const ids = (search: string, searchIn: "all" | "public") =>
              Effect.map(after.query("acme" as Ids.WorkspaceId, { search, searchIn }), (page) =>
                page.items.map((t) => t.id)
              )
            expect(yield* ids("quuxware", "all")).toEqual(["tkt_a"])
            expect(yield* ids("quuxware", "public")).toEqual([])
            expect(yield* ids("toner", "public")).toEqual(["tkt_a"])
            expect(yield* ids("wibblecorp", "public")).toEqual([])
            const summaries = (yield* after.query("acme" as Ids.WorkspaceId, {})).items
            expect(summaries.map((t) => [t.id, t.description])).toEqual([
              ["tkt_a", "The printer jams"],
              ["tkt_b", ""]
            ])
            expect((yield* after.load("tkt_b" as Ids.TicketId)).state?.description).toBe("")
          })
        )
      ))
  })
}
