import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import { createHelpdesk } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as Requester from "../../src/helpdesk/Requester.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as C from "../../src/ticket/TicketCommand.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { ContactId, MessageId, TicketId } from "../../src/values/Ids.js"

const mary = { _tag: "agent", id: "mary" } as const
const secret = "zanzibarsecret"

/** A rule that notes, on every new ticket, something the requester must never read. */
const secretNote: Triggers.TriggerRule<Helpdesk.HelpdeskError> = {
  rule: { id: "vip-check", version: 1 },
  fire: ({ current, events }) =>
    Effect.succeed(
      events.some((e) => e._tag === "TicketOpened") && !current.messages.some((m) => m.visibility === "internal")
        ? [
            new C.AddNote({
              ticketId: current.id,
              messageId: `note.${current.id}` as MessageId,
              channel: "web",
              body: { text: `Rule note: ${secret}`, attachments: [] }
            })
          ]
        : []
    )
}

const withHelpdesk = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E, Helpdesk.Helpdesk>) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    yield* helpdesk.saveContact({ id: "jane", name: "Jane", emails: ["jane@example.com"] })
    yield* helpdesk.saveContact({ id: "omar", name: "Omar", emails: ["omar@example.com"] })
    return yield* body(helpdesk)
  }).pipe(
    Effect.provide(
      MemoryHelpdesk.layer(
        { workspaceId: "acme" },
        { ids: "sequential", firstPublicId: 69369, triggers: { rules: [secretNote] } }
      )
    )
  )

/** Solves a ticket and closes it at once (closed only follows solved). */
const close = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.gen(function* () {
    yield* helpdesk.changeStatus({ ticket, status: "solved", by: mary })
    yield* helpdesk.changeStatus({ ticket, status: "closed", by: mary })
  })

const jane = "jane" as ContactId
const omar = "omar" as ContactId
const leaks = (value: unknown) => JSON.stringify(value).includes(secret)

describe("the main service", () => {
  // #12: a requester's open and reply returned the full ticket, a rule-added note included.
  it.effect("a contact's open, reply and follow-up get the public view back; an agent gets the whole ticket", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const opened = yield* helpdesk.open({
          requester: { id: "jane" },
          subject: "Charged twice",
          text: "My card was charged twice.",
          channel: "web"
        })
        expect(opened.messages.map((m) => m.visibility)).toEqual(["public"])
        expect(leaks(opened)).toBe(false)
        const whole = yield* helpdesk.asSystem("test").get(opened.id)
        expect(whole.messages.map((m) => m.visibility)).toEqual(["public", "internal"])
        const replied = yield* helpdesk.reply({
          ticket: opened.id,
          text: "Any news?",
          by: { _tag: "contact", id: jane }
        })
        expect(leaks(replied)).toBe(false)
        yield* close(helpdesk, opened.id)
        const followUp = yield* helpdesk.reply({ ticket: opened.id, text: "Again!", by: { _tag: "contact", id: jane } })
        expect(followUp.id).not.toBe(opened.id)
        expect(leaks(followUp)).toBe(false)
        expect(leaks(yield* helpdesk.asSystem("test").get(followUp.id))).toBe(true)
        const byAgent = yield* helpdesk.open({
          requester: { id: "omar" },
          by: mary,
          subject: "Phone call",
          text: "Called about VPN.",
          channel: "phone"
        })
        expect(leaks(byAgent)).toBe(true)
      })
    )
  )
})

describe("Requester", () => {
  it.effect("every result is the public view: open, reply, follow-up, get, history and list", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const portal = Requester.make(helpdesk, jane)
        const opened = yield* portal.open({
          subject: "Charged twice",
          text: "My card was charged twice.",
          channel: "web"
        })
        expect(opened).toMatchObject({ requester: jane, description: "My card was charged twice." })
        yield* helpdesk.note({ ticket: opened.id, text: `Escalate: ${secret}`, by: mary })
        yield* helpdesk.escalate({ ticket: opened.id, reason: `Reason: ${secret}`, by: mary })
        const replied = yield* portal.reply({ ticket: opened.publicId, text: "Any news?" })
        yield* close(helpdesk, opened.id)
        const followUp = yield* portal.reply({ ticket: opened.publicId, text: "It happened again." })
        expect(followUp.links).toEqual([{ kind: "follow_up_of", ticketId: opened.id }])
        const results = [
          opened,
          replied,
          followUp,
          yield* portal.get(opened.publicId),
          yield* portal.get(followUp.id),
          yield* portal.history(opened.id),
          yield* portal.history(followUp.publicId),
          yield* portal.list(),
          yield* portal.list({ search: "charged" })
        ]
        for (const result of results) expect(leaks(result)).toBe(false)
        expect((yield* portal.history(opened.id)).map((e) => e._tag)).toEqual([
          "TicketOpened",
          "ReplyAdded",
          "StatusChanged",
          "StatusChanged"
        ])
        expect((yield* portal.list()).items.map((t) => t.id)).toEqual([opened.id, followUp.id])
      })
    )
  )

  it.effect("a search for a word only an internal note holds finds nothing; public words still find the ticket", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const portal = Requester.make(helpdesk, jane)
        const opened = yield* portal.open({ subject: "Invoice", text: "The total is wrong.", channel: "web" })
        yield* helpdesk.reply({ ticket: opened.id, text: "We are checking the ledger.", by: mary })
        expect((yield* helpdesk.asSystem("test").list({ search: secret })).items.map((t) => t.id)).toEqual([opened.id])
        expect((yield* portal.list({ search: secret })).items).toEqual([])
        expect((yield* portal.list({ search: "rule note" })).items).toEqual([])
        expect((yield* portal.list({ search: "ledger" })).items.map((t) => t.id)).toEqual([opened.id])
        expect((yield* portal.list({ search: "invoice total" })).items.map((t) => t.id)).toEqual([opened.id])
      })
    )
  )

  it.effect("another contact's ticket fails exactly as a missing one, in get, history, reply and list", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const theirs = yield* Requester.make(helpdesk, omar).open({ subject: "Printer", text: "Jams.", channel: "web" })
        const portal = Requester.make(helpdesk, jane)
        const missingNumber = theirs.publicId + 100
        for (const [ref, missing] of [
          [theirs.publicId, missingNumber],
          [theirs.id, "tkt_404"]
        ] as const) {
          const shown = (error: unknown) => ({ ...(error as object), ticketId: "" })
          const hidden = yield* Effect.flip(portal.get(ref))
          const absent = yield* Effect.flip(portal.get(missing))
          expect(hidden).toMatchObject({ _tag: "TicketNotFound", ticketId: ref })
          expect(absent).toMatchObject({ _tag: "TicketNotFound", ticketId: missing })
          expect(shown(hidden)).toEqual(shown(absent))
          expect(yield* Effect.flip(portal.history(ref))).toEqual(hidden)
          expect(yield* Effect.flip(portal.reply({ ticket: ref, text: "Let me in" }))).toEqual(hidden)
        }
        expect((yield* portal.list({ search: "printer" })).items).toEqual([])
        expect((yield* helpdesk.asSystem("test").get(theirs.id)).messages.map((m) => m.text)).toEqual([
          "Jams.",
          `Rule note: ${secret}`
        ])
      })
    )
  )

  it.effect("a requester cannot widen a query, choose who they are, or set what agents set", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const portal = Requester.make(helpdesk, jane)
        const refused = [
          yield* Effect.flip(portal.list({ requester: omar } as never)),
          yield* Effect.flip(portal.list({ searchIn: "all" } as never)),
          yield* Effect.flip(portal.open({ subject: "x", text: "y", channel: "web", by: mary } as never)),
          yield* Effect.flip(portal.open({ subject: "x", text: "y", channel: "web", assignee: "mary" } as never)),
          yield* Effect.flip(portal.reply({ ticket: 1, text: "y", by: mary } as never))
        ]
        expect(refused.map((e) => e._tag)).toEqual(Array(5).fill("InvalidInput"))
      })
    )
  )

  it.effect("after a merge the source's requester follows the target: its number leads there, in the public view", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const janes = yield* Requester.make(helpdesk, jane).open({ subject: "VPN", text: "Drops.", channel: "web" })
        const omars = yield* Requester.make(helpdesk, omar).open({ subject: "VPN too", text: "Same.", channel: "chat" })
        yield* helpdesk.note({ ticket: omars.id, text: `Omar's note ${secret}`, by: mary })
        yield* helpdesk.merge({ target: janes.id, sources: [omars.id], by: mary })
        const portal = Requester.make(helpdesk, omar)
        const seen = yield* portal.get(omars.publicId)
        expect(seen.id).toBe(janes.id)
        expect(seen.messages.map((m) => m.text)).toEqual(["Drops.", "Same."])
        const history = yield* portal.history(omars.publicId)
        const mergedIn = history.find((e) => e._tag === "MergedIn")
        expect(mergedIn?._tag === "MergedIn" ? mergedIn.messages.map((m) => m.text) : []).toEqual(["Same."])
        expect(leaks([seen, history, yield* portal.get(omars.id), yield* portal.history(omars.id)])).toBe(false)
        const replied = yield* portal.reply({ ticket: omars.publicId, text: "Thanks" })
        expect(replied.id).toBe(janes.id)
        expect(leaks(replied)).toBe(false)
      })
    )
  )

  it.effect("forContact builds the requester's operations from the Helpdesk in context", () =>
    withHelpdesk(() =>
      Effect.gen(function* () {
        const portal = yield* Requester.forContact(jane)
        const opened = yield* portal.open({ subject: "Hello", text: "Hi there.", channel: "web" })
        expect(portal.contact).toBe(jane)
        expect(leaks(opened)).toBe(false)
      })
    )
  )
})

describe("publicEvents", () => {
  const at = DateTime.makeUnsafe(0)
  const by = Actor.agent("mary")
  const ticketId = "tkt_1" as TicketId
  const message = (id: string, visibility: "public" | "internal", text: string) => ({
    id: id as MessageId,
    visibility,
    author: by,
    channel: "web" as const,
    at,
    text,
    html: `<p>${text}</p>`,
    attachments: [{ fileName: `${text}.pdf`, contentType: "application/pdf", size: 1 }]
  })

  it("keeps public types only, takes notes out of the events that carry several, and hides an opening note", () => {
    const opening = new E.TicketOpened({
      ticketId,
      at,
      by,
      workspaceId: "acme" as never,
      publicId: 1 as never,
      subject: "Split off",
      requester: "jane" as ContactId,
      channel: "web",
      priority: "normal",
      status: "new" as never,
      category: "new",
      tags: [],
      customFields: {},
      message: message("m1", "internal", `first ${secret}`)
    })
    const events: ReadonlyArray<E.TicketEvent> = [
      opening,
      new E.SplitReceived({
        ticketId,
        at,
        by,
        from: "tkt_0" as TicketId,
        messages: [message("m2", "public", "visible"), message("m3", "internal", `n ${secret}`)]
      }),
      new E.NoteAdded({ ticketId, at, by, message: message("m4", "internal", `note ${secret}`) }),
      new E.Escalated({ ticketId, at, by, from: 1, to: 2, reason: `why ${secret}` }),
      new E.LinkAdded({ ticketId, at, by, link: { kind: "related", ticketId: "tkt_9" as TicketId } }),
      new E.NotificationRequested({ ticketId, at, by, template: secret, to: ["requester"] }),
      new E.MessagesSplitOff({
        ticketId,
        at,
        by,
        to: "tkt_2" as TicketId,
        toPublicId: 2 as never,
        messageIds: ["m2", "m3"] as Array<MessageId>
      }),
      // An event type this module has never heard of (one added later) stays hidden.
      { _tag: "RulesFailed", ticketId, at, by, reason: secret } as unknown as E.TicketEvent
    ]
    const shown = Requester.publicEvents(events)
    expect(shown.map((e) => e._tag)).toEqual(["TicketOpened", "SplitReceived", "MessagesSplitOff"])
    expect(leaks(shown)).toBe(false)
    const [opened, received, splitOff] = shown
    // #12 (a new user's trial): the emptied note still showed its id, visibility and author.
    expect(opened?._tag === "TicketOpened" && opened.message).toEqual({
      id: "opening",
      visibility: "public",
      author: by,
      channel: "web",
      at,
      text: "",
      attachments: []
    })
    expect(JSON.stringify(shown)).not.toContain("m1")
    expect(received?._tag === "SplitReceived" && received.messages.map((m) => m.id)).toEqual(["m2"])
    expect(splitOff?._tag === "MessagesSplitOff" && splitOff.messageIds).toEqual(["m2"])
  })
})

describe("Requester, time", () => {
  it.effect("a follow-up after the close delay is the requester's, in the public view", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const portal = Requester.make(helpdesk, jane)
        const opened = yield* portal.open({ subject: "Wifi", text: "Slow.", channel: "web" })
        yield* helpdesk.changeStatus({ ticket: opened.id, status: "solved", by: mary })
        yield* TestClock.adjust("30 days")
        yield* helpdesk.runDueTimers()
        const followUp = yield* portal.reply({ ticket: opened.publicId, text: "Slow again." })
        expect(followUp.id).not.toBe(opened.id)
        expect(followUp.messages.map((m) => m.text)).toEqual(["Slow again."])
        expect(yield* portal.get(followUp.publicId)).toEqual(followUp)
      })
    )
  )
})

describe("forRequester (Promise facade)", () => {
  // #12: the facade had no requester-facing read path; a portal got internal notes back.
  it("a contact's operations resolve with public JSON only; others' tickets reject as missing", async () => {
    const helpdesk = await createHelpdesk({ workspaceId: "acme", firstPublicId: 69369, ids: "sequential" })
    try {
      await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const customer = await helpdesk.saveContact({ name: "Jane Sharpe", emails: ["jane.sharpe@example.com"] })
      // #region portal
      // After your portal has signed the customer in, it acts as that contact only.
      const portal = helpdesk.forRequester(customer.id)
      const ticket = await portal.open({ subject: "Charged twice", text: "My card was charged twice.", channel: "web" })
      await helpdesk.note({ ticket: ticket.id, by: mary, text: "Card flagged by fraudcheck" }) // agents only
      const seen = await portal.get(ticket.publicId) // the public view: no note
      const timeline = await portal.history(ticket.publicId) // public events only
      const mine = await portal.list({ search: "charged" }) // the contact's tickets, public text only
      await portal.reply({ ticket: ticket.publicId, text: "Any news?" })
      // #endregion
      for (const result of [ticket, seen, timeline, mine]) expect(JSON.stringify(result)).not.toContain("fraudcheck")
      expect(seen).toMatchObject({ publicId: 69369, description: "My card was charged twice." })
      expect(timeline.map((e) => e._tag)).toEqual(["TicketOpened"])
      expect(mine.items.map((t) => t.publicId)).toEqual([69369])
      expect((await portal.list({ search: "fraudcheck" })).items).toEqual([])
      expect((await helpdesk.asSystem("test").list({ search: "fraudcheck" })).items).toHaveLength(1)
      // The conversation page by page: the contact's pages skip the note, an agent's hold it.
      const pages = await portal.messages(ticket.publicId, { limit: 1 })
      const rest = await portal.messages(ticket.publicId, { limit: 1, cursor: pages.nextCursor ?? "" })
      expect([...pages.items, ...rest.items].map((m) => m.text)).toEqual(["My card was charged twice.", "Any news?"])
      expect(rest.nextCursor).toBeUndefined()
      expect((await helpdesk.asSystem("test").messages(ticket.publicId)).items).toHaveLength(3)
      // #region not-theirs
      const stranger = helpdesk.forRequester("omar")
      const hidden = await stranger.get(69369).catch((error) => error)
      // hidden._tag === "TicketNotFound", exactly as for a number that does not exist
      // #endregion
      const missing = await stranger.get(69999).catch((error) => error)
      expect(hidden).toMatchObject({ _tag: "TicketNotFound", ticketId: 69369 })
      expect(missing).toMatchObject({ _tag: "TicketNotFound", ticketId: 69999 })
      expect((await stranger.list()).items).toEqual([])
    } finally {
      await helpdesk.close()
    }
  })
})
