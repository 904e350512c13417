import { DateTime, Result, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BusinessCalendar, SlaFold, SlaPolicy, Ticket, type TicketEvent } from "../../src/index.js"
import * as Arbitraries from "../../src/testing/Arbitraries.js"
import { agentReply, milestone, note, opened, priority, requesterReply, slaLog, status, tags } from "./events.js"

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = ok(
  BusinessCalendar.make({
    timeZone: "Europe/Paris",
    weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
    holidays: [
      { yearly: "11-11", name: "Armistice" },
      { yearly: "12-25", name: "Noël" }
    ]
  })
)
const longDay = ["08:00-20:00"]
const newYork = ok(
  BusinessCalendar.make({
    timeZone: "America/New_York",
    weekly: { monday: longDay, tuesday: longDay, wednesday: longDay, thursday: longDay, friday: longDay }
  })
)
const calendars = { business_hours: paris, support: newYork }

const hours = (h: number, clock: "business" | "calendar" = "business") => ({ minutes: h * 60, clock }) as const
// One target object in two slots: the replay compares targets by identity, and so must the fold.
const shared = hours(3)

/**
 * Policies that make every rule of the engine matter: a tag moves a ticket to a policy on
 * another calendar, urgent tickets count around the clock, warnings by share and by minutes
 * before, overridden pauses, every metric measured.
 */
const busy: SlaPolicy.PolicySet = {
  policies: [
    {
      id: "vip",
      name: "VIP",
      conditions: { tagsAny: ["vip"] as never },
      calendar: "support",
      targets: {
        first_reply: { urgent: hours(0.5, "calendar"), high: hours(1), normal: shared, low: shared },
        next_reply: { urgent: hours(1, "calendar"), high: hours(2), normal: hours(4), low: hours(8) },
        periodic_update: { normal: hours(6), high: hours(3) },
        resolution: { urgent: hours(4, "calendar"), high: hours(8), normal: hours(16), low: hours(24) },
        agent_work: { normal: hours(10), high: hours(5) }
      },
      pauses: { resolution: ["pending", "on_hold"], first_reply: ["on_hold"] },
      warnings: { first_reply: { before: 30 }, next_reply: { percent: 50 }, resolution: { before: 120 } }
    },
    {
      id: "premium",
      name: "Premium",
      conditions: { tier: ["premium"] },
      targets: {
        first_reply: { urgent: hours(1, "calendar"), high: hours(2), normal: hours(4), low: hours(8) },
        requester_wait: { normal: hours(12), low: hours(24) }
      },
      warnings: { first_reply: { percent: 75 } }
    }
  ],
  default: {
    ...SlaPolicy.defaultPolicySet.default,
    targets: {
      ...SlaPolicy.defaultPolicySet.default.targets,
      periodic_update: { urgent: hours(2, "calendar"), high: hours(8) },
      requester_wait: { normal: hours(30) }
    }
  }
}

const configurations = [
  { name: "default", policies: SlaPolicy.defaultPolicySet },
  { name: "busy", policies: busy }
] as const
const prepared = configurations.map((c) => SlaFold.prepare({ policies: c.policies, calendars }))

const iso = (millis: number) => new Date(millis).toISOString()
const millisOf = (d: DateTime.Utc | undefined) => (d === undefined ? undefined : d.epochMilliseconds)
const comparable = (plan: SlaFold.Plan) => ({
  due: plan.due.map((m) => ({ ...m, reachedAt: m.reachedAt.epochMilliseconds })),
  next: millisOf(plan.next),
  slaDueAt: millisOf(plan.slaDueAt)
})

/**
 * The log with what `runDueTimers` would have recorded at some instants between its events
 * (the replay's due milestones), and a few milestones of instances that never were, or not yet.
 */
const withMilestones = (
  events: ReadonlyArray<TicketEvent.TicketEvent>,
  setup: SlaFold.Prepared,
  context: SlaPolicy.Context,
  timers: ReadonlyArray<number>,
  junk: ReadonlyArray<{ readonly at: number; readonly metric: SlaPolicy.Metric; readonly instance: number }>
) => {
  const out: Array<TicketEvent.TicketEvent> = []
  events.forEach((event, i) => {
    if (i > 0) {
      const from = (out[out.length - 1] as TicketEvent.TicketEvent).at.epochMilliseconds
      const span = event.at.epochMilliseconds - from
      if (timers.includes(i)) {
        const now = from + Math.floor(span / 2)
        for (const m of ok(SlaFold.replayPlan(setup, context, out, DateTime.makeUnsafe(now))).due) {
          out.push(milestone(iso(now), m.kind, m))
        }
      }
      for (const j of junk) {
        if (j.at === i) out.push(milestone(iso(from), "breach", { ...j, policy: "standard", reachedAt: event.at }))
      }
    }
    out.push(event)
  })
  return out
}

describe("SlaFold: the plan from the fold is the plan from the replay", () => {
  it("for logs as commands write them, folded in two parts with a JSON round trip between, at any later instant", () => {
    const seen = { due: 0, breaches: 0, next: 0, lateKept: 0, declined: 0, vip: 0 }
    fc.assert(
      fc.property(
        slaLog({ tags: true, maxSteps: 30 }),
        fc.constantFrom(0, 1),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 6 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 1, max: 40 }),
            metric: fc.constantFrom(...SlaPolicy.metrics),
            instance: fc.integer({ min: 1, max: 4 })
          }),
          { maxLength: 2 }
        ),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.integer({ min: -60 * 24 * 3, max: 60 * 24 * 20 }), { minLength: 1, maxLength: 4 }),
        ({ events: base, context }, which, timers, junk, cut, offsets) => {
          const setup = prepared[which] as SlaFold.Prepared
          const events = withMilestones(base, setup, context, timers, junk)
          const k = Math.floor((cut / 100) * events.length)
          const head = events.slice(0, k)
          const first = ok(SlaFold.fromLog(setup, context, head))
          // What a store keeps and gives back.
          const json = Schema.encodeSync(SlaFold.FoldJson)(first)
          const stored = Schema.decodeUnknownSync(SlaFold.FoldJson)(json)
          const fold = ok(SlaFold.evolveAll(setup, context, stored, Ticket.fold(head), events.slice(k)))
          const last = (events[events.length - 1] as TicketEvent.TicketEvent).at.epochMilliseconds
          if (fold.instances.some((i) => i.fulfilledAt !== undefined)) seen.lateKept++
          if (events.some((e) => e._tag === "TagsChanged")) seen.vip++
          for (const minutes of offsets) {
            const now = DateTime.makeUnsafe(last + minutes * 60_000)
            const fromFold = ok(SlaFold.plan(setup, fold, now))
            if (fromFold === undefined) {
              expect(minutes).toBeLessThan(0)
              seen.declined++
              continue
            }
            const replayed = ok(SlaFold.replayPlan(setup, context, events, now))
            expect(comparable(fromFold)).toEqual(comparable(replayed))
            if (replayed.due.length > 0) seen.due++
            if (replayed.due.some((m) => m.kind === "breach")) seen.breaches++
            if (replayed.next !== undefined) seen.next++
          }
        }
      ),
      { numRuns: 400 }
    )
    // The property compared plans with something in them, in every case that matters.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(5)
  })

  it("for any sequence of events, however senseless, folded one event at a time", () => {
    let compared = 0
    fc.assert(
      fc.property(
        Arbitraries.events,
        fc.constantFrom(0, 1),
        fc.constantFrom(undefined, "premium"),
        fc.integer({ min: 0, max: 60 * 24 * 30 }),
        (events, which, tier, minutes) => {
          const setup = prepared[which] as SlaFold.Prepared
          const context = tier === undefined ? {} : { tier }
          let fold = SlaFold.empty(setup, context)
          let ticket: Ticket.State = Ticket.initial
          for (const event of events) {
            ticket = Ticket.evolve(ticket, event)
            fold = ok(SlaFold.evolve(setup, context, fold, event, ticket))
          }
          const now = DateTime.makeUnsafe((fold.at ?? 0) + minutes * 60_000)
          const fromFold = ok(SlaFold.plan(setup, fold, now))
          expect(fromFold).toBeDefined()
          expect(comparable(fromFold as SlaFold.Plan)).toEqual(
            comparable(ok(SlaFold.replayPlan(setup, context, events, now)))
          )
          if ((fromFold as SlaFold.Plan).slaDueAt !== undefined) compared++
        }
      ),
      { numRuns: 300 }
    )
    expect(compared).toBeGreaterThan(10)
  })
})

describe("SlaFold: what it keeps", () => {
  const setup = prepared[0] as SlaFold.Prepared

  /** `cycles` rounds of a busy conversation on a ticket opened on a Monday morning in Paris. */
  const conversation = (cycles: number) => {
    let t = Date.parse("2026-11-02T08:00:00Z")
    const next = () => {
      t += 7 * 60_000
      return iso(t)
    }
    const events: Array<TicketEvent.TicketEvent> = [opened(iso(t)), agentReply(next()), status(next(), "new", "open")]
    for (let i = 0; i < cycles; i++) {
      events.push(
        requesterReply(next()),
        note(next()),
        agentReply(next()),
        status(next(), "open", "pending"),
        requesterReply(next()),
        status(next(), "pending", "open"),
        priority(next(), "normal", "high"),
        tags(next(), ["vip"], []),
        priority(next(), "high", "normal"),
        tags(next(), [], ["vip"])
      )
    }
    return events
  }

  it("its size does not grow with the history", () => {
    const size = (cycles: number) =>
      Schema.encodeSync(SlaFold.FoldJson)(ok(SlaFold.fromLog(setup, {}, conversation(cycles)))).length
    const short = size(10)
    // Only the digits of the instance counters and of the time counted grow.
    expect(size(2_000)).toBeLessThan(short + 60)
    expect(ok(SlaFold.fromLog(setup, {}, conversation(2_000))).instances.length).toBeLessThanOrEqual(6)
  })

  it("a late instance stays until its breach is recorded, then goes", () => {
    // Jane writes on Friday 27 November at 17:00 Paris; the first reply (8 business hours) is
    // breached on Monday 30 November at 18:00 Paris (17:00Z), and Mary answers on Tuesday.
    const log = [opened("2026-11-27T16:00:00Z"), agentReply("2026-12-01T09:00:00Z")]
    const late = ok(SlaFold.fromLog(setup, {}, log))
    expect(late.instances.filter((i) => i.metric === "first_reply")).toMatchObject([
      { instance: 1, fulfilledAt: Date.parse("2026-12-01T09:00:00Z"), breachedAt: Date.parse("2026-11-30T17:00:00Z") }
    ])
    const plan = ok(SlaFold.plan(setup, late, DateTime.makeUnsafe("2026-12-01T09:00:00Z"))) as SlaFold.Plan
    expect(plan.due.map((m) => `${m.kind} ${m.metric}#${m.instance}`)).toEqual(["breach first_reply#1"])
    const recorded = milestone("2026-12-01T09:01:00Z", "breach", {
      metric: "first_reply",
      instance: 1,
      policy: "standard",
      reachedAt: DateTime.makeUnsafe("2026-11-30T17:00:00Z")
    })
    const after = ok(SlaFold.evolveAll(setup, {}, late, Ticket.fold(log), [recorded]))
    expect(after.instances.some((i) => i.metric === "first_reply")).toBe(false)
  })

  it("a fold carries the fingerprint of its configuration and context, and fits only them", () => {
    const fold = SlaFold.empty(setup, {})
    const other = SlaFold.prepare({ policies: busy, calendars })
    const sameAgain = SlaFold.prepare({ policies: SlaPolicy.defaultPolicySet, calendars })
    expect(SlaFold.fits(setup, {}, fold)).toBe(true)
    expect(SlaFold.fits(sameAgain, {}, fold)).toBe(true)
    expect(SlaFold.fits(other, {}, fold)).toBe(false)
    expect(SlaFold.fits(setup, { tier: "premium" }, fold)).toBe(false)
    // Another calendar under the same name counts other hours: another fingerprint.
    const moved = SlaFold.prepare({ policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: newYork } })
    expect(SlaFold.fits(moved, {}, fold)).toBe(false)
  })

  it("declines to plan before the last event it folded, where the replay would leave events out", () => {
    const fold = ok(SlaFold.fromLog(setup, {}, [opened("2026-11-27T16:00:00Z")]))
    expect(ok(SlaFold.plan(setup, fold, DateTime.makeUnsafe("2026-11-27T15:59:59Z")))).toBeUndefined()
    expect(ok(SlaFold.plan(setup, fold, DateTime.makeUnsafe("2026-11-27T16:00:00Z")))).toBeDefined()
  })
})
