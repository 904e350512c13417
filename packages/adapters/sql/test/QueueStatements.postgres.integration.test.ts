/**
 * A queue's statement on PostgreSQL is planned once, not on every run (issue 14): its row count
 * is written into the SQL, since with `limit $n` PostgreSQL finds the prepared statement's
 * generic plan dearer than per-run plans and plans the statement again each time (about as long
 * as running it). Checked on a pool of one connection, whose prepared statements and their plan
 * counts are the server's own list, over 4,000 queued tickets in four groups (on a nearly empty
 * table every plan is cheap, and PostgreSQL takes the generic one either way).
 */
import { type Ids, TicketQuery } from "@tessera/core"
import { Effect, Schema } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { onePostgresConnection } from "./support.js"

const queue = Schema.decodeUnknownSync(TicketQuery.TicketQuery)({
  group: "grp_1",
  category: ["new", "open", "pending", "on_hold"],
  sort: "sla_due",
  limit: 25
})

describe("a queue on PostgreSQL", () => {
  it("runs on a generic plan once PostgreSQL has seen it a few times, its row count in the SQL", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { connection, store, helpdesk } = yield* onePostgresConnection
          yield* helpdesk.open({
            requester: { email: "jane.sharpe@example.com" },
            subject: "The console reports errors",
            text: "Since this morning.",
            channel: "email"
          })
          // 4,000 copies of its projection row, queued in four groups, each due at its own time.
          const overrides: Record<string, string> = {
            id: "id || '_' || n",
            public_id: "public_id + n",
            status: "'open'",
            category: "'open'",
            group_id: "'grp_' || (n % 4)",
            sla_due_at: "created_at + n * 1000"
          }
          yield* Effect.promise(async () => {
            const columns = await sql<{ readonly column_name: string }>`
              select column_name from information_schema.columns
              where table_schema = current_schema() and table_name = 'tickets' order by ordinal_position`.execute(
              connection.db
            )
            const names = columns.rows.map((row) => row.column_name)
            const values = names.map((name) => overrides[name] ?? name)
            await sql
              .raw(
                `insert into tickets (${names.join(", ")}) select ${values.join(", ")} from tickets, generate_series(1, 4000) n`
              )
              .execute(connection.db)
            await sql`analyze tickets`.execute(connection.db)
          })
          for (let run = 0; run < 12; run++) {
            const page = yield* store.tickets.query("acme" as Ids.WorkspaceId, queue)
            expect(page.items).toHaveLength(25)
            expect(page.nextCursor).toBeDefined()
          }
          const prepared = yield* Effect.promise(() =>
            sql<{
              readonly statement: string
              readonly generic_plans: number
              readonly custom_plans: number
            }>`select statement, generic_plans, custom_plans from pg_prepared_statements`.execute(connection.db)
          )
          const queues = prepared.rows.filter((row) => row.statement.includes("group_id"))
          expect(queues).toHaveLength(1)
          expect(queues[0]?.statement).toMatch(/ limit 26$/)
          // PostgreSQL tries five per-run plans before it weighs the generic one.
          expect(Number(queues[0]?.generic_plans)).toBeGreaterThan(0)
          expect(Number(queues[0]?.custom_plans)).toBeLessThanOrEqual(5)
        })
      )
    ))
})
