import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../src/helpdesk/HelpdeskInput.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Status from "../../src/ticket/Status.js"

const mary = { _tag: "agent", id: "mary" } as const

const workflow = (changes: Partial<Status.Workflow>): Status.Workflow => ({ ...Status.defaultWorkflow, ...changes })

/** Runs `body` on an in-memory help desk whose clock starts at 11:15 on 1 May 2025 (UTC). */
const withHelpdesk = <A, E>(
  config: Partial<HelpdeskInput.Config>,
  body: (h: Helpdesk.Service) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2025-05-01T11:15:00Z"))
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveGroup({ id: "billing", name: "Billing" })
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com", groups: ["billing"] })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme", ...config }, { ids: "sequential" })))

/** Jane's ticket, in the billing group, solved by Mary now. */
const solvedTicket = (helpdesk: Helpdesk.Service, group?: "billing") =>
  Effect.gen(function* () {
    const ticket = yield* helpdesk.open({
      requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
      subject: "Over-charged for my subscription",
      text: "I was charged twice.",
      channel: "email"
    })
    if (group !== undefined) yield* helpdesk.assign({ ticket: ticket.id, by: mary, group, assignee: "mary" })
    return yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
  })

const requesterReply = (helpdesk: Helpdesk.Service, ticket: { id: string; requester: string }) =>
  helpdesk.reply({ ticket: ticket.id, by: { _tag: "contact", id: ticket.requester }, text: "It happened again." })

describe("closing solved tickets", () => {
  it.effect("a solved ticket closes once the workflow's delay has passed, not before", () =>
    withHelpdesk({}, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk)
        yield* TestClock.adjust("95 hours")
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
        assert.strictEqual((yield* helpdesk.asSystem("test").get(ticket.id)).status, "solved")

        yield* TestClock.adjust("1 hour")
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        const closed = yield* helpdesk.asSystem("test").get(ticket.id)
        assert.strictEqual(closed.status, "closed")
        assert.strictEqual(DateTime.formatIso(closed.closedAt as DateTime.Utc), "2025-05-05T11:15:00.000Z")
        const last = (yield* helpdesk.asSystem("test").history(ticket.id)).at(-1)
        assert(last?._tag === "StatusChanged")
        assert.deepStrictEqual(
          { from: last.from, to: last.to, by: last.by },
          { from: "solved", to: "closed", by: { _tag: "system", reason: "close-solved" } }
        )
        // The timer fired once: nothing is left to run.
        yield* TestClock.adjust("1 day")
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
      })
    )
  )

  it.effect("the delay is the workflow's closeSolvedAfterHours", () =>
    withHelpdesk({ workflow: workflow({ closeSolvedAfterHours: 24 }) }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk)
        yield* TestClock.adjust("23 hours")
        yield* helpdesk.runDueTimers()
        assert.strictEqual((yield* helpdesk.asSystem("test").get(ticket.id)).status, "solved")
        yield* TestClock.adjust("1 hour")
        yield* helpdesk.runDueTimers()
        assert.strictEqual((yield* helpdesk.asSystem("test").get(ticket.id)).status, "closed")
      })
    )
  )

  it.effect("a ticket reopened by its requester before the delay does not close", () =>
    withHelpdesk({}, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk)
        yield* TestClock.adjust("1 day")
        const reopened = yield* requesterReply(helpdesk, ticket)
        assert.strictEqual(reopened.id, ticket.id)
        assert.strictEqual(reopened.status, "open")
        yield* TestClock.adjust("4 days")
        yield* helpdesk.runDueTimers()
        assert.strictEqual((yield* helpdesk.asSystem("test").get(ticket.id)).status, "open")
      })
    )
  )
})

describe("reopen policy per group", () => {
  const reopenWithin3Days = workflow({
    closeSolvedAfterHours: 240,
    reopen: { default: { _tag: "AlwaysReopen" }, byGroup: { billing: { _tag: "ReopenWithin", days: 3 } } }
  })

  it.effect("ReopenWithin 3 days: a requester's reply within 3 days reopens the solved ticket", () =>
    withHelpdesk({ workflow: reopenWithin3Days }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk, "billing")
        yield* TestClock.adjust("3 days")
        const reply = yield* requesterReply(helpdesk, ticket)
        assert.strictEqual(reply.id, ticket.id)
        assert.strictEqual(reply.status, "open")
        assert.strictEqual(reply.assignee, "mary")
      })
    )
  )

  it.effect("ReopenWithin 3 days: a requester's reply after 3 days opens a follow-up instead", () =>
    withHelpdesk({ workflow: reopenWithin3Days }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk, "billing")
        yield* TestClock.adjust("3 days")
        yield* TestClock.adjust(1)
        const followUp = yield* requesterReply(helpdesk, ticket)
        assert.notStrictEqual(followUp.id, ticket.id)
        assert.deepStrictEqual(followUp.links, [{ kind: "follow_up_of", ticketId: ticket.id }])
        assert.strictEqual(followUp.group, "billing")
        assert.strictEqual(followUp.assignee, undefined)
        const original = yield* helpdesk.asSystem("test").get(ticket.id)
        assert.strictEqual(original.status, "solved")
        assert.deepStrictEqual(original.links, [{ kind: "followed_up_by", ticketId: followUp.id }])
      })
    )
  )

  it.effect("tickets outside that group follow the default policy and always reopen", () =>
    withHelpdesk({ workflow: reopenWithin3Days }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk)
        yield* TestClock.adjust("9 days")
        const reply = yield* requesterReply(helpdesk, ticket)
        assert.strictEqual(reply.id, ticket.id)
        assert.strictEqual(reply.status, "open")
      })
    )
  )
})
