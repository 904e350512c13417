import { fc, it } from "@fast-check/vitest"
import { Schema } from "effect"
import { describe, expect } from "vitest"
import * as Arbitraries from "../../src/testing/Arbitraries.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import { type TicketEvent, TicketEventJson } from "../../src/ticket/TicketEvent.js"

const numRuns = 300
const encodeEvent = Schema.encodeSync(TicketEventJson)
const decodeEvent = Schema.decodeSync(TicketEventJson)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const isTicket = Schema.is(Ticket.Ticket)

/** A stream and a point to cut it at. */
const split = Arbitraries.events.chain((events) =>
  fc.tuple(fc.constant(events), fc.integer({ min: 0, max: events.length }))
)

describe("evolve", () => {
  it.prop([Arbitraries.events], { numRuns })(
    "never throws, whatever the events: before the opening, opened twice, or another ticket's",
    (events) => {
      expect(() => Ticket.fold(events)).not.toThrow()
    }
  )

  it.prop([Arbitraries.events], { numRuns })("always leaves a state that is a valid Ticket, or none", (events) => {
    const state = Ticket.fold(events)
    expect(state === undefined || isTicket(state)).toBe(true)
  })

  it.prop([Arbitraries.openedStream], { numRuns })(
    "an event that keepsEarlierMessages leaves the messages before it at the start of the list, the same objects",
    ({ opened, after }) => {
      let state = Ticket.evolve(Ticket.initial, opened)
      for (const event of after) {
        const next = Ticket.evolve(state, event)
        if (Ticket.keepsEarlierMessages(event) && state !== undefined && next !== undefined) {
          expect(next.messages.slice(0, state.messages.length)).toStrictEqual(state.messages)
          for (const [i, m] of state.messages.entries()) expect(next.messages[i]).toBe(m)
        }
        state = next
      }
    }
  )

  it.prop([Arbitraries.laterEvent()], { numRuns })("ignores anything that comes before the opening", (event) => {
    expect(Ticket.evolve(Ticket.initial, event)).toBe(undefined)
  })

  it.prop([Arbitraries.openedStream], { numRuns })(
    "makes the version the number of events folded since the opening",
    ({ before, opened, after }) => {
      expect(Ticket.fold(before)).toBe(undefined)
      const state = Ticket.fold([...before, opened, ...after])
      expect(state?.version).toBe(1 + after.length)
    }
  )
})

describe("replay", () => {
  it.prop([Arbitraries.events], { numRuns })("folding the same events twice gives equal states", (events) => {
    expect(Ticket.fold(events)).toEqual(Ticket.fold(events))
  })

  it.prop([split], { numRuns })("folding in two chunks equals folding all at once", ([events, at]) => {
    const firstPart = Ticket.fold(events.slice(0, at))
    expect(Ticket.fold(events.slice(at), firstPart)).toEqual(Ticket.fold(events))
  })

  it.prop([split], { numRuns })("applying events one at a time equals folding them", ([events]) => {
    const stepByStep = events.reduce<Ticket.State>((state, event) => Ticket.evolve(state, event), Ticket.initial)
    expect(stepByStep).toEqual(Ticket.fold(events))
  })

  it.prop([split], { numRuns })("folding changes neither the events nor the state it starts from", ([events, at]) => {
    const encoded = events.map((e) => encodeEvent(e))
    const start = Ticket.fold(events.slice(0, at))
    const startEncoded = start === undefined ? undefined : encodeTicket(start)
    Ticket.fold(events.slice(at), start)
    expect(events.map((e) => encodeEvent(e))).toEqual(encoded)
    expect(start === undefined ? undefined : encodeTicket(start)).toEqual(startEncoded)
  })

  it.prop([Arbitraries.events], { numRuns })("replaying events read back from JSON gives the same state", (events) => {
    const stored: ReadonlyArray<TicketEvent> = events.map((e) => decodeEvent(encodeEvent(e)))
    expect(Ticket.fold(stored)).toEqual(Ticket.fold(events))
  })
})

describe("TicketEventJson", () => {
  it.prop([Arbitraries.event()], { numRuns })("every event round-trips: encoded then decoded, it is equal", (event) => {
    const text = encodeEvent(event)
    const decoded = decodeEvent(text)
    expect(decoded).toEqual(event)
    expect(decoded).toBeInstanceOf(event.constructor)
    expect(encodeEvent(decoded)).toBe(text)
  })
})

describe("publicView", () => {
  // #12: a split ticket opened with a note showed that note as its description.
  it.prop([Arbitraries.openedStream], { numRuns })(
    "holds no internal message, and its description is the opening message's text only when that is public",
    ({ opened, after }) => {
      const state = Ticket.fold([opened, ...after]) as Ticket.Ticket
      const view = Ticket.publicView(state)
      expect(view.messages.every((m) => m.visibility === "public")).toBe(true)
      expect(view.description).toBe(opened.message.visibility === "public" ? opened.message.text : "")
      const internal = new Set<string>(state.messages.filter((m) => m.visibility === "internal").map((m) => m.id))
      for (const record of view.mergedFrom ?? []) expect(record.messageIds.filter((id) => internal.has(id))).toEqual([])
      expect(Ticket.publicView(view)).toEqual(view)
    }
  )

  it.prop([Arbitraries.openedStream], { numRuns: 50 })(
    "is what a contact gets back from a command; agents and the system get the whole ticket",
    ({ opened, after }) => {
      const state = Ticket.fold([opened, ...after]) as Ticket.Ticket
      expect(Ticket.viewFor({ _tag: "contact", id: state.requester }, state)).toEqual(Ticket.publicView(state))
      expect(Ticket.viewFor({ _tag: "agent", id: "mary" as never }, state)).toBe(state)
      expect(Ticket.viewFor({ _tag: "system", reason: "rule:x" }, state)).toBe(state)
    }
  )
})
