/**
 * `PlainJson` gives exactly what the schemas give: for random events and the tickets they fold
 * to, the plain encoding equals `Schema.encode` of `TicketEvent.TicketEventJson` and of
 * `Ticket.Ticket`, and decodes back to the same value. The SQL store writes events and
 * snapshots with it instead of the schemas (issue 14), so this is the round-trip check that
 * left the hot path.
 */
import { Ticket, TicketEvent } from "@tessera/core"
import { Arbitraries } from "@tessera/core/testing"
import { Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as PlainJson from "../../src/internal/PlainJson.js"

const encodeEvent = Schema.encodeSync(TicketEvent.TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEvent.TicketEventJson)
const encodeTicket = Schema.encodeSync(Ticket.Ticket)
const decodeTicket = Schema.decodeUnknownSync(Ticket.Ticket)

describe("PlainJson", () => {
  it("encodes every event as TicketEventJson does, and the codec gives the event back", () => {
    fc.assert(
      fc.property(Arbitraries.event(), (event) => {
        const text = PlainJson.stringify(event)
        expect(JSON.parse(text)).toEqual(JSON.parse(encodeEvent(event)))
        expect(decodeEvent(text)).toEqual(event)
      }),
      { numRuns: 500 }
    )
  })

  it("encodes every folded ticket as the Ticket schema does, and decodes back to it", () => {
    fc.assert(
      fc.property(Arbitraries.openedStream, ({ opened, after }) => {
        const ticket = Ticket.fold([opened, ...after])
        if (ticket === undefined) return
        const plain = JSON.parse(PlainJson.stringify(ticket))
        expect(plain).toEqual(JSON.parse(JSON.stringify(encodeTicket(ticket))))
        expect(decodeTicket(plain)).toEqual(ticket)
      }),
      { numRuns: 300 }
    )
  })
})
