/**
 * #17: an outbox worker records a claimed batch's outcomes in one cross-ticket append
 * (`recordNotifications`), with the guarantees of `recordNotification`: each outcome once per
 * notification and attempt (and error), across instances and after a crash between recording
 * and completing; and the same records as reporting the outcomes one by one.
 */
import { describe, expect, it } from "@effect/vitest"
import { fc } from "@fast-check/vitest"
import { Effect, Layer } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"

/** Writes a store was asked for, by kind. */
interface Writes {
  append: number
  appendAll: number
}

/** Help desks (as that many processes would be) over one store whose writes are counted. */
const desks = (count: number, options: MemoryTicketStore.Options = {}) =>
  Effect.gen(function* () {
    const store = yield* MemoryTicketStore.make(options)
    const writes: Writes = { append: 0, appendAll: 0 }
    const counted: TicketStore["Service"] = {
      ...store,
      append: (...args) =>
        Effect.suspend(() => {
          writes.append++
          return store.append(...args)
        }),
      appendAll: (batch) =>
        Effect.suspend(() => {
          writes.appendAll++
          return store.appendAll(batch)
        })
    }
    const made = yield* Effect.forEach(Array.from({ length: count }), () =>
      Helpdesk.make({ workspaceId: "acme" })
    ).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, counted),
          Layer.effect(
            Timers,
            Effect.map(MemoryTicketStore.makeStore(), (s) => s.timers)
          ),
          MemoryDirectoryStore.layer,
          IdGenerator.layerSequential
        )
      )
    )
    return { desks: made as ReadonlyArray<Helpdesk.Service>, writes }
  })

const openTickets = (desk: Helpdesk.Service, count: number) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => i),
    (i) =>
      Effect.map(
        desk.open({
          requester: { email: `customer${i}@example.com` },
          subject: `Printer ${i} is on fire`,
          text: "Smoke everywhere.",
          channel: "email"
        }),
        (ticket) => ticket.id as string
      )
  )

const outcome = (ticket: string, attempt: number, kind: "delivered" | "failed" = "delivered", error?: string) => ({
  ticket,
  outcome: kind,
  notification: `notification:${ticket}:2`,
  attempt,
  template: "acknowledgement",
  channel: "email",
  to: ["jane@example.com"],
  at: "2026-03-09T11:16:00.000Z",
  ...(error === undefined ? {} : { error })
})

/** A ticket's records as `notification#attempt` (with the error of a failure). */
const records = (desk: Helpdesk.Service, ticket: string) =>
  Effect.map(desk.asSystem("test").history(ticket), (events) =>
    events.flatMap((e) =>
      e._tag === "NotificationDelivered"
        ? [`${e.notification}#${e.attempt}`]
        : e._tag === "NotificationFailed"
          ? [`${e.notification}#${e.attempt}!${e.error}`]
          : []
    )
  )

describe("notification records in batches", () => {
  it.effect("a batch across tickets is one appendAll; each outcome recorded once, a repeat in the batch not", () =>
    Effect.gen(function* () {
      const { desks: made, writes } = yield* desks(1)
      const desk = made[0] as Helpdesk.Service
      const [t1, t2, t3] = (yield* openTickets(desk, 3)) as [string, string, string]
      const before = { ...writes }
      const answers = yield* desk.recordNotifications([
        outcome(t1, 1),
        outcome(t2, 1),
        outcome(t1, 1),
        outcome(t3, 1, "failed", "550 unknown user"),
        outcome(t1, 2)
      ])
      expect(answers).toEqual([true, true, false, true, true])
      expect(writes.appendAll - before.appendAll, "one cross-ticket append").toBe(1)
      expect(writes.append - before.append, "no single-ticket append").toBe(0)
      expect(yield* records(desk, t1)).toEqual([`notification:${t1}:2#1`, `notification:${t1}:2#2`])
      expect(yield* records(desk, t3)).toEqual([`notification:${t3}:2#1!550 unknown user`])
      const again = yield* desk.recordNotifications([outcome(t1, 1), outcome(t2, 1), outcome(t1, 2)])
      expect(again, "a redelivered batch").toEqual([false, false, false])
      expect(writes.appendAll - before.appendAll, "nothing to append the second time").toBe(1)
      expect(yield* desk.recordNotification(outcome(t2, 1)), "the single operation sees them too").toBe(false)
      expect(yield* desk.recordNotifications([]), "an empty batch").toEqual([])
    })
  )

  it.effect("a batch after a crash between record and complete is not recorded again by a restarted worker", () =>
    Effect.gen(function* () {
      const { desks: made } = yield* desks(2)
      const [a, b] = made as [Helpdesk.Service, Helpdesk.Service]
      const [t1, t2] = (yield* openTickets(a, 2)) as [string, string]
      const batch = [outcome(t1, 1), outcome(t2, 1)]
      expect(yield* a.recordNotifications(batch)).toEqual([true, true])
      // The process died before completing the messages: a worker on a help desk that remembers
      // nothing sends them again under the same keys and reports the batch again.
      expect(yield* b.recordNotifications(batch)).toEqual([false, false])
      expect(yield* b.recordNotification(outcome(t1, 1))).toBe(false)
      // And the other way round: what b recorded one by one, a's batch leaves out.
      expect(yield* b.recordNotification(outcome(t2, 2))).toBe(true)
      expect(yield* a.recordNotifications([outcome(t2, 2), outcome(t1, 2)])).toEqual([false, true])
      expect(yield* records(a, t1)).toEqual([`notification:${t1}:2#1`, `notification:${t1}:2#2`])
      expect(yield* records(a, t2)).toEqual([`notification:${t2}:2#1`, `notification:${t2}:2#2`])
    })
  )

  it.effect("batches reported at once by two instances record each outcome once", () =>
    Effect.gen(function* () {
      const { desks: made } = yield* desks(2)
      const [a, b] = made as [Helpdesk.Service, Helpdesk.Service]
      const tickets = yield* openTickets(a, 4)
      const batchOf = (attempt: number) => tickets.map((t) => outcome(t, attempt))
      const answers = yield* Effect.forEach(
        [1, 2, 3].flatMap((n) => [a.recordNotifications(batchOf(n)), b.recordNotifications(batchOf(n))]),
        (op) => op,
        { concurrency: "unbounded" }
      )
      expect(answers.flat().filter((recorded) => recorded).length, "one true per outcome").toBe(3 * tickets.length)
      for (const t of tickets) {
        expect([...(yield* records(a, t))].sort()).toEqual([1, 2, 3].map((n) => `notification:${t}:2#${n}`))
      }
    })
  )

  it.effect("on a store taking fewer streams at once, the batch goes in several appends", () =>
    Effect.gen(function* () {
      const { desks: made, writes } = yield* desks(1, { capabilities: { maxBatch: 3 } })
      const desk = made[0] as Helpdesk.Service
      const tickets = yield* openTickets(desk, 7)
      const before = writes.appendAll
      expect(yield* desk.recordNotifications(tickets.map((t) => outcome(t, 1)))).toEqual(tickets.map(() => true))
      expect(writes.appendAll - before, "7 tickets, 3 at a time").toBe(3)
      for (const t of tickets) expect(yield* records(desk, t)).toEqual([`notification:${t}:2#1`])
    })
  )

  it.effect("garbage in a batch, or a ticket not found, fails it whole: nothing is recorded", () =>
    Effect.gen(function* () {
      const { desks: made } = yield* desks(1)
      const desk = made[0] as Helpdesk.Service
      const [t1] = (yield* openTickets(desk, 1)) as [string]
      const garbage = yield* Effect.flip(desk.recordNotifications([outcome(t1, 1), { ...outcome(t1, 2), attempt: 0 }]))
      expect(garbage._tag).toBe("InvalidInput")
      const notObject = yield* Effect.flip(desk.recordNotifications("nonsense" as never))
      expect(notObject._tag).toBe("InvalidInput")
      const missing = yield* Effect.flip(desk.recordNotifications([outcome(t1, 1), outcome("tkt_missing", 1)]))
      expect(missing._tag).toBe("TicketNotFound")
      expect(yield* records(desk, t1)).toEqual([])
    })
  )

  it("records what reporting the outcomes one by one records, with the same answers", async () => {
    const attempt = fc.record({
      ticket: fc.integer({ min: 0, max: 3 }),
      attempt: fc.integer({ min: 1, max: 3 }),
      failed: fc.option(fc.constantFrom("550 unknown user", "421 try later"), { nil: undefined })
    })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(attempt, { maxLength: 8 }), { minLength: 1, maxLength: 5 }), (batches) =>
        Effect.runPromise(
          Effect.gen(function* () {
            const { desks: one } = yield* desks(1)
            const { desks: other } = yield* desks(1)
            const batched = one[0] as Helpdesk.Service
            const single = other[0] as Helpdesk.Service
            const tickets = yield* openTickets(batched, 4)
            expect(yield* openTickets(single, 4), "the same ids on both").toEqual(tickets)
            for (const batch of batches) {
              const outcomes = batch.map((o) =>
                outcome(
                  tickets[o.ticket] as string,
                  o.attempt,
                  o.failed === undefined ? "delivered" : "failed",
                  o.failed
                )
              )
              const answers = yield* batched.recordNotifications(outcomes)
              const oneByOne = yield* Effect.forEach(outcomes, (o) => single.recordNotification(o))
              expect(answers).toEqual(oneByOne)
            }
            for (const t of tickets) expect(yield* records(batched, t)).toEqual(yield* records(single, t))
          })
        )
      ),
      { numRuns: 25 }
    )
  })
})
