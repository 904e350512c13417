/**
 * The outbox worker on the in-memory store: deliveries and their record on the ticket, backoff
 * with jitter on the TestClock (a fixed `Random`), dead letters, partial failures, and outcomes
 * that cannot be recorded yet.
 */
import { describe, expect, it } from "@effect/vitest"
import { Helpdesk, MemoryHelpdesk, Outbox, StoreError, type TicketEvent } from "@tessera/core"
import { RecordingTracer } from "@tessera/core/testing"
import { DateTime, Effect, Fiber, Random } from "effect"
import { TestClock } from "effect/testing"
import * as Backoff from "../src/Backoff.js"
import * as Worker from "../src/Worker.js"
import { acknowledge, dyingOnComplete, prepareOver, scriptedSender } from "./support.js"

const start = Date.parse("2026-03-09T11:15:00Z")

/** Random that always draws the middle of the range: full jitter then waits half the ceiling. */
const half = { nextIntUnsafe: () => 0, nextDoubleUnsafe: () => 0.5 }

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

const opens = (helpdesk: Helpdesk.Service) =>
  helpdesk.open({
    requester: { email: "jane@example.com", name: "Jane" },
    subject: "VPN drops every hour",
    text: "It drops at :00.",
    channel: "email"
  })

const notifications = (history: ReadonlyArray<TicketEvent.TicketEvent>) =>
  history.filter((e) => e._tag === "NotificationDelivered" || e._tag === "NotificationFailed")

const far = DateTime.makeUnsafe(start + 365 * 86_400_000)

/** A worker delivering by `mail` and recording on `helpdesk`, with `options` if given. */
const emailWorker = (helpdesk: Helpdesk.Service, mail: ReturnType<typeof scriptedSender>, options?: Worker.Options) =>
  Worker.make({
    senders: [mail.sender],
    prepare: prepareOver("email"),
    record: Worker.recordOn(helpdesk),
    ...(options === undefined ? {} : { options })
  })

describe("Backoff", () => {
  it.effect("the ceiling doubles from the base up to the maximum; the delay is drawn below it", () =>
    Effect.gen(function* () {
      const policy = { baseMillis: 1_000, maxMillis: 10_000 }
      expect([1, 2, 3, 4, 5, 60, 10_000].map((n) => Backoff.ceiling(policy, n))).toEqual([
        1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000
      ])
      const drawn = yield* Backoff.delay(policy, 3).pipe(Effect.provideService(Random.Random, half))
      expect(drawn).toBe(2_000)
      const lowest = yield* Backoff.delay(policy, 3).pipe(
        Effect.provideService(Random.Random, { ...half, nextDoubleUnsafe: () => 0 })
      )
      const highest = yield* Backoff.delay(policy, 3).pipe(
        Effect.provideService(Random.Random, { ...half, nextDoubleUnsafe: () => 0.999_999_9 })
      )
      expect([lowest, highest]).toEqual([0, 4_000])
    })
  )
})

describe("the outbox worker", () => {
  it.effect("sends one delivery per recipient, completes the message and records it on the ticket", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email")
        const worker = yield* emailWorker(helpdesk, mail)
        yield* TestClock.adjust("1 minute")
        expect(yield* worker.drainOnce).toEqual({ claimed: 1, delivered: 1, retried: 0, deadLettered: 0, left: 0 })
        const id = `notification:${ticket.id}:2`
        expect(mail.accepted).toEqual([`${id}:jane@example.com`, `${id}:lin@example.com`])
        expect(yield* outbox.claim("notification", far, 10, 1), "completed").toEqual([])
        const [record] = notifications(yield* helpdesk.asSystem("test").history(ticket.id))
        expect(record).toMatchObject({
          _tag: "NotificationDelivered",
          notification: id,
          attempt: 1,
          template: "acknowledgement",
          channel: "email",
          to: ["jane@example.com", "lin@example.com"]
        })
        expect(record?._tag === "NotificationDelivered" && DateTime.formatIso(record.deliveredAt)).toBe(
          "2026-03-09T11:16:00.000Z"
        )
        expect(yield* worker.drainOnce, "nothing left").toMatchObject({ claimed: 0 })
      })
    )
  )

  it.effect("a retryable failure is retried after an exponential backoff with jitter, then delivered", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email", (_, tried) => (tried < 2 ? "retry" : "ok"))
        const worker = yield* emailWorker(helpdesk, mail, { baseDelayMillis: 10_000, maxDelayMillis: 600_000 })
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, retried: 1 })
        // Attempt 1 failed: ceiling 10 s, the fixed Random draws half of it.
        yield* TestClock.adjust(4_999)
        expect(yield* worker.drainOnce, "not before its retry time").toMatchObject({ claimed: 0 })
        yield* TestClock.adjust(1)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, retried: 1 })
        // Attempt 2 failed: ceiling 20 s, so 10 s.
        yield* TestClock.adjust(9_999)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 0 })
        yield* TestClock.adjust(1)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, delivered: 1 })
        expect(mail.accepted.length).toBe(2)
        expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id))).toMatchObject([
          { _tag: "NotificationDelivered", attempt: 3 }
        ])
        expect(yield* outbox.claim("notification", far, 10, 1)).toEqual([])
      })
    )
  )

  it.effect(
    "a message still failing after maxAttempts becomes a dead letter with its last error, recorded as failed",
    () =>
      withDesk((helpdesk, outbox) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk)
          const mail = scriptedSender("email", () => "retry")
          const worker = yield* emailWorker(helpdesk, mail, {
            maxAttempts: 3,
            baseDelayMillis: 1_000,
            maxDelayMillis: 1_000
          })
          const reports = []
          for (let i = 0; i < 5; i++) {
            reports.push(yield* worker.drainOnce)
            yield* TestClock.adjust("1 second")
          }
          expect(reports.map((r) => [r.retried, r.deadLettered])).toEqual([
            [1, 0],
            [1, 0],
            [0, 1],
            [0, 0],
            [0, 0]
          ])
          const [dead] = yield* outbox.deadLetters(ticket.workspaceId, 10)
          expect(dead).toMatchObject({ id: `notification:${ticket.id}:2`, attempts: 3 })
          expect(dead?.lastError).toBe("email: 421 try later (3)")
          expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id))).toMatchObject([
            {
              _tag: "NotificationFailed",
              attempt: 3,
              error: "email: 421 try later (3)",
              to: ["jane@example.com", "lin@example.com"]
            }
          ])
          // Requeued after a fix, it goes out.
          expect(yield* outbox.requeue(`notification:${ticket.id}:2`)).toBe(true)
          const fixed = yield* Worker.make({
            senders: [scriptedSender("email").sender],
            prepare: prepareOver("email"),
            record: Worker.recordOn(helpdesk)
          })
          expect(yield* fixed.drainOnce).toMatchObject({ delivered: 1 })
          expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id)).map((e) => e._tag)).toEqual([
            "NotificationFailed",
            "NotificationDelivered"
          ])
        })
      )
  )

  it.effect("a failure no retry can help (a refused address, a channel without a sender) dead-letters at once", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email", (d) => (d.recipient.address === "lin@example.com" ? "refuse" : "ok"))
        const worker = yield* emailWorker(helpdesk, mail)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, deadLettered: 1 })
        expect((yield* outbox.deadLetters(ticket.workspaceId, 10)).map((d) => d.lastError)).toEqual([
          "email: 550 5.1.1 unknown user"
        ])
        const second = yield* opens(helpdesk)
        const nowhere = yield* Worker.make({
          senders: [],
          prepare: prepareOver("sms"),
          record: Worker.recordOn(helpdesk)
        })
        expect(yield* nowhere.drainOnce).toMatchObject({ claimed: 1, deadLettered: 1 })
        expect(notifications(yield* helpdesk.asSystem("test").history(second.id))).toMatchObject([
          { _tag: "NotificationFailed", attempt: 1, channel: "sms", error: "sms: no sender for this channel" }
        ])
      })
    )
  )

  it.effect("when one recipient fails, the whole message goes again: the accepted one under the same key", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email", (d, tried) =>
          d.recipient.address === "lin@example.com" && tried === 0 ? "retry" : "ok"
        )
        const worker = yield* emailWorker(helpdesk, mail, { baseDelayMillis: 0 })
        expect(yield* worker.drainOnce).toMatchObject({ retried: 1 })
        expect(yield* worker.drainOnce).toMatchObject({ delivered: 1 })
        const id = `notification:${ticket.id}:2`
        expect(mail.accepted).toEqual([`${id}:jane@example.com`, `${id}:jane@example.com`, `${id}:lin@example.com`])
        expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id))).toHaveLength(1)
      })
    )
  )

  it.effect("an outcome that cannot be recorded yet leaves the message for its lease; sent again, recorded once", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email")
        let down = true
        const record: Worker.Recorder = (outcome, message) =>
          down
            ? Effect.fail(new StoreError.StoreUnavailable({ operation: "append", reason: "connection reset" }))
            : Worker.recordOn(helpdesk)(outcome, message)
        const worker = yield* Worker.make({
          senders: [mail.sender],
          prepare: prepareOver("email"),
          record,
          options: { leaseMillis: 60_000 }
        })
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, left: 1 })
        down = false
        yield* TestClock.adjust(59_999)
        expect(yield* worker.drainOnce, "leased").toMatchObject({ claimed: 0 })
        yield* TestClock.adjust(1)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, delivered: 1 })
        expect(new Set(mail.accepted).size, "repeats share their key").toBe(2)
        expect(mail.accepted.length).toBe(4)
        expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id))).toHaveLength(1)
        expect(yield* outbox.claim("notification", far, 10, 1)).toEqual([])
      })
    )
  )

  it.effect("a worker that stopped after recording but before completing sends again and records nothing twice", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const mail = scriptedSender("email")
        const crashing = dyingOnComplete(outbox)
        const worker = yield* emailWorker(helpdesk, mail).pipe(Effect.provideService(Outbox.Outbox, crashing.outbox))
        expect((yield* Effect.flip(worker.drainOnce))._tag).toBe("StoreUnavailable")
        crashing.revive()
        yield* TestClock.adjust(worker.settings.leaseMillis)
        expect(yield* worker.drainOnce).toMatchObject({ claimed: 1, delivered: 1 })
        expect(notifications(yield* helpdesk.asSystem("test").history(ticket.id))).toHaveLength(1)
      })
    )
  )

  it.effect("each message's attempt is a span Worker.settle, with its outbox id, when a tracer is installed", () =>
    withDesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        const { tracer, named } = RecordingTracer.make()
        const mail = scriptedSender("email")
        const worker = yield* emailWorker(helpdesk, mail)
        yield* TestClock.adjust("1 minute")
        expect(yield* worker.drainOnce.pipe(Effect.withTracer(tracer))).toMatchObject({ delivered: 1 })
        const settled = named("Worker.settle")
        expect(settled.map((span) => span.attributes.get("tessera.outbox_id"))).toEqual([`notification:${ticket.id}:2`])
        expect(settled[0]?.status._tag).toBe("Ended")
      })
    )
  )

  it.effect("run drains as messages come, waiting pollMillis between batches, until interrupted", () =>
    withDesk((helpdesk, outbox) =>
      Effect.gen(function* () {
        const mail = scriptedSender("email")
        const worker = yield* emailWorker(helpdesk, mail, { pollMillis: 1_000 })
        const fiber = yield* Effect.forkChild(worker.run)
        yield* TestClock.adjust(1)
        yield* opens(helpdesk)
        yield* opens(helpdesk)
        expect(mail.accepted.length, "asleep until the next poll").toBe(0)
        yield* TestClock.adjust(1_000)
        expect(mail.accepted.length).toBe(4)
        yield* Fiber.interrupt(fiber)
        yield* opens(helpdesk)
        yield* TestClock.adjust(10_000)
        expect(mail.accepted.length, "stopped").toBe(4)
        expect((yield* outbox.claim("notification", far, 10, 1)).length).toBe(1)
      })
    )
  )
})
