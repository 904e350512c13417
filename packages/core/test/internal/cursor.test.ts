/**
 * Cursors are encoded without the Schema on the hot path (issue 14): a queue's page spent more
 * on its cursor than on the rest of its rows. What they encode to must not change: the fast
 * base64url is `Base64Url.encode`'s, and a query cursor is `CursorPayload`'s Schema encoding.
 */
import { fc, test } from "@fast-check/vitest"
import { Effect, Schema } from "effect"
import { Base64Url } from "effect/encoding"
import { describe, expect, it } from "vitest"
import * as Cursor from "../../src/internal/cursor.js"
import * as TicketQuery from "../../src/query/TicketQuery.js"

/** The payload of a query cursor, as `TicketQuery` declares it. */
const Payload = Schema.fromJsonString(
  Schema.Struct({
    s: TicketQuery.SortKey,
    d: Schema.Literals(["asc", "desc"]),
    k: Schema.Array(Schema.Finite),
    i: Schema.String
  })
)

const text = fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }))
const sort = fc.constantFrom("created", "updated", "priority", "sla_due") as fc.Arbitrary<TicketQuery.SortKey>
const direction = fc.constantFrom("asc", "desc") as fc.Arbitrary<"asc" | "desc">
const keys = fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()), { maxLength: 3 })

describe("cursors", () => {
  test.prop([text], { numRuns: 500 })("base64Url gives Base64Url.encode's text, ASCII or not", (t) => {
    expect(Cursor.base64Url(t)).toBe(Base64Url.encode(t))
  })

  test.prop([sort, direction, keys, text], { numRuns: 500 })(
    "a query cursor is the Schema encoding of its payload, and reads back as its position",
    (s, d, k, i) => {
      const cursor = TicketQuery.encodeCursor(s, d, [k, i])
      expect(cursor).toBe(Base64Url.encode(Schema.encodeSync(Payload)({ s, d, k, i })))
      expect(Effect.runSync(TicketQuery.decodeCursor(cursor, s, d))).toEqual([k.map((x) => (x === 0 ? 0 : x)), i])
    }
  )

  it("a key that is not finite still goes through the Schema's checks", () => {
    expect(() => TicketQuery.encodeCursor("created", "asc", [[Number.NaN], "tkt_1"])).toThrow()
  })
})
