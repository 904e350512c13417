import type { Channel, Ids, Priority } from "@tessera/core"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Assignment from "../src/Assignment.js"

const agentId = (id: string) => id as Ids.AgentId
const groupId = (id: string) => id as Ids.GroupId
const ticketId = (id: string) => id as Ids.TicketId

const agent = (id: string, over: Partial<Omit<Assignment.RosterAgent, "id">> = {}): Assignment.RosterAgent => ({
  id: agentId(id),
  groups: [groupId("billing")],
  skills: [],
  active: true,
  availability: "online",
  ...over
})

const roster = (agents: ReadonlyArray<Assignment.RosterAgent>, over: Partial<Assignment.Roster> = {}) =>
  ({ agents, load: {}, cursors: {}, ...over }) satisfies Assignment.Roster

const request = (over: Partial<Assignment.Request> = {}): Assignment.Request => ({
  group: groupId("billing"),
  channel: "email",
  skills: [],
  priority: "normal",
  ...over
})

const ids = (ranking: Assignment.Ranking) => ranking.candidates.map((c) => c.agent)
const reasons = (ranking: Assignment.Ranking) => Object.fromEntries(ranking.excluded.map((e) => [e.agent, e.reason]))

// --- examples ------------------------------------------------------------------------------------

describe("Assignment.rank: exclusions", () => {
  it("each agent left out gets the most lasting reason that applies, with a detail", () => {
    const team = roster(
      [
        agent("ana"),
        agent("ben", { active: false, availability: "away" }),
        agent("cleo", { availability: "away" }),
        agent("dev", { groups: [groupId("tech")] }),
        agent("eli", { skills: ["billing"] }),
        agent("fay", { skills: ["billing", "refunds"], capacity: { email: 2 } })
      ],
      { load: { fay: { email: 2 } } }
    )
    const ranking = Assignment.rank("least_loaded", request({ skills: ["refunds"] }), team)
    expect(ranking.candidates).toEqual([])
    expect(ranking.chosen).toBeUndefined()
    expect(reasons(ranking)).toEqual({
      ana: "missing_skills",
      ben: "inactive",
      cleo: "unavailable",
      dev: "not_in_group",
      eli: "missing_skills",
      fay: "at_capacity"
    })
    const detail = Object.fromEntries(ranking.excluded.map((e) => [e.agent, e.detail]))
    expect(detail.eli).toBe("the agent lacks refunds")
    expect(detail.fay).toBe("2 open email tickets of 2 allowed")
    expect(detail.cleo).toBe("the agent is away")
  })

  it("capacity is per channel: an agent full on chat can still take email", () => {
    const team = roster([agent("ana")], { load: { ana: { chat: 3 } } })
    expect(reasons(Assignment.rank("least_loaded", request({ channel: "chat" }), team))).toEqual({ ana: "at_capacity" })
    expect(Assignment.rank("least_loaded", request({ channel: "email" }), team).chosen).toBe("ana")
  })

  it("capacity falls back from the agent to the roster default to the built-in default", () => {
    const ana = agent("ana", { capacity: { chat: 5 } })
    const team = roster([ana], { defaultCapacity: { chat: 4, email: 2 } })
    expect(Assignment.capacityOf(team, ana, "chat")).toBe(5)
    expect(Assignment.capacityOf(team, ana, "email")).toBe(2)
    expect(Assignment.capacityOf(team, ana, "phone")).toBe(Assignment.defaultCapacity.phone)
  })

  it("a request without a group may go to anyone; spoken languages count as skills", () => {
    const team = roster([agent("ana", { languages: ["fr"] }), agent("ben", { groups: [] })])
    const ranking = Assignment.rank("least_loaded", request({ skills: ["language:fr"] }), team)
    expect(reasons(ranking)).toEqual({ ben: "not_in_group" })
    const anyGroup: Assignment.Request = { channel: "email", skills: ["language:fr"], priority: "normal" }
    expect(reasons(Assignment.rank("least_loaded", anyGroup, team))).toEqual({ ben: "missing_skills" })
  })
})

describe("Assignment.rank: round_robin", () => {
  const team = roster([agent("cat"), agent("ana"), agent("ben"), agent("dan", { availability: "offline" })])

  it("starts at the first id without a cursor, then takes the next eligible id after the cursor, wrapping", () => {
    expect(ids(Assignment.rank("round_robin", request(), team))).toEqual(["ana", "ben", "cat"])
    const afterBen = Assignment.nextCursor(team, "billing", agentId("ben"))
    expect(ids(Assignment.rank("round_robin", request(), afterBen))).toEqual(["cat", "ana", "ben"])
    // dan is offline, so after cat the turn wraps to ana
    const afterCat = Assignment.nextCursor(team, "billing", agentId("cat"))
    const ranking = Assignment.rank("round_robin", request(), afterCat)
    expect(ranking.chosen).toBe("ana")
    expect(ranking.candidates.map((c) => c.score)).toEqual([3, 2, 1])
    expect(ranking.candidates[0]?.reasons[0]).toBe("next after cat in id order")
  })

  it("a cursor naming an agent who left still finds the next id after it", () => {
    const ranking = Assignment.rank("round_robin", request(), Assignment.nextCursor(team, "billing", agentId("bea")))
    expect(ranking.chosen).toBe("ben")
  })

  it("assign moves the cursor and adds one open ticket, leaving the input roster unchanged", () => {
    const next = Assignment.assign(team, request(), agentId("ana"))
    expect(next.cursors).toEqual({ billing: "ana" })
    expect(Assignment.openCount(next, agentId("ana"), "email")).toBe(1)
    expect(team.cursors).toEqual({})
    expect(team.load).toEqual({})
    expect(Assignment.rank("round_robin", request(), next).chosen).toBe("ben")
  })

  it("cursors are per group; requests without a group share the anyGroup cursor", () => {
    const next = Assignment.assign(team, { channel: "chat", skills: [], priority: "low" }, agentId("ben"))
    expect(next.cursors).toEqual({ [Assignment.anyGroup]: "ben" })
    expect(Assignment.rank("round_robin", request(), next).chosen).toBe("ana")
  })
})

describe("Assignment.rank: least_loaded", () => {
  it("picks the lowest load / capacity ratio, then the fewest open tickets, then the id", () => {
    const team = roster(
      [agent("ana", { capacity: { email: 10 } }), agent("ben", { capacity: { email: 4 } }), agent("cat")],
      { load: { ana: { email: 4 }, ben: { email: 2 }, cat: { email: 8 } } }
    )
    // ana 4/10 = 0.4, cat 8/20 = 0.4 (more open tickets), ben 2/4 = 0.5
    const ranking = Assignment.rank("least_loaded", request(), team)
    expect(ids(ranking)).toEqual(["ana", "cat", "ben"])
    expect(ranking.candidates.map((c) => c.score)).toEqual([0.6, 0.6, 0.5])
    expect(ranking.candidates[0]?.reasons).toEqual(["4 open email tickets of 10 (load ratio 0.4)"])
  })

  it("uses the priority-weighted load when the roster keeps one, and assign raises it by the priority's weight", () => {
    const team = roster([agent("ana"), agent("ben")], {
      load: { ana: { email: 1 }, ben: { email: 3 } },
      weightedLoad: { ana: { email: 4 }, ben: { email: 3 } },
      weights: { urgent: 4, high: 2 }
    })
    expect(Assignment.rank("least_loaded", request(), team).chosen).toBe("ben")
    const after = Assignment.assign(team, request({ priority: "urgent" }), agentId("ben"))
    expect(after.weightedLoad).toEqual({ ana: { email: 4 }, ben: { email: 7 } })
    expect(after.load).toEqual({ ana: { email: 1 }, ben: { email: 4 } })
    expect(Assignment.rank("least_loaded", request(), after).chosen).toBe("ana")
  })
})

describe("Assignment.rank: skills", () => {
  const team = roster(
    [
      agent("ana", { skills: ["billing"] }),
      agent("ben", { skills: ["billing", "refunds", "enterprise"] }),
      agent("cat", { skills: ["billing", "refunds"] }),
      agent("dan", { skills: ["tech"] })
    ],
    { load: { ben: { email: 10 }, cat: { email: 1 } } }
  )

  it("requires every required skill and ranks by preferred skills matched, then load", () => {
    const ranking = Assignment.rank(
      "skills",
      request({ skills: ["billing"], preferredSkills: ["refunds", "enterprise"] }),
      team
    )
    expect(ids(ranking)).toEqual(["ben", "cat", "ana"])
    expect(ranking.candidates.map((c) => c.score)).toEqual([2, 1, 0])
    expect(reasons(ranking)).toEqual({ dan: "missing_skills" })
    expect(ranking.candidates[1]?.reasons[1]).toBe("has 1 of 2 preferred skills (refunds)")
  })

  it("with equal matches the less loaded agent comes first", () => {
    const ranking = Assignment.rank("skills", request({ skills: ["billing"], preferredSkills: ["refunds"] }), team)
    expect(ids(ranking)).toEqual(["cat", "ben", "ana"])
  })
})

describe("Assignment.skillsFor", () => {
  const skillMap: Assignment.SkillMap = [
    { tag: "billing", skills: ["billing"] },
    { tag: "billing", type: "account", skills: ["accounts"] },
    { language: "fr", skills: ["language:fr"] },
    { tag: "vip", skills: ["enterprise", "billing"], preferred: true },
    { type: "incident", skills: ["tech"] }
  ]

  it("collects the skills of every matching rule, sorted, a required skill never also preferred", () => {
    expect(Assignment.skillsFor({ tags: ["billing", "vip"], type: "account", language: "fr" }, skillMap)).toEqual({
      skills: ["accounts", "billing", "language:fr"],
      preferredSkills: ["enterprise"]
    })
    expect(Assignment.skillsFor({ tags: ["billing"], type: "question" }, skillMap)).toEqual({
      skills: ["billing"],
      preferredSkills: []
    })
    expect(Assignment.skillsFor({ tags: [], type: "incident" }, skillMap)).toEqual({
      skills: ["tech"],
      preferredSkills: []
    })
  })
})

describe("Assignment.drainOrder and drain", () => {
  const item = (id: string, over: Partial<Assignment.BacklogItem> = {}): Assignment.BacklogItem => ({
    ticketId: ticketId(id),
    priority: "normal",
    createdAt: 0,
    ...over
  })

  it("drains the most at risk first: earliest SLA, then no SLA by priority, then oldest", () => {
    const backlog = [
      item("new-urgent-no-sla", { priority: "urgent", createdAt: 50 }),
      item("due-later", { slaDueAt: 2_000, createdAt: 1 }),
      item("old-normal-no-sla", { createdAt: 10 }),
      item("due-soon", { slaDueAt: 1_000, createdAt: 100, priority: "low" }),
      item("older-normal-no-sla", { createdAt: 5 }),
      item("due-soon-high", { slaDueAt: 1_000, createdAt: 200, priority: "high" })
    ]
    expect(Assignment.drainOrder(backlog).map((i) => i.ticketId)).toEqual([
      "due-soon-high",
      "due-soon",
      "due-later",
      "new-urgent-no-sla",
      "older-normal-no-sla",
      "old-normal-no-sla"
    ])
  })

  it("assigns as capacity allows and leaves the rest with reasons", () => {
    const team = roster([agent("ana", { capacity: { chat: 1 } }), agent("ben", { capacity: { chat: 2 } })], {
      load: { ben: { chat: 1 } }
    })
    const backlog = [
      item("t1", { slaDueAt: 300 }),
      item("t2", { slaDueAt: 100 }),
      item("t3", { slaDueAt: 200 }),
      item("t4", {})
    ]
    const result = Assignment.drain(backlog, team, "least_loaded", () => request({ channel: "chat" }))
    expect(result.assignments.map((a) => [a.item.ticketId, a.agent])).toEqual([
      ["t2", "ana"],
      ["t3", "ben"]
    ])
    expect(result.leftovers.map((l) => [l.item.ticketId, l.detail])).toEqual([
      ["t1", "no candidate: 2 at_capacity"],
      ["t4", "no candidate: 2 at_capacity"]
    ])
    expect(result.roster.load).toEqual({ ana: { chat: 1 }, ben: { chat: 2 } })
    expect(Assignment.drain([], roster([]), "skills", () => request()).leftovers).toEqual([])
    expect(Assignment.drain([item("t9")], roster([]), "skills", () => request()).leftovers[0]?.detail).toBe(
      "no agent in the roster"
    )
  })

  it("a ticket nobody can take does not stop the drain: later tickets needing other agents still go", () => {
    const team = roster([agent("ana", { skills: ["billing"] })])
    const backlog = [item("needs-tech", { slaDueAt: 1 }), item("needs-billing", { slaDueAt: 2 })]
    const result = Assignment.drain(backlog, team, "skills", (i) =>
      request({ skills: [i.ticketId === "needs-tech" ? "tech" : "billing"] })
    )
    expect(result.assignments.map((a) => a.item.ticketId)).toEqual(["needs-billing"])
    expect(result.leftovers.map((l) => l.item.ticketId)).toEqual(["needs-tech"])
  })
})

// --- properties ------------------------------------------------------------------------------------

// Ids include Object.prototype's names: records keyed by id must not read inherited members.
const idPool = ["a1", "a2", "b7", "constructor", "toString", "Z9", "m.x", "hasOwnProperty"]
const groups = ["g1", "g2", "g3"]
const skillPool = ["billing", "tech", "vip", "language:fr"]
const channels: ReadonlyArray<Channel.Channel> = ["email", "chat", "phone", "web"]
const priorities: ReadonlyArray<Priority.Priority> = ["low", "normal", "high", "urgent"]
const strategies: ReadonlyArray<Assignment.Strategy> = ["round_robin", "least_loaded", "skills"]

const capacityArb = fc.dictionary(fc.constantFrom(...channels), fc.integer({ min: 0, max: 5 }), { maxKeys: 3 })
const loadArb = fc.dictionary(fc.constantFrom(...channels), fc.integer({ min: 0, max: 6 }), { maxKeys: 3 })

const agentArb = (id: string) =>
  fc
    .record({
      groups: fc.subarray(groups),
      skills: fc.subarray(skillPool.filter((s) => !s.startsWith("language:"))),
      languages: fc.option(fc.subarray(["en", "fr"]), { nil: undefined }),
      active: fc.constantFrom(true, true, true, false),
      availability: fc.constantFrom<Assignment.Availability>("online", "online", "away", "offline"),
      capacity: fc.option(capacityArb, { nil: undefined })
    })
    .map(({ languages, capacity, ...rest }) => ({
      id: agentId(id),
      ...rest,
      groups: rest.groups.map(groupId),
      ...(languages === undefined ? {} : { languages }),
      ...(capacity === undefined ? {} : { capacity })
    }))

const rosterArb: fc.Arbitrary<Assignment.Roster> = fc
  .subarray(idPool, { minLength: 0 })
  .chain((agentIds) =>
    fc.record({
      agents: fc.tuple(...agentIds.map(agentArb)),
      defaultCapacity: fc.option(capacityArb, { nil: undefined }),
      load: fc.tuple(...agentIds.map(() => loadArb)),
      weighted: fc.option(fc.tuple(...agentIds.map(() => loadArb)), { nil: undefined }),
      weights: fc.option(fc.dictionary(fc.constantFrom(...priorities), fc.integer({ min: 1, max: 4 })), {
        nil: undefined
      }),
      cursors: fc.dictionary(fc.constantFrom(...groups, Assignment.anyGroup), fc.constantFrom(...idPool).map(agentId))
    })
  )
  .map(({ agents, defaultCapacity, load, weighted, weights, cursors }) => ({
    agents,
    load: Object.fromEntries(agents.map((a, i) => [a.id, load[i] ?? {}])),
    cursors,
    ...(defaultCapacity === undefined ? {} : { defaultCapacity }),
    ...(weighted === undefined
      ? {}
      : { weightedLoad: Object.fromEntries(agents.map((a, i) => [a.id, weighted[i] ?? {}])) }),
    ...(weights === undefined ? {} : { weights })
  }))

const requestArb: fc.Arbitrary<Assignment.Request> = fc
  .record({
    group: fc.option(fc.constantFrom(...groups).map(groupId), { nil: undefined }),
    channel: fc.constantFrom(...channels),
    skills: fc.subarray(skillPool, { maxLength: 2 }),
    preferredSkills: fc.subarray(skillPool),
    priority: fc.constantFrom(...priorities)
  })
  .map(({ group, ...rest }) => (group === undefined ? rest : { ...rest, group }))

// An independent statement of eligibility, to check `rank` against.
const expectedReason = (r: Assignment.Roster, a: Assignment.RosterAgent, req: Assignment.Request) => {
  if (!a.active) return "inactive"
  if (a.availability !== "online") return "unavailable"
  if (req.group !== undefined && !a.groups.includes(req.group)) return "not_in_group"
  const has = [...a.skills, ...(a.languages ?? []).map((l) => `language:${l}`)]
  if (!req.skills.every((s) => has.includes(s))) return "missing_skills"
  const open = Object.hasOwn(r.load, a.id) ? (r.load[a.id]?.[req.channel] ?? 0) : 0
  const capacity =
    a.capacity?.[req.channel] ?? r.defaultCapacity?.[req.channel] ?? Assignment.defaultCapacity[req.channel]
  if (!(open < capacity)) return "at_capacity"
  return undefined
}

const runs = { numRuns: 400 }

describe("Assignment properties", () => {
  it("never chooses an inactive, unavailable, outside-group, skill-lacking or full agent", () => {
    fc.assert(
      fc.property(fc.constantFrom(...strategies), requestArb, rosterArb, (strategy, req, r) => {
        const ranking = Assignment.rank(strategy, req, r)
        for (const c of ranking.candidates) {
          const a = r.agents.find((x) => x.id === c.agent)
          expect(a).toBeDefined()
          if (a !== undefined) expect(expectedReason(r, a, req)).toBeUndefined()
        }
        expect(ranking.chosen).toBe(ranking.candidates[0]?.agent)
      }),
      runs
    )
  })

  it("every agent is either a candidate or excluded, exactly once, with the first reason that applies", () => {
    fc.assert(
      fc.property(fc.constantFrom(...strategies), requestArb, rosterArb, (strategy, req, r) => {
        const ranking = Assignment.rank(strategy, req, r)
        const seen = [...ranking.candidates.map((c) => c.agent), ...ranking.excluded.map((e) => e.agent)]
        expect([...seen].sort()).toEqual(r.agents.map((a) => a.id).sort())
        for (const e of ranking.excluded) {
          const a = r.agents.find((x) => x.id === e.agent)
          if (a !== undefined) expect(e.reason).toBe(expectedReason(r, a, req))
        }
        for (const a of r.agents) {
          if (!a.active) expect(ranking.excluded.find((e) => e.agent === a.id)?.reason).toBe("inactive")
        }
      }),
      runs
    )
  })

  it("ranking is deterministic and does not depend on the order of the agents", () => {
    const withPermutation = rosterArb.chain((r) =>
      fc.tuple(
        fc.constant(r),
        fc.shuffledSubarray([...r.agents], { minLength: r.agents.length, maxLength: r.agents.length })
      )
    )
    fc.assert(
      fc.property(fc.constantFrom(...strategies), requestArb, withPermutation, (strategy, req, [r, shuffled]) => {
        const ranking = Assignment.rank(strategy, req, r)
        expect(Assignment.rank(strategy, req, r)).toEqual(ranking)
        expect(Assignment.rank(strategy, req, { ...r, agents: shuffled })).toEqual(ranking)
      }),
      runs
    )
  })

  it("round-robin over N eligible agents gives each one ticket in N consecutive assignments", () => {
    fc.assert(
      fc.property(requestArb, rosterArb, (req, raw) => {
        // Plenty of room everywhere, so capacity never decides; the other reasons still apply.
        const r: Assignment.Roster = {
          ...raw,
          agents: raw.agents.map(({ capacity: _capacity, ...a }) => a),
          defaultCapacity: Object.fromEntries(channels.map((c) => [c, 1000]))
        }
        const eligible = r.agents.filter((a) => expectedReason(r, a, req) === undefined).map((a) => a.id)
        let current = r
        const chosen: Array<string> = []
        for (let i = 0; i < eligible.length; i++) {
          const pick = Assignment.rank("round_robin", req, current).chosen
          expect(pick).toBeDefined()
          if (pick === undefined) return
          chosen.push(pick)
          current = Assignment.assign(current, req, pick)
        }
        expect([...chosen].sort()).toEqual([...eligible].sort())
      }),
      runs
    )
  })

  const backlogArb = fc
    .uniqueArray(
      fc.record({
        ticketId: fc.string({ minLength: 1, maxLength: 4 }).map((s) => ticketId(`t${s}`)),
        slaDueAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
        priority: fc.constantFrom(...priorities),
        createdAt: fc.integer({ min: 0, max: 20 }),
        kind: fc.nat({ max: 2 })
      }),
      { selector: (i) => i.ticketId, maxLength: 25 }
    )
    .map(
      (items): Array<Assignment.BacklogItem & { readonly kind: number }> =>
        items.map(({ slaDueAt, ...rest }) => (slaDueAt === undefined ? rest : { ...rest, slaDueAt }))
    )

  it("drainOrder is a permutation sorted by SLA due (none last), priority, then age", () => {
    fc.assert(
      fc.property(backlogArb, (backlog) => {
        const ordered = Assignment.drainOrder(backlog)
        expect([...ordered].map((i) => i.ticketId).sort()).toEqual(backlog.map((i) => i.ticketId).sort())
        const key = (i: Assignment.BacklogItem) =>
          [
            i.slaDueAt === undefined ? 1 : 0,
            i.slaDueAt ?? 0,
            -["low", "normal", "high", "urgent"].indexOf(i.priority),
            i.createdAt
          ] as const
        for (let k = 1; k < ordered.length; k++) {
          const [a, b] = [key(ordered[k - 1] as Assignment.BacklogItem), key(ordered[k] as Assignment.BacklogItem)]
          const cmp = a.map((x, j) => x - (b[j] as number)).find((d) => d !== 0) ?? 0
          expect(cmp).toBeLessThanOrEqual(0)
        }
      }),
      runs
    )
  })

  it("drain never exceeds capacity and takes an earlier-SLA ticket before a later one with the same request", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.array(requestArb, { minLength: 3, maxLength: 3 }),
        rosterArb,
        backlogArb,
        (strategy, requests, r, backlog) => {
          const requestOf = (i: (typeof backlog)[number]) => requests[i.kind] as Assignment.Request
          const result = Assignment.drain(backlog, r, strategy, requestOf)
          // Capacity: what each agent got per channel fits in the room it had.
          for (const a of r.agents) {
            for (const channel of channels) {
              const got = result.assignments.filter(
                (x) => x.agent === a.id && requestOf(x.item).channel === channel
              ).length
              if (got === 0) continue
              const open = Object.hasOwn(r.load, a.id) ? (r.load[a.id]?.[channel] ?? 0) : 0
              const capacity =
                a.capacity?.[channel] ?? r.defaultCapacity?.[channel] ?? Assignment.defaultCapacity[channel]
              expect(open + got).toBeLessThanOrEqual(capacity)
              expect(Assignment.openCount(result.roster, a.id, channel)).toBe(open + got)
            }
          }
          // Every assigned agent was eligible when chosen: its ranking says so.
          for (const x of result.assignments) expect(x.ranking.chosen).toBe(x.agent)
          expect(result.assignments.length + result.leftovers.length).toBe(backlog.length)
          // SLA order among tickets that need the same agents.
          const position = new Map(result.assignments.map((x, n) => [x.item.ticketId, n]))
          for (const early of backlog) {
            for (const late of backlog) {
              if (early.kind !== late.kind || early.slaDueAt === undefined || late.slaDueAt === undefined) continue
              if (!(early.slaDueAt < late.slaDueAt)) continue
              const latePos = position.get(late.ticketId)
              if (latePos === undefined) continue
              const earlyPos = position.get(early.ticketId)
              expect(earlyPos).toBeDefined()
              expect(earlyPos as number).toBeLessThan(latePos)
            }
          }
        }
      ),
      runs
    )
  })
})
