/**
 * The publisher writes events with `JSON.stringify`, for speed: this holds it to the schema's
 * encoding on every event the arbitraries make, and the subscriber's decoder to the way back.
 */
import { TicketEvent } from "@tessera/core"
import { Arbitraries } from "@tessera/core/testing"
import { RedisEventBus, RedisEventPublisher } from "@tessera/redis"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"

const encode = Schema.encodeSync(TicketEvent.TicketEventJson)

describe("the entries of the event bus", () => {
  it("an event's JSON is its schema encoding", () => {
    const tags = new Set<string>()
    fc.assert(
      fc.property(Arbitraries.event(), (event) => {
        tags.add(event._tag)
        expect(RedisEventPublisher.encodeEvent(event)).toBe(encode(event))
      }),
      { numRuns: 2_000 }
    )
    // The run met most kinds of events, not one.
    expect(tags.size).toBeGreaterThan(15)
  })

  it("an entry decodes back to the event, its position, ticket and workspace", () =>
    fc.assert(
      fc.property(Arbitraries.event(), fc.integer({ min: 1, max: 2 ** 40 }), (event, position) => {
        const fields = ["t", event.ticketId, "w", "acme", "v", "3", "e", RedisEventPublisher.encodeEvent(event)]
        const decoded = Effect.runSync(RedisEventBus.decodeEntry(`${position}-0`, fields))
        expect(decoded).toEqual({ position, ticketId: event.ticketId, workspaceId: "acme", version: 3, event })
      }),
      { numRuns: 300 }
    ))

  it("an entry that is not one of the publisher's is refused with the reason", () => {
    const refused = Effect.runSync(Effect.flip(RedisEventBus.decodeEntry("7-0", ["t", "tkt_1", "v", "1", "e", "{"])))
    expect(refused).toContain("not JSON")
    expect(Effect.runSync(Effect.flip(RedisEventBus.decodeEntry("x-0", [])))).toContain("no position")
  })
})
