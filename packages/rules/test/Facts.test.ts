import { TicketCommand as C, decide, type Ids, Status, Ticket, type TicketEvent } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as UnitFacts from "../src/internal/unitFacts.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

const now = DateTime.makeUnsafe("2025-05-01T09:15:00Z")
const ctx = (actor: { readonly _tag: "agent" | "contact"; readonly id: string }) =>
  ({ now, actor, workflow: Status.defaultWorkflow, customFields: [] }) as never
const ticketId = "tkt_1" as Ids.TicketId

const opened = Effect.runSync(
  decide(
    undefined,
    new C.OpenTicket({
      ticketId,
      workspaceId: "acme" as Ids.WorkspaceId,
      publicId: 69369 as Ids.PublicId,
      messageId: "msg_1" as Ids.MessageId,
      subject: "Charged twice",
      requester: "jane" as Ids.ContactId,
      channel: "email",
      tags: [],
      customFields: {},
      body: { text: "I was charged twice, @mary?", attachments: [] }
    }),
    ctx({ _tag: "contact", id: "jane" })
  )
)
const before = Ticket.fold(opened) as Ticket.Ticket
const note = (id: string, text: string, state: Ticket.Ticket) =>
  Effect.runSync(
    decide(
      state,
      new C.AddNote({ ticketId, messageId: id as Ids.MessageId, channel: "web", body: { text, attachments: [] } }),
      ctx({ _tag: "agent", id: "ann" })
    )
  )

describe("facts of a unit of work", () => {
  it("hold the handles its notes mention, each once, the same from factsOf and the per-unit tracker", () => {
    const first = note("msg_2", "@Mary can you refund? @bob FYI", before)
    const events: Array<TicketEvent.TicketEvent> = [...first]
    const middle = Ticket.fold(first, before) as Ticket.Ticket
    events.push(...note("msg_3", "@bob and @eve, see above", middle))
    const current = Ticket.fold(events, before) as Ticket.Ticket
    const context = { before, current, events, now, pass: 1 }
    const tracked = UnitFacts.tracker({}, { tiers: false, classification: false, replies: false })
    expect(RuleTriggers.factsOf(context).mentions).toEqual(["mary", "bob", "eve"])
    // The tracker reads a unit's events as they come: first one note, then both.
    expect(tracked({ ...context, events: events.slice(0, 1), current: middle }).mentions).toEqual(["mary", "bob"])
    expect(tracked(context).mentions).toEqual(["mary", "bob", "eve"])
  })

  it("have no mentions when no note of the unit mentions anyone (a customer's @ is no mention)", () => {
    const context = { before: undefined, current: before, events: opened, now, pass: 1 }
    expect(RuleTriggers.factsOf(context).mentions).toBeUndefined()
    const tracked = UnitFacts.tracker({}, { tiers: false, classification: false, replies: false })
    expect(tracked(context).mentions).toBeUndefined()
  })
})
