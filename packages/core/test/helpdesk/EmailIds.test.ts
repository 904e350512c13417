/**
 * The help desk and email Message-IDs (issue 16): the same mail taken in twice (a re-delivery, an
 * IMAP re-poll, two processes at once) is refused with `EmailMessageRecorded`, naming the ticket
 * that first recorded it, after one attempt: the retry loop, which decides again after a
 * concurrent write, never retries it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { EmailMessageRecorded } from "../../src/ports/StoreError.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import type { WorkspaceId } from "../../src/values/Ids.js"

const mary = { _tag: "agent", id: "mary" } as const
const email = (messageId: string) => ({ messageId, references: [] })

/** A help desk over a memory store whose appends (single and batched) are counted. */
const counted = Effect.gen(function* () {
  const memory = yield* MemoryTicketStore.makeStore()
  const inner = memory.tickets
  let appends = 0
  const store = TicketStore.of({
    ...inner,
    append: (...args) => {
      appends++
      return inner.append(...args)
    },
    appendAll: (batch) => {
      appends++
      return inner.appendAll(batch)
    }
  })
  const desk = yield* Helpdesk.make({ workspaceId: "acme" }).pipe(
    Effect.provide(
      Layer.mergeAll(
        Layer.succeed(TicketStore, store),
        Layer.succeed(Timers, memory.timers),
        MemoryDirectoryStore.layer,
        IdGenerator.layerSequential
      )
    )
  )
  yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
  return {
    desk,
    store: inner,
    appends: () => appends,
    reset: () => {
      appends = 0
    }
  }
})

describe("email Message-IDs through the help desk", () => {
  it.effect("opening a ticket with a Message-ID already recorded is refused once, naming the first ticket", () =>
    Effect.gen(function* () {
      const { desk, store, appends, reset } = yield* counted
      const input = {
        requester: { email: "jane@example.com" },
        subject: "VPN drops",
        text: "Again.",
        channel: "email" as const,
        email: email("<CAF1@mail.example.com>")
      }
      const first = yield* desk.open(input)
      reset()
      const again = yield* Effect.flip(desk.open(input))
      expect(again).toMatchObject({
        _tag: "EmailMessageRecorded",
        workspaceId: "acme",
        messageId: "<CAF1@mail.example.com>",
        ticketId: first.id
      })
      expect(again).toBeInstanceOf(EmailMessageRecorded)
      expect((again as EmailMessageRecorded).retryable).toBe(false)
      expect(appends(), "appends tried for the refused open").toBe(1)
      expect((yield* desk.asSystem("test").list({})).items.map((t) => t.id)).toEqual([first.id])
      expect(Option.getOrUndefined(yield* store.findByEmailId("acme" as WorkspaceId, "<CAF1@mail.example.com>"))).toBe(
        first.id
      )
    })
  )

  it.effect("a reply or note with a recorded Message-ID is refused once and the ticket is unchanged", () =>
    Effect.gen(function* () {
      const { desk, appends, reset } = yield* counted
      const one = yield* desk.open({
        requester: { email: "jane@example.com" },
        subject: "VPN drops",
        text: "Again.",
        channel: "email",
        email: email("<a@x>")
      })
      const other = yield* desk.open({
        requester: { email: "omar@example.com" },
        subject: "Printer",
        text: "Jammed.",
        channel: "email"
      })
      yield* desk.reply({ ticket: one.id, text: "Any news?", by: mary, email: email("<b@x>") })
      const before = yield* desk.asSystem("test").get(other.id)
      reset()
      for (const messageId of ["<a@x>", "<b@x>"]) {
        const reply = yield* Effect.flip(
          desk.reply({ ticket: other.id, text: "Dup", by: mary, email: email(messageId) })
        )
        expect(reply).toMatchObject({ _tag: "EmailMessageRecorded", messageId, ticketId: one.id })
        const note = yield* Effect.flip(desk.note({ ticket: other.id, text: "Dup", by: mary, email: email(messageId) }))
        expect(note).toMatchObject({ _tag: "EmailMessageRecorded", messageId, ticketId: one.id })
      }
      expect(appends(), "one append per refused command").toBe(4)
      expect(yield* desk.asSystem("test").get(other.id)).toEqual(before)
    })
  )

  it.effect("two opens of the same mail at the same moment: one ticket, the other refused naming it", () =>
    Effect.gen(function* () {
      const { desk } = yield* counted
      const input = {
        requester: { email: "jane@example.com" },
        subject: "VPN drops",
        text: "Again.",
        channel: "email" as const,
        email: email("<race@x>")
      }
      const [a, b] = yield* Effect.all([Effect.result(desk.open(input)), Effect.result(desk.open(input))], {
        concurrency: "unbounded"
      })
      const outcomes = [a, b]
      const opened = outcomes.flatMap((o) => (o._tag === "Success" ? [o.success] : []))
      const refused = outcomes.flatMap((o) => (o._tag === "Failure" ? [o.failure] : []))
      expect(opened).toHaveLength(1)
      expect(refused).toMatchObject([{ _tag: "EmailMessageRecorded", ticketId: opened[0]?.id }])
      expect((yield* desk.asSystem("test").list({})).items).toHaveLength(1)
    })
  )

  it.effect("findByEmailId gives the ticket that first recorded a Message-ID, which a merge leaves", () =>
    Effect.gen(function* () {
      const { desk } = yield* counted
      const requester = { email: "jane@example.com" }
      const target = yield* desk.open({ requester, subject: "VPN", text: "Drops.", channel: "email" })
      const source = yield* desk.open({
        requester,
        subject: "VPN again",
        text: "Still.",
        channel: "email",
        email: email("<src@x>")
      })
      expect(Option.map(yield* desk.asSystem("test").findByEmailId("<src@x>"), (t) => t.id)).toEqual(
        Option.some(source.id)
      )
      expect(yield* desk.asSystem("test").findByEmailId("<nowhere@x>")).toEqual(Option.none())
      yield* desk.merge({ target: target.id, sources: [source.id], by: mary })
      const found = Option.getOrThrow(yield* desk.asSystem("test").findByEmailId("<src@x>"))
      expect(found.id).toBe(source.id)
      expect(found.mergedInto).toBe(target.id)
    })
  )
})
