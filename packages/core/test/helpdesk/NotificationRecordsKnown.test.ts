/**
 * #17: recording a notification's outcome decides "already recorded?" from the records the help
 * desk knows the ticket's log holds at the version it appends after, and reads the log only when
 * the ticket moved since. These tests check that the log is read no more than that, and that the
 * guarantee holds across instances: a worker restarted after a crash between recording and
 * completing (a help desk that remembers nothing), or another instance recording meanwhile.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"

/** Two help desks (as two processes would be) over one store whose `read`s are counted. */
const twoDesks = Effect.gen(function* () {
  const store = yield* MemoryTicketStore.make()
  const reads = { count: 0 }
  const counted: TicketStore["Service"] = {
    ...store,
    read: (ticketId) =>
      Effect.suspend(() => {
        reads.count++
        return store.read(ticketId)
      })
  }
  const [a, b] = yield* Effect.forEach([1, 2], () => Helpdesk.make({ workspaceId: "acme" })).pipe(
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
  const desk = a as Helpdesk.Service
  yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
  const ticket = yield* desk.open({
    requester: { email: "jane@example.com", name: "Jane" },
    subject: "VPN drops every hour",
    text: "It drops at :00.",
    channel: "email"
  })
  return { a: desk, b: b as Helpdesk.Service, reads, ticket: ticket.id }
})

const outcome = (ticket: string, attempt: number, notification = `notification:${ticket}:2`) => ({
  ticket,
  outcome: "delivered" as const,
  notification,
  attempt,
  template: "acknowledgement",
  channel: "email",
  to: ["jane@example.com"],
  at: "2026-03-09T11:16:00.000Z"
})

const records = (desk: Helpdesk.Service, ticket: string) =>
  Effect.map(desk.asSystem("test").history(ticket), (events) =>
    events.flatMap((e) => (e._tag === "NotificationDelivered" ? [`${e.notification}#${e.attempt}`] : []))
  )

describe("notification records: what the help desk knows", () => {
  it.effect("the log is read once, then only when the ticket moved since the records it knows", () =>
    Effect.gen(function* () {
      const { a, reads, ticket } = yield* twoDesks
      const before = reads.count
      expect(yield* a.recordNotification(outcome(ticket, 1))).toBe(true)
      expect(reads.count - before, "the first record reads the log").toBe(1)
      expect(yield* a.recordNotification(outcome(ticket, 1)), "a redelivery").toBe(false)
      expect(yield* a.recordNotification(outcome(ticket, 2))).toBe(true)
      expect(yield* a.recordNotification(outcome(ticket, 1, "notification:other"))).toBe(true)
      expect(reads.count - before, "nothing moved the ticket but its own records").toBe(1)
      yield* a.note({ ticket, by: { _tag: "agent", id: "mary" }, text: "Asked for the router model." })
      expect(yield* a.recordNotification(outcome(ticket, 2)), "a redelivery after a note").toBe(false)
      expect(reads.count - before, "the ticket moved: read again").toBe(2)
      expect(yield* records(a, ticket)).toEqual([
        `notification:${ticket}:2#1`,
        `notification:${ticket}:2#2`,
        "notification:other#1"
      ])
    })
  )

  it.effect(
    "a redelivery after a crash between record and complete is not recorded again by the restarted worker",
    () =>
      Effect.gen(function* () {
        const { a, b, ticket } = yield* twoDesks
        expect(yield* a.recordNotification(outcome(ticket, 1))).toBe(true)
        // The process died before completing the message: its lease ends, and a worker on a help
        // desk that remembers nothing sends it again under the same key and reports it again.
        expect(yield* b.recordNotification(outcome(ticket, 1))).toBe(false)
        expect(yield* b.recordNotification(outcome(ticket, 1))).toBe(false)
        expect(yield* records(b, ticket)).toEqual([`notification:${ticket}:2#1`])
      })
  )

  it.effect("another instance's record is seen by one that remembers an older version", () =>
    Effect.gen(function* () {
      const { a, b, ticket } = yield* twoDesks
      expect(yield* a.recordNotification(outcome(ticket, 1))).toBe(true)
      // b records the next attempt: what a remembers is now one version behind the log.
      expect(yield* b.recordNotification(outcome(ticket, 2))).toBe(true)
      expect(yield* a.recordNotification(outcome(ticket, 2)), "recorded by b").toBe(false)
      expect(yield* a.recordNotification(outcome(ticket, 1)), "recorded by a itself").toBe(false)
      expect(yield* b.recordNotification(outcome(ticket, 1)), "recorded by a").toBe(false)
      expect(yield* a.recordNotification(outcome(ticket, 3))).toBe(true)
      expect(yield* b.recordNotification(outcome(ticket, 3)), "recorded by a after b's").toBe(false)
      expect(yield* records(a, ticket)).toEqual([1, 2, 3].map((n) => `notification:${ticket}:2#${n}`))
    })
  )

  it.effect("outcomes reported at once by both instances are each recorded once", () =>
    Effect.gen(function* () {
      const { a, b, ticket } = yield* twoDesks
      const attempts = [1, 2, 3, 4, 5, 6]
      const answers = yield* Effect.forEach(
        attempts.flatMap((n) => [a.recordNotification(outcome(ticket, n)), b.recordNotification(outcome(ticket, n))]),
        (op) => op,
        { concurrency: "unbounded" }
      )
      expect(answers.filter((recorded) => recorded).length, "one true per attempt").toBe(attempts.length)
      expect([...(yield* records(a, ticket))].sort()).toEqual(attempts.map((n) => `notification:${ticket}:2#${n}`))
    })
  )
})
