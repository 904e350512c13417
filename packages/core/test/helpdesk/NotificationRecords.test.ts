/**
 * #17: what became of a notification is on its ticket for agents ("acknowledgement sent at
 * 11:16"), recorded once by the system, without touching what the customer sees, the SLA clock
 * or the triggers.
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type { InvalidInput } from "../../src/helpdesk/Input.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import { decide } from "../../src/ticket/decide.js"
import * as Status from "../../src/ticket/Status.js"
import * as C from "../../src/ticket/TicketCommand.js"
import type { TicketId } from "../../src/values/Ids.js"

type Rule = Triggers.TriggerRule<Helpdesk.HelpdeskError>

/** A rule that asks to tell the requester about every change: it must not answer a delivery record. */
const tellRequesterEverything: Rule = {
  rule: { id: "tell-everything", version: 1 },
  fire: ({ current, events }) =>
    Effect.succeed(
      events.some((e) => e._tag !== "NotificationRequested")
        ? [new C.Notify({ ticketId: current.id, template: "ticket_updated", to: ["requester"] })]
        : []
    )
}

const withDesk = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>, rules: ReadonlyArray<Rule> = []) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-03-09T11:15:00Z"))
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", triggers: { rules } })))

const opens = (helpdesk: Helpdesk.Service) =>
  helpdesk.open({
    requester: { email: "jane@example.com", name: "Jane" },
    subject: "VPN drops every hour",
    text: "It drops at :00.",
    channel: "email"
  })

const delivered = (ticket: string, attempt = 1) => ({
  ticket,
  outcome: "delivered" as const,
  notification: `notification:${ticket}:2`,
  attempt,
  template: "acknowledgement",
  channel: "email",
  to: ["jane@example.com"],
  at: "2026-03-09T11:16:00.000Z"
})

describe("notification records", () => {
  it.effect("a delivery is recorded by the system with its time, once however often it is reported", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        yield* TestClock.adjust("2 minutes")
        expect(yield* helpdesk.recordNotification(delivered(ticket.id))).toBe(true)
        expect(yield* helpdesk.recordNotification(delivered(ticket.id)), "a redelivery").toBe(false)
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "NotificationDelivered"])
        const record = history[1]
        expect(record?._tag === "NotificationDelivered" && DateTime.formatIso(record.deliveredAt)).toBe(
          "2026-03-09T11:16:00.000Z"
        )
        expect(record).toMatchObject({
          notification: `notification:${ticket.id}:2`,
          attempt: 1,
          template: "acknowledgement",
          channel: "email",
          to: ["jane@example.com"],
          by: { _tag: "system", reason: "notify" }
        })
        // Another attempt's outcome is another record.
        expect(yield* helpdesk.recordNotification(delivered(ticket.id, 2))).toBe(true)
        expect((yield* helpdesk.asSystem("test").history(ticket.id)).length).toBe(3)
      })
    )
  )

  it.effect("a failure is recorded with its error; the same failure again is not, another error is", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const failed = { ...delivered(ticket.id, 8), outcome: "failed" as const, error: "550 5.1.1 unknown user" }
        expect(yield* helpdesk.recordNotification(failed)).toBe(true)
        expect(yield* helpdesk.recordNotification(failed)).toBe(false)
        expect(yield* helpdesk.recordNotification({ ...failed, error: "connect ECONNREFUSED" })).toBe(true)
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.filter((e) => e._tag === "NotificationFailed").map((e) => "error" in e && e.error)).toEqual([
          "550 5.1.1 unknown user",
          "connect ECONNREFUSED"
        ])
      })
    )
  )

  it.effect("a record does not update the ticket, start or stop an SLA, or show in the requester's history", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const opened = yield* opens(helpdesk)
        yield* TestClock.adjust("1 hour")
        yield* helpdesk.recordNotification(delivered(opened.id))
        const after = yield* helpdesk.asSystem("test").get(opened.id)
        expect(after.version).toBe(opened.version + 1)
        expect(DateTime.formatIso(after.updatedAt)).toBe(DateTime.formatIso(opened.updatedAt))
        expect(after.firstAgentReplyAt, "no agent reply counted").toBeUndefined()
        expect(after.status).toBe(opened.status)
        const contact = after.requester
        const shown = yield* helpdesk.forRequester(contact).history(opened.id)
        expect(shown.map((e) => e._tag)).toEqual(["TicketOpened"])
      })
    )
  )

  it.effect("no trigger runs on a record: a rule telling the requester about every change does not answer it", () =>
    withDesk(
      (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk)
          const before = (yield* helpdesk.asSystem("test").history(ticket.id)).map((e) => e._tag)
          expect(before, "the rule works").toEqual(["TicketOpened", "NotificationRequested"])
          yield* helpdesk.recordNotification(delivered(ticket.id))
          expect((yield* helpdesk.asSystem("test").history(ticket.id)).map((e) => e._tag)).toEqual([
            ...before,
            "NotificationDelivered"
          ])
        }),
      [tellRequesterEverything]
    )
  )

  it.effect("a closed ticket still gets its records (a survey delivered after the close)", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: { _tag: "agent", id: "mary" }, status: "solved" })
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: { _tag: "agent", id: "mary" }, status: "closed" })
        expect(yield* helpdesk.recordNotification(delivered(ticket.id))).toBe(true)
        expect((yield* helpdesk.asSystem("test").history(ticket.id)).at(-1)?._tag).toBe("NotificationDelivered")
      })
    )
  )

  it.effect("garbage input is InvalidInput, never a throw", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const refused = yield* Effect.flip(
          helpdesk.recordNotification({ ...delivered(ticket.id), attempt: 0, at: "yesterday", to: [""] })
        )
        expect((refused as InvalidInput)._tag).toBe("InvalidInput")
      })
    )
  )

  it.effect("only the system records notifications: an agent is refused", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const ticket = yield* opens(helpdesk)
      const command = new C.RecordNotifications({
        ticketId: ticket.id as TicketId,
        outcomes: [
          {
            kind: "delivered",
            notification: "n1",
            attempt: 1,
            template: "acknowledgement",
            channel: "email",
            to: [],
            reachedAt: DateTime.makeUnsafe(0)
          }
        ]
      })
      const ctx = { now: DateTime.makeUnsafe(0), workflow: Status.defaultWorkflow, customFields: [] }
      const refused = yield* Effect.flip(
        decide(ticket, command, { ...ctx, actor: { _tag: "agent", id: "mary" } as never })
      )
      expect(refused._tag).toBe("NotPermitted")
      const events = yield* decide(ticket, command, { ...ctx, actor: { _tag: "system", reason: "notify" } })
      expect(events.map((e) => e._tag)).toEqual(["NotificationDelivered"])
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )
})
