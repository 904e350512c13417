/**
 * `SummaryJson.parse` gives exactly what the schema gives (issue 14): for the summaries of random
 * folded tickets, with and without a due time, written as the store writes them (`PlainJson`),
 * it equals `Schema.decodeUnknownSync(TicketSummary)` of the parsed JSON, field order included.
 * A summary field the schema gains without `SummaryJson` knowing it fails here first.
 */
import { Ticket, TicketQuery } from "@tessera/core"
import { Arbitraries } from "@tessera/core/testing"
import { DateTime, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as PlainJson from "../../src/internal/PlainJson.js"
import * as SummaryJson from "../../src/internal/SummaryJson.js"

const decodeSummary = Schema.decodeUnknownSync(TicketQuery.TicketSummary)

/** A value's keys, nested, in order: what `toEqual` does not compare. */
const shape = (value: unknown): unknown =>
  DateTime.isDateTime(value)
    ? DateTime.toEpochMillis(value)
    : Array.isArray(value)
      ? value.map(shape)
      : typeof value === "object" && value !== null
        ? Object.entries(value).map(([key, field]) => [key, shape(field)])
        : value

describe("SummaryJson", () => {
  it("knows every field of TicketSummary, in the schema's order", () => {
    expect(SummaryJson.fieldNames).toEqual(Object.keys(TicketQuery.TicketSummary.fields))
  })

  it("reads what the store writes as the schema decodes it", () => {
    fc.assert(
      fc.property(
        Arbitraries.openedStream,
        fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 })),
        ({ opened, after }, due) => {
          const ticket = Ticket.fold([opened, ...after])
          if (ticket === undefined) return
          const summary = TicketQuery.summarize(ticket)
          const text = PlainJson.stringify(due === null ? summary : { ...summary, slaDueAt: DateTime.makeUnsafe(due) })
          const parsed = SummaryJson.parse(text)
          const decoded = decodeSummary(JSON.parse(text))
          expect(parsed).toEqual(decoded)
          expect(shape(parsed)).toEqual(shape(decoded))
        }
      ),
      { numRuns: 300 }
    )
  })
})
