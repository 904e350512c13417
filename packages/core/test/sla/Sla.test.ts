import { DateTime, Duration, Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BusinessCalendar, Sla, SlaPolicy, type TicketEvent } from "../../src/index.js"
import { agentReply, note, opened, priority, requesterReply, status } from "./events.js"

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}

// Paris, Mon–Fri 09:00–12:00 and 14:00–18:00 (7 business hours a day); in November Paris is UTC+1.
const paris = ok(
  BusinessCalendar.make({
    timeZone: "Europe/Paris",
    weekly: {
      monday: ["09:00-12:00", "14:00-18:00"],
      tuesday: ["09:00-12:00", "14:00-18:00"],
      wednesday: ["09:00-12:00", "14:00-18:00"],
      thursday: ["09:00-12:00", "14:00-18:00"],
      friday: ["09:00-12:00", "14:00-18:00"]
    },
    holidays: [
      { yearly: "11-11", name: "Armistice" },
      { yearly: "12-25", name: "Noël" }
    ]
  })
)
const calendars = { business_hours: paris }
const standard = SlaPolicy.defaultPolicySet

const state = (
  events: ReadonlyArray<TicketEvent.TicketEvent>,
  now: string,
  policies: SlaPolicy.PolicySet = standard,
  context: SlaPolicy.Context = {}
) => ok(Sla.slaState(events, policies, calendars, DateTime.makeUnsafe(now), context))

const find = (s: Sla.SlaState, metric: SlaPolicy.Metric, instance = 1) => {
  const found = s.instances.find((i) => i.metric === metric && i.instance === instance)
  if (found === undefined) throw new Error(`no ${metric} #${instance} in ${s.instances.map((i) => i.metric)}`)
  return found
}
const iso = (d: DateTime.Utc | undefined) => (d === undefined ? undefined : DateTime.formatIso(d))
const hours = (d: Duration.Duration) => Duration.toMillis(d) / 3_600_000

// Jane writes on Friday 2026-11-27 at 17:00 in Paris (16:00Z), normal priority: the standard
// first reply target is 8 business hours: 1 h on Friday (17–18), 3 h Monday morning, 4 h
// Monday afternoon: due Monday 30 November at 18:00 Paris (17:00Z).
const janeWrites = opened("2026-11-27T16:00:00Z")

describe("first reply in business time", () => {
  it("is due after 8 business hours, warns at 75%, and counts only opening hours", () => {
    const s = state([janeWrites], "2026-11-30T10:00:00Z")
    expect(s.policy.id).toBe("standard")
    const first = find(s, "first_reply")
    expect(first.status).toBe("active")
    expect(iso(first.dueAt)).toBe("2026-11-30T17:00:00.000Z")
    // 6 business hours: Friday 1 h, Monday 09–12, 14–16 Paris.
    expect(iso(first.warningAt)).toBe("2026-11-30T15:00:00.000Z")
    // Friday 17–18 and Monday 09–11 Paris.
    expect(hours(first.elapsed)).toBe(3)
    expect(hours(first.remaining)).toBe(5)
    expect(first.calendar).toBe("business_hours")
  })

  it("is fulfilled by the first public agent reply, not by an internal note", () => {
    const s = state(
      [janeWrites, note("2026-11-30T08:30:00Z"), agentReply("2026-11-30T13:30:00Z")],
      "2026-12-02T10:00:00Z"
    )
    const first = find(s, "first_reply")
    expect(first.status).toBe("fulfilled")
    expect(iso(first.fulfilledAt)).toBe("2026-11-30T13:30:00.000Z")
    expect(first.breachedAt).toBeUndefined()
    expect(hours(first.elapsed)).toBe(4.5)
  })

  it("breaches when the target runs out, and keeps counting how late it is", () => {
    const s = state([janeWrites], "2026-12-01T09:00:00Z")
    const first = find(s, "first_reply")
    expect(first.status).toBe("breached")
    expect(iso(first.breachedAt)).toBe("2026-11-30T17:00:00.000Z")
    // Tuesday 09:00–10:00 Paris.
    expect(hours(first.overdue)).toBe(1)
    expect(hours(first.remaining)).toBe(0)
  })

  it("is not measured for a ticket an agent opened", () => {
    const s = state([opened("2026-11-27T16:00:00Z", { by: "agent" })], "2026-11-30T10:00:00Z")
    expect(s.instances.some((i) => i.metric === "first_reply")).toBe(false)
    expect(find(s, "resolution").status).toBe("active")
  })
})

describe("targets follow the ticket until the instance is over", () => {
  it("a raised priority shortens the running target", () => {
    // At Monday 11:00 Paris, 3 business hours are used; high priority allows 4: due at 12:00.
    const s = state([janeWrites, priority("2026-11-30T10:00:00Z", "normal", "high")], "2026-11-30T10:30:00Z")
    expect(iso(find(s, "first_reply").dueAt)).toBe("2026-11-30T11:00:00.000Z")
  })

  it("a breach stays where it happened, whatever changes afterwards", () => {
    const events = [
      janeWrites,
      priority("2026-11-30T10:00:00Z", "normal", "high"),
      priority("2026-11-30T14:00:00Z", "high", "low")
    ]
    const breach = "2026-11-30T11:00:00.000Z"
    expect(iso(find(state(events, "2026-11-30T13:00:00Z"), "first_reply").breachedAt)).toBe(breach)
    expect(iso(find(state(events, "2026-12-03T13:00:00Z"), "first_reply").breachedAt)).toBe(breach)
  })

  it("a change that leaves less than the time already counted breaches at the change", () => {
    // Urgent first replies count 1 h around the clock: already exceeded on Monday.
    const s = state([janeWrites, priority("2026-11-30T10:00:00Z", "normal", "urgent")], "2026-11-30T12:00:00Z")
    const first = find(s, "first_reply")
    expect(first.target).toEqual({ minutes: 60, clock: "calendar" })
    expect(iso(first.breachedAt)).toBe("2026-11-30T10:00:00.000Z")
  })
})

describe("pauses", () => {
  const policies: SlaPolicy.PolicySet = {
    policies: [],
    default: {
      id: "test",
      name: "Test",
      calendar: "business_hours",
      targets: {
        resolution: { normal: { minutes: 8 * 60, clock: "business" } },
        requester_wait: { normal: { minutes: 8 * 60, clock: "business" } },
        agent_work: { normal: { minutes: 8 * 60, clock: "business" } }
      },
      pauses: { resolution: [] }
    }
  }
  // Monday 09:00 Paris: Jane writes; 10:00 Mary answers and waits on Jane (pending); Tuesday
  // 10:00 Jane answers (open); Wednesday 09:30 Mary puts it on hold for the vendor; now:
  // Wednesday 12:00 Paris.
  const events = [
    opened("2026-11-30T08:00:00Z"),
    agentReply("2026-11-30T09:00:00Z"),
    status("2026-11-30T09:00:00Z", "new", "pending"),
    requesterReply("2026-12-01T09:00:00Z"),
    status("2026-12-01T09:00:00Z", "pending", "open"),
    status("2026-12-02T08:30:00Z", "open", "on_hold")
  ]
  const s = state(events, "2026-12-02T11:00:00Z", policies)

  it("requester wait stops while pending only; agent work also while on hold; a policy may pause nothing", () => {
    const wait = find(s, "requester_wait")
    const work = find(s, "agent_work")
    const resolution = find(s, "resolution")
    // Monday 09–10; Tuesday 10–12, 14–18; Wednesday 09–12 (on hold does not stop it).
    expect(hours(wait.elapsed)).toBe(1 + 6 + 3)
    expect(wait.status).toBe("breached")
    expect(iso(wait.breachedAt)).toBe("2026-12-02T09:00:00.000Z")
    // Monday 09–10; Tuesday 10–12, 14–18; Wednesday 09–09:30.
    expect(hours(work.elapsed)).toBe(1 + 6 + 0.5)
    expect(work.status).toBe("paused")
    expect(work.dueAt).toBeUndefined()
    expect(work.pauses.map((p) => [iso(p.from), iso(p.to)])).toEqual([
      ["2026-11-30T09:00:00.000Z", "2026-12-01T09:00:00.000Z"],
      ["2026-12-02T08:30:00.000Z", undefined]
    ])
    // No pauses: Monday 09–12, 14–18 and on.
    expect(resolution.pauses).toEqual([])
    expect(iso(resolution.breachedAt)).toBe("2026-12-01T09:00:00.000Z")
  })

  it("a paused instance is neither due nor warned, and time paused is reported", () => {
    const work = find(s, "agent_work")
    expect(work.warningAt).toBeUndefined()
    expect(hours(work.paused)).toBe(24 + 2.5)
  })
})

describe("instances", () => {
  it("each wait for a reply is a new next-reply instance; each reopening a new resolution", () => {
    const events = [
      janeWrites,
      agentReply("2026-11-30T09:00:00Z"),
      requesterReply("2026-11-30T10:00:00Z"),
      agentReply("2026-11-30T13:30:00Z"),
      requesterReply("2026-11-30T14:00:00Z"),
      requesterReply("2026-11-30T15:00:00Z"),
      status("2026-11-30T16:00:00Z", "new", "solved"),
      requesterReply("2026-12-01T09:00:00Z"),
      status("2026-12-01T09:00:00Z", "solved", "open")
    ]
    const s = state(events, "2026-12-01T10:00:00Z")
    const next = s.instances.filter((i) => i.metric === "next_reply")
    expect(next.map((i) => [i.instance, iso(i.activatedAt), i.status])).toEqual([
      [1, "2026-11-30T10:00:00.000Z", "fulfilled"],
      // The oldest unanswered message counts: the second one of that wait starts nothing.
      [2, "2026-11-30T14:00:00.000Z", "fulfilled"],
      [3, "2026-12-01T09:00:00.000Z", "active"]
    ])
    const resolutions = s.instances.filter((i) => i.metric === "resolution")
    expect(resolutions.map((i) => [i.instance, i.status, iso(i.fulfilledAt)])).toEqual([
      [1, "fulfilled", "2026-11-30T16:00:00.000Z"],
      [2, "active", undefined]
    ])
  })
})

describe("policies", () => {
  it("premium customers get the premium policy, first match wins, the default otherwise", () => {
    expect(state([janeWrites], "2026-11-30T08:00:00Z", standard, { tier: "premium" }).policy.id).toBe("premium")
    expect(state([janeWrites], "2026-11-30T08:00:00Z", standard, { tier: "free" }).policy.id).toBe("standard")
    const premium = find(state([janeWrites], "2026-11-30T08:00:00Z", standard, { tier: "enterprise" }), "first_reply")
    // 4 business hours: Friday 17–18, Monday 09–12.
    expect(iso(premium.dueAt)).toBe("2026-11-30T11:00:00.000Z")
  })

  it("decodes a policy set from JSON and refuses typos, bad values and duplicate ids with their path", () => {
    const json = JSON.parse(JSON.stringify(standard))
    expect(Result.isSuccess(SlaPolicy.decodePolicySet(json))).toBe(true)
    const paths = (input: unknown) => ok(Result.flip(SlaPolicy.decodePolicySet(input))).problems.map((p) => p.path)
    const typo = { ...json, default: { ...json.default, targets: { first_replies: {} } } }
    expect(paths(typo)).toEqual([["default", "targets", "first_replies"]])
    const negative = JSON.parse(JSON.stringify(standard))
    negative.policies[0].targets.first_reply.high.minutes = -5
    expect(paths(negative)).toEqual([["policies", 0, "targets", "first_reply", "high", "minutes"]])
    const duplicate = { ...json, default: { ...json.default, id: "premium" } }
    expect(paths(duplicate)).toEqual([["default", "id"]])
    expect(paths({ policies: [] })).toEqual([["default"]])
  })

  it("a business target on a calendar nobody gave fails with UnknownCalendar", () => {
    const result = Sla.slaState([janeWrites], standard, {}, DateTime.makeUnsafe("2026-11-30T08:00:00Z"))
    expect(ok(Result.flip(result))).toMatchObject({
      _tag: "UnknownCalendar",
      calendar: "business_hours",
      policy: "standard"
    })
  })
})

describe("explainDue", () => {
  it("names the target, the opening hours used, the holiday skipped and the due time", () => {
    // Tuesday 10 November 17:00 Paris; Wednesday 11 is Armistice day: due Thursday 18:00 Paris.
    const s = state([opened("2026-11-10T16:00:00Z")], "2026-11-12T08:00:00Z")
    const first = find(s, "first_reply")
    expect(iso(first.dueAt)).toBe("2026-11-12T17:00:00.000Z")
    const why = Sla.explainDue(first, calendars)
    expect(why.holidays).toEqual([{ date: "2026-11-11", name: "Armistice", timeZone: "Europe/Paris" }])
    expect(why.openingHours.map((o) => [iso(o.start), iso(o.end)])).toEqual([
      ["2026-11-10T16:00:00.000Z", "2026-11-10T17:00:00.000Z"],
      ["2026-11-12T08:00:00.000Z", "2026-11-12T11:00:00.000Z"],
      ["2026-11-12T13:00:00.000Z", "2026-11-12T17:00:00.000Z"]
    ])
    const counted = why.openingHours.reduce((sum, o) => sum + o.end.epochMilliseconds - o.start.epochMilliseconds, 0)
    expect(counted).toBe(8 * 3_600_000)
    expect(why.lines.join("\n")).toContain("Skipped the holiday 2026-11-11 (Armistice)")
    expect(why.lines.join("\n")).toContain("Due 2026-11-12T17:00:00.000Z")
  })
})

describe("whatIf", () => {
  it("lists the due times and breaches a new policy would move, and only those", () => {
    const quicker: SlaPolicy.PolicySet = {
      ...standard,
      default: {
        ...standard.default,
        targets: { ...standard.default.targets, first_reply: { normal: { minutes: 4 * 60, clock: "business" } } }
      }
    }
    const tickets = [{ events: [janeWrites] }, { events: [janeWrites, agentReply("2026-11-30T08:30:00Z")] }]
    const now = DateTime.makeUnsafe("2026-11-30T12:00:00Z")
    const moves = ok(Sla.whatIf(tickets, { policies: standard, calendars }, { policies: quicker, calendars }, now))
    expect(moves).toHaveLength(1)
    expect(moves[0]).toMatchObject({ metric: "first_reply", instance: 1 })
    expect(iso(moves[0]?.before?.dueAt)).toBe("2026-11-30T17:00:00.000Z")
    expect(moves[0]?.after?.status).toBe("breached")
    expect(iso(moves[0]?.after?.breachedAt)).toBe("2026-11-30T11:00:00.000Z")
  })
})

describe("invariants (property tests)", () => {
  const categories = ["new", "open", "pending", "on_hold", "solved", "open", "closed"] as const
  const step = fc.oneof(
    fc.constant({ kind: "agent" } as const),
    fc.constant({ kind: "requester" } as const),
    fc.constant({ kind: "note" } as const),
    fc.constantFrom(...categories).map((to) => ({ kind: "status", to }) as const),
    fc.constantFrom("low", "normal", "high", "urgent").map((to) => ({ kind: "priority", to }) as const)
  )
  const log = fc
    .record({
      start: fc.integer({ min: 0, max: 60 * 24 * 30 }),
      steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 * 24 * 3 }), step), { maxLength: 25 }),
      tier: fc.constantFrom(undefined, "premium")
    })
    .map(({ start, steps, tier }) => {
      let t = Date.parse("2026-10-20T00:00:00Z") + start * 60_000
      const isoAt = () => new Date(t).toISOString()
      const events: Array<TicketEvent.TicketEvent> = [opened(isoAt())]
      let category: (typeof categories)[number] = "new"
      let level: "low" | "normal" | "high" | "urgent" = "normal"
      for (const [gap, s] of steps) {
        t += gap * 60_000
        if (category === "closed") break
        if (s.kind === "agent") events.push(agentReply(isoAt()))
        else if (s.kind === "requester") events.push(requesterReply(isoAt()))
        else if (s.kind === "note") events.push(note(isoAt()))
        else if (s.kind === "status" && s.to !== category) {
          events.push(status(isoAt(), category, s.to))
          category = s.to
        } else if (s.kind === "priority" && s.to !== level) {
          events.push(priority(isoAt(), level, s.to))
          level = s.to
        }
      }
      return { events, end: t, context: tier === undefined ? {} : { tier } }
    })

  it("SLA clocks are never negative, and elapsed + remaining is the target until the breach", () => {
    fc.assert(
      fc.property(log, fc.integer({ min: 0, max: 60 * 24 * 10 }), ({ events, end, context }, after) => {
        const s = state(events, new Date(end + after * 60_000).toISOString(), standard, context)
        for (const i of s.instances) {
          for (const d of [i.elapsed, i.remaining, i.overdue, i.paused])
            expect(Duration.toMillis(d)).toBeGreaterThanOrEqual(0)
          const target = i.target.minutes * 60_000
          if (i.breachedAt === undefined) {
            expect(Duration.toMillis(i.elapsed) + Duration.toMillis(i.remaining)).toBe(target)
          }
          if (i.dueAt !== undefined)
            expect(i.dueAt.epochMilliseconds).toBeGreaterThanOrEqual(i.activatedAt.epochMilliseconds)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("asking later never changes the past: fulfilments and breaches stay, elapsed only grows", () => {
    fc.assert(
      fc.property(
        log,
        fc.integer({ min: 0, max: 60 * 24 * 20 }),
        fc.integer({ min: 0, max: 60 * 24 * 20 }),
        ({ events, context }, a, b) => {
          const first = Date.parse("2026-10-20T00:00:00Z")
          const [t1, t2] = [first + Math.min(a, b) * 60_000 * 3, first + Math.max(a, b) * 60_000 * 3]
          const early = state(events, new Date(t1).toISOString(), standard, context)
          const late = state(events, new Date(t2).toISOString(), standard, context)
          for (const i of early.instances) {
            const j = late.instances.find((x) => x.metric === i.metric && x.instance === i.instance)
            if (j === undefined) {
              // Only a target that a later change removed can disappear.
              continue
            }
            if (i.fulfilledAt !== undefined) expect(iso(j.fulfilledAt)).toBe(iso(i.fulfilledAt))
            if (i.breachedAt !== undefined) {
              expect(iso(j.breachedAt)).toBe(iso(i.breachedAt))
              expect(j.target).toEqual(i.target)
            }
            if (j.target.minutes === i.target.minutes && j.target.clock === i.target.clock) {
              expect(Duration.toMillis(j.elapsed)).toBeGreaterThanOrEqual(Duration.toMillis(i.elapsed))
            }
          }
        }
      ),
      { numRuns: 300 }
    )
  })

  it("time outside opening hours never counts: a business instance's elapsed is the opening time it ran in", () => {
    fc.assert(
      fc.property(log, ({ events, end, context }) => {
        const s = state(events, new Date(end).toISOString(), standard, context)
        for (const i of s.instances) {
          if (i.target.clock !== "business") continue
          const why = Sla.explainDue(i, calendars)
          const stop = i.fulfilledAt ?? DateTime.makeUnsafe(end)
          let open = 0
          for (const r of i.running) {
            const to = r.to ?? stop
            const hoursOpen = ok(BusinessCalendar.openIntervals(paris, r.from, DateTime.min(to, stop) as DateTime.Utc))
            for (const o of hoursOpen) open += o.end.epochMilliseconds - o.start.epochMilliseconds
          }
          expect(Duration.toMillis(i.elapsed)).toBe(open)
          expect(why.lines.length).toBeGreaterThan(1)
        }
      }),
      { numRuns: 200 }
    )
  })
})
