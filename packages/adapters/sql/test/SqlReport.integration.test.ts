/**
 * Issue 18's "Done when": the same 10,000 generated tickets give identical metrics through core's
 * incremental projection and through SQL, on SQLite, PostgreSQL and MariaDB. Both follow the SQL
 * store's feed (the SQL side in uneven batches, with redelivered pages); every ticket's metrics
 * are equal, and reports over five periods (three with every dimension) are equal number for number.
 */
import { BusinessCalendar, type Ids, Report } from "@tessera/core"
import { DateTime, Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import * as SqlReport from "../src/SqlReport.js"
import * as SqlTicketStore from "../src/SqlTicketStore.js"
import { appendAll, scripts } from "./report/generate.js"
import { databases } from "./support.js"

const weekday = ["09:00-17:00"]
const calendar = Result.getOrThrow(
  BusinessCalendar.make({
    timeZone: "Europe/London",
    weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
    holidays: [{ date: "2025-05-05", name: "Early May bank holiday" }]
  })
)
const options = { calendar }
const workspace = "acme" as Ids.WorkspaceId
const TICKETS = Number(process.env.TESSERA_REPORT_TICKETS ?? 10_000)
/**
 * How many tickets each database gets: the 10,000 on SQLite and PostgreSQL; MariaDB, the
 * slowest to append to, checks the same code on a fifth of them, to keep the CI run short.
 */
const ticketsOn = (name: string) => (name === "mysql" ? Math.min(TICKETS, 2_000) : TICKETS)
const start = Date.parse("2025-04-01T00:00:00Z")
const day = 86_400_000

const periods: ReadonlyArray<Report.Period> = [
  [start, start + 30 * day],
  [start + 30 * day, start + 61 * day],
  [start + 10 * day, start + 17 * day],
  [start - 30 * day, start + 120 * day],
  [start + 45 * day + 3_600_000, start + 45 * day + 7_200_000]
].map(([from, to]) => ({ from: DateTime.makeUnsafe(from as number), to: DateTime.makeUnsafe(to as number) }))

describe.each(databases)("SQL reports on $name", (database) => {
  const TICKETS = ticketsOn(database.name)
  it(`${TICKETS} generated tickets: every ticket's metrics and every report equal the projection's`, async () => {
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* database.fresh
          const store = (yield* SqlTicketStore.make({ db: connection.db, dialect: connection.dialect })).tickets
          const t0 = performance.now()
          const events = yield* appendAll(store, workspace, scripts(TICKETS, start, 60, 18))

          const t1 = performance.now()
          const projection = Report.makeProjection(options)
          yield* projection.catchUp(store)
          const sql = SqlReport.make({ db: connection.db, dialect: connection.dialect, ...options })
          // Uneven pages, and the first pages given again: a redelivery folds nothing twice.
          const first = yield* store.readAll(0, 777)
          yield* sql.apply(first.slice(0, 500))
          yield* sql.apply(first)
          expect(yield* sql.apply(first.slice(100))).toBe(0)
          yield* sql.catchUp(store, 1234)
          expect(yield* sql.position).toBe(projection.position())

          const t2 = performance.now()
          const tickets = projection.tickets()
          const stored = yield* Effect.forEach(tickets, (m) => sql.metrics(m.ticketId as Ids.TicketId), {
            concurrency: 8
          })
          let compared = 0
          tickets.forEach((metrics, i) => {
            expect(stored[i]).toEqual(metrics)
            compared++
          })
          const t3 = performance.now()
          let reports = 0
          for (const [i, period] of periods.entries()) {
            // Every dimension for the first periods; the whole and two dimensions for the others.
            const by = i < 3 ? Report.dimensions : (["group", "channel"] as const)
            expect(yield* sql.report(workspace, period, by)).toEqual(projection.report(period, by))
            reports++
          }
          console.log(
            `SQL reports (${database.name}): seconds to append ${((t1 - t0) / 1000).toFixed(0)}, to follow the feed ${((t2 - t1) / 1000).toFixed(0)}, to read every ticket's metrics ${((t3 - t2) / 1000).toFixed(0)}, for 5 reports ${((performance.now() - t3) / 1000).toFixed(0)}`
          )
          const month = projection.report(periods[0] as Report.Period)
          return { events, compared, reports, month }
        })
      )
    )
    console.log(
      `SQL reports (${database.name}): ${outcome.events} events of ${TICKETS} tickets, ${outcome.compared} tickets' metrics and ${outcome.reports} reports equal; April: ${outcome.month.summary.created} opened, ${outcome.month.summary.solved} solved, ${outcome.month.summary.backlog.tickets} in the backlog, ${outcome.month.summary.csat.responses} CSAT and ${outcome.month.summary.nps.responses} NPS answers`
    )
    expect(outcome.compared).toBe(TICKETS)
    // The ratings were counted at all (the generator answers about a third of the surveys).
    expect(outcome.month.summary.csat.responses).toBeGreaterThan(0)
    expect(outcome.month.summary.nps.responses).toBeGreaterThan(0)
    expect(outcome.month.summary.created).toBeGreaterThan(TICKETS / 10)
    expect(outcome.month.summary.backlog.tickets).toBeGreaterThan(0)
    expect(outcome.month.summary.sla.length).toBeGreaterThan(0)
  }, 1_800_000)
})
