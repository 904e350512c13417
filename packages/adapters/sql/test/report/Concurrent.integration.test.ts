/**
 * The reporting checkpoint under contention: two `SqlReport`s with the same checkpoint catch up
 * the same feed at once, in small pages, on each database. Each page's rows and the checkpoint
 * are written in one transaction that holds the checkpoint row, so whichever gets a page first
 * folds it and the other skips it: every ticket ends with the projection's metrics, none folded
 * twice. A `SqlReport` following one workspace keeps that workspace's tickets only.
 */
import { type Ids, Report } from "@tessera/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as SqlReport from "../../src/SqlReport.js"
import * as SqlTicketStore from "../../src/SqlTicketStore.js"
import { databases } from "../support.js"
import { appendAll, scripts } from "./generate.js"

const start = Date.parse("2025-04-01T00:00:00Z")

describe.each(databases)("the reporting checkpoint on $name", (database) => {
  it("two SqlReports catching up the same feed at once fold each event once", async () => {
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* database.fresh
          const store = (yield* SqlTicketStore.make({ db: connection.db, dialect: connection.dialect })).tickets
          yield* appendAll(store, "acme" as Ids.WorkspaceId, scripts(300, start, 20, 7))
          yield* appendAll(
            store,
            "globex" as Ids.WorkspaceId,
            scripts(40, start, 20, 8).map((s) => ({ ...s, ticket: s.ticket + 1000 }))
          )
          const projection = Report.makeProjection()
          const events = yield* projection.catchUp(store)
          const make = () => SqlReport.make({ db: connection.db, dialect: connection.dialect })
          const [a, b] = yield* Effect.all([make().catchUp(store, 37), make().catchUp(store, 53)], {
            concurrency: 2
          })
          const reports = make()
          let equal = 0
          for (const metrics of projection.tickets()) {
            expect(yield* reports.metrics(metrics.ticketId as Ids.TicketId)).toEqual(metrics)
            equal++
          }
          const acmeOnly = SqlReport.make({
            db: connection.db,
            dialect: connection.dialect,
            name: "acme only",
            workspaceId: "acme" as Ids.WorkspaceId
          })
          yield* acmeOnly.catchUp(store, 100)
          return {
            a,
            b,
            events,
            equal,
            total: projection.tickets().length,
            position: yield* reports.position,
            last: projection.position(),
            acme: yield* acmeOnly.position
          }
        })
      )
    )
    console.log(
      `reporting checkpoint (${database.name}): two catch-ups folded ${outcome.a} + ${outcome.b} events, ${outcome.equal} tickets equal to the projection`
    )
    expect(outcome.equal).toBe(outcome.total)
    expect(outcome.position).toBe(outcome.last)
    // Between them, every event of the feed was folded once.
    expect(outcome.a + outcome.b).toBe(outcome.events)
    expect(outcome.acme).toBeGreaterThan(0)
  }, 300_000)
})
