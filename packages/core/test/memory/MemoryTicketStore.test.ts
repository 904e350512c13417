/**
 * The in-memory store's round trip: by default every appended event goes through its JSON codec
 * and back before it is kept, as a durable store would see it; `roundTrip: false` keeps the
 * events as given (for measuring a help desk's own work) and otherwise behaves the same, which
 * the conformance suite checks.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { TicketStoreSuite } from "../../src/testing/index.js"
import { history, ticketId } from "../reporting/jane.js"

const firstFour = history.slice(0, 4)

const kept = (options: MemoryTicketStore.Options) =>
  Effect.gen(function* () {
    const store = yield* MemoryTicketStore.make(options)
    expect(yield* store.append(ticketId, 0, firstFour)).toBe(4)
    return (yield* store.read(ticketId)).events
  })

describe("MemoryTicketStore round trip", () => {
  it.effect("by default, what is kept is what the codec gives back: equal events, not the ones given", () =>
    Effect.gen(function* () {
      const events = yield* kept({})
      expect(events).toEqual(firstFour)
      expect(events.filter((event, i) => event === firstFour[i])).toEqual([])
    })
  )

  it.effect("roundTrip: false keeps the very events given", () =>
    Effect.gen(function* () {
      const events = yield* kept({ roundTrip: false })
      expect(events.every((event, i) => event === firstFour[i])).toBe(true)
      expect(events).toHaveLength(4)
    })
  )
})

TicketStoreSuite.run("memory without the round trip", MemoryTicketStore.layer({ roundTrip: false }), {
  numRuns: 50,
  propertyRuns: 30
})
