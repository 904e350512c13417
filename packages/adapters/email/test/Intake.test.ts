import { describe, expect, it } from "@effect/vitest"
import {
  Actor,
  Helpdesk,
  IdGenerator,
  IntakeGuard,
  MemoryDirectoryStore,
  MemoryIntakeGuard,
  MemoryTicketStore,
  TicketStore
} from "@tessera/core"
import { Effect, Fiber, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import * as Intake from "../src/Intake.js"
import { intake } from "../src/Intake.js"
import * as MemoryReviewQueue from "../src/MemoryReviewQueue.js"
import { ReviewQueue } from "../src/ReviewQueue.js"
import * as Signature from "../src/Signature.js"
import { keys, layer, mail, own, workspaceId } from "./support/mail.js"

const attachment = {
  fileName: "invoice.pdf",
  contentType: "application/pdf",
  size: 48_213,
  sha256: "ab".repeat(32),
  location: "acme/att_1",
  contentId: undefined,
  inline: false
}

describe("intake", () => {
  it.effect("mail from a new address opens a ticket for a new contact, with its attachments' metadata", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const message = mail("Jane@Customer.test", {
        from: { name: "Jane Sharpe", address: "jane@customer.test" },
        subject: "  Charged   twice ",
        text: "I was charged twice.\n\n> old quote",
        visibleText: "I was charged twice.",
        html: "<p>I was charged twice.</p>",
        attachments: [
          attachment,
          {
            ...attachment,
            fileName: "",
            contentType: "not a type",
            location: "acme/att_2",
            contentId: "logo@x",
            inline: true
          }
        ]
      })
      const result = yield* intake(message)
      expect(result.outcome._tag).toBe("Opened")
      expect(result.acknowledge).toBe(true)
      if (result.outcome._tag !== "Opened") return
      const ticket = yield* helpdesk.asSystem("test").get(result.outcome.ticket.id)
      const jane = yield* helpdesk.findContactByEmail("jane@customer.test")
      expect(jane._tag === "Some" && jane.value.name).toBe("Jane Sharpe")
      expect(ticket.subject).toBe("Charged twice")
      expect(ticket.channel).toBe("email")
      const [first] = ticket.messages
      expect(first?.text).toBe("I was charged twice.")
      expect(first?.html).toBe("<p>I was charged twice.</p>")
      expect(first?.attachments).toEqual([
        { fileName: "invoice.pdf", contentType: "application/pdf", size: 48_213, location: "acme/att_1" },
        {
          fileName: "attachment",
          contentType: "application/octet-stream",
          size: 48_213,
          location: "acme/att_2",
          contentId: "logo@x"
        }
      ])
      expect(first?.email).toEqual({ messageId: message.threading.messageId, references: [] })
    }).pipe(Effect.provide(layer()))
  )

  it.effect("control headers are stripped before anything reads the message", () =>
    Effect.gen(function* () {
      const message = mail("jane@customer.test", {
        headers: [
          { name: "x-tessera-priority", value: "urgent" },
          { name: "X-Tessera-Assignee", value: "mary" },
          { name: "x-spam-verdict", value: "clean" },
          { name: "subject", value: "Hello" }
        ]
      })
      const result = yield* intake(message)
      expect(result.removedHeaders).toEqual(["x-tessera-priority", "X-Tessera-Assignee", "x-spam-verdict"])
      const held = yield* intake(mail("support@acme.test", { headers: message.headers }))
      expect(held.outcome._tag === "Held" && held.outcome.held.message?.headers).toEqual([
        { name: "subject", value: "Hello" }
      ])
    }).pipe(Effect.provide(layer({ controlHeaders: ["X-Spam-Verdict"] })))
  )

  it.effect("CCs follow a ticket the message opens, never one it replies to", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const first = yield* intake(
        mail("jane@customer.test", {
          cc: [
            { name: "Carl", address: "carl@customer.test" },
            { name: "", address: "support@acme.test" },
            { name: "", address: "jane@customer.test" }
          ]
        })
      )
      if (first.outcome._tag !== "Opened") return expect.unreachable(first.outcome._tag)
      const carl = yield* helpdesk.findContactByEmail("carl@customer.test")
      expect(carl._tag).toBe("Some")
      const ticket = yield* helpdesk.asSystem("test").get(first.outcome.ticket.id)
      expect(ticket.followers).toEqual([{ _tag: "contact", id: carl._tag === "Some" ? carl.value.id : "" }])
      expect(ticket.requester).not.toBe(carl._tag === "Some" ? carl.value.id : "")

      const reply = yield* intake(
        mail("jane@customer.test", {
          threading: { plusTokens: [Signature.token(keys, workspaceId, ticket.publicId)] },
          cc: [{ name: "Dora", address: "dora@customer.test" }]
        })
      )
      expect(reply.outcome._tag).toBe("Replied")
      const after = yield* helpdesk.asSystem("test").get(ticket.id)
      expect(after.followers).toEqual(ticket.followers)
      expect((yield* helpdesk.findContactByEmail("dora@customer.test"))._tag).toBe("None")
    }).pipe(Effect.provide(layer()))
  )

  it.effect("with cc: ignore, nobody copied becomes a follower", () =>
    Effect.gen(function* () {
      const result = yield* intake(mail("jane@customer.test", { cc: [{ name: "", address: "carl@customer.test" }] }))
      expect(result.outcome._tag === "Opened" && result.outcome.ticket.followers).toEqual([])
    }).pipe(Effect.provide(layer({ cc: "ignore" })))
  )

  it.effect("the same Message-ID twice is one ticket, one after the other and at the same time", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const message = mail("jane@customer.test")
      const first = yield* intake(message)
      const again = yield* intake(message)
      expect(first.outcome._tag).toBe("Opened")
      expect(again.outcome).toEqual({
        _tag: "Duplicate",
        ticketId: first.outcome._tag === "Opened" ? first.outcome.ticket.id : ""
      })
      expect(again.acknowledge).toBe(false)

      const burst = mail("carl@customer.test")
      const results = yield* Effect.forEach(
        Array.from({ length: 8 }, () => burst),
        intake,
        { concurrency: "unbounded" }
      )
      expect(results.filter((r) => r.outcome._tag === "Opened")).toHaveLength(1)
      expect(results.filter((r) => r.outcome._tag === "Duplicate")).toHaveLength(7)
      const page = yield* helpdesk.asSystem("test").list()
      expect(page.items).toHaveLength(2)
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a message the guard forgot is still recognised by the store's index of Message-IDs", () =>
    Effect.gen(function* () {
      const message = mail("jane@customer.test")
      const first = yield* intake(message)
      // Another process's guard, or this one after its memory lapsed: the key is free again.
      yield* TestClock.adjust("8 days")
      const again = yield* intake(message)
      expect(again.outcome).toEqual({
        _tag: "Duplicate",
        ticketId: first.outcome._tag === "Opened" ? first.outcome.ticket.id : ""
      })
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a failure that a retry may cure gives the claim up, so the retry takes the message in", () =>
    Effect.gen(function* () {
      const guard = yield* IntakeGuard.IntakeGuard
      const message = mail("jane@customer.test")
      const key = `${workspaceId}:email:${message.threading.messageId}`
      expect((yield* guard.claim(key, 60_000))._tag).toBe("Claimed")
      expect((yield* intake(message)).outcome._tag).toBe("Duplicate")
      yield* guard.release(key)
      expect((yield* intake(message)).outcome._tag).toBe("Opened")
    }).pipe(Effect.provide(layer()))
  )

  it.effect("auto-replies, bounces and lists are taken in but never acknowledged, and the ticket records it", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      for (const kind of ["auto-reply", "bounce", "list"] as const) {
        const result = yield* intake(
          mail(`${kind}@customer.test`, { classification: { kind, reasons: [`because ${kind}`] } })
        )
        expect(result.outcome._tag).toBe("Opened")
        expect(result.acknowledge).toBe(false)
        expect(result.reasons).toContain(`because ${kind}`)
        if (result.outcome._tag !== "Opened") continue
        const ticket = yield* helpdesk.asSystem("test").get(result.outcome.ticket.id)
        expect(ticket.messages[0]?.email?.automated).toBe(true)
      }
      const human = yield* intake(mail("jane@customer.test"))
      expect(human.acknowledge).toBe(true)
    }).pipe(Effect.provide(layer()))
  )

  it.effect("the help desk's own mail is recognised and never answered", () =>
    Effect.gen(function* () {
      const review = yield* ReviewQueue
      const looped = yield* intake(
        mail("someone@customer.test", { threading: { messageId: "t1.x.n1@mail.acme.test" } })
      )
      expect(looped.outcome).toEqual({ _tag: "Ignored", reason: "the help desk's own message" })
      expect(looped.acknowledge).toBe(false)
      const fromUs = yield* intake(mail("Support+t1.abc@ACME.test"))
      expect(fromUs.outcome._tag).toBe("Held")
      expect(fromUs.acknowledge).toBe(false)
      expect((yield* review.list(workspaceId)).map((h) => h.reason)).toEqual(["from-own-address"])
      expect((yield* (yield* Helpdesk.Helpdesk).asSystem("test").list()).items).toEqual([])
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a sender over the rate limit is held for review until the window passes", () =>
    Effect.gen(function* () {
      const outcomes: Array<string> = []
      for (let i = 0; i < 4; i++) outcomes.push((yield* intake(mail("flood@customer.test"))).outcome._tag)
      expect(outcomes).toEqual(["Opened", "Opened", "Opened", "Held"])
      expect((yield* intake(mail("other@customer.test"))).outcome._tag).toBe("Opened")
      yield* TestClock.adjust("1 hour")
      expect((yield* intake(mail("flood@customer.test"))).outcome._tag).toBe("Opened")
      const held = yield* (yield* ReviewQueue).list(workspaceId)
      expect(held.map((h) => [h.reason, h.from])).toEqual([["rate-limited", "flood@customer.test"]])
    }).pipe(Effect.provide(layer({ rateLimit: { perSender: 3, windowMillis: 60 * 60 * 1000 } })))
  )

  it.effect("with onRefused: hold, a refused clue is held instead of opening a ticket; no clue still opens one", () =>
    Effect.gen(function* () {
      const jane = yield* intake(mail("jane@customer.test"))
      const publicId = jane.outcome._tag === "Opened" ? jane.outcome.ticket.publicId : 0
      const spoof = yield* intake(mail("mallory@attacker.test", { threading: { subjectNumber: publicId } }))
      expect(spoof.outcome._tag).toBe("Held")
      expect(spoof.refused).toEqual([{ clue: { kind: "subject", value: `#${publicId}` }, reason: "not-a-participant" }])
      expect((yield* intake(mail("mallory@attacker.test"))).outcome._tag).toBe("Opened")
    }).pipe(Effect.provide(layer({ onRefused: "hold" })))
  )

  it.effect("mail without a sender, and mail the help desk refuses, are held, not lost", () =>
    Effect.gen(function* () {
      const review = yield* ReviewQueue
      const anonymous = yield* intake({ ...mail("x@customer.test"), from: undefined })
      expect(anonymous.outcome._tag).toBe("Held")
      const invalid = yield* intake(mail("not an address"))
      expect(invalid.outcome._tag === "Held" && invalid.outcome.held.reason).toBe("refused")
      const unparsed = yield* Intake.holdUnparsed({ rawLocation: "acme/raw_9", detail: "truncated multipart" })
      const held = yield* review.list(workspaceId)
      expect(held.map((h) => [h.reason, h.rawLocation])).toEqual([
        ["no-sender", undefined],
        ["refused", undefined],
        ["unparseable", "acme/raw_9"]
      ])
      yield* review.release(workspaceId, unparsed.id)
      expect(yield* review.list(workspaceId)).toHaveLength(2)
      expect(yield* review.list("globex")).toEqual([])
    }).pipe(Effect.provide(layer()))
  )

  it.effect(
    "a reply from the requester to a solved ticket reopens it; a held claim makes a concurrent copy a duplicate",
    () =>
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
        const opened = yield* intake(mail("jane@customer.test"))
        if (opened.outcome._tag !== "Opened") return expect.unreachable()
        const id = opened.outcome.ticket.id
        yield* helpdesk.changeStatus({ ticket: id, by: Actor.agent("mary"), status: "solved" })
        const reply = mail("jane@customer.test", { threading: { subjectNumber: opened.outcome.ticket.publicId } })
        const fiber = yield* Effect.forkChild(Effect.all([intake(reply), intake(reply)], { concurrency: 2 }))
        const [a, b] = yield* Fiber.join(fiber)
        expect([a.outcome._tag, b.outcome._tag].sort()).toEqual(["Duplicate", "Replied"])
        expect((yield* helpdesk.asSystem("test").get(id)).category).toBe("open")
      }).pipe(Effect.provide(layer()))
  )

  it.effect(
    "when another process records the Message-ID first, the store refuses the second copy and it is a duplicate",
    () => {
      // A store whose index of Message-IDs always misses: the window between the check and the
      // append that two processes taking in one mail at once both pass through.
      let lookups = 0
      const store = MemoryTicketStore.layer({ firstPublicId: 69369 })
      const blind = Layer.effect(
        TicketStore.TicketStore,
        Effect.map(TicketStore.TicketStore, (s) =>
          TicketStore.TicketStore.of({
            ...s,
            findByEmailId: () => Effect.sync(() => void lookups++).pipe(Effect.as(Option.none()))
          })
        )
      ).pipe(Layer.provide(store))
      const services = Layer.mergeAll(
        Intake.layer({ keys, own }),
        MemoryIntakeGuard.layer,
        MemoryReviewQueue.layer
      ).pipe(
        Layer.provideMerge(Helpdesk.layer({ workspaceId })),
        Layer.provideMerge(
          Layer.provideMerge(blind, Layer.mergeAll(store, MemoryDirectoryStore.layer, IdGenerator.layerSequential))
        )
      )
      return Effect.gen(function* () {
        const message = mail("jane@customer.test")
        const first = yield* intake(message)
        yield* TestClock.adjust("8 days")
        const second = yield* intake(message)
        expect(lookups).toBeGreaterThanOrEqual(2)
        expect(second.outcome).toEqual({
          _tag: "Duplicate",
          ticketId: first.outcome._tag === "Opened" ? first.outcome.ticket.id : ""
        })
        expect((yield* (yield* Helpdesk.Helpdesk).asSystem("test").list()).items).toHaveLength(1)
      }).pipe(Effect.provide(services))
    }
  )

  it.effect("clues naming numbers no ticket can have open a ticket, they do not fail intake", () =>
    Effect.gen(function* () {
      const huge = 999_999_999_999_999
      const result = yield* intake(
        mail("jane@customer.test", {
          threading: {
            subjectNumber: huge,
            plusTokens: [`t${huge}`, Signature.token(keys, workspaceId, huge)],
            inReplyTo: [`${Signature.token(keys, workspaceId, huge)}.n1@mail.acme.test`]
          }
        })
      )
      expect(result.outcome._tag).toBe("Opened")
      expect(result.refused.map((r) => [r.clue.kind, r.reason])).toEqual([
        ["signed-address", "unknown-ticket"],
        ["signed-message-id", "unknown-ticket"],
        ["subject", "unknown-ticket"],
        ["address", "unknown-ticket"]
      ])
    }).pipe(Effect.provide(layer()))
  )

  it.effect(
    "a reply to mail recorded on a merged ticket joins its target, also from someone who follows only the target",
    () =>
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
        const first = mail("jane@customer.test")
        const source = yield* intake(first)
        const target = yield* intake(mail("jane@customer.test"))
        if (source.outcome._tag !== "Opened" || target.outcome._tag !== "Opened") return expect.unreachable()
        const dora = yield* helpdesk.saveContact({ name: "Dora", emails: ["dora@customer.test"] })
        yield* helpdesk.addFollower({
          ticket: target.outcome.ticket.id,
          by: Actor.agent("mary"),
          follower: Actor.contact(dora.id)
        })
        yield* helpdesk.merge({
          target: target.outcome.ticket.id,
          sources: [source.outcome.ticket.id],
          by: Actor.agent("mary")
        })
        const id = first.threading.messageId as string
        for (const sender of ["jane@customer.test", "dora@customer.test"]) {
          const result = yield* intake(mail(sender, { threading: { inReplyTo: [id], references: [id] } }))
          expect(result.outcome).toMatchObject({ _tag: "Replied", trust: "participant" })
          expect(result.outcome._tag === "Replied" && result.outcome.ticket.id).toBe(target.outcome.ticket.id)
        }
      }).pipe(Effect.provide(layer()))
  )
})
