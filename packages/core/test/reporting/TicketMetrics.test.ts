import { DateTime, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Ids } from "../../src/index.js"
import { TicketEvent, TicketMetrics } from "../../src/index.js"
import * as Arbitraries from "../../src/testing/Arbitraries.js"
import { slaLog } from "../sla/events.js"
import { expected, history, jane, london, mary, opened, reply, status, ticketId } from "./jane.js"

const at = (iso: string) => Date.parse(iso)
const options = { calendar: london }

describe("Jane's ticket 69369", () => {
  const metrics = TicketMetrics.fromEvents(history, options)

  it("has the reply times worked out by hand, around the clock and in London's business hours", () => {
    expect(metrics.firstReply).toEqual(expected.firstReply)
    expect(metrics.nextReplies).toEqual(expected.nextReplies)
    expect(metrics.replies).toBe(expected.replies)
  })

  it("has the resolution, requester wait and agent work time worked out by hand", () => {
    expect(metrics.fullResolution).toEqual(expected.fullResolution)
    expect(metrics.requesterWait).toEqual(expected.requesterWait)
    expect(metrics.agentWork).toEqual(expected.agentWork)
    expect(metrics.solvedAt).toBe(at("2025-05-08T11:05:00Z"))
  })

  it("counts two solves and one reopening, and is not a one-touch resolution", () => {
    expect({ solves: metrics.solves, reopens: metrics.reopens }).toEqual({ solves: 2, reopens: 1 })
    expect(TicketMetrics.isOneTouch(metrics)).toBe(false)
    expect(metrics.category).toBe("closed")
  })

  it("keeps the dimensions it ends with, and the hour it was opened in London", () => {
    expect({
      channel: metrics.channel,
      type: metrics.type,
      group: metrics.group,
      assignee: metrics.assignee,
      organization: metrics.organization,
      priority: metrics.priority,
      tags: metrics.tags,
      createdHour: metrics.createdHour
    }).toEqual({
      channel: "email",
      type: "account",
      group: "billing",
      assignee: "mary",
      organization: "sharpe-ltd",
      priority: "normal",
      tags: ["billing"],
      createdHour: expected.createdHour
    })
    // Without a calendar (or zone) the hour is UTC's, and business time is calendar time.
    const utc = TicketMetrics.fromEvents(history)
    expect(utc.createdHour).toBe(10)
    expect(utc.requesterWait).toEqual({
      calendar: expected.requesterWait.calendar,
      business: expected.requesterWait.calendar
    })
    const tokyo = TicketMetrics.fromEvents(history, { timeZone: DateTime.zoneMakeNamedUnsafe("Asia/Tokyo") })
    expect(tokyo.createdHour).toBe(19)
  })

  it("records the SLA milestones per policy and metric", () => {
    expect(metrics.sla).toEqual([
      { policy: "standard", metric: "next_reply", warnings: 0, breaches: 1 },
      { policy: "standard", metric: "resolution", warnings: 1, breaches: 0 }
    ])
  })

  it("is in the backlog while unsolved, and out of it while solved", () => {
    expect(TicketMetrics.isBacklogAt(metrics, at("2025-05-01T10:15:00Z"))).toBe(false) // not opened before
    expect(TicketMetrics.isBacklogAt(metrics, at("2025-05-01T12:00:00Z"))).toBe(true)
    expect(TicketMetrics.isBacklogAt(metrics, at("2025-05-06T12:00:00Z"))).toBe(false)
    expect(TicketMetrics.isBacklogAt(metrics, at("2025-05-07T12:00:00Z"))).toBe(true)
    expect(TicketMetrics.isBacklogAt(metrics, at("2025-06-01T00:00:00Z"))).toBe(false)
  })

  it("has the metrics so far at every point of its history (reopened: no resolution until solved again)", () => {
    const upToReopen = TicketMetrics.fromEvents(history.slice(0, 14), options)
    expect(upToReopen.category).toBe("open")
    expect(upToReopen.fullResolution).toBeNull()
    expect(upToReopen.solvedAt).toBeNull()
    expect(upToReopen.reopens).toBe(1)
    expect(upToReopen.waitingSince).toBe(at("2025-05-07T08:30:00Z"))
  })
})

describe("reply rules", () => {
  it("a ticket solved with exactly one public agent reply is a one-touch resolution", () => {
    const m = TicketMetrics.fromEvents([
      opened("2025-05-01T10:15:00Z"),
      reply("2025-05-01T10:45:00Z", mary),
      status("2025-05-01T10:46:00Z", "new", "solved")
    ])
    expect(TicketMetrics.isOneTouch(m)).toBe(true)
    expect(m.firstReply).toEqual({ calendar: 1_800_000, business: 1_800_000 })
  })

  it("consecutive requester messages make one wait, measured from the oldest", () => {
    const m = TicketMetrics.fromEvents([
      opened("2025-05-01T10:00:00Z"),
      reply("2025-05-01T11:00:00Z", mary),
      reply("2025-05-01T12:00:00Z", jane),
      reply("2025-05-01T12:30:00Z", jane),
      reply("2025-05-01T13:00:00Z", mary),
      reply("2025-05-01T13:05:00Z", mary)
    ])
    expect(m.nextReplies).toEqual([{ calendar: 3_600_000, business: 3_600_000 }])
    expect(m.replies).toBe(3)
  })

  it("a ticket an agent opened has no first reply time; the requester's answer starts a next-reply wait", () => {
    const byAgent = new TicketEvent.TicketOpened({
      ...opened("2025-05-01T10:00:00Z"),
      by: mary,
      message: { ...opened("2025-05-01T10:00:00Z").message, author: mary }
    })
    const m = TicketMetrics.fromEvents([
      byAgent,
      reply("2025-05-01T11:00:00Z", jane),
      reply("2025-05-01T11:20:00Z", mary)
    ])
    expect(m.firstReply).toBeNull()
    expect(m.nextReplies).toEqual([{ calendar: 1_200_000, business: 1_200_000 }])
  })

  it("a merge closes the ticket without solving it, and undoing it is no reopening", () => {
    const into = new TicketEvent.MergedInto({
      ticketId,
      at: DateTime.makeUnsafe("2025-05-01T11:00:00Z"),
      by: mary,
      target: "tkt_2" as Ids.TicketId,
      targetPublicId: 2 as Ids.PublicId,
      from: "new" as never,
      fromCategory: "new",
      to: "closed" as never
    })
    const merged = TicketMetrics.fromEvents([opened("2025-05-01T10:00:00Z"), into])
    expect({ merged: merged.merged, solvedAt: merged.solvedAt, solves: merged.solves }).toEqual({
      merged: true,
      solvedAt: null,
      solves: 0
    })
    expect(TicketMetrics.isBacklogAt(merged, at("2025-05-01T12:00:00Z"))).toBe(false)
    const undone = TicketMetrics.step(
      merged,
      new TicketEvent.Unmerged({
        ticketId,
        at: DateTime.makeUnsafe("2025-05-01T12:00:00Z"),
        by: mary,
        target: "tkt_2" as Ids.TicketId,
        from: "closed" as never,
        to: "open" as never,
        toCategory: "open"
      })
    )
    expect({ merged: undone.merged, reopens: undone.reopens }).toEqual({ merged: false, reopens: 0 })
    expect(TicketMetrics.isBacklogAt(undone, at("2025-05-01T12:30:00Z"))).toBe(true)
  })
})

/** Event sequences: any events at all (nonsense included), and realistic SLA logs. */
const anyLog: fc.Arbitrary<ReadonlyArray<TicketEvent.TicketEvent>> = fc.oneof(
  Arbitraries.events,
  slaLog({ tags: true, maxSteps: 40 }).map((log) => log.events)
)

const encode = Schema.encodeSync(TicketMetrics.TicketMetricsJson)
const decode = Schema.decodeUnknownSync(TicketMetrics.TicketMetricsJson)

const spans = (m: TicketMetrics.TicketMetrics): ReadonlyArray<TicketMetrics.Span> => [
  ...(m.firstReply === null ? [] : [m.firstReply]),
  ...m.nextReplies,
  ...(m.fullResolution === null ? [] : [m.fullResolution]),
  m.requesterWait,
  m.agentWork
]

describe("the fold", () => {
  it("folding all at once equals folding in any chunks, through the metrics' JSON between chunks", () => {
    let chunked = 0
    fc.assert(
      fc.property(anyLog, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (events, cuts, business) => {
        const opts = business ? options : {}
        const whole = TicketMetrics.fromEvents(events, opts)
        const bounds = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b)
        let metrics = TicketMetrics.empty
        let start = 0
        for (const end of [...bounds, events.length]) {
          const chunk = events.slice(start, end)
          metrics = decode(encode(chunk.reduce((m, e) => TicketMetrics.step(m, e, opts), metrics)))
          start = end
        }
        if (bounds.length > 0 && whole.createdAt !== null) chunked++
        expect(metrics).toEqual(whole)
      }),
      { numRuns: 300 }
    )
    // The property saw opened tickets folded in several chunks.
    expect(chunked).toBeGreaterThan(50)
  })

  it("metrics are never negative, and business time never exceeds calendar time", () => {
    let measured = 0
    fc.assert(
      fc.property(anyLog, fc.boolean(), (events, business) => {
        const m = TicketMetrics.fromEvents(events, business ? options : {})
        for (const span of spans(m)) {
          expect(span.calendar).toBeGreaterThanOrEqual(0)
          expect(span.business).toBeGreaterThanOrEqual(0)
          expect(span.business).toBeLessThanOrEqual(span.calendar)
        }
        for (const n of [m.replies, m.solves, m.reopens]) expect(n).toBeGreaterThanOrEqual(0)
        expect(m.nextReplies.length + (m.firstReply === null ? 0 : 1)).toBeLessThanOrEqual(m.replies)
        if (m.solvedAt !== null) expect(["solved", "closed"]).toContain(m.category)
        for (const [from, to] of m.done) if (to !== null) expect(to).toBeGreaterThanOrEqual(from)
        if (m.requesterWait.calendar > 0) measured++
      }),
      { numRuns: 300 }
    )
    expect(measured).toBeGreaterThan(30)
  })

  it("agent work never exceeds requester wait, which never exceeds the full resolution time", () => {
    fc.assert(
      fc.property(slaLog({ maxSteps: 40 }), ({ events }) => {
        const m = TicketMetrics.fromEvents(events, options)
        expect(m.agentWork.calendar).toBeLessThanOrEqual(m.requesterWait.calendar)
        expect(m.agentWork.business).toBeLessThanOrEqual(m.requesterWait.business)
        if (m.fullResolution !== null) {
          expect(m.requesterWait.calendar).toBeLessThanOrEqual(m.fullResolution.calendar)
          expect(m.requesterWait.business).toBeLessThanOrEqual(m.fullResolution.business)
        }
      }),
      { numRuns: 200 }
    )
  })
})
