/**
 * CSAT, NPS and complexity in reports (#18): each survey counts once, with its latest answer,
 * in the period the answer was given; complexity is a dimension like type.
 */
import { DateTime, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Satisfaction } from "../../src/index.js"
import { Report, TicketEvent, TicketMetrics } from "../../src/index.js"
import { history, jane, mary, ticketId } from "./jane.js"

const may = { from: DateTime.makeUnsafe("2025-05-01T00:00:00Z"), to: DateTime.makeUnsafe("2025-06-01T00:00:00Z") }
const june = { from: DateTime.makeUnsafe("2025-06-01T00:00:00Z"), to: DateTime.makeUnsafe("2025-07-01T00:00:00Z") }

const rated = (iso: string, survey: string, rating: Satisfaction.Rating, previous?: Satisfaction.Rating) =>
  new TicketEvent.SatisfactionRated({
    ticketId,
    at: DateTime.makeUnsafe(iso),
    by: jane,
    survey,
    rating,
    ...(previous === undefined ? {} : { previous })
  })

describe("CSAT and NPS in a report", () => {
  it("counts each survey's latest answer once, in the period it was given", () => {
    const events = [
      ...history,
      rated("2025-05-20T10:00:00Z", "s1", { kind: "csat", score: 2 }),
      rated("2025-05-21T10:00:00Z", "s1", { kind: "csat", score: 5 }, { kind: "csat", score: 2 }),
      rated("2025-05-22T10:00:00Z", "n1", { kind: "nps", score: 3 }),
      rated("2025-06-02T10:00:00Z", "s2", { kind: "csat", score: "bad" })
    ]
    const metrics = TicketMetrics.fromEvents(events)
    expect(metrics.ratings?.map((r) => [r.survey, r.rating.score])).toEqual([
      ["s1", 5],
      ["n1", 3],
      ["s2", "bad"]
    ])
    const inMay = Report.make([metrics], may).summary
    expect(inMay.csat).toEqual({ responses: 1, satisfied: 1, neutral: 0, dissatisfied: 0, score: 1 })
    expect(inMay.nps).toEqual({ responses: 1, promoters: 0, passives: 0, detractors: 1, score: -100 })
    // Solved in May, rated in June: June's report holds the ticket for its rating.
    const inJune = Report.make([metrics], june, ["group"])
    expect(inJune.summary.created + inJune.summary.solved).toBe(0)
    expect(inJune.summary.csat).toEqual({ responses: 1, satisfied: 0, neutral: 0, dissatisfied: 1, score: 0 })
    expect(inJune.summary.nps.score).toBeNull()
    expect(inJune.breakdowns[0]?.rows.map((r) => [r.key, r.summary.csat.responses])).toEqual([["billing", 1]])
  })

  it("NPS is promoters' share minus detractors', in points", () => {
    const scores = [10, 9, 9, 8, 7, 6, 0, 10]
    const metrics = scores.map((score, i) =>
      TicketMetrics.fromEvents([...history.slice(0, 1), rated("2025-05-20T10:00:00Z", `n${i}`, { kind: "nps", score })])
    )
    // 4 promoters, 2 passives, 2 detractors of 8: 50% - 25% = 25.
    expect(Report.make(metrics, may).summary.nps).toEqual({
      responses: 8,
      promoters: 4,
      passives: 2,
      detractors: 2,
      score: 25
    })
  })

  it("the CSAT counts add up to its responses, and its score is the satisfied share", () => {
    const rating = fc.oneof(
      fc.record({ kind: fc.constant("csat" as const), score: fc.constantFrom("good" as const, "bad" as const) }),
      fc.record({ kind: fc.constant("csat" as const), score: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant("nps" as const), score: fc.integer({ min: 0, max: 10 }) })
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), rating), { maxLength: 12 }), (answers) => {
        const events = [
          ...history.slice(0, 1),
          ...answers.map(([survey, r], i) => rated(`2025-05-20T10:${String(i).padStart(2, "0")}:00Z`, survey, r))
        ]
        const { csat, nps } = Report.make([TicketMetrics.fromEvents(events)], may).summary
        const latest = new Map(answers.map(([survey, r]) => [survey, r]))
        const csats = [...latest.values()].filter((r) => r.kind === "csat")
        expect(csat.responses).toBe(csats.length)
        expect(csat.satisfied + csat.neutral + csat.dissatisfied).toBe(csat.responses)
        expect(nps.promoters + nps.passives + nps.detractors).toBe(latest.size - csats.length)
        expect(csat.score).toBe(csat.responses === 0 ? null : csat.satisfied / csat.responses)
      })
    )
  })
})

describe("complexity as a dimension", () => {
  it("reports a ticket under its complexity at its last event", () => {
    const events = [
      ...history,
      new TicketEvent.ComplexityChanged({
        ticketId,
        at: DateTime.makeUnsafe("2025-05-02T09:00:00Z"),
        by: mary,
        to: "standard"
      }),
      new TicketEvent.ComplexityChanged({
        ticketId,
        at: DateTime.makeUnsafe("2025-05-03T09:00:00Z"),
        by: mary,
        from: "standard",
        to: "complex"
      })
    ]
    const plain = TicketMetrics.fromEvents(history.slice(0, 1))
    const report = Report.make([TicketMetrics.fromEvents(events), plain], may, ["complexity"])
    expect(report.breakdowns[0]?.rows.map((r) => [r.key, r.summary.created])).toEqual([
      ["complex", 1],
      [null, 1]
    ])
  })

  it("metrics kept before complexity and ratings existed still decode", () => {
    const { complexity: _c, ratings: _r, ...old } = TicketMetrics.fromEvents(history)
    const decoded = Schema.decodeUnknownSync(TicketMetrics.TicketMetricsJson)(JSON.stringify(old))
    expect(decoded.complexity).toBeUndefined()
    expect(Report.keysOf(decoded, "complexity")).toEqual([null])
    expect(Report.make([decoded], may).summary.csat.responses).toBe(0)
  })
})
