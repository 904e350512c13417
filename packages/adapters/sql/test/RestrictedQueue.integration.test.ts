/**
 * The queue of an agent who sees only some groups (issue 18): read as one ordered walk per group
 * and one of the agent's own tickets elsewhere, merged, on every database, with the same pages as
 * the unrestricted queue filtered by the policy; on SQLite each walk is an index's
 * (`tickets_group_queue`, and migration 007's `tickets_assignee_queue`), and an unrestricted
 * agent's queue reads `tickets_queue` in order instead of sorting every unresolved ticket.
 */
import {
  Actor,
  DirectoryStore,
  Helpdesk,
  IdGenerator,
  type Ids,
  MemoryDirectoryStore,
  type TicketQuery,
  TicketStore,
  Timers,
  Visibility
} from "@tessera/core"
import { Migrations, SqlTicketStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { Effect, type Layer } from "effect"
import { type CompiledQuery, Kysely, SqliteDialect, sql } from "kysely"
import { describe, expect, it } from "vitest"
import type * as Connection from "../src/Connection.js"
import type { Database } from "../src/Database.js"
import { databases, freshSqliteUrl } from "./support.js"

const ws = "acme" as Ids.WorkspaceId
const groups = ["g0", "g1", "g2", "g3", "g4"] as const
const queue = { category: ["new", "open", "pending", "on_hold"], sort: "sla_due", limit: 7 } as const

/** A help desk on `db` with 60 queued tickets over five groups (and none), some mary's, due at scattered times. */
const queuedDesk = (db: Kysely<Database>, dialect: Connection.Connection["dialect"]) =>
  Effect.gen(function* () {
    const store = yield* SqlTicketStore.make({ db, dialect })
    const helpdesk = yield* Helpdesk.make({ workspaceId: ws }).pipe(
      Effect.provideService(TicketStore.TicketStore, store.tickets),
      Effect.provideService(Timers.Timers, store.timers),
      Effect.provideServiceEffect(DirectoryStore.DirectoryStore, MemoryDirectoryStore.make),
      Effect.provide(IdGenerator.layerTimeOrdered as Layer.Layer<IdGenerator.IdGenerator>)
    )
    for (const g of groups) yield* helpdesk.saveGroup({ id: g, name: g })
    yield* helpdesk.saveAgent({
      id: "mary",
      name: "Mary",
      email: "mary@example.com",
      groups: ["g0", "g1", "g2"],
      scope: "groups"
    })
    yield* helpdesk.saveAgent({ id: "sam", name: "Sam", email: "sam@example.com", groups: [...groups], scope: "all" })
    for (let i = 0; i < 60; i++) {
      const group = i % 6 === 4 ? undefined : groups[i % 5]
      yield* helpdesk.open({
        requester: { email: `requester${i % 7}@example.com` },
        by: { _tag: "agent", id: "sam" },
        subject: `Ticket ${i}`,
        text: "Please look.",
        channel: "email",
        ...(group === undefined ? {} : { group }),
        // Mary's own tickets are in her groups or in none (an assignee is a member of the group).
        ...(i % 4 === 0 && (group === undefined || group < "g3")
          ? { assignee: "mary" }
          : i % 4 === 1
            ? { assignee: "sam" }
            : {})
      })
    }
    // Due times scattered over the tickets (a third without one), so the queue's order is not theirs.
    yield* Effect.promise(() =>
      sql`update tickets set sla_due_at = case when public_id % 3 = 0 then null else 1000000 + (public_id * 7919) % 1000 end`.execute(
        db
      )
    )
    return helpdesk
  })

const allPages = (list: (q: object) => Effect.Effect<TicketQuery.TicketPage, unknown>) =>
  Effect.gen(function* () {
    const items: Array<TicketQuery.TicketSummary> = []
    let cursor: string | undefined
    do {
      const page = yield* list(cursor === undefined ? queue : { ...queue, cursor })
      items.push(...page.items)
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return items
  })

describe("the queue of an agent who sees some groups", () => {
  for (const database of databases) {
    it(`${database.name}: has the unrestricted queue's pages, filtered by the policy`, () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const connection = yield* database.fresh
            const helpdesk = yield* queuedDesk(connection.db, connection.dialect)
            const everything = yield* allPages((q) => helpdesk.as(Actor.agent("sam")).list(q))
            const mine = yield* allPages((q) => helpdesk.as(Actor.agent("mary")).list(q))
            const mary: Visibility.Visibility = {
              _tag: "Agent",
              agent: "mary" as Ids.AgentId,
              groups: ["g0", "g1", "g2"] as Array<Ids.GroupId>,
              hiddenGroups: []
            }
            const expected = everything.filter((t) => Visibility.allows(mary, t)).map((t) => t.id)
            expect(everything).toHaveLength(60)
            // Her groups' tickets and her own outside them: both parts are there.
            expect(expected.length).toBeGreaterThan(20)
            expect(expected.length).toBeLessThan(60)
            expect(everything.some((t) => t.assignee === "mary" && t.group === undefined)).toBe(true)
            expect(mine.map((t) => t.id)).toEqual(expected)
          })
        )
      ))
  }

  it("sqlite: each part walks an index in order, and so does the unrestricted queue", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const url = yield* freshSqliteUrl
          const file = new SqliteDatabase(url.slice("sqlite:".length))
          const logged: Array<CompiledQuery> = []
          const db = new Kysely<Database>({
            dialect: new SqliteDialect({ database: file }),
            log: (event) => {
              logged.push(event.query)
            }
          })
          yield* Effect.addFinalizer(() => Effect.promise(() => db.destroy()))
          yield* Migrations.migrate(db, "sqlite")
          const helpdesk = yield* queuedDesk(db, "sqlite")
          const plan = (agent: string) =>
            Effect.gen(function* () {
              logged.length = 0
              yield* helpdesk.as(Actor.agent(agent)).list(queue)
              const query = logged.find((q) => q.sql.includes("order by"))
              if (query === undefined) return yield* Effect.die(new Error("no queue statement logged"))
              return (
                file.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as Array<{ detail: string }>
              )
                .map((row) => row.detail)
                .join("\n")
            })
          const restricted = yield* plan("mary")
          expect(restricted.match(/USING INDEX tickets_group_queue/g)).toHaveLength(3)
          expect(restricted).toMatch(/USING INDEX tickets_assignee_queue/)
          // The parts merged as they are walked, the page's rows read once: no sort of their union.
          expect(restricted).toMatch(/MERGE \(UNION ALL\)/)
          expect(restricted).not.toMatch(/TEMP B-TREE/)
          const unrestricted = yield* plan("sam")
          expect(unrestricted).toMatch(/USING INDEX tickets_queue/)
          expect(unrestricted).not.toMatch(/TEMP B-TREE/)
        })
      )
    ))
})
