/**
 * A generated month of tickets through a real `Helpdesk` on the memory store (SLA timers on
 * London's calendar, the close-solved timer, automatic reopening): the projection that follows
 * the store's feed holds every ticket's fold of its stored history, and its report is the report
 * of those folds, with numbers checked against the raw events too.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type { Ids } from "../../src/index.js"
import { Report, TicketMetrics } from "../../src/index.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import * as SlaPolicy from "../../src/sla/SlaPolicy.js"
import { london } from "./jane.js"

const options = { calendar: london }
const sla: Helpdesk.SlaOptions = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: london } }
const agents = [
  { id: "mary", group: "billing" },
  { id: "raj", group: "billing" },
  { id: "lin", group: "tech" }
] as const
const channels = ["email", "web", "chat", "phone"] as const
const TICKETS = 60
const topics = ["billing", "login", "refund", "outage"] as const

/** A small deterministic generator (mulberry32), so the month is the same on every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type Action =
  | { readonly kind: "open"; readonly customer: number; readonly channel: string; readonly tag: string }
  | { readonly kind: "assign"; readonly agent: number }
  | { readonly kind: "agentReply" | "requesterReply" | "note" }
  | { readonly kind: "status"; readonly status: "pending" | "on_hold" | "open" | "solved" }

interface Step {
  readonly at: number
  readonly ticket: number
  readonly action: Action
}

/** Each ticket's script, minutes to days apart; some stay unsolved, some are reopened. */
const month = (tickets: number): ReadonlyArray<Step> => {
  const next = random(69369)
  const between = (min: number, max: number) => Math.floor(min + next() * (max - min))
  const start = Date.parse("2025-05-01T00:00:00Z")
  const steps: Array<Step> = []
  for (let ticket = 0; ticket < tickets; ticket++) {
    let t = start + between(0, 30 * 24 * 60) * 60_000
    const add = (action: Action, gapMinutes: number) => {
      t += gapMinutes * 60_000
      steps.push({ at: t, ticket, action })
    }
    const agent = between(0, agents.length)
    add(
      {
        kind: "open",
        customer: between(0, 12),
        channel: channels[between(0, channels.length)] as string,
        tag: topics[between(0, topics.length)] as string
      },
      0
    )
    if (next() < 0.8) add({ kind: "assign", agent }, between(1, 180))
    if (next() < 0.15) continue // never answered: the backlog
    add({ kind: "agentReply" }, between(5, 3000))
    if (next() < 0.3) add({ kind: "note" }, between(1, 30))
    if (next() < 0.35) {
      add({ kind: "status", status: "pending" }, between(1, 10))
      add({ kind: "requesterReply" }, between(30, 4000))
      add({ kind: "agentReply" }, between(10, 2500))
    }
    if (next() < 0.15) {
      add({ kind: "status", status: "on_hold" }, between(1, 10))
      add({ kind: "status", status: "open" }, between(60, 3000))
    }
    if (next() < 0.1) continue // still being worked on
    add({ kind: "status", status: "solved" }, between(1, 60))
    if (next() < 0.2) {
      // The requester answers within a day: the ticket reopens, then is answered and solved again.
      add({ kind: "requesterReply" }, between(60, 1400))
      add({ kind: "agentReply" }, between(10, 1500))
      add({ kind: "status", status: "solved" }, between(1, 30))
    }
  }
  return steps.sort((a, b) => a.at - b.at)
}

const run = (helpdesk: Helpdesk.Service, steps: ReadonlyArray<Step>) =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    const requesters: Array<string> = []
    let hour = 0
    for (const step of steps) {
      yield* TestClock.setTime(step.at)
      // Timers run hourly, as a timer runner polling would.
      if (Math.floor(step.at / 3_600_000) !== hour) yield* helpdesk.runDueTimers()
      hour = Math.floor(step.at / 3_600_000)
      const action = step.action
      const ticket = ids[step.ticket] as string
      const agent = { _tag: "agent", id: "mary" } as const
      switch (action.kind) {
        case "open": {
          const opened = yield* helpdesk.open({
            requester: { id: `customer-${action.customer}` },
            subject: `Problem with ${action.tag}`,
            text: "Something is wrong.",
            channel: action.channel as "email",
            tags: [action.tag]
          })
          ids[step.ticket] = opened.id
          requesters[step.ticket] = opened.requester
          break
        }
        case "assign": {
          const chosen = agents[action.agent] as (typeof agents)[number]
          yield* helpdesk.assign({ ticket, by: agent, group: chosen.group, assignee: chosen.id })
          break
        }
        case "agentReply":
          yield* helpdesk.reply({ ticket, by: agent, text: "Here is what we found." })
          break
        case "requesterReply":
          yield* helpdesk.reply({
            ticket,
            by: { _tag: "contact", id: requesters[step.ticket] as string },
            text: "Thanks, but it is not fixed."
          })
          break
        case "note":
          yield* helpdesk.note({ ticket, by: agent, text: "Asked the billing team." })
          break
        case "status": {
          const current = yield* helpdesk.asSystem("test").get(ticket)
          if (current.status !== action.status)
            yield* helpdesk.changeStatus({ ticket, by: agent, status: action.status })
        }
      }
    }
    // The rest of the timers (SLA breaches, closing solved tickets) run into June.
    yield* TestClock.setTime(Date.parse("2025-06-15T00:00:00Z"))
    yield* helpdesk.runDueTimers()
    return ids
  })

const withHelpdesk = <A, E>(body: (h: Helpdesk.Service) => Effect.Effect<A, E, TicketStore>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2025-04-30T00:00:00Z"))
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveGroup({ id: "billing", name: "Billing" })
    yield* helpdesk.saveGroup({ id: "tech", name: "Tech" })
    yield* helpdesk.saveOrganization({ id: "sharpe-ltd", name: "Sharpe Ltd" })
    for (const a of agents)
      yield* helpdesk.saveAgent({ id: a.id, name: a.id, email: `${a.id}@example.com`, groups: [a.group] })
    for (let c = 0; c < 12; c++) {
      yield* helpdesk.saveContact({
        id: `customer-${c}`,
        name: `Customer ${c}`,
        emails: [`customer-${c}@example.com`],
        ...(c % 3 === 0 ? { organization: "sharpe-ltd" } : {})
      })
    }
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", sla })))

const may = { from: DateTime.makeUnsafe("2025-05-01T00:00:00Z"), to: DateTime.makeUnsafe("2025-06-01T00:00:00Z") }

describe("a month of tickets through the Helpdesk", () => {
  it.effect("the projection of the feed holds each ticket's fold, and its report is the folds' report", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const steps = month(TICKETS)
        const ids = yield* run(helpdesk, steps)
        const store = yield* TicketStore

        const projection = Report.makeProjection(options)
        const applied = yield* projection.catchUp(store, 97)
        const everything = yield* store.readAll(0, 100_000)
        assert.strictEqual(applied, everything.length)
        assert.strictEqual(projection.position(), everything.at(-1)?.position)
        // Caught up: reading again applies nothing.
        assert.strictEqual(yield* projection.catchUp(store), 0)

        const histories = new Map<string, ReadonlyArray<(typeof everything)[number]["event"]>>()
        for (const id of new Set(everything.map((c) => c.ticketId))) {
          histories.set(id, (yield* store.read(id)).events)
        }
        const folds = [...histories.entries()].map(([id, events]) => {
          const fold = TicketMetrics.fromEvents(events, options)
          assert.deepStrictEqual(projection.metrics(id as Ids.TicketId), fold)
          return fold
        })
        assert.strictEqual(folds.length, ids.length)

        const report = projection.report(may, Report.dimensions)
        assert.deepStrictEqual(report, Report.make(folds, may, Report.dimensions, options))

        // Numbers from the raw events, without the fold.
        const s = report.summary
        assert.strictEqual(s.created, TICKETS)
        const firstReplies: Array<number> = []
        let reopens = 0
        let breaches = 0
        for (const events of histories.values()) {
          const opened = events[0]
          assert(opened?._tag === "TicketOpened")
          const first = events.find((e) => e._tag === "ReplyAdded" && e.message.author._tag === "agent")
          if (first !== undefined) firstReplies.push(first.at.epochMilliseconds - opened.at.epochMilliseconds)
          reopens += events.filter(
            (e) => e._tag === "StatusChanged" && e.fromCategory === "solved" && e.toCategory === "open"
          ).length
          breaches += events.filter((e) => e._tag === "SlaBreached").length
        }
        firstReplies.sort((a, b) => a - b)
        assert.strictEqual(s.firstReply.calendar.count, firstReplies.length)
        assert.strictEqual(s.firstReply.calendar.median, firstReplies[Math.ceil(firstReplies.length / 2) - 1])
        assert.isAbove(reopens, 2)
        assert.isAbove(breaches, 2)
        assert.isAbove(s.reopened.count, 0)
        assert.isAbove(s.oneTouch.count, 0)
        assert.isAbove(s.backlog.tickets, 0)
        assert.isAbove(s.solved, TICKETS / 2)
        assert.isTrue(s.sla.some((c) => c.breached > 0 && c.compliance !== null && c.compliance < 1))
        // Business time is counted in London's hours: less than around the clock.
        assert.isBelow(s.fullResolution.business.average ?? 0, s.fullResolution.calendar.average ?? 0)
        // Every breakdown row counts its own tickets: the volumes by channel add up to the whole.
        const byChannel = report.breakdowns.find((b) => b.dimension === "channel")
        assert.strictEqual(
          byChannel?.rows.reduce((n, r) => n + r.summary.created, 0),
          TICKETS
        )
        const byOrganization = report.breakdowns.find((b) => b.dimension === "organization")
        assert.deepStrictEqual(
          byOrganization?.rows.map((r) => r.key),
          ["sharpe-ltd", null]
        )
      })
    )
  )
})

// Keep the generator honest: the month has every kind of step.
describe("the generated month", () => {
  it("has openings, replies both ways, notes, holds, pending, solves and reopen replies", () => {
    const kinds = new Set(month(TICKETS).map((s) => (s.action.kind === "status" ? s.action.status : s.action.kind)))
    assert.deepStrictEqual(
      [...kinds].sort(),
      ["agentReply", "assign", "note", "on_hold", "open", "pending", "requesterReply", "solved"].sort()
    )
  })
})
