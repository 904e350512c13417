import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, Result } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { StoreUnavailable } from "../../src/ports/StoreError.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import * as SlaPolicy from "../../src/sla/SlaPolicy.js"
import type { TicketEvent } from "../../src/ticket/TicketEvent.js"

const mary = { _tag: "agent", id: "mary" } as const

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla: Helpdesk.SlaOptions = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: paris.success } }

type Entry = ReturnType<typeof Logger.formatStructured.log>

/**
 * A help desk over a memory store whose appends fail (`StoreUnavailable`) while `failing` says
 * so of their events, with every log line it writes captured in `logs`.
 */
const withFailingAppends = <A, E>(
  failing: (events: ReadonlyArray<TicketEvent>) => boolean,
  body: (desk: Helpdesk.Service, logs: ReadonlyArray<Entry>, healed: () => void) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
    const memory = yield* MemoryTicketStore.makeStore()
    let broken = true
    const store = TicketStore.of({
      ...memory.tickets,
      append: (ticketId, expectedVersion, events, effects) =>
        broken && failing(events)
          ? Effect.fail(new StoreUnavailable({ operation: "append", reason: "connection reset" }))
          : memory.tickets.append(ticketId, expectedVersion, events, effects)
    })
    const desk = yield* Helpdesk.make({ workspaceId: "acme" }, { sla }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, store),
          Layer.succeed(Timers, memory.timers),
          MemoryDirectoryStore.layer,
          IdGenerator.layerSequential
        )
      )
    )
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    const logs: Array<Entry> = []
    const capture = Logger.map(Logger.formatStructured, (entry) => {
      logs.push(entry)
    })
    return yield* body(desk, logs, () => {
      broken = false
    }).pipe(Effect.provide(Logger.layer([capture])))
  })

const janeWrites = (desk: Helpdesk.Service) =>
  desk.open({
    requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
    subject: "Charged twice",
    text: "My card was charged twice for November.",
    channel: "email"
  })

const warnings = (logs: ReadonlyArray<Entry>) => logs.filter((entry) => entry.level === "WARN")

describe("the timer runner", () => {
  it.effect("logs a close timer it skips because the store failed, and fires it once the lease ends", () =>
    withFailingAppends(
      (events) => events.some((e) => e._tag === "StatusChanged" && e.to === "closed"),
      (desk, logs, healed) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(desk)
          yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
          yield* TestClock.adjust("96 hours")
          expect(yield* desk.runDueTimers()).toBe(0)
          const [warning, ...others] = warnings(logs)
          expect(others).toEqual([])
          expect(warning?.annotations).toEqual({
            "tessera.workspace": "acme",
            "tessera.ticket_id": ticket.id,
            "tessera.timer_id": expect.any(String),
            "tessera.timer_purpose": "close_solved",
            "error.type": "StoreUnavailable"
          })
          expect(JSON.stringify(warning?.message)).toContain("Timer skipped")
          // Not completed: once its lease ends, the timer comes back and closes the ticket.
          healed()
          expect(yield* desk.runDueTimers()).toBe(0)
          yield* TestClock.adjust("1 minute")
          expect(yield* desk.runDueTimers()).toBe(1)
          expect((yield* desk.asSystem("test").get(ticket.id)).status).toBe("closed")
          expect(warnings(logs).length).toBe(1)
        })
    )
  )

  it.effect("logs an SLA timer it skips because the store failed", () =>
    withFailingAppends(
      (events) => events.some((e) => e._tag === "SlaWarningReached"),
      (desk, logs) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(desk)
          // The first reply warning of the default policy: Monday 30 November, 16:00 in Paris.
          yield* TestClock.setTime(Date.parse("2026-11-30T15:00:00Z"))
          expect(yield* desk.runDueTimers()).toBe(0)
          expect(warnings(logs).map((w) => w.annotations)).toEqual([
            {
              "tessera.workspace": "acme",
              "tessera.ticket_id": ticket.id,
              "tessera.timer_id": expect.any(String),
              "tessera.timer_purpose": "sla",
              "error.type": "StoreUnavailable"
            }
          ])
        })
    )
  )

  it.effect("logs nothing when every due timer fires", () =>
    withFailingAppends(
      () => false,
      (desk, logs) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(desk)
          yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
          yield* TestClock.adjust("96 hours")
          expect(yield* desk.runDueTimers()).toBe(1)
          expect(warnings(logs)).toEqual([])
        })
    )
  )
})
