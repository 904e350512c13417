/**
 * #17: the outbox worker with `recordAll` records a claimed batch's outcomes in one call
 * (`Helpdesk.recordNotifications`), still before any message is settled; when the batch cannot be
 * recorded, each outcome goes on its own as with `record`, message by message.
 */
import { describe, expect, it } from "@effect/vitest"
import { Helpdesk, MemoryHelpdesk, Outbox, StoreError, type TicketEvent } from "@tessera/core"
import { DateTime, Effect, Random } from "effect"
import { TestClock } from "effect/testing"
import * as Worker from "../src/Worker.js"
import { acknowledge, dyingOnComplete, prepareOver, scriptedSender } from "./support.js"

const start = Date.parse("2026-03-09T11:15:00Z")
const half = { nextIntUnsafe: () => 0, nextDoubleUnsafe: () => 0.5 }
const far = DateTime.makeUnsafe(start + 365 * 86_400_000)

const withDesk = <A, E>(
  body: (helpdesk: Helpdesk.Service, outbox: Outbox.Outbox["Service"]) => Effect.Effect<A, E, Outbox.Outbox>
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(start)
    const helpdesk = yield* Helpdesk.Helpdesk
    const outbox = yield* Outbox.Outbox
    return yield* body(helpdesk, outbox)
  }).pipe(
    Effect.provideService(Random.Random, half),
    Effect.provide(
      MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", triggers: { rules: [acknowledge] } })
    )
  )

/** Three tickets, each asking for an acknowledgement. */
const openThree = (helpdesk: Helpdesk.Service) =>
  Effect.forEach([1, 2, 3], (i) =>
    Effect.map(
      helpdesk.open({
        requester: { email: "jane@example.com", name: "Jane" },
        subject: `VPN drops every hour (${i})`,
        text: "It drops at :00.",
        channel: "email"
      }),
      (ticket) => ticket.id as string
    )
  )

const records = (history: ReadonlyArray<TicketEvent.TicketEvent>) =>
  history.filter((e) => e._tag === "NotificationDelivered" || e._tag === "NotificationFailed")

describe("the outbox worker recording a batch at once", () => {
  it.effect("a batch's outcomes go in one recordAll, after every message was sent and before any is completed", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const tickets = yield* openThree(helpdesk)
        const mail = scriptedSender("email")
        const calls: Array<{ readonly outcomes: number; readonly sent: number; readonly open: number }> = []
        const recordAll: Worker.BatchRecorder = (reported) =>
          Effect.gen(function* () {
            // Still claimed (not completed): claimable again once the lease ends.
            const open = yield* outbox.claim("notification", far, 10, 1)
            calls.push({ outcomes: reported.length, sent: mail.accepted.length, open: open.length })
            return yield* Worker.recordAllOn(helpdesk)(reported)
          })
        let single = 0
        const worker = yield* Worker.make({
          senders: [mail.sender],
          prepare: prepareOver("email"),
          record: (outcome, message) =>
            Effect.andThen(
              Effect.sync(() => single++),
              Worker.recordOn(helpdesk)(outcome, message)
            ),
          recordAll
        })
        yield* TestClock.adjust("1 minute")
        expect(yield* worker.drainOnce).toEqual({ claimed: 3, delivered: 3, retried: 0, deadLettered: 0, left: 0 })
        expect(calls, "one call with the three outcomes, all six mails sent, none completed").toEqual([
          { outcomes: 3, sent: 6, open: 3 }
        ])
        expect(single, "no outcome recorded on its own").toBe(0)
        for (const ticket of tickets) {
          expect(records(yield* helpdesk.asSystem("test").history(ticket)).map((e) => e._tag)).toEqual([
            "NotificationDelivered"
          ])
        }
        yield* TestClock.adjust("1 hour")
        expect(yield* outbox.claim("notification", far, 10, 1), "all completed").toEqual([])
      })
    )
  )

  it.effect(
    "a batch that cannot be recorded at once is recorded outcome by outcome; a retryable failure leaves its message",
    () =>
      withDesk((helpdesk, outbox) =>
        Effect.gen(function* () {
          const tickets = yield* openThree(helpdesk)
          const mail = scriptedSender("email")
          const down = new Set([tickets[1]])
          const worker = yield* Worker.make({
            senders: [mail.sender],
            prepare: prepareOver("email"),
            recordAll: () => Effect.fail(new StoreError.StoreUnavailable({ operation: "append", reason: "too big" })),
            record: (outcome, message) =>
              down.has(message.ticketId)
                ? Effect.fail(new StoreError.StoreUnavailable({ operation: "append", reason: "connection reset" }))
                : Worker.recordOn(helpdesk)(outcome, message),
            options: { leaseMillis: 60_000 }
          })
          expect(yield* worker.drainOnce).toMatchObject({ claimed: 3, delivered: 2, left: 1 })
          expect(records(yield* helpdesk.asSystem("test").history(tickets[0] as string))).toHaveLength(1)
          expect(records(yield* helpdesk.asSystem("test").history(tickets[1] as string))).toHaveLength(0)
          down.clear()
          yield* TestClock.adjust(60_000)
          expect(yield* worker.drainOnce, "the one left comes back after its lease").toMatchObject({
            claimed: 1,
            delivered: 1
          })
          for (const ticket of tickets)
            expect(records(yield* helpdesk.asSystem("test").history(ticket))).toHaveLength(1)
          expect(yield* outbox.claim("notification", far, 10, 1)).toEqual([])
        })
      )
  )

  it.effect(
    "a worker that stopped after recording a batch but before completing it sends again and records nothing twice",
    () =>
      withDesk((helpdesk, outbox) =>
        Effect.gen(function* () {
          const tickets = yield* openThree(helpdesk)
          const mail = scriptedSender("email")
          const crashing = dyingOnComplete(outbox)
          const worker = yield* Worker.make({
            senders: [mail.sender],
            prepare: prepareOver("email"),
            recordAll: Worker.recordAllOn(helpdesk)
          }).pipe(Effect.provideService(Outbox.Outbox, crashing.outbox))
          expect((yield* Effect.flip(worker.drainOnce))._tag).toBe("StoreUnavailable")
          for (const ticket of tickets)
            expect(records(yield* helpdesk.asSystem("test").history(ticket)), "recorded first").toHaveLength(1)
          crashing.revive()
          yield* TestClock.adjust(worker.settings.leaseMillis)
          expect(yield* worker.drainOnce).toMatchObject({ claimed: 3, delivered: 3 })
          expect(new Set(mail.accepted).size, "sent again under the same keys").toBe(6)
          for (const ticket of tickets)
            expect(records(yield* helpdesk.asSystem("test").history(ticket))).toHaveLength(1)
        })
      )
  )

  it.effect(
    "recordAllOn refuses a message of a workspace it has no help desk for; each is then recorded on its own",
    () =>
      withDesk((helpdesk) =>
        Effect.gen(function* () {
          const [ticket] = yield* openThree(helpdesk)
          const outbox = yield* Outbox.Outbox
          const [message] = yield* outbox.claim("notification", far, 1, 1)
          if (message === undefined) return yield* Effect.die("no message")
          const outcome: Worker.Outcome = {
            ticket: ticket as string,
            outcome: "delivered",
            notification: message.id,
            attempt: 1,
            template: "acknowledgement",
            channel: "email",
            to: ["jane@example.com"],
            at: "2026-03-09T11:16:00.000Z"
          }
          const elsewhere = { ...message, workspaceId: "globex" as Outbox.ClaimedMessage["workspaceId"] }
          const refused = yield* Effect.flip(Worker.recordAllOn(helpdesk)([{ outcome, message: elsewhere }]))
          expect(refused).toMatchObject({ _tag: "NoHelpdesk", workspaceId: "globex" })
          yield* Worker.recordAllOn(helpdesk)([{ outcome, message }])
          expect(records(yield* helpdesk.asSystem("test").history(ticket as string))).toHaveLength(1)
        })
      )
  )
})
