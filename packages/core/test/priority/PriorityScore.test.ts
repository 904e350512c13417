import { Result } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Channel, ConfigError, Priority, PriorityScore, TicketType } from "../../src/index.js"

const ok = <A, E>(result: Result.Result<A, E>): A => {
  if (Result.isFailure(result)) throw new Error(`unexpected failure: ${String(result.failure)}`)
  return result.success
}

const failure = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error("expected a failure, got a policy")
  return result.failure
}

interface TicketSketch {
  readonly channel?: Channel.Channel
  readonly type?: TicketType.TicketType
  readonly tags?: ReadonlyArray<string>
  readonly customFields?: Readonly<Record<string, string | number | boolean>>
  readonly complexity?: "simple" | "standard" | "complex"
}

// Tags and field keys are branded; these test values are already normalised.
const ticket = (sketch: TicketSketch = {}): PriorityScore.TicketInput =>
  ({ channel: "email", tags: [], customFields: {}, ...sketch }) as PriorityScore.TicketInput

const sum = (factors: ReadonlyArray<PriorityScore.Factor>) => factors.reduce((total, f) => total + f.points, 0)

// --- arbitraries -------------------------------------------------------------------------------

const points = fc.integer({ min: -1000, max: 1000 })
const tiers = ["free", "standard", "premium", "enterprise", "gold"] as const
const tags = ["billing", "outage", "vip", "refund"] as const
const fieldKeys = ["plan", "region", "seats"] as const
const fieldValues = ["gold", "eu", true, 3] as const

const byImpact = fc.record({ individual: points, team: points, organization: points, customers: points })
const partial = <K extends string>(keys: ReadonlyArray<K>) =>
  fc.record(Object.fromEntries(keys.map((k) => [k, points])) as Record<K, fc.Arbitrary<number>>, {
    requiredKeys: []
  })

/** A valid policy as JSON, the way it would be stored. */
const policyJson = fc.record(
  {
    defaults: fc.record({
      urgency: fc.constantFrom(...PriorityScore.Urgency.literals),
      impact: fc.constantFrom(...PriorityScore.Impact.literals)
    }),
    matrix: fc.record({ low: byImpact, medium: byImpact, high: byImpact, blocking: byImpact }),
    tiers: fc.dictionary(fc.constantFrom(...tiers), points),
    slaRisk: fc
      .uniqueArray(fc.integer({ min: 0, max: 100 }), { maxLength: 4 })
      .map((xs) => [...xs].sort((a, b) => a - b))
      .chain((froms) => fc.tuple(...froms.map((from) => points.map((p) => ({ from: from / 100, points: p }))))),
    channels: partial(Channel.Channel.literals),
    types: partial(TicketType.TicketType.literals),
    sentiment: fc.record({ weight: fc.integer({ min: 0, max: 1000 }) }),
    tags: fc.uniqueArray(fc.record({ tag: fc.constantFrom(...tags), points }), {
      maxLength: 3,
      selector: (r) => r.tag
    }),
    customFields: fc.uniqueArray(
      fc.record({ key: fc.constantFrom(...fieldKeys), value: fc.constantFrom(...fieldValues), points }),
      { maxLength: 4, selector: (r) => `${r.key}=${String(r.value)}` }
    ),
    thresholds: fc
      .tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }))
      .map(([normal, up1, up2]) => ({ normal, high: normal + up1, urgent: normal + up1 + up2 })),
    urgentOnlyWhenBlocking: fc.boolean()
  },
  { requiredKeys: ["defaults", "matrix", "thresholds", "urgentOnlyWhenBlocking"] }
)

const policy = policyJson.map((json) => ok(PriorityScore.decodePolicy(json)))

const ticketInput = fc
  .record({
    channel: fc.constantFrom(...Channel.Channel.literals),
    type: fc.option(fc.constantFrom(...TicketType.TicketType.literals), { nil: undefined }),
    tags: fc.subarray([...tags]),
    customFields: fc.dictionary(fc.constantFrom(...fieldKeys), fc.constantFrom(...fieldValues))
  })
  .map(({ type, ...rest }) => ticket(type === undefined ? rest : { ...rest, type }))

// Out-of-range numbers and NaN included: prioritize clamps or ignores them, never throws.
const context: fc.Arbitrary<PriorityScore.Context> = fc.record(
  {
    urgency: fc.constantFrom(...PriorityScore.Urgency.literals),
    impact: fc.constantFrom(...PriorityScore.Impact.literals),
    tier: fc.constantFrom(...tiers, "bronze"),
    slaRisk: fc.oneof(fc.double({ min: -0.5, max: 1.5, noNaN: true }), fc.constant(Number.NaN)),
    sentiment: fc.oneof(fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.constant(Number.NaN))
  },
  { requiredKeys: [] }
)

const runs = { numRuns: 300 }

// --- properties --------------------------------------------------------------------------------

describe("PriorityScore properties", () => {
  it("the factors' points add up exactly to the score, and each factor says why", () => {
    fc.assert(
      fc.property(policy, ticketInput, context, (p, t, c) => {
        const result = PriorityScore.prioritize(p, t, c)
        expect(sum(result.factors)).toBe(result.score)
        expect(Number.isInteger(result.score)).toBe(true)
        for (const f of result.factors) expect(f.detail).toMatch(/\S/)
        expect(result.factors[0]?.factor).toBe("matrix")
      }),
      runs
    )
  })

  it("the priority is the score's, and a higher score never gets a lower priority", () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), (p, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a]
        expect(Priority.rank(PriorityScore.priorityOf(p, low))).toBeLessThanOrEqual(
          Priority.rank(PriorityScore.priorityOf(p, high))
        )
      }),
      runs
    )
    fc.assert(
      fc.property(policy, ticketInput, context, ticketInput, context, (p, t1, c1, t2, c2) => {
        const a = PriorityScore.prioritize(p, t1, c1)
        const b = PriorityScore.prioritize(p, t2, c2)
        expect(a.priority).toBe(PriorityScore.priorityOf(p, a.score))
        if (a.score <= b.score) expect(Priority.rank(a.priority)).toBeLessThanOrEqual(Priority.rank(b.priority))
      }),
      runs
    )
  })

  it("with urgentOnlyWhenBlocking, only a blocking problem is ever urgent", () => {
    fc.assert(
      fc.property(policy, ticketInput, context, (p, t, c) => {
        const result = PriorityScore.prioritize({ ...p, urgentOnlyWhenBlocking: true }, t, c)
        if (result.urgency !== "blocking") expect(result.priority).not.toBe("urgent")
        const uncapped = PriorityScore.prioritize({ ...p, urgentOnlyWhenBlocking: false }, t, c)
        expect(uncapped.factors.some((f) => f.factor === "cap")).toBe(false)
        expect(Priority.rank(result.priority)).toBeLessThanOrEqual(Priority.rank(uncapped.priority))
      }),
      runs
    )
  })

  it("a policy survives encoding to JSON and decoding back", () => {
    fc.assert(
      fc.property(policyJson, (json) => {
        const decoded = ok(PriorityScore.decodePolicy(json))
        const encoded = JSON.parse(JSON.stringify(PriorityScore.encodePolicy(decoded)))
        expect(encoded).toEqual(json)
        expect(ok(PriorityScore.decodePolicy(encoded))).toEqual(decoded)
      }),
      runs
    )
  })

  it("is deterministic: the same inputs give the same explanation", () => {
    fc.assert(
      fc.property(policy, ticketInput, context, (p, t, c) => {
        expect(PriorityScore.prioritize(p, t, c)).toEqual(PriorityScore.prioritize(p, t, c))
      }),
      runs
    )
  })
})

// --- the brief's examples ----------------------------------------------------------------------

describe("the default policy and the brief's examples", () => {
  const policy = PriorityScore.defaultPolicy

  it("decodes: the default policy is valid JSON policy", () => {
    expect(ok(PriorityScore.decodePolicy(PriorityScore.encodePolicy(policy)))).toEqual(policy)
  })

  it("reads the ticket's complexity: a complex ticket gains the policy's points, others none (#18)", () => {
    const complex = PriorityScore.prioritize(policy, ticket({ complexity: "complex" }))
    const simple = PriorityScore.prioritize(policy, ticket({ complexity: "simple" }))
    const none = PriorityScore.prioritize(policy, ticket({}))
    expect(complex.factors).toContainEqual({ factor: "complexity", detail: "complexity complex +5", points: 5 })
    expect(complex.score - none.score).toBe(5)
    expect(simple.score).toBe(none.score)
    const custom = { ...policy, complexities: { simple: -5, complex: 15 } }
    expect(PriorityScore.prioritize(custom, ticket({ complexity: "simple" })).score - none.score).toBe(-5)
    expect(ok(PriorityScore.decodePolicy(PriorityScore.encodePolicy(custom)))).toEqual(custom)
  })

  it("explains a billing error for an enterprise customer, factor by factor", () => {
    const billing = ticket({ type: "account", tags: ["billing"] })
    // #region prioritize
    // `billing` is a Ticket.Ticket; the policy reads its channel, type, tags and custom fields.
    const result = PriorityScore.prioritize(PriorityScore.defaultPolicy, billing, {
      urgency: "high",
      impact: "organization",
      tier: "enterprise",
      slaRisk: 0.6
    })
    expect(result.priority).toBe("high")
    expect(result.factors).toEqual([
      { factor: "matrix", detail: "urgency high × impact organization 40", points: 40 },
      { factor: "tier", detail: "tier enterprise +20", points: 20 },
      { factor: "slaRisk", detail: "SLA 60% used (at least 50%) +10", points: 10 },
      { factor: "type", detail: "type account +10", points: 10 },
      { factor: "cap", detail: "urgent is for blocking problems (urgency high): capped at high -16", points: -16 }
    ])
    expect(result.score).toBe(64) // 40 + 20 + 10 + 10 - 16
    // #endregion
  })

  const billingError = ticket({ type: "account", tags: ["billing"] })
  const generalQuestion = ticket({ type: "question", channel: "web" })

  const cases: ReadonlyArray<{
    readonly name: string
    readonly ticket: PriorityScore.TicketInput
    readonly context: PriorityScore.Context
    readonly priority: Priority.Priority
  }> = [
    {
      name: "billing error, enterprise customer, whole organization",
      ticket: ticket({ type: "incident", tags: ["billing"] }),
      context: { urgency: "high", impact: "organization", tier: "enterprise" },
      priority: "high"
    },
    {
      name: "billing problem, enterprise customer, their customers affected",
      ticket: ticket({ type: "problem", tags: ["billing"] }),
      context: { urgency: "high", impact: "customers", tier: "enterprise" },
      priority: "high"
    },
    {
      name: "general question from a free user",
      ticket: generalQuestion,
      context: { tier: "free" },
      priority: "low"
    },
    {
      name: "blocking outage for the whole organization",
      ticket: ticket({ type: "incident" }),
      context: { urgency: "blocking", impact: "organization", tier: "standard" },
      priority: "urgent"
    },
    {
      name: "blocking outage for a free user's customers",
      ticket: ticket({ type: "incident" }),
      context: { urgency: "blocking", impact: "customers", tier: "free" },
      priority: "urgent"
    },
    {
      name: "non-blocking high-impact issue with every modifier against it",
      ticket: ticket({ type: "incident", channel: "phone" }),
      context: { urgency: "high", impact: "customers", tier: "enterprise", slaRisk: 1, sentiment: -1 },
      priority: "high"
    },
    {
      name: "minor bug with no other information",
      ticket: ticket({ type: "incident" }),
      context: {},
      priority: "normal"
    }
  ]

  it.each(cases)("$name is $priority", (c) => {
    const result = PriorityScore.prioritize(policy, c.ticket, c.context)
    expect(result.priority).toBe(c.priority)
    expect(sum(result.factors)).toBe(result.score)
  })

  it("a billing error for a large customer ranks above a general question from a free user", () => {
    const billing = PriorityScore.prioritize(policy, billingError, { impact: "organization", tier: "enterprise" })
    const question = PriorityScore.prioritize(policy, generalQuestion, { tier: "free" })
    expect(PriorityScore.ranksAbove(billing, question)).toBe(true)
    expect(Priority.rank(billing.priority)).toBeGreaterThan(Priority.rank(question.priority))
  })

  it("a non-blocking problem is at most high, however high its score would be", () => {
    for (const urgency of ["low", "medium", "high"] as const) {
      const result = PriorityScore.prioritize(policy, ticket({ type: "incident", channel: "phone" }), {
        urgency,
        impact: "customers",
        tier: "enterprise",
        slaRisk: 1,
        sentiment: -1
      })
      expect(Priority.rank(result.priority)).toBeLessThanOrEqual(Priority.rank("high"))
    }
  })

  it("SLA risk raises a ticket: a minor bug near its due time becomes high", () => {
    const minorBug = ticket({ type: "incident" })
    const calm = PriorityScore.prioritize(policy, minorBug, { slaRisk: 0.1 })
    const late = PriorityScore.prioritize(policy, minorBug, { slaRisk: 0.9 })
    expect(calm.priority).toBe("normal")
    expect(late.priority).toBe("high")
    expect(late.factors).toContainEqual({ factor: "slaRisk", detail: "SLA 90% used (at least 80%) +20", points: 20 })
  })

  it("negative sentiment raises a ticket; positive sentiment does not lower it", () => {
    const question = ticket({ type: "question" })
    expect(PriorityScore.prioritize(policy, question, { sentiment: 0 }).priority).toBe("low")
    const angry = PriorityScore.prioritize(policy, question, { sentiment: -1 })
    expect(angry.priority).toBe("normal")
    expect(angry.factors).toContainEqual({ factor: "sentiment", detail: "sentiment -1 (negative) +10", points: 10 })
    const pleased = PriorityScore.prioritize(policy, question, { sentiment: 1 })
    expect(pleased.score).toBe(PriorityScore.prioritize(policy, question).score)
  })

  it("an absent urgency or impact takes the policy's default, and says so", () => {
    const result = PriorityScore.prioritize(policy, ticket(), {})
    expect(result.factors[0]).toEqual({
      factor: "matrix",
      detail: "urgency medium (default) × impact individual (default) 15",
      points: 15
    })
  })

  it("custom fields and tags add their points when the ticket carries them", () => {
    const custom: PriorityScore.Policy = ok(
      PriorityScore.decodePolicy({
        ...(PriorityScore.encodePolicy(policy) as Record<string, unknown>),
        tags: [{ tag: "outage", points: 15 }],
        customFields: [{ key: "plan", value: "gold", points: 5 }]
      })
    )
    const result = PriorityScore.prioritize(custom, ticket({ tags: ["outage"], customFields: { plan: "gold" } }))
    expect(result.factors).toContainEqual({ factor: "tag", detail: "tag outage +15", points: 15 })
    expect(result.factors).toContainEqual({ factor: "customField", detail: 'plan = "gold" +5', points: 5 })
    const other = PriorityScore.prioritize(custom, ticket({ customFields: { plan: "silver" } }))
    expect(other.factors.map((f) => f.factor)).toEqual(["matrix"])
  })

  it("a tier the policy does not know counts for nothing, and says so", () => {
    const result = PriorityScore.prioritize(policy, ticket(), { tier: "bronze" })
    expect(result.factors).toContainEqual({ factor: "tier", detail: "tier bronze (not in the policy) +0", points: 0 })
  })
})

// --- invalid policies --------------------------------------------------------------------------

describe("decodePolicy refuses invalid policies with a path", () => {
  const base = PriorityScore.encodePolicy(PriorityScore.defaultPolicy) as Record<string, unknown>

  /** The one problem of a policy that has one. */
  const invalid = (json: unknown) => {
    const error = failure(PriorityScore.decodePolicy(json))
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error).toMatchObject({ _tag: "InvalidConfig", config: "priority-policy" })
    expect(error.problems).toHaveLength(1)
    return error.problems[0] as ConfigError.Problem
  }

  it("an unknown key at the top", () => {
    const error = invalid({ ...base, boost: 10 })
    expect(error.path).toEqual(["boost"])
  })

  it("an unknown key deep inside (a misspelt channel)", () => {
    const error = invalid({ ...base, channels: { phone: 5, fax: 5 } })
    expect(error.path).toEqual(["channels", "fax"])
  })

  it("an urgency level that does not exist", () => {
    const error = invalid({ ...base, defaults: { urgency: "critical", impact: "team" } })
    expect(error.path).toEqual(["defaults", "urgency"])
  })

  it("an impact level missing from the matrix", () => {
    const matrix = base.matrix as Record<string, unknown>
    const error = invalid({ ...base, matrix: { ...matrix, high: { individual: 30, team: 35, organization: 40 } } })
    expect(error.path).toEqual(["matrix", "high", "customers"])
  })

  it("points that are not integers", () => {
    const error = invalid({ ...base, tiers: { premium: 10.5 } })
    expect(error.path).toEqual(["tiers", "premium"])
  })

  it("thresholds that do not increase", () => {
    const error = invalid({ ...base, thresholds: { normal: 15, high: 40, urgent: 40 } })
    expect(error.path).toEqual(["thresholds", "urgent"])
    expect(error.message).toBe("40 is not above high's 40")
    expect(invalid({ ...base, thresholds: { normal: 15, high: 10, urgent: 65 } }).path).toEqual(["thresholds", "high"])
  })

  it("SLA risk steps out of order or out of range", () => {
    const steps = [
      { from: 0.8, points: 20 },
      { from: 0.5, points: 10 }
    ]
    expect(invalid({ ...base, slaRisk: steps }).path).toEqual(["slaRisk", 1, "from"])
    expect(invalid({ ...base, slaRisk: [{ from: 1.5, points: 1 }] }).path).toEqual(["slaRisk", 0, "from"])
  })

  it("the same custom field value or tag twice", () => {
    const rule = { key: "plan", value: "gold", points: 5 }
    expect(invalid({ ...base, customFields: [rule, rule] }).path).toEqual(["customFields", 1])
    expect(
      invalid({
        ...base,
        tags: [
          { tag: "vip", points: 1 },
          { tag: "vip", points: 2 }
        ]
      }).path
    ).toEqual(["tags", 1])
  })

  it("something that is not a policy at all", () => {
    expect(invalid("urgent please").path).toEqual([])
  })

  it("lists every problem at once, schema and ordering together, each with its path", () => {
    const error = failure(
      PriorityScore.decodePolicy({
        ...base,
        boost: 10,
        channels: { phone: 5, fax: 5 },
        tiers: { premium: 10.5 },
        thresholds: { normal: 15, high: 10, urgent: 10 },
        slaRisk: [
          { from: 0.8, points: 20 },
          { from: 0.5, points: 10 }
        ],
        tags: [
          { tag: "vip", points: 1 },
          { tag: "vip", points: 2 }
        ]
      })
    )
    expect(error.config).toBe("priority-policy")
    expect(error.problems.map((p) => p.path)).toEqual([
      ["boost"],
      ["tiers", "premium"],
      ["channels", "fax"],
      ["thresholds", "high"],
      ["thresholds", "urgent"],
      ["slaRisk", 1, "from"],
      ["tags", 1]
    ])
    expect(error.message).toContain("thresholds.high: 10 is not above normal's 15")
  })
})
