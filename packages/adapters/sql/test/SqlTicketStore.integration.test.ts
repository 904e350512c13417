/**
 * Examples of the SQL ticket store beyond the conformance suite, on both databases: stored
 * events that no longer decode, the projection row against the fold, search on tricky words,
 * and the plans of the queue query.
 */
import { Actor, type Ids, type Tag, Ticket, TicketEvent, TicketQuery, type TicketStore } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, Schema, type Scope } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import type * as Connection from "../src/Connection.js"
import * as Dialects from "../src/dialect/index.js"
import * as Events from "./events.js"
import { freshMysql, freshPostgres, freshSqlite } from "./support.js"

const start = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
const later = (minutes: number) => DateTime.add(start, { minutes })
const mary = Actor.agent("mary")

const opened = (ws: string, id: string, publicId: number, subject: string, text: string, minutes = 0) =>
  Events.opened({
    ticketId: id,
    workspaceId: ws,
    publicId,
    at: later(minutes),
    subject,
    text,
    tags: ["vpn"],
    group: "billing",
    emailMessageId: `<${id}@example.com>`
  })

const replied = (id: string, minutes: number, text: string) =>
  new TicketEvent.ReplyAdded({
    ticketId: id as Ids.TicketId,
    at: later(minutes),
    by: mary,
    message: {
      id: `${id}.m${minutes}` as Ids.MessageId,
      visibility: "public",
      author: mary,
      channel: "email",
      at: later(minutes),
      text,
      attachments: []
    }
  })

const retagged = (id: string, minutes: number, added: ReadonlyArray<string>, removed: ReadonlyArray<string>) =>
  new TicketEvent.TagsChanged({
    ticketId: id as Ids.TicketId,
    at: later(minutes),
    by: mary,
    added: added as ReadonlyArray<Tag.Tag>,
    removed: removed as ReadonlyArray<Tag.Tag>
  })

type Store = TicketStore.TicketStore["Service"]

const databases: ReadonlyArray<readonly [string, Effect.Effect<Connection.Connection, never, Scope.Scope>]> = [
  ["sqlite", freshSqlite],
  ["postgres", freshPostgres],
  ["mysql", freshMysql]
]

const withStore = <A, E>(
  database: Effect.Effect<Connection.Connection, never, Scope.Scope>,
  f: (store: Store, connection: Connection.Connection) => Effect.Effect<A, E>
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* database
        const store = yield* SqlTicketStore.make({ db: connection.db, dialect: connection.dialect })
        return yield* f(store.tickets, connection)
      })
    )
  )

/** Words that differ only by accent, case, digits or what separates them. */
const corpus: ReadonlyArray<readonly [string, string]> = [
  ["Café au lait", "Le CAFÉ est froid, l'été 2026."],
  ["Facture n°4471", "Invoice 4471-B is wrong; see INV4471b."],
  ["Straße gesperrt", "Die STRASSE ist zu. Ångström Øre naïve façade."],
  ["ÉLÈVE élève eleve", "Ελληνικά ΚΑΛΗΜΕΡΑ καλημέρα и Москва"],
  ["VPN drops every hour", "vpn2 VPN-client v2.3.1 x86_64 ½ ² ①"],
  ["数据库 错误", "東京 ｶﾀｶﾅ full-width ＡＢＣ１２３"]
]

const searches: ReadonlyArray<string> = [
  "cafe",
  "CAFÉ",
  "caf",
  "été 2026",
  "ete",
  "4471",
  "inv4471",
  "INV4471B",
  "n 4471",
  "strasse",
  "straße",
  "stra",
  "angstrom",
  "ØRE",
  "ore",
  "naive",
  "façade",
  "eleve élève",
  "καλημερα",
  "ΚΑΛΗ",
  "москва",
  "vpn",
  "vpn2",
  "v2 3 1",
  "x86",
  "12",
  "①",
  "数据库",
  "東",
  "ｶﾀｶﾅ",
  "abc123",
  "ａｂｃ",
  '"quoted" OR 1=1; --',
  "a'b\\c",
  "*",
  "  ",
  "NEAR(cafe vpn)",
  "cafe -vpn"
]

for (const [name, database] of databases) {
  describe(`SqlTicketStore on ${name}`, () => {
    it("an event row that no longer decodes fails read with CorruptEvent naming its stream and version", () =>
      withStore(database, (store, { db }) =>
        Effect.gen(function* () {
          const id = "ws-corrupt.t1" as Ids.TicketId
          yield* store.append(id, 0, [opened("ws-corrupt", id, 1, "VPN", "Drops")])
          yield* store.append(id, 1, [replied(id, 5, "On it."), replied(id, 6, "Fixed?")])
          yield* Effect.promise(() =>
            db
              .updateTable("events")
              .set({ data: "{not json" })
              .where("stream_id", "=", id)
              .where("version", "=", 2)
              .execute()
          )
          const error = yield* Effect.flip(store.read(id))
          expect(error).toMatchObject({ _tag: "CorruptEvent", ticketId: id, version: 2 })
          // A row that is JSON but not an event is just as corrupt.
          yield* Effect.promise(() =>
            db
              .updateTable("events")
              .set({ data: JSON.stringify({ _tag: "ReplyAdded", ticketId: id }) })
              .where("stream_id", "=", id)
              .where("version", "=", 2)
              .execute()
          )
          const again = yield* Effect.flip(store.read(id))
          expect(again).toMatchObject({ _tag: "CorruptEvent", ticketId: id, version: 2 })
        })
      ))

    it("the projection row equals the fold of the stream after every append", () =>
      withStore(database, (store, { db }) =>
        Effect.gen(function* () {
          const ws = "ws-projection"
          const id = `${ws}.t1` as Ids.TicketId
          const batches: ReadonlyArray<ReadonlyArray<TicketEvent.TicketEvent>> = [
            [opened(ws, id, 7, "Printer on fire", "Smoke everywhere")],
            [replied(id, 3, "Unplug it."), retagged(id, 4, ["fire", "printer"], ["vpn"])],
            [retagged(id, 9, ["urgent"], ["fire"])]
          ]
          let version = 0
          for (const batch of batches) {
            version = yield* store.append(id, version, batch, { slaDueAt: later(60 + version) })
            const stream = yield* store.read(id)
            const fold = Ticket.fold(stream.events) as Ticket.Ticket
            expect((yield* store.load(id)).state).toEqual(fold)
            const row = yield* Effect.promise(() =>
              db.selectFrom("tickets").selectAll().where("id", "=", id).executeTakeFirstOrThrow()
            )
            expect(Number(row.version)).toBe(stream.version)
            const { messages, ...summary } = Schema.encodeSync(Ticket.Ticket)(fold)
            expect(JSON.parse(row.summary)).toEqual(summary)
            // One text per message (and the subject), in order, with its words.
            const texts = yield* Effect.promise(() =>
              db
                .selectFrom("ticket_texts")
                .select(["n", "data", "words"])
                .where("ticket_id", "=", id)
                .orderBy("n")
                .execute()
            )
            expect(texts.map((t) => Number(t.n))).toEqual([0, ...messages.map((_, i) => i + 1)])
            expect(texts.map((t) => (t.data === null ? null : JSON.parse(t.data)))).toEqual([null, ...messages])
            expect(texts.map((t) => t.words).join(" ")).toBe(TicketQuery.searchDocument(fold))
            expect(row).toMatchObject({
              workspace_id: ws,
              public_id: 7,
              subject: fold.subject,
              category: fold.category,
              group_id: "billing",
              assignee: null
            })
            const tags = yield* Effect.promise(() =>
              db.selectFrom("ticket_tags").select("tag").where("ticket_id", "=", id).orderBy("tag").execute()
            )
            expect(tags.map((t) => t.tag)).toEqual([...fold.tags].sort())
          }
          const page = yield* store.query(ws as Ids.WorkspaceId, { tagsAll: ["printer", "urgent"] })
          expect(page.items.map((t) => t.id)).toEqual([id])
          expect(page.items[0]?.slaDueAt).toEqual(later(60 + 3))
        })
      ))

    it("an append without slaDueAt keeps the stored due time, null clears it, whatever the store remembers", () =>
      withStore(database, (store, { db, dialect }) =>
        Effect.gen(function* () {
          const ws = "ws-sla" as Ids.WorkspaceId
          const id = `${ws}.t1` as Ids.TicketId
          // [slaDueAt of the append (undefined: not given), due time expected afterwards]
          const steps: ReadonlyArray<readonly [DateTime.Utc | null | undefined, DateTime.Utc | undefined]> = [
            [later(100), later(100)],
            [undefined, later(100)],
            [null, undefined],
            [undefined, undefined],
            [later(200), later(200)],
            [later(200), later(200)],
            [undefined, later(200)],
            [null, undefined]
          ]
          const other = yield* SqlTicketStore.make({ db, dialect })
          let version = 0
          for (const [i, [slaDueAt, expected]] of steps.entries()) {
            const events = version === 0 ? [opened(ws, id, 1, "Due", "When?")] : [replied(id, i, `reply ${i}`)]
            // Every other append goes through a second store, which has not seen the ticket's row.
            const writer = i % 3 === 2 ? other.tickets : store
            version = yield* writer.append(id, version, events, slaDueAt === undefined ? {} : { slaDueAt })
            for (const reader of [store, other.tickets]) {
              const page = yield* reader.query(ws, {})
              expect(page.items[0]?.slaDueAt, `step ${i}`).toEqual(expected)
            }
          }
        })
      ))

    it("search finds exactly what TicketQuery.run finds, for accents, case, digits and hostile input", () =>
      withStore(database, (store) =>
        Effect.gen(function* () {
          const ws = "ws-search" as Ids.WorkspaceId
          const folded: Array<Ticket.Ticket> = []
          for (const [i, [subject, text]] of corpus.entries()) {
            const id = `${ws}.t${i}` as Ids.TicketId
            yield* store.append(id, 0, [opened(ws, id, i + 1, subject, text, i)])
            folded.push(Ticket.fold((yield* store.read(id)).events) as Ticket.Ticket)
          }
          const documents = new Map(folded.map((t) => [t.id, TicketQuery.searchDocument(t)]))
          const summaries = folded.map(TicketQuery.summarize)
          const found: Record<string, ReadonlyArray<string>> = {}
          for (const search of searches) {
            const expected = yield* TicketQuery.run({ search, limit: 500 }, summaries, documents)
            const page = yield* store.query(ws, { search, limit: 500 })
            expect(
              page.items.map((t) => t.id),
              search
            ).toEqual(expected.items.map((t) => t.id))
            found[search] = page.items.map((t) => t.id.slice(ws.length + 1))
          }
          // The same answers on both databases (and in memory), spelled out.
          expect(found).toMatchObject({
            cafe: ["t0"],
            CAFÉ: ["t0"],
            "été 2026": ["t0"],
            "4471": ["t1"],
            INV4471B: ["t1"],
            strasse: ["t2"],
            straße: ["t2"],
            angstrom: ["t2"],
            ore: [],
            "eleve élève": ["t3"],
            καλημερα: ["t3"],
            москва: ["t3"],
            "v2 3 1": ["t4"],
            "12": [],
            数据库: ["t5"],
            abc123: ["t5"],
            '"quoted" OR 1=1; --': []
          })
        })
      ))

    it("a search matches terms across a ticket's texts, for rare and for very common words alike", () =>
      withStore(database, (first, { db, dialect }) =>
        Effect.gen(function* () {
          // A second store counts a term with 50 matching texts as common and walks only 40
          // tickets before collecting matches from the index, so every way of answering a search
          // (driven by a rare term, walking, walking then collecting) is compared with the reference.
          const narrow = (yield* SqlTicketStore.make({ db, dialect, searchTuning: { rare: 50, window: 40 } })).tickets
          const store = first
          const ws = "ws-common" as Ids.WorkspaceId
          const folded: Array<Ticket.Ticket> = []
          // More texts with "common" than the store counts before it stops driving a SQLite
          // search from the index and walks the tickets in order instead.
          // Written in batches of 100 tickets (the search, not the writing, is what this test is about).
          const streams = Array.from({ length: 1_100 }, (_, i) => {
            const id = `${ws}.t${String(i).padStart(4, "0")}` as Ids.TicketId
            const first = opened(ws, id, i + 1, `Common question ${i}`, `common words${i % 7}`, i % 50)
            return { id, first, reply: i % 3 === 0 ? replied(id, 60 + (i % 11), `answer rare${i % 13}`) : undefined }
          })
          for (let from = 0; from < streams.length; from += 100) {
            const chunk = streams.slice(from, from + 100)
            yield* store.appendAll(
              chunk.map(({ id, first }) => ({ ticketId: id, expectedVersion: 0, events: [first] }))
            )
            yield* store.appendAll(
              chunk.flatMap(({ id, reply }) =>
                reply === undefined ? [] : [{ ticketId: id, expectedVersion: 1, events: [reply] }]
              )
            )
          }
          for (const { first, reply } of streams) {
            folded.push(Ticket.fold(reply === undefined ? [first] : [first, reply]) as Ticket.Ticket)
          }
          const documents = new Map(folded.map((t) => [t.id, TicketQuery.searchDocument(t)]))
          const summaries = folded.map(TicketQuery.summarize)
          const queries: ReadonlyArray<TicketQuery.TicketQuery> = [
            { search: "common", limit: 25 },
            { search: "common question", sort: "created", direction: "desc", limit: 25 },
            { search: "question rare4", limit: 30 },
            { search: "words3 answer", sort: "created", limit: 10 },
            { search: "common rare12 words5", limit: 50 },
            { search: "comm q", sort: "priority", limit: 40 },
            { search: "common nowhere", limit: 10 },
            { search: "question words3", limit: 10 },
            { search: "question words3", sort: "created", direction: "desc", limit: 30 },
            // No notes here, so a requester's search finds the same; its SQL checks each text is public.
            { search: "question words3", searchIn: "public", limit: 10 },
            { search: "common answer", searchIn: "public", limit: 20 }
          ]
          for (const [query, reader] of queries.flatMap((q) => [[q, store] as const, [q, narrow] as const])) {
            const expected = yield* TicketQuery.run(query, summaries, documents)
            const page = yield* reader.query(ws, query)
            expect(
              page.items.map((t) => t.id),
              query.search
            ).toEqual(expected.items.map((t) => t.id))
            expect(page.nextCursor === undefined).toBe(expected.nextCursor === undefined)
            if (expected.nextCursor !== undefined && page.nextCursor !== undefined) {
              const nextExpected = yield* TicketQuery.run(
                { ...query, cursor: expected.nextCursor },
                summaries,
                documents
              )
              const next = yield* reader.query(ws, { ...query, cursor: page.nextCursor })
              expect(next.items.map((t) => t.id)).toEqual(nextExpected.items.map((t) => t.id))
            }
          }
          // Terms found in different texts of one ticket (subject, first message, a reply).
          const across = yield* store.query(ws, { search: "question words1 rare1", limit: 500 })
          expect(across.items.length).toBeGreaterThan(0)
          expect(across.items.map((t) => t.id)).toEqual(
            (yield* TicketQuery.run({ search: "question words1 rare1", limit: 500 }, summaries, documents)).items.map(
              (t) => t.id
            )
          )
        })
      ))

    if (name === "postgres") {
      it("a ticket's texts and tags are found through their indexes from the ticket (one collation for ticket ids)", () =>
        withStore(database, (_store, { db }) =>
          Effect.promise(() =>
            db.connection().execute(async (connection) => {
              await sql`set enable_seqscan = off`.execute(connection)
              // Looked up ticket by ticket, as a search walking the queue does.
              const explained = await sql<Record<string, string>>`explain select id from tickets
                where coalesce((select true from ticket_texts where ticket_texts.ticket_id = tickets.id limit 1), false)
                  and coalesce((select true from ticket_tags where ticket_tags.ticket_id = tickets.id limit 1), false)`.execute(
                connection
              )
              await sql`reset enable_seqscan`.execute(connection)
              const plan = explained.rows.map((r) => Object.values(r).join(" ")).join("\n")
              expect(plan).toContain("ticket_texts_pk")
              expect(plan).toContain("ticket_tags_pk")
              expect(plan).not.toMatch(/Seq Scan on ticket_(texts|tags)/)
            })
          )
        ))
    }

    it("the queue of a group (unresolved, by SLA due) reads the partial index tickets_group_queue", () =>
      withStore(database, (store, { db, dialect }) =>
        Effect.gen(function* () {
          const ws = "ws-queue" as Ids.WorkspaceId
          for (let i = 0; i < 40; i++) {
            const id = `${ws}.t${i}` as Ids.TicketId
            yield* store.append(id, 0, [opened(ws, id, i + 1, "Queue", "Waiting")], {
              slaDueAt: i % 5 === 0 ? null : later(1000 - i)
            })
          }
          const query: TicketQuery.TicketQuery = {
            category: ["new", "open", "pending", "on_hold"],
            group: "billing" as Ids.GroupId,
            sort: "sla_due",
            limit: 50
          }
          const page = yield* store.query(ws, query)
          expect(page.items.length).toBe(40)
          expect(page.items.slice(-8).every((t) => t.slaDueAt === undefined)).toBe(true)
          // The statement the store builds for that query (same clauses, same order), explained;
          // with 40 rows PostgreSQL would rather scan, so sequential scans are priced out.
          const compiled = db
            .selectFrom("tickets")
            .select(["id", "version", "summary", "sla_due_at"])
            .where("workspace_id", "=", ws)
            .where(sql<boolean>`category in ('new', 'open', 'pending', 'on_hold')`)
            .where("group_id", "=", "billing")
            .orderBy(Dialects.of(dialect).slaMissing)
            .orderBy("tickets.sla_due_at")
            .orderBy("tickets.id")
            .limit(51)
            .compile()
          const plan = yield* Effect.promise(async () => {
            if (dialect === "postgres") {
              return db.connection().execute(async (connection) => {
                await sql`set enable_seqscan = off`.execute(connection)
                const explained = await connection.executeQuery<Record<string, string>>({
                  ...compiled,
                  sql: `explain ${compiled.sql}`
                })
                await sql`reset enable_seqscan`.execute(connection)
                return explained.rows.map((r) => Object.values(r).join(" ")).join("\n")
              })
            }
            if (dialect === "mysql") {
              // With 40 rows MariaDB would rather scan: the scan is priced out by naming the index,
              // and no "Using filesort" shows that it gives the rows in the query's order.
              const forced = compiled.sql.replace("from `tickets`", "from `tickets` force index (tickets_group_queue)")
              const explained = await db.executeQuery<Record<string, string>>({ ...compiled, sql: `explain ${forced}` })
              return explained.rows.map((r) => `${r.key} ${r.Extra}`).join("\n")
            }
            const explained = await db.executeQuery<Record<string, string>>({
              ...compiled,
              sql: `explain query plan ${compiled.sql}`
            })
            return explained.rows.map((r) => String(r.detail)).join("\n")
          })
          expect(plan).toContain("tickets_group_queue")
          expect(plan.toLowerCase()).not.toContain("temp b-tree")
          expect(plan).not.toMatch(/\bSort\b/)
          expect(plan).not.toMatch(/filesort/)
        })
      ))
  })
}
