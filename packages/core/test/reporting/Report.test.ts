import { DateTime } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Ids } from "../../src/index.js"
import { Report, type TicketEvent, TicketMetrics } from "../../src/index.js"
import { slaLog } from "../sla/events.js"
import { history, london } from "./jane.js"

const period = (from: string, to: string): Report.Period => ({
  from: DateTime.makeUnsafe(from),
  to: DateTime.makeUnsafe(to)
})
const options = { calendar: london }
const hours = (n: number) => n * 3_600_000

describe("stats", () => {
  it("uses nearest-rank percentiles and a rounded average", () => {
    expect(Report.stats([4, 1, 3, 2])).toEqual({ count: 4, average: 3, median: 2, p90: 4 })
    expect(Report.stats([10])).toEqual({ count: 1, average: 10, median: 10, p90: 10 })
    expect(Report.stats([])).toEqual({ count: 0, average: null, median: null, p90: null })
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(Report.stats(hundred)).toEqual({ count: 100, average: 51, median: 50, p90: 90 })
  })
})

describe("a report on Jane's ticket", () => {
  const jane = TicketMetrics.fromEvents(history, options)

  it("over May 2025: created and solved, reopened once, with its times", () => {
    const report = Report.make([jane], period("2025-05-01T00:00:00Z", "2025-06-01T00:00:00Z"), ["group"], options)
    const s = report.summary
    expect({ created: s.created, solved: s.solved, reopens: s.reopens }).toEqual({ created: 1, solved: 1, reopens: 1 })
    expect(s.firstReply.calendar.median).toBe(hours(3))
    expect(s.nextReply.calendar).toEqual({ count: 2, average: hours(47.75), median: hours(6), p90: hours(89.5) })
    expect(s.nextReply.business).toEqual({ count: 2, average: hours(3.75), median: hours(1.5), p90: hours(6) })
    expect(s.fullResolution.business.median).toBe(hours(32) + 50 * 60_000)
    expect(s.reopened).toEqual({ count: 1, rate: 1 })
    expect(s.oneTouch).toEqual({ count: 0, rate: 0 })
    expect(s.replies.median).toBe(4)
    expect(s.sla).toEqual([
      { policy: "standard", metric: "next_reply", tickets: 1, warned: 0, breached: 1, compliance: 0 },
      { policy: "standard", metric: "resolution", tickets: 1, warned: 1, breached: 0, compliance: 1 }
    ])
    expect(s.backlog.tickets).toBe(0)
    expect(report.breakdowns).toEqual([{ dimension: "group", rows: [{ key: "billing", summary: s }] }])
  })

  it("over its first week: in the backlog at the end, reopened, not solved in the period", () => {
    // Wednesday 7 May 12:00 UTC: reopened that morning.
    const report = Report.make([jane], period("2025-05-01T00:00:00Z", "2025-05-07T12:00:00Z"), [], options)
    const s = report.summary
    expect({ created: s.created, solved: s.solved }).toEqual({ created: 1, solved: 0 })
    expect(s.backlog.tickets).toBe(1)
    // Opened Thu 10:15 UTC, six days and 1 h 45 before; business: Thu 5:45, Fri 8, Tue 8, Wed 09:00-13:00 London.
    expect(s.backlog.age.calendar.median).toBe(hours(6 * 24 + 1.75))
    expect(s.backlog.age.business.median).toBe(hours(25.75))
    expect(s.backlog.buckets).toEqual([
      { label: "lt_1d", count: 0 },
      { label: "1d_3d", count: 0 },
      { label: "3d_7d", count: 1 },
      { label: "7d_30d", count: 0 },
      { label: "ge_30d", count: 0 }
    ])
  })

  it("over a later period: out of the report", () => {
    const report = Report.make([jane], period("2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"), ["tag"], options)
    expect(report.summary.created + report.summary.solved + report.summary.backlog.tickets).toBe(0)
    expect(report.breakdowns).toEqual([{ dimension: "tag", rows: [] }])
  })
})

describe("breakdowns", () => {
  it("a ticket is under each of its tags, tickets without a value are under null, rows sort null last", () => {
    const base = TicketMetrics.fromEvents(history.slice(0, 1))
    const tagged = { ...base, tags: ["vip", "billing"] as never }
    const untagged = { ...base, tags: [], channel: "chat" as const }
    const report = Report.make([tagged, untagged], period("2025-05-01T00:00:00Z", "2025-06-01T00:00:00Z"), [
      "tag",
      "channel",
      "assignee",
      "hour"
    ])
    const keys = report.breakdowns.map((b) => [b.dimension, b.rows.map((r) => [r.key, r.summary.created])])
    expect(keys).toEqual([
      [
        "tag",
        [
          ["billing", 1],
          ["vip", 1],
          [null, 1]
        ]
      ],
      [
        "channel",
        [
          ["chat", 1],
          ["email", 1]
        ]
      ],
      ["assignee", [[null, 2]]],
      ["hour", [["10", 2]]]
    ])
  })
})

describe("the projection", () => {
  /**
   * Several tickets' logs interleaved into one feed, and that feed as a reader that sometimes
   * restarts from an older position reads it: every event in order, some of them again.
   */
  const feed = fc
    .tuple(
      fc.array(slaLog({ tags: true, maxSteps: 20 }), { minLength: 1, maxLength: 6 }),
      fc.infiniteStream(fc.nat()),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 })), { maxLength: 5 })
    )
    .map(([logs, picks, restarts]) => {
      const queues = logs.map((log, i) =>
        log.events.map((e) => ({ ...e, ticketId: `tkt_${i}` as Ids.TicketId }) as TicketEvent.TicketEvent)
      )
      const streams = queues.map((q) => q.slice())
      const committed: Array<Report.FeedEvent> = []
      const pick = picks[Symbol.iterator]()
      while (queues.some((q) => q.length > 0)) {
        const open = queues.filter((q) => q.length > 0)
        const queue = open[(pick.next().value as number) % open.length] as Array<TicketEvent.TicketEvent>
        const event = queue.shift() as TicketEvent.TicketEvent
        // Positions may skip numbers, as a store's do.
        const position = (committed.at(-1)?.position ?? 0) + 1 + (committed.length % 3)
        committed.push({ position, ticketId: event.ticketId, workspaceId: "acme" as Ids.WorkspaceId, event })
      }
      const cuts = [...new Set(restarts.map(([at]) => at % (committed.length + 1)))].sort((a, b) => a - b)
      const delivered: Array<Report.FeedEvent> = []
      let from = 0
      cuts.forEach((cut, i) => {
        delivered.push(...committed.slice(from, cut))
        from = Math.max(0, cut - (restarts[i]?.[1] ?? 0))
      })
      delivered.push(...committed.slice(from))
      return { streams, committed, delivered }
    })

  it("from an interleaved feed read again after restarts, it holds each ticket's own fold", () => {
    let redelivered = 0
    fc.assert(
      fc.property(feed, ({ streams, committed, delivered }) => {
        const projection = Report.makeProjection(options)
        const applied = delivered.filter((c) => projection.apply(c)).length
        expect(applied).toBe(committed.length)
        expect(projection.position()).toBe(committed.at(-1)?.position ?? 0)
        if (delivered.length > committed.length) redelivered++
        streams.forEach((events, i) => {
          expect(projection.metrics(`tkt_${i}` as Ids.TicketId)).toEqual(
            events.length === 0 ? undefined : TicketMetrics.fromEvents(events, options)
          )
        })
      }),
      { numRuns: 100 }
    )
    expect(redelivered).toBeGreaterThan(10)
  })

  it("its report equals the report of the tickets' folds", () => {
    fc.assert(
      fc.property(feed, ({ streams, committed }) => {
        const projection = Report.makeProjection(options)
        for (const c of committed) projection.apply(c)
        const folds = streams.map((events) => TicketMetrics.fromEvents(events, options))
        const window = period("2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z")
        expect(projection.report(window, Report.dimensions)).toEqual(
          Report.make(folds, window, Report.dimensions, options)
        )
      }),
      { numRuns: 100 }
    )
  })

  it("follows only its workspace", () => {
    const projection = Report.makeProjection({ workspaceId: "acme" as Ids.WorkspaceId })
    const first = history[0] as TicketEvent.TicketEvent
    projection.apply({ position: 1, ticketId: first.ticketId, workspaceId: "other" as Ids.WorkspaceId, event: first })
    expect(projection.tickets()).toEqual([])
    expect(projection.position()).toBe(1)
    projection.apply({ position: 2, ticketId: first.ticketId, workspaceId: "acme" as Ids.WorkspaceId, event: first })
    expect(projection.tickets()).toHaveLength(1)
  })
})
