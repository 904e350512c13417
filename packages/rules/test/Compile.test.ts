import { fc, test as fcTest } from "@fast-check/vitest"
import { Channel, Complexity, Priority, Status, Ticket, TicketType } from "@tessera/core"
import { Arbitraries } from "@tessera/core/testing"
import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Compile from "../src/Compile.js"
import * as Facts from "../src/Facts.js"
import * as Interpreter from "../src/Interpreter.js"
import * as Rule from "../src/Rule.js"

// -- fixtures --------------------------------------------------------------------------------------

const hour = 3_600_000
const created = Date.UTC(2026, 2, 9, 13, 0)

const ticket = (overrides: Record<string, unknown> = {}): Ticket.Ticket =>
  Schema.decodeUnknownSync(Ticket.Ticket)({
    id: "tkt_1",
    workspaceId: "acme",
    publicId: 69369,
    version: 1,
    subject: "Invoice 4471 is wrong",
    description: "I was over-charged",
    requester: "jane",
    channel: "email",
    priority: "normal",
    status: "new",
    category: "new",
    supportLevel: 1,
    tags: ["billing"],
    customFields: { plan: "pro", seats: 12 },
    followers: [],
    messages: [
      {
        id: "msg_1",
        visibility: "public",
        author: { _tag: "contact", id: "jane" },
        channel: "email",
        at: new Date(created).toISOString(),
        text: "I was over-charged",
        attachments: []
      }
    ],
    links: [],
    createdAt: new Date(created).toISOString(),
    updatedAt: new Date(created).toISOString(),
    statusChangedAt: new Date(created).toISOString(),
    ...overrides
  })

const rule = (input: unknown): Rule.Rule => Result.getOrThrow(Rule.decodeRule(input))

/** Both ways of compiling: generated code (the default here) and closures. */
const backends = [{ generate: true }, { generate: false }] as const

const both = (rules: Rule.RuleSet, facts: Facts.Facts) => {
  const expected = Interpreter.matching(rules, facts).map((r) => r.id)
  const [compiled, ...others] = backends.map((options) =>
    Compile.compile(rules, options)
      .matching(facts)
      .map((r) => r.id)
  )
  expect(compiled).toEqual(expected)
  for (const other of others) expect(other).toEqual(expected)
  return compiled as ReadonlyArray<string>
}

const when = (condition: unknown, facts: Facts.Facts): boolean => {
  const r = rule({ id: "r", version: 1, kind: "trigger", if: condition, then: [{ note: "x" }] })
  const compiled = Compile.compileCondition(r.if)(facts)
  expect(compiled).toBe(Interpreter.evaluate(r.if, facts))
  expect(Compile.compileCondition(r.if, { generate: false })(facts)).toBe(compiled)
  expect(Interpreter.explain(r.if, facts).held).toBe(compiled)
  // The same condition as a rule of a set (the generated code for sets is its own).
  const { on: _on, ...onAnyEvent } = r
  expect(both([onAnyEvent], facts)).toEqual(compiled ? ["r"] : [])
  return compiled
}

describe("Compile (examples)", () => {
  const billingPremium = rule({
    id: "billing-premium",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: {
      all: [
        { field: "tags", op: "includes", value: "billing" },
        { field: "requester.tier", op: "is", value: "premium" }
      ]
    },
    then: [
      { set: "group", value: "billing-seniors" },
      { set: "priority", value: "high" }
    ]
  })

  it("a billing ticket from a premium requester is routed on creation, not on a later reply", () => {
    const facts = Facts.make({ ticket: ticket(), events: ["created"], requesterTier: "premium", now: created })
    expect(both([billingPremium], facts)).toEqual(["billing-premium"])
    expect(both([billingPremium], { ...facts, events: ["requester_replied"] })).toEqual([])
    expect(both([billingPremium], { ...facts, requesterTier: "standard" })).toEqual([])
    expect(both([{ ...billingPremium, enabled: false }], facts)).toEqual([])
  })

  it("keeps rule order, and a rule without `on` runs on any event", () => {
    const any = rule({ id: "any", version: 1, kind: "trigger", if: { all: [] }, then: [{ note: "x" }] })
    const facts = Facts.make({ ticket: ticket(), events: ["created"], requesterTier: "premium", now: created })
    expect(both([any, billingPremium], facts)).toEqual(["any", "billing-premium"])
    expect(both([billingPremium, any], facts)).toEqual(["billing-premium", "any"])
  })

  it("on creation, `changed` is true for a present field and `changedFrom` is false", () => {
    const facts = Facts.make({ ticket: ticket(), events: ["created"], now: created })
    expect(when({ field: "priority", op: "changed" }, facts)).toBe(true)
    expect(when({ field: "assignee", op: "changed" }, facts)).toBe(false)
    expect(when({ field: "priority", op: "changedTo", value: "normal" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "changedFrom", value: "normal" }, facts)).toBe(false)
    expect(when({ field: "tags", op: "changedTo", value: "billing" }, facts)).toBe(true)
  })

  it("`is`, `changed`, `changedTo` and `changedFrom` are different questions", () => {
    const before = ticket()
    const after = ticket({ priority: "urgent", tags: ["billing", "vip"] })
    const facts = Facts.make({ ticket: after, previous: before, events: ["updated"], now: created })
    expect(when({ field: "priority", op: "is", value: "urgent" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "changed" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "changedTo", value: "urgent" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "changedFrom", value: "normal" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "changedFrom", value: "high" }, facts)).toBe(false)
    expect(when({ field: "status", op: "changed" }, facts)).toBe(false)
    expect(when({ field: "tags", op: "changedTo", value: ["vip", "x"] }, facts)).toBe(true)
    expect(when({ field: "tags", op: "changedTo", value: "billing" }, facts)).toBe(false)
    // Same ticket again: nothing changed, though it still is urgent.
    const still = { ...facts, previous: after }
    expect(when({ field: "priority", op: "is", value: "urgent" }, still)).toBe(true)
    expect(when({ field: "priority", op: "changedTo", value: "urgent" }, still)).toBe(false)
  })

  it("orders priorities by rank and numbers by value", () => {
    const facts = Facts.make({ ticket: ticket({ priority: "high" }), now: created })
    expect(when({ field: "priority", op: "gte", value: "high" }, facts)).toBe(true)
    expect(when({ field: "priority", op: "gt", value: "high" }, facts)).toBe(false)
    expect(when({ field: "priority", op: "lt", value: "urgent" }, facts)).toBe(true)
    expect(when({ field: "custom.seats", op: "gt", value: 10 }, facts)).toBe(true)
    expect(when({ field: "custom.plan", op: "gt", value: 10 }, facts)).toBe(false)
    expect(when({ field: "custom.missing", op: "absent" }, facts)).toBe(true)
    expect(when({ field: "custom.constructor", op: "present" }, facts)).toBe(false)
  })

  it("reads message words, patterns, time, business hours, classification and events", () => {
    const facts = Facts.make({
      ticket: ticket(),
      events: ["requester_replied"],
      messages: ["Still no REFUND, ça suffit!"],
      now: created + 30 * hour,
      isOpen: () => false,
      classification: { sentiment: "negative" }
    })
    expect(when({ text: "message", op: "containsWords", value: "refund ca" }, facts)).toBe(true)
    expect(when({ text: "message", op: "containsWords", value: "refund invoice" }, facts)).toBe(false)
    expect(when({ text: "any", op: "containsWords", value: "refund invoice" }, facts)).toBe(true)
    expect(when({ text: "message", op: "containsAny", value: ["invoice", "refund"] }, facts)).toBe(true)
    expect(when({ text: "message", op: "matches", value: "no refund" }, facts)).toBe(false)
    expect(when({ text: "message", op: "matches", value: "no refund", ignoreCase: true }, facts)).toBe(true)
    expect(when({ text: "subject", op: "matches", value: "^Invoice \\d{4}\\b" }, facts)).toBe(true)
    expect(when({ since: "created", op: "atLeast", hours: 24 }, facts)).toBe(true)
    expect(when({ since: "lastRequesterReply", op: "lessThan", hours: 24 }, facts)).toBe(false)
    expect(when({ since: "lastAgentReply", op: "atLeast", hours: 0 }, facts)).toBe(false)
    expect(when({ businessHours: "closed" }, facts)).toBe(true)
    expect(when({ businessHours: "open" }, { ...facts, isOpen: undefined })).toBe(true)
    expect(when({ classification: "sentiment", op: "is", value: "negative" }, facts)).toBe(true)
    expect(when({ classification: "urgency", op: "in", value: ["low", "normal", "high"] }, facts)).toBe(false)
    expect(when({ event: ["created", "requester_replied"] }, facts)).toBe(true)
  })

  it("a catastrophic-backtracking pattern in a rule is bounded: 50,000 characters answer at once", () => {
    const evil = rule({
      id: "evil",
      version: 1,
      kind: "trigger",
      if: {
        any: [
          { text: "message", op: "matches", value: "^(a+)+$" },
          { text: "message", op: "matches", value: "(a|aa)*b" }
        ]
      },
      then: [{ note: "x" }]
    })
    const facts = Facts.make({ ticket: ticket(), messages: [`${"a".repeat(50_000)}!`], now: created })
    expect(both([evil], facts)).toEqual([])
    expect(both([evil], { ...facts, messages: ["a".repeat(50_000)] })).toEqual(["evil"])
  })

  it("explains a rule: every node with its outcome, leaves with what they read", () => {
    const facts = Facts.make({ ticket: ticket(), events: ["created"], requesterTier: "standard", now: created })
    const trace = Interpreter.explain(billingPremium.if, facts)
    expect(trace).toEqual({
      _tag: "All",
      held: false,
      children: [
        {
          _tag: "Leaf",
          condition: { field: "tags", op: "includes", value: "billing" },
          held: true,
          actual: ["billing"],
          expected: "billing"
        },
        {
          _tag: "Leaf",
          condition: { field: "requester.tier", op: "is", value: "premium" },
          held: false,
          actual: "standard",
          expected: "premium"
        }
      ]
    })
  })
})

describe("Compile (specialised code)", () => {
  const at = (overrides: Record<string, unknown> = {}, previous?: Record<string, unknown>) =>
    Facts.make({
      ticket: ticket(overrides),
      previous: previous === undefined ? undefined : ticket(previous),
      events: ["updated"],
      requesterTier: "premium",
      now: created
    })

  /** Like `when`, for a condition the decoder would refuse (compileCondition takes any condition). */
  const unchecked = (condition: Rule.Condition, facts: Facts.Facts): boolean => {
    const expected = Interpreter.evaluate(condition, facts)
    expect(Compile.compileCondition(condition)(facts)).toBe(expected)
    expect(Compile.compileCondition(condition, { generate: false })(facts)).toBe(expected)
    return expected
  }

  it("custom fields named like Object.prototype members are read as own fields only", () => {
    const plain = at()
    expect(when({ field: "custom.constructor", op: "present" }, plain)).toBe(false)
    expect(when({ field: "custom.constructor", op: "absent" }, plain)).toBe(true)
    expect(when({ field: "custom.constructor", op: "isNot", value: "x" }, plain)).toBe(true)
    expect(when({ field: "custom.constructor", op: "notIn", value: ["x", 1] }, plain)).toBe(true)
    expect(when({ field: "custom.constructor", op: "changed" }, at({}, {}))).toBe(false)
    expect(when({ field: "custom.constructor", op: "changed" }, Facts.make({ ticket: ticket(), now: created }))).toBe(
      false
    )
    for (const key of ["__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      const field = `custom.${key}` as Rule.FieldName
      expect(unchecked({ field, op: "present" }, plain)).toBe(false)
      expect(unchecked({ field, op: "isNot", value: "x" }, plain)).toBe(true)
      expect(unchecked({ field, op: "changed" }, at({}, {}))).toBe(false)
    }
    const own = at({ customFields: { constructor: "pro", seats: 3 } }, { customFields: { constructor: "free" } })
    expect(when({ field: "custom.constructor", op: "is", value: "pro" }, own)).toBe(true)
    expect(when({ field: "custom.constructor", op: "changedFrom", value: "free" }, own)).toBe(true)
    expect(when({ field: "custom.constructor", op: "changed" }, own)).toBe(true)
  })

  it("rule values never become code: quotes, backslashes and code-like keys are data", () => {
    const hostile = ['"); throw new Error("x"); ("', "\\", `\`$\{process.exit(1)}\``, "k0", "t.status", "\u2028"]
    const customFields = Object.fromEntries(hostile.map((h, i) => [`f${i}`, h]))
    const facts = at({ customFields })
    hostile.forEach((h, i) => {
      expect(when({ field: `custom.f${i}`, op: "is", value: h }, facts)).toBe(true)
      expect(when({ field: `custom.f${i}`, op: "in", value: [h, "x"] }, facts)).toBe(true)
      const field = `custom.${h}` as Rule.FieldName
      expect(unchecked({ field, op: "absent" }, facts)).toBe(true)
      expect(unchecked({ field: "status", op: "in", value: [h, "new"] }, facts)).toBe(true)
    })
    expect(unchecked({ field: "custom.f0", op: "is", value: hostile[0] as string }, facts)).toBe(true)
  })

  it("tags are normalised once, compared as a set, and change operators handle a created ticket", () => {
    const facts = at({ tags: ["billing", "vip"] }, { tags: ["vip", "billing", "vip"] })
    expect(when({ field: "tags", op: "includes", value: "Billing" }, facts)).toBe(true)
    expect(when({ field: "tags", op: "includes", value: [" VIP ", "x"] }, facts)).toBe(true)
    expect(when({ field: "tags", op: "excludes", value: ["Été", "x"] }, facts)).toBe(true)
    expect(when({ field: "tags", op: "changed" }, facts)).toBe(false)
    expect(when({ field: "tags", op: "changedTo", value: "billing" }, facts)).toBe(false)
    expect(when({ field: "tags", op: "changedFrom", value: "vip" }, facts)).toBe(false)
    const added = at({ tags: ["billing", "été"] }, { tags: ["billing", "vip"] })
    expect(when({ field: "tags", op: "changed" }, added)).toBe(true)
    expect(when({ field: "tags", op: "changedTo", value: "Été" }, added)).toBe(true)
    expect(when({ field: "tags", op: "changedFrom", value: "VIP" }, added)).toBe(true)
    const fresh = Facts.make({ ticket: ticket({ tags: [] }), now: created })
    expect(when({ field: "tags", op: "changed" }, fresh)).toBe(false)
    expect(when({ field: "tags", op: "absent" }, fresh)).toBe(true)
    expect(when({ field: "tags", op: "changedFrom", value: "billing" }, fresh)).toBe(false)
  })

  it("priority order is by rank, at every level and bound", () => {
    for (const actual of Priority.levels) {
      const facts = at({ priority: actual })
      for (const op of ["lt", "lte", "gt", "gte"] as const)
        for (const value of Priority.levels) when({ field: "priority", op, value }, facts)
    }
    expect(when({ field: "priority", op: "lt", value: "low" }, at({ priority: "low" }))).toBe(false)
    expect(when({ field: "priority", op: "gte", value: "low" }, at({ priority: "urgent" }))).toBe(true)
  })

  it("change operators with no previous ticket, the same ticket, and a different one", () => {
    const fresh = Facts.make({ ticket: ticket({ status: "open", category: "open" }), now: created })
    const same = at({}, {})
    const moved = at({ status: "open", category: "open" }, {})
    for (const facts of [fresh, same, moved])
      for (const field of ["status", "category", "group", "custom.plan", "custom.seats", "supportLevel"]) {
        when({ field, op: "changed" }, facts)
        for (const value of ["open", "new", "pro"]) {
          if (field === "custom.seats" || field === "supportLevel" || field === "category") continue
          when({ field, op: "changedTo", value }, facts)
          when({ field, op: "changedFrom", value }, facts)
        }
      }
    expect(when({ field: "status", op: "changedTo", value: "open" }, fresh)).toBe(true)
    expect(when({ field: "status", op: "changedFrom", value: "new" }, fresh)).toBe(false)
    expect(when({ field: "status", op: "changedFrom", value: "new" }, moved)).toBe(true)
  })

  it("long `in` lists, numbers at the bounds and folded constants agree too", () => {
    const facts = at({ group: "g9", customFields: { amount: 100 } })
    const groups = Array.from({ length: 12 }, (_, i) => `g${i}`)
    expect(when({ field: "group", op: "in", value: groups }, facts)).toBe(true)
    expect(when({ field: "group", op: "notIn", value: groups.slice(0, 9) }, facts)).toBe(true)
    expect(when({ field: "custom.amount", op: "gte", value: 100 }, facts)).toBe(true)
    expect(when({ field: "custom.amount", op: "gt", value: 100 }, facts)).toBe(false)
    expect(when({ field: "custom.amount", op: "lt", value: 100.5 }, facts)).toBe(true)
    expect(when({ all: [] }, facts)).toBe(true)
    expect(when({ any: [] }, facts)).toBe(false)
    expect(when({ not: { all: [] } }, facts)).toBe(false)
    expect(when({ all: [{ any: [] }, { field: "group", op: "is", value: "g9" }] }, facts)).toBe(false)
    expect(when({ any: [{ not: { any: [] } }, { field: "group", op: "is", value: "x" }] }, facts)).toBe(true)
  })

  it("matching returns the same empty answer when nothing fires, and text rules share their words", () => {
    const quiet = rule({
      id: "quiet",
      version: 1,
      kind: "trigger",
      if: { field: "status", op: "is", value: "closed" },
      then: [{ note: "x" }]
    })
    const words = (id: string, value: string) =>
      rule({ id, version: 1, kind: "trigger", if: { text: "any", op: "containsWords", value }, then: [{ note: "x" }] })
    const facts = Facts.make({ ticket: ticket(), messages: ["refund please"], events: ["created"], now: created })
    const compiled = Compile.compile([quiet])
    expect(compiled.matching(facts)).toEqual([])
    expect(compiled.matching(facts)).toBe(compiled.matching(facts))
    const many = [quiet, ...Array.from({ length: 70 }, (_, i) => words(`w${i}`, i % 2 === 0 ? "refund" : "invoice x"))]
    expect(both(many, facts)).toHaveLength(35)
  })
})

// -- the property: compiled == interpreted ---------------------------------------------------------

const events = Rule.TriggerEvent.literals
const vocabulary = ["vpn", "drops", "invoice", "refund", "merci", "ça", "Ça marche", "hour", "wrong", "URGENT"]
const patterns = ["vpn", "^re:", "\\d{3,}", "(drops|invoice)", "ça", "[A-Z]{2}", "^(a+)+$", "\\bhour\\b", "e.*e"]

const fields: ReadonlyArray<Rule.FieldName> = [
  ...Rule.TicketFieldName.literals,
  "custom.plan",
  "custom.vip",
  "custom.order_number",
  "custom.constructor"
]

const scalarFor = (field: Rule.FieldName, op: Rule.FieldOp): fc.Arbitrary<Rule.Scalar> => {
  const kind = Rule.fieldKind(field)
  switch (kind) {
    case "priority":
      return fc.constantFrom(...Priority.levels)
    case "enum":
      return fc.constantFrom(
        ...(field === "category"
          ? Status.StatusCategory.literals
          : field === "channel"
            ? Channel.Channel.literals
            : field === "complexity"
              ? Complexity.Complexity.literals
              : field === "satisfaction"
                ? (["good", "neutral", "bad"] as const)
                : TicketType.TicketType.literals)
      )
    case "number":
      return fc.oneof(fc.constantFrom(1, 2, 3), fc.integer({ min: -2, max: 5 }))
    case "tier":
      return fc.constantFrom("premium", "standard", "")
    case "tags":
      return fc.oneof(Arbitraries.tag, fc.constantFrom("billing", "vpn_issue", "Billing", "été"))
    case "custom":
      return ["lt", "lte", "gt", "gte"].includes(op)
        ? fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
        : fc.oneof(Arbitraries.fieldValue, fc.constantFrom("free", "pro", 0, 1, true, false))
    case "text":
      switch (field) {
        case "status":
          return fc.constantFrom("new", "open", "pending", "solved", "awaiting_vendor")
        case "group":
          return Arbitraries.groupId
        case "assignee":
          return Arbitraries.agentId
        case "requester":
          return Arbitraries.contactId
        case "organization":
          return Arbitraries.organizationId
        default:
          return fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong", "")
      }
  }
}

const fieldCondition: fc.Arbitrary<Rule.Condition> = fc
  .constantFrom(...fields)
  .chain((field) => fc.constantFrom(...Rule.opsFor(Rule.fieldKind(field))).map((op) => ({ field, op })))
  .chain(({ field, op }): fc.Arbitrary<Rule.Condition> => {
    if (op === "present" || op === "absent" || op === "changed") return fc.constant({ field, op })
    const scalar = scalarFor(field, op)
    const list = fc.array(scalar, { minLength: 1, maxLength: 3 })
    if (op === "in" || op === "notIn") return list.map((value) => ({ field, op, value }))
    if (field === "tags") return fc.oneof(scalar, list).map((value) => ({ field, op, value }))
    return scalar.map((value) => ({ field, op, value }))
  })

const leaf: fc.Arbitrary<Rule.Condition> = fc.oneof(
  { weight: 6, arbitrary: fieldCondition },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({
        text: fc.constantFrom("message", "subject", "any"),
        op: fc.constantFrom("containsWords", "containsAny"),
        value: fc.oneof(
          fc.constantFrom(...vocabulary),
          fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 3 })
        )
      }),
      fc.record(
        {
          text: fc.constantFrom("message", "subject", "any"),
          op: fc.constant("matches"),
          value: fc.constantFrom(...patterns),
          ignoreCase: fc.boolean()
        },
        { requiredKeys: ["text", "op", "value"], noNullPrototype: true }
      )
    ) as fc.Arbitrary<Rule.Condition>
  },
  {
    weight: 1,
    arbitrary: fc.record({
      since: fc.constantFrom("created", "updated", "statusChanged", "lastRequesterReply", "lastAgentReply"),
      op: fc.constantFrom("atLeast", "lessThan"),
      hours: fc.constantFrom(0, 0.5, 1, 24, 72, 1000)
    })
  },
  { weight: 1, arbitrary: fc.constantFrom("open", "closed").map((businessHours) => ({ businessHours })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({
        classification: fc.constant("sentiment"),
        op: fc.constant("is"),
        value: fc.constantFrom(...Rule.Sentiment.literals)
      }),
      fc.record({
        classification: fc.constant("urgency"),
        op: fc.constant("in"),
        value: fc.array(fc.constantFrom(...Rule.Urgency.literals), { minLength: 1, maxLength: 2 })
      })
    ) as fc.Arbitrary<Rule.Condition>
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constantFrom(...events), fc.array(fc.constantFrom(...events), { minLength: 1, maxLength: 3 }))
      .map((event) => ({ event }) as Rule.Condition)
  }
)

const conditionOf = (depth: number): fc.Arbitrary<Rule.Condition> =>
  depth === 0
    ? leaf
    : fc.oneof(
        { weight: 3, arbitrary: leaf },
        { weight: 1, arbitrary: fc.array(conditionOf(depth - 1), { maxLength: 4 }).map((all) => ({ all })) },
        { weight: 1, arbitrary: fc.array(conditionOf(depth - 1), { maxLength: 4 }).map((any) => ({ any })) },
        { weight: 1, arbitrary: conditionOf(depth - 1).map((not) => ({ not })) }
      )

const condition = conditionOf(4)

const ruleDocs = fc
  .array(
    fc.record(
      {
        kind: fc.constantFrom("trigger", "trigger", "automation"),
        enabled: fc.boolean(),
        on: fc.uniqueArray(fc.constantFrom(...events), { minLength: 1, maxLength: 3 }),
        if: condition
      },
      { requiredKeys: ["kind", "if"], noNullPrototype: true }
    ),
    { minLength: 1, maxLength: 6 }
  )
  .map((drafts) =>
    drafts.map(({ on, ...draft }, i) => ({
      id: `r${i}`,
      version: 1,
      ...draft,
      ...(on !== undefined && draft.kind === "trigger" ? { on } : {}),
      then: [{ note: "fired" }]
    }))
  )

/** A ticket folded from core events, and sometimes the state a few events earlier. */
const tickets = Arbitraries.openedStream.chain(({ before, opened, after }) =>
  fc.integer({ min: 0, max: after.length }).chain((cut) => {
    const current = Ticket.fold([...before, opened, ...after]) as Ticket.Ticket
    const earlier = Ticket.fold([...before, opened, ...after.slice(0, cut)]) as Ticket.Ticket
    return fc.constantFrom<readonly [Ticket.Ticket, Ticket.Ticket | undefined]>(
      [current, undefined],
      [current, earlier],
      [current, current]
    )
  })
)

const facts: fc.Arbitrary<Facts.Facts> = fc
  .record({
    tickets,
    events: fc.uniqueArray(fc.constantFrom(...events), { maxLength: 3 }),
    messages: fc.array(
      fc.oneof(
        fc.array(fc.constantFrom(...vocabulary, "re: x", "4471", "aaaa"), { maxLength: 4 }).map((ws) => ws.join(" ")),
        Arbitraries.messageText
      ),
      { maxLength: 2 }
    ),
    requesterTier: fc.option(fc.constantFrom("premium", "standard"), { nil: undefined }),
    organizationTier: fc.option(fc.constantFrom("premium", "standard"), { nil: undefined }),
    offsetHours: fc.double({ min: -10, max: 2000, noNaN: true }),
    open: fc.constantFrom<"always" | "never" | "odd hours" | undefined>("always", "never", "odd hours", undefined),
    classification: fc.option(
      fc.record(
        { sentiment: fc.constantFrom(...Rule.Sentiment.literals), urgency: fc.constantFrom(...Rule.Urgency.literals) },
        { requiredKeys: [], noNullPrototype: true }
      ),
      { nil: undefined }
    )
  })
  .map(({ tickets: [ticket, previous], offsetHours, open, ...rest }) =>
    Facts.make({
      ...rest,
      ticket,
      previous,
      now: Math.round(ticket.updatedAt.epochMilliseconds + offsetHours * hour),
      isOpen:
        open === undefined
          ? undefined
          : open === "odd hours"
            ? (at: number) => Math.floor(at / hour) % 2 === 1
            : () => open === "always"
    })
  )

describe("Compile vs Interpreter", () => {
  const outcomes = { held: 0, failed: 0 }

  fcTest.prop([condition, facts], { numRuns: 1000 })(
    "a compiled condition holds exactly when the interpreter says so, and explain agrees",
    (c, f) => {
      const decoded = Rule.decodeRule({ id: "r", version: 1, kind: "trigger", if: c, then: [{ note: "x" }] })
      expect(Result.isSuccess(decoded)).toBe(true)
      const expected = Interpreter.evaluate(c, f)
      expect(Compile.compileCondition(c)(f)).toBe(expected)
      expect(Compile.compileCondition(c, { generate: false })(f)).toBe(expected)
      expect(Interpreter.explain(c, f).held).toBe(expected)
      outcomes[expected ? "held" : "failed"]++
    }
  )

  it("the random conditions above both held and failed often (the property tested something)", () => {
    expect(outcomes.held).toBeGreaterThan(100)
    expect(outcomes.failed).toBeGreaterThan(100)
  })

  fcTest.prop([ruleDocs, facts], { numRuns: 600 })(
    "a compiled rule set matches the same rules, in the same order, as the interpreter",
    (docs, f) => {
      const rules = Result.getOrThrow(Rule.decodeRuleSet(docs))
      const expected = Interpreter.matching(rules, f).map((r) => r.id)
      for (const options of backends) {
        const compiled = Compile.compile(rules, options)
        expect(compiled.matching(f).map((r) => r.id)).toEqual(expected)
        // Again: the second evaluation reuses what the first generated for these events.
        expect(compiled.matching(f).map((r) => r.id)).toEqual(expected)
      }
      // One rule at a time, as the trigger runner asks them, on the same facts object (whose
      // words and events mask are then shared): the same rules.
      const each = Compile.compileEach(rules)
      expect(rules.filter((_, i) => (each[i] as (facts: Facts.Facts) => boolean)(f)).map((r) => r.id)).toEqual(expected)
    }
  )
})
