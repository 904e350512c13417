/**
 * #16: whatever path a message comes by, the HTML a read returns is sanitised. Every way HTML
 * enters a ticket is enumerated here (the commands that carry a body, decided directly or through
 * the `Helpdesk`, the requester's service and the Promise facade; merges and splits that copy
 * messages) and each is shown to record sanitised HTML. Messages stored before sanitising existed
 * (raw HTML appended straight to the store) come out sanitised from every read.
 */
import { DateTime, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { createHelpdesk } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import * as Decider from "../../src/testing/Decider.js"
import { decide } from "../../src/ticket/decide.js"
import * as C from "../../src/ticket/TicketCommand.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as TicketHtml from "../../src/ticket/TicketHtml.js"
import * as Html from "../../src/values/Html.js"
import type { AgentId, ContactId, MessageId, TicketId } from "../../src/values/Ids.js"
import type { Message } from "../../src/values/Message.js"

const raw = `<p onclick="steal()">Hello <img src="http://tracker.test/p.gif"><script>steal()</script><a href="javascript:steal()">x</a></p>`
const safe = Html.sanitize(raw)
const mary = { _tag: "agent", id: "mary" as AgentId } as const
const jane = { _tag: "contact", id: "jane" as ContactId } as const
const ticketId = Decider.opened().ticketId

/** Every HTML body found in a value (events, tickets, pages), wherever it sits. */
const htmlIn = (value: unknown): ReadonlyArray<string> => {
  const found: Array<string> = []
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit)
    else if (typeof v === "object" && v !== null)
      for (const [key, field] of Object.entries(v))
        key === "html" && typeof field === "string" ? found.push(field) : visit(field)
  }
  visit(value)
  return found
}

const expectOnlySafe = (value: unknown) => {
  const bodies = htmlIn(value)
  expect(bodies.length).toBeGreaterThan(0)
  for (const html of bodies) {
    expect(html).not.toMatch(/script|onclick|javascript:|tracker\.test/)
    expect(Html.sanitize(html)).toBe(html)
  }
}

/** A help desk on a memory store, the store itself (unwrapped) to look at what was recorded. */
const setup = Effect.gen(function* () {
  const memory = yield* MemoryTicketStore.makeStore()
  const desk = yield* Helpdesk.make({ workspaceId: "acme" }).pipe(
    Effect.provide(
      Layer.mergeAll(
        Layer.succeed(TicketStore, memory.tickets),
        Layer.succeed(Timers, memory.timers),
        MemoryDirectoryStore.layer,
        IdGenerator.layerSequential
      )
    )
  )
  yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
  yield* desk.saveContact({ id: "jane", name: "Jane Sharpe", emails: ["jane@example.com"] })
  const recorded = (ticketId: string) => Effect.map(memory.tickets.read(ticketId as TicketId), (s) => s.events)
  return { desk, store: memory.tickets, recorded }
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("every path by which HTML enters a ticket records it sanitised", () => {
  it("the commands that carry a body are exactly OpenTicket, AddReply and AddNote", () => {
    const withBody = C.TicketCommand.members
      .filter((member) => "body" in member.fields)
      .map((member) => member.identifier)
    expect(withBody.sort()).toEqual(["AddNote", "AddReply", "OpenTicket"])
  })

  it("decide sanitises the body of each of them, whoever sends the command (rules, importers, the Helpdesk)", async () => {
    const body = { text: "", html: raw, attachments: [] }
    const ctx = Decider.context({ actor: mary })
    const state = Decider.given([Decider.opened({ assignee: "mary", status: "open" })]).state
    const opened = await run(
      decide(
        undefined,
        new C.OpenTicket({
          ticketId: "tkt_9" as TicketId,
          workspaceId: Decider.opened().workspaceId,
          publicId: Decider.opened().publicId,
          messageId: "msg_1" as MessageId,
          subject: "Hi",
          requester: Decider.opened().requester,
          channel: "web",
          tags: [],
          customFields: {},
          body
        }),
        ctx
      )
    )
    const replied = await run(
      decide(state, new C.AddReply({ ticketId: ticketId, messageId: "msg_2" as MessageId, channel: "web", body }), ctx)
    )
    const noted = await run(
      decide(state, new C.AddNote({ ticketId: ticketId, messageId: "msg_3" as MessageId, channel: "web", body }), ctx)
    )
    for (const events of [opened, replied, noted]) {
      expectOnlySafe(events)
      expect(htmlIn(events)).toEqual([safe])
    }
  })

  it("a body whose HTML is nothing but script is an empty message", async () => {
    const state = Decider.given([Decider.opened({ assignee: "mary", status: "open" })]).state
    const error = await run(
      Effect.flip(
        decide(
          state,
          new C.AddNote({
            ticketId: ticketId,
            messageId: "msg_2" as MessageId,
            channel: "web",
            body: { text: " ", html: "<script>steal()</script>", attachments: [] }
          }),
          Decider.context({ actor: mary })
        )
      )
    )
    expect(error._tag).toBe("EmptyMessage")
  })

  it("Helpdesk open, reply and note, and the requester's open and reply, record sanitised HTML", async () => {
    await run(
      Effect.gen(function* () {
        const { desk, recorded } = yield* setup
        const ticket = yield* desk.open({
          requester: { id: "jane" },
          subject: "Hi",
          text: "t",
          html: raw,
          channel: "web"
        })
        yield* desk.reply({ ticket: ticket.id, by: mary, text: "t", html: raw })
        yield* desk.note({ ticket: ticket.id, by: mary, text: "t", html: raw })
        const portal = desk.forRequester("jane")
        const own = yield* portal.open({ subject: "Mine", text: "t", html: raw, channel: "web" })
        yield* portal.reply({ ticket: own.id, text: "t", html: raw })
        const events = [...(yield* recorded(ticket.id)), ...(yield* recorded(own.id))]
        expect(htmlIn(events)).toEqual([safe, safe, safe, safe, safe])
      })
    )
  })

  it("the Promise facade records sanitised HTML", async () => {
    const helpdesk = await createHelpdesk({ workspaceId: "acme", ids: "sequential" })
    try {
      await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const ticket = await helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "Hi",
        text: "t",
        html: raw,
        channel: "email"
      })
      await helpdesk.reply({ ticket: ticket.id, by: mary, text: "t", html: raw })
      await helpdesk.note({ ticket: ticket.id, by: mary, text: "t", html: raw })
      const history = await helpdesk.asSystem("test").history(ticket.id)
      expect(htmlIn(history)).toEqual([safe, safe, safe])
    } finally {
      await helpdesk.close()
    }
  })
})

describe("messages stored before sanitising existed come out sanitised", () => {
  /** A ticket whose second message was appended straight to the store with raw HTML. */
  const legacy = Effect.gen(function* () {
    const context = yield* setup
    const { desk, store } = context
    const ticket = yield* desk.open({ requester: { id: "jane" }, subject: "Old", text: "first", channel: "email" })
    const at = DateTime.makeUnsafe("2020-01-01T00:00:00Z")
    const message: Message = {
      id: "msg_legacy" as MessageId,
      visibility: "public",
      author: jane,
      channel: "email",
      at,
      text: "legacy",
      html: raw,
      attachments: []
    }
    yield* store.append(ticket.id, 1, [new E.ReplyAdded({ ticketId: ticket.id, at, by: jane, message })])
    return { ...context, ticket }
  })

  it("get, messages, history and the requester's views return sanitised HTML", async () => {
    await run(
      Effect.gen(function* () {
        const { desk, ticket, store } = yield* legacy
        expect(htmlIn((yield* store.read(ticket.id)).events)).toEqual([raw])
        expectOnlySafe(yield* desk.asSystem("test").get(ticket.id))
        expectOnlySafe(yield* desk.asSystem("test").messages(ticket.id))
        expectOnlySafe(yield* desk.asSystem("test").history(ticket.id))
        const portal = desk.forRequester("jane")
        expectOnlySafe(yield* portal.get(ticket.id))
        expectOnlySafe(yield* portal.messages(ticket.id))
        expectOnlySafe(yield* portal.history(ticket.id))
      })
    )
  })

  it("a merge and a split copy the legacy message sanitised", async () => {
    await run(
      Effect.gen(function* () {
        const { desk, ticket, recorded } = yield* legacy
        const target = yield* desk.open({ requester: { id: "jane" }, subject: "New", text: "t", channel: "email" })
        yield* desk.merge({ target: target.id, sources: [ticket.id], by: mary })
        const mergedIn = (yield* recorded(target.id)).filter((event) => event._tag === "MergedIn")
        expect(htmlIn(mergedIn)).toEqual([safe])
        const split = yield* desk.split({ ticket: target.id, by: mary, messages: ["msg_legacy"] })
        expectOnlySafe(yield* recorded(split.id))
      })
    )
  })

  it("TicketHtml.sanitizeEvent covers every event that carries messages, and leaves the others as they are", () => {
    const carrying = E.TicketEvent.members.filter((member) => "message" in member.fields || "messages" in member.fields)
    expect(carrying.map((member) => member.identifier).sort()).toEqual([
      "MergedIn",
      "NoteAdded",
      "ReplyAdded",
      "SplitReceived",
      "TicketOpened"
    ])
    const opened = Decider.opened()
    const message = { ...opened.message, html: raw }
    const events = [
      new E.TicketOpened({ ...opened, message }),
      new E.ReplyAdded({ ticketId: opened.ticketId, at: opened.at, by: jane, message }),
      new E.NoteAdded({ ticketId: opened.ticketId, at: opened.at, by: mary, message }),
      new E.SplitReceived({
        ticketId: opened.ticketId,
        at: opened.at,
        by: mary,
        from: opened.ticketId,
        messages: [message]
      })
    ]
    for (const event of events) {
      const sanitised = TicketHtml.sanitizeEvent(event)
      expect(sanitised._tag).toBe(event._tag)
      expect(htmlIn(sanitised)).toEqual([safe])
      expect(TicketHtml.sanitizeEvent(sanitised)).toBe(sanitised)
    }
    expect(TicketHtml.sanitizeEvent(opened)).toBe(opened)
  })
})
