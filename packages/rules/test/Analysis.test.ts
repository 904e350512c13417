import { fc, test as fcTest } from "@fast-check/vitest"
import { Helpdesk, MemoryHelpdesk, Priority, Ticket } from "@tessera/core"
import { Arbitraries } from "@tessera/core/testing"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import * as Analysis from "../src/Analysis.js"
import * as Facts from "../src/Facts.js"
import * as Interpreter from "../src/Interpreter.js"
import * as Rule from "../src/Rule.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

// -- fixtures --------------------------------------------------------------------------------------

const decode = (docs: ReadonlyArray<unknown>): Rule.RuleSet => Result.getOrThrow(Rule.decodeRuleSet(docs))

const trigger = (
  id: string,
  condition: unknown,
  then: ReadonlyArray<unknown>,
  extra: Record<string, unknown> = {}
) => ({
  id,
  version: 1,
  kind: "trigger",
  if: condition,
  then,
  ...extra
})

const automation = (id: string, condition: unknown, then: ReadonlyArray<unknown>) => ({
  id,
  version: 1,
  kind: "automation",
  if: condition,
  then
})

const field = (name: string, op: string, value?: unknown) =>
  value === undefined ? { field: name, op } : { field: name, op, value }

const note = { note: "x" }

const findings = (docs: ReadonlyArray<unknown>) => Analysis.check(decode(docs))

const ofKind = (docs: ReadonlyArray<unknown>, kind: Analysis.Kind) => findings(docs).filter((f) => f.kind === kind)

/** The one finding of a single rule's document about `never_matches`, if any. */
const never = (condition: unknown, extra: Record<string, unknown> = {}) =>
  ofKind([trigger("r", condition, [note], extra)], "never_matches")

// -- never_matches ---------------------------------------------------------------------------------

describe("never_matches", () => {
  it.each([
    ["two values for one field", { all: [field("priority", "is", "high"), field("priority", "is", "low")] }],
    ["a value and its negation", { all: [field("status", "is", "open"), field("status", "isNot", "open")] }],
    ["lists with nothing in common", { all: [field("group", "in", ["a", "b"]), field("group", "in", ["c"])] }],
    [
      "a value its own exclusion list names",
      { all: [field("status", "is", "open"), field("status", "notIn", ["open", "x"])] }
    ],
    ["an empty number range", { all: [field("custom.seats", "gt", 5), field("custom.seats", "lt", 3)] }],
    ["an empty priority range", { all: [field("priority", "gte", "high"), field("priority", "lte", "normal")] }],
    ["set and empty at once", { all: [field("assignee", "present"), field("assignee", "absent")] }],
    [
      "changed to one value while being another",
      { all: [field("status", "changedTo", "open"), field("status", "is", "pending")] }
    ],
    [
      "a tag both included and excluded",
      { all: [field("tags", "includes", "vip"), field("tags", "excludes", ["vip", "x"])] }
    ],
    ["a priority that is none of the four", field("priority", "notIn", ["low", "normal", "high", "urgent"])],
    ["a number compared with a text", { all: [field("custom.plan", "is", "pro"), field("custom.plan", "gt", 1)] }],
    [
      "a clock both past and before a bound",
      {
        all: [
          { since: "created", op: "atLeast", hours: 72 },
          { since: "created", op: "lessThan", hours: 24 }
        ]
      }
    ],
    [
      "a classification with two values",
      {
        all: [
          { classification: "sentiment", op: "is", value: "negative" },
          { classification: "sentiment", op: "is", value: "positive" }
        ]
      }
    ],
    [
      "a text condition and its negation",
      {
        all: [
          { text: "message", op: "containsAny", value: ["refund"] },
          { not: { text: "message", op: "containsAny", value: ["refund"] } }
        ]
      }
    ],
    ["an any with no alternatives", { any: [] }],
    ["not of a tautology", { not: { any: [field("priority", "present"), { all: [] }] } }],
    [
      "an any whose every branch is impossible",
      {
        any: [
          { all: [field("priority", "is", "low"), field("priority", "is", "high")] },
          { all: [field("tags", "includes", "a"), { not: field("tags", "includes", "a") }] }
        ]
      }
    ],
    ["not pushed inward", { not: { any: [field("status", "isNot", "open"), field("status", "is", "open")] } }]
  ])("reports %s as an error", (_, condition) => {
    const [finding, ...rest] = never(condition)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ kind: "never_matches", severity: "error", rules: ["r"] })
    expect(finding?.path?.[0]).toBe(0)
  })

  it.each([
    ["an empty text and empty", { all: [field("custom.plan", "is", ""), field("custom.plan", "absent")] }],
    ["a one-value priority range", { all: [field("priority", "gte", "high"), field("priority", "lte", "high")] }],
    ["overlapping lists", { all: [field("group", "in", ["a", "b"]), field("group", "in", ["b", "c"])] }],
    [
      "changed from one value to another",
      { all: [field("status", "changedFrom", "open"), field("status", "is", "pending")] }
    ],
    ["different tags", { all: [field("tags", "includes", "vip"), field("tags", "excludes", "spam")] }],
    [
      "different text conditions",
      {
        all: [
          { text: "message", op: "containsAny", value: ["refund"] },
          { not: { text: "message", op: "containsWords", value: "refund" } }
        ]
      }
    ],
    [
      "an any with one possible branch",
      {
        any: [
          { all: [field("priority", "is", "low"), field("priority", "is", "high")] },
          field("priority", "is", "low")
        ]
      }
    ],
    ["a number between bounds", { all: [field("custom.seats", "gt", 1), field("custom.seats", "lt", 1.5)] }],
    ["changed, on creation or after", { all: [field("priority", "changed"), field("priority", "is", "low")] }],
    ["an empty all", { all: [] }]
  ])("does not report %s", (_, condition) => {
    expect(never(condition)).toEqual([])
  })

  it("names the fields and values, and points at the leaf that contradicts an earlier one", () => {
    const docs = [
      trigger("fine", field("priority", "is", "low"), [note]),
      trigger(
        "impossible",
        { all: [field("priority", "is", "high"), field("tags", "includes", "x"), field("priority", "is", "low")] },
        [note]
      )
    ]
    expect(ofKind(docs, "never_matches")).toEqual([
      {
        kind: "never_matches",
        severity: "error",
        rules: ["impossible"],
        path: [1, "if", "all", 2],
        message:
          'Rule "impossible" can never match: it requires priority is "high" and priority is "low" at once, which no ticket satisfies.'
      }
    ])
  })

  it("a trigger's `on` counts: a rule run on creation that requires another event never matches", () => {
    const [finding] = never({ not: { event: "created" } }, { on: ["created"] })
    expect(finding).toMatchObject({ severity: "error", path: [0, "on"] })
    expect(finding?.message).toContain("it runs on created")
    expect(never({ not: { event: "created" } }, { on: ["created", "updated"] })).toEqual([])
  })

  it("a trigger with an empty `on`, which decoding refuses, is reported when built by hand", () => {
    const rule: Rule.Rule = { id: "r", version: 1, kind: "trigger", on: [], if: { all: [] }, then: [note] }
    expect(Analysis.check([rule])).toMatchObject([{ kind: "never_matches", severity: "error", path: [0, "on"] }])
  })

  it("an automation reading a change is a warning: on a schedule nothing has changed", () => {
    const docs = [automation("a", field("priority", "changedTo", "urgent"), [{ addTags: ["seen"] }])]
    expect(ofKind(docs, "never_matches")).toMatchObject([{ severity: "warning", rules: ["a"], path: [0, "if"] }])
  })

  it("a condition with more alternatives than the cap is not judged", () => {
    const wide = (n: number) => ({ any: Array.from({ length: n }, (_, i) => field("group", "is", `g${i}`)) })
    // 20 x 20 = 400 alternatives, all impossible with the third `all` member, yet not reported.
    expect(never({ all: [wide(20), wide(20), field("group", "absent")] })).toEqual([])
    expect(never({ all: [wide(10), wide(10), field("group", "absent")] })).toHaveLength(1)
  })
})

// -- shadowed --------------------------------------------------------------------------------------

describe("shadowed", () => {
  const billing = field("tags", "includes", "billing")

  it("a later rule that sets what an earlier, broader rule already sets never changes anything", () => {
    const docs = [
      trigger("billing", billing, [{ set: "group", value: "billing" }], { on: ["created"] }),
      trigger(
        "billing-high",
        { all: [billing, field("priority", "is", "high")] },
        [{ set: "group", value: "billing" }],
        {
          on: ["created"]
        }
      )
    ]
    const [finding, ...rest] = ofKind(docs, "shadowed")
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ severity: "warning", rules: ["billing", "billing-high"], path: [1, "then"] })
    expect(finding?.message).toContain('Rule "billing-high" never changes anything')
    expect(finding?.message).toContain('sets group to "billing"')
  })

  it("a later rule that sets another value overrides the earlier one, and the message says which wins", () => {
    const docs = [
      trigger("any-billing", billing, [{ set: "priority", value: "high" }]),
      trigger("billing-low", { all: [billing, field("custom.plan", "is", "free")] }, [
        { set: "priority", value: "low" }
      ])
    ]
    const [finding] = ofKind(docs, "shadowed")
    expect(finding?.message).toContain('Rule "billing-low" overrides "any-billing"')
    expect(finding?.message).toContain(
      '"any-billing" sets priority to "high", then "billing-low" sets priority to "low"'
    )
  })

  it("automations with the same condition", () => {
    const pending = field("status", "is", "pending")
    const docs = [
      automation("tag-a", pending, [{ addTags: ["stale"] }]),
      automation("tag-b", pending, [{ addTags: ["stale"] }])
    ]
    expect(ofKind(docs, "shadowed")).toMatchObject([{ rules: ["tag-a", "tag-b"], path: [1, "then"] }])
  })

  it.each([
    [
      "the later rule also does something else",
      [
        trigger("a", billing, [{ set: "group", value: "g" }]),
        trigger("b", billing, [{ set: "group", value: "g" }, note])
      ]
    ],
    [
      "the earlier rule runs on fewer events",
      [
        trigger("a", billing, [{ set: "group", value: "g" }], { on: ["created"] }),
        trigger("b", billing, [{ set: "group", value: "g" }])
      ]
    ],
    [
      "the earlier rule is the narrower one",
      [
        trigger("a", { all: [billing, field("priority", "is", "high")] }, [{ set: "group", value: "g" }]),
        trigger("b", billing, [{ set: "group", value: "g" }])
      ]
    ],
    [
      "the later rule sets a field the earlier does not",
      [
        trigger("a", billing, [{ set: "group", value: "g" }]),
        trigger("b", billing, [{ set: "priority", value: "high" }])
      ]
    ],
    [
      "one is a trigger and the other an automation",
      [trigger("a", billing, [{ set: "group", value: "g" }]), automation("b", billing, [{ set: "group", value: "g" }])]
    ],
    [
      "the earlier rule is disabled",
      [
        trigger("a", billing, [{ set: "group", value: "g" }], { enabled: false }),
        trigger("b", billing, [{ set: "group", value: "g" }])
      ]
    ]
  ])("is not reported when %s", (_, docs) => {
    expect(ofKind(docs, "shadowed")).toEqual([])
  })
})

// -- undo_each_other -------------------------------------------------------------------------------

describe("undo_each_other", () => {
  const raise = trigger("raise", field("priority", "is", "normal"), [{ set: "priority", value: "high" }])
  const lower = trigger("lower", field("priority", "is", "high"), [{ set: "priority", value: "normal" }])

  it("two rules that set a field back and forth, each re-enabling the other, are a loop", () => {
    const [finding, ...rest] = ofKind([raise, lower], "undo_each_other")
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ severity: "warning", rules: ["raise", "lower"], path: [1, "then", 0] })
    expect(finding?.message).toContain('"raise" sets priority to "high" and "lower" sets priority to "normal"')
    expect(finding?.message).toContain("RulesFailed")
  })

  it("and the help desk does stop them: the ticket is opened, the rules' changes dropped, RulesFailed names them", async () => {
    const history = await Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveContact({ id: "con_1", name: "Omar", emails: ["omar@example.com"] })
        const ticket = yield* helpdesk.open({
          requester: { id: "con_1" },
          subject: "Hi",
          text: "Hello",
          channel: "email"
        })
        expect(ticket.priority).toBe("normal")
        return yield* helpdesk.asSystem("test").history(ticket.id)
      }).pipe(
        Effect.provide(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            { ids: "sequential", triggers: RuleTriggers.make(decode([raise, lower])) }
          )
        )
      )
    )
    expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "RulesFailed"])
    expect(history[1]).toMatchObject({
      reason: "loop",
      rules: [
        { id: "raise", version: 1 },
        { id: "lower", version: 1 }
      ]
    })
  })

  it("two rules that can match the same ticket and set different values fight", () => {
    const docs = [
      trigger("vip-high", field("tags", "includes", "vip"), [{ set: "priority", value: "high" }]),
      trigger("cheap-low", field("tags", "includes", "cheap"), [{ set: "priority", value: "low" }])
    ]
    expect(ofKind(docs, "undo_each_other")).toMatchObject([{ rules: ["vip-high", "cheap-low"] }])
  })

  it("a tag one rule adds and another removes", () => {
    const open = field("status", "is", "open")
    const docs = [
      trigger("add", open, [{ addTags: ["waiting"] }]),
      trigger("remove", open, [{ removeTags: ["Waiting"] }])
    ]
    const [finding] = ofKind(docs, "undo_each_other")
    expect(finding?.message).toContain('"add" adds the tag "waiting" and "remove" removes the tag "waiting"')
  })

  it.each([
    [
      "the second rule's change disables the first",
      [
        raise,
        trigger("escalate", { all: [field("priority", "is", "high"), field("tags", "includes", "vip")] }, [
          { set: "priority", value: "urgent" }
        ])
      ]
    ],
    [
      "they never match the same ticket",
      [
        trigger("a", field("channel", "is", "email"), [{ set: "priority", value: "high" }]),
        trigger("b", field("channel", "is", "chat"), [{ set: "priority", value: "low" }])
      ]
    ],
    [
      "they set the same value",
      [
        trigger("a", field("tags", "includes", "vip"), [{ set: "priority", value: "high" }]),
        trigger("b", { all: [] }, [{ set: "priority", value: "high" }])
      ]
    ],
    [
      "each excludes the value the other sets",
      [
        trigger("a", field("tags", "excludes", "done"), [{ addTags: ["todo"] }]),
        trigger("b", field("tags", "excludes", "todo"), [{ removeTags: ["todo"] }, { addTags: ["done"] }])
      ]
    ]
  ])("is not reported when %s", (_, docs) => {
    expect(ofKind(docs, "undo_each_other")).toEqual([])
  })
})

// -- fires_forever ---------------------------------------------------------------------------------

describe("fires_forever", () => {
  const pending = field("status", "is", "pending")
  const threeDays = { since: "statusChanged", op: "atLeast", hours: 72 }
  const remind = { notify: { template: "still-pending", to: ["requester"] } }

  it('"pending for 3 days: remind, then close", written correctly, has no finding', () => {
    const docs = [
      automation("remind", { all: [pending, threeDays, field("tags", "excludes", "reminded")] }, [
        remind,
        { addTags: ["reminded"] }
      ]),
      automation(
        "close",
        { all: [pending, field("tags", "includes", "reminded"), { since: "statusChanged", op: "atLeast", hours: 96 }] },
        [{ set: "status", value: "solved" }]
      )
    ]
    expect(findings(docs)).toEqual([])
  })

  it("the reminder without its tag reminds on every run: an error naming what the condition reads", () => {
    const docs = [automation("remind", { all: [pending, threeDays] }, [remind])]
    const [finding, ...rest] = findings(docs)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({ kind: "fires_forever", severity: "error", rules: ["remind"], path: [0, "then"] })
    expect(finding?.message).toContain("notifies requester")
    expect(finding?.message).toContain("status, the time since the status last changed")
  })

  it.each([
    ["an internal note", [note]],
    ["a tag the condition does not read", [{ addTags: ["reminded"] }]]
  ])("%s alone does not end the condition", (_, then) => {
    expect(ofKind([automation("a", { all: [pending, threeDays] }, then)], "fires_forever")).toMatchObject([
      { severity: "error" }
    ])
  })

  it.each([
    ["a new status", pending, [{ set: "status", value: "solved" }]],
    ["a new status, through the clock it resets", threeDays, [{ set: "status", value: "solved" }]],
    ["a tag the condition excludes", field("tags", "excludes", "x"), [{ addTags: ["X"] }]],
    ["clearing a field the condition requires", field("assignee", "present"), [{ set: "assignee", value: null }]],
    [
      "any write, for the time since the last update",
      { since: "updated", op: "atLeast", hours: 24 },
      [{ addTags: ["nudged"] }]
    ]
  ])("%s ends the condition", (_, condition, then) => {
    expect(ofKind([automation("a", condition, then)], "fires_forever")).toEqual([])
  })

  it("actions that change what the condition reads but not always enough: a warning", () => {
    const condition = { any: [pending, field("tags", "includes", "stale")] }
    expect(ofKind([automation("a", condition, [{ set: "status", value: "solved" }])], "fires_forever")).toMatchObject([
      { severity: "warning" }
    ])
  })

  it("a trigger with no `on` that reads a clock is a warning; with `on`, or without a clock, nothing", () => {
    const doc = (extra: Record<string, unknown>, condition: unknown = threeDays) =>
      ofKind([trigger("t", condition, [remind], extra)], "fires_forever")
    expect(doc({})).toMatchObject([{ severity: "warning", rules: ["t"], path: [0, "then"] }])
    expect(doc({ on: ["updated"] })).toEqual([])
    expect(doc({}, pending)).toEqual([])
  })

  it("disabled rules and rules that never match are left out", () => {
    expect(findings([{ ...automation("a", threeDays, [remind]), enabled: false }])).toEqual([])
    expect(findings([automation("a", { all: [pending, field("status", "is", "open")] }, [remind])])).toMatchObject([
      { kind: "never_matches" }
    ])
  })
})

// -- the set as a whole ----------------------------------------------------------------------------

describe("check", () => {
  it("lists findings in rule order, and is deterministic", () => {
    const docs = [
      automation("forever", { since: "created", op: "atLeast", hours: 1 }, [note]),
      trigger("raise", field("priority", "is", "normal"), [{ set: "priority", value: "high" }]),
      trigger("lower", field("priority", "is", "high"), [{ set: "priority", value: "normal" }]),
      trigger("never", { any: [] }, [note])
    ]
    const first = findings(docs)
    expect(first.map((f) => [f.kind, f.path?.[0]])).toEqual([
      ["fires_forever", 0],
      ["undo_each_other", 2],
      ["never_matches", 3]
    ])
    expect(findings(docs)).toEqual(first)
  })
})

// -- soundness -------------------------------------------------------------------------------------

const hour = 3_600_000
const tags = ["a", "b", "vip"]
const statuses = ["open", "pending", "solved"]
const plans = ["free", "pro", ""]

/** Conditions over a small vocabulary, so that contradictions (and matches) are frequent. */
const fieldLeaf: fc.Arbitrary<Rule.Condition> = fc.oneof(
  fc.record({
    field: fc.constant("priority"),
    op: fc.constantFrom("is", "isNot", "lt", "lte", "gt", "gte", "changedTo", "changedFrom"),
    value: fc.constantFrom(...Priority.levels)
  }),
  fc.record({
    field: fc.constant("priority"),
    op: fc.constantFrom("in", "notIn"),
    value: fc.subarray([...Priority.levels], { minLength: 1 })
  }),
  fc.record({
    field: fc.constantFrom("status", "group"),
    op: fc.constantFrom("is", "isNot", "changedTo", "changedFrom"),
    value: fc.constantFrom(...statuses)
  }),
  fc.record({
    field: fc.constantFrom("status", "group"),
    op: fc.constantFrom("in", "notIn"),
    value: fc.subarray(statuses, { minLength: 1 })
  }),
  fc.record({
    field: fc.constantFrom("status", "group", "custom.plan", "assignee"),
    op: fc.constantFrom("present", "absent", "changed")
  }),
  fc.record({
    field: fc.constant("custom.plan"),
    op: fc.constantFrom("is", "isNot", "changedTo"),
    value: fc.constantFrom(...plans)
  }),
  fc.record({
    field: fc.constant("custom.seats"),
    op: fc.constantFrom("is", "lt", "lte", "gt", "gte", "changedFrom"),
    value: fc.constantFrom(1, 2, 3, 2.5)
  }),
  fc.record({
    field: fc.constant("tags"),
    op: fc.constantFrom("includes", "excludes", "changedTo", "changedFrom"),
    value: fc.oneof(fc.constantFrom(...tags, "VIP"), fc.subarray(tags, { minLength: 1 }))
  }),
  fc.record({ field: fc.constant("tags"), op: fc.constantFrom("present", "absent", "changed") })
) as fc.Arbitrary<Rule.Condition>

const otherLeaf: fc.Arbitrary<Rule.Condition> = fc.oneof(
  fc.record({
    since: fc.constantFrom("created", "statusChanged", "lastAgentReply"),
    op: fc.constantFrom("atLeast", "lessThan"),
    hours: fc.constantFrom(0, 1, 24, 72)
  }),
  fc.constantFrom("open", "closed").map((businessHours) => ({ businessHours })),
  fc.record({
    classification: fc.constant("sentiment"),
    op: fc.constant("is"),
    value: fc.constantFrom(...Rule.Sentiment.literals)
  }),
  fc.record({ event: fc.constantFrom("created", "updated", "status_changed") }),
  fc.record({
    text: fc.constant("message"),
    op: fc.constant("containsAny"),
    value: fc.constantFrom(["refund"], ["vpn"])
  })
) as fc.Arbitrary<Rule.Condition>

const leaf = fc.oneof({ weight: 4, arbitrary: fieldLeaf }, { weight: 1, arbitrary: otherLeaf })

const conditionOf = (depth: number): fc.Arbitrary<Rule.Condition> =>
  depth === 0
    ? leaf
    : fc.oneof(
        { weight: 2, arbitrary: leaf },
        { weight: 3, arbitrary: fc.array(conditionOf(depth - 1), { maxLength: 4 }).map((all) => ({ all })) },
        { weight: 1, arbitrary: fc.array(conditionOf(depth - 1), { maxLength: 3 }).map((any) => ({ any })) },
        { weight: 1, arbitrary: conditionOf(depth - 1).map((not) => ({ not })) }
      )

const ruleDocs = fc
  .array(
    fc.record({
      kind: fc.constantFrom("trigger", "trigger", "automation"),
      on: fc.option(fc.subarray(["created", "updated", "status_changed"], { minLength: 1 }), { nil: undefined }),
      if: conditionOf(3),
      then: fc.array(
        fc.oneof(
          fc.record({ set: fc.constant("priority"), value: fc.constantFrom(...Priority.levels) }),
          fc.record({ setField: fc.constant("plan"), value: fc.constantFrom(...plans) }),
          fc.constantFrom({ addTags: ["vip"] }, { removeTags: ["vip"] }, { note: "x" })
        ),
        { minLength: 1, maxLength: 2 }
      )
    }),
    { minLength: 1, maxLength: 4 }
  )
  .map((drafts) =>
    drafts.map(({ on, ...draft }, i) => ({
      id: `r${i}`,
      version: 1,
      ...draft,
      ...(on !== undefined && draft.kind === "trigger" ? { on } : {})
    }))
  )

/** A ticket from core's arbitraries, with fields from the conditions' vocabulary laid over it. */
const overlay = (ticket: Ticket.Ticket): fc.Arbitrary<Ticket.Ticket> =>
  fc
    .record({
      priority: fc.constantFrom(...Priority.levels),
      status: fc.constantFrom(...statuses),
      group: fc.option(fc.constantFrom(...statuses), { nil: undefined }),
      tags: fc.subarray(tags),
      plan: fc.option(fc.constantFrom(...plans), { nil: undefined }),
      seats: fc.option(fc.constantFrom(1, 2, 3, 2.5, 2.7), { nil: undefined })
    })
    .map(({ group, plan, seats, ...fields }) => {
      const { group: _group, ...rest } = ticket
      return {
        ...rest,
        ...fields,
        ...(group === undefined ? {} : { group }),
        customFields: { ...(plan === undefined ? {} : { plan }), ...(seats === undefined ? {} : { seats }) }
      } as unknown as Ticket.Ticket
    })

const factsOn = (ticket: Ticket.Ticket): fc.Arbitrary<Facts.Facts> =>
  fc
    .record({
      ticket: overlay(ticket),
      previous: fc.option(overlay(ticket), { nil: undefined }),
      events: fc.subarray(["created", "updated", "status_changed"] as const),
      messages: fc.subarray(["refund please", "vpn"]),
      offsetHours: fc.constantFrom(-1, 0, 0.5, 1, 23, 24, 30, 72, 100),
      open: fc.boolean(),
      sentiment: fc.option(fc.constantFrom(...Rule.Sentiment.literals), { nil: undefined })
    })
    .map(({ offsetHours, open, sentiment, ...rest }) =>
      Facts.make({
        ...rest,
        now: Math.round(rest.ticket.statusChangedAt.epochMilliseconds + offsetHours * hour),
        isOpen: () => open,
        classification: sentiment === undefined ? undefined : { sentiment }
      })
    )

/** Eight facts around one random ticket (folding a stream is the costly part). */
const factsList = Arbitraries.openedStream.chain(({ before, opened, after }) =>
  fc.array(factsOn(Ticket.fold([...before, opened, ...after]) as Ticket.Ticket), { minLength: 8, maxLength: 8 })
)

describe("soundness", () => {
  const seen = { errors: 0, warnings: 0, held: 0 }

  fcTest.prop([ruleDocs, factsList], { numRuns: 500 })(
    "a rule reported as never matching matches no facts (and no scheduled facts, for a warning)",
    (docs, factsList) => {
      const rules = decode(docs)
      for (const finding of Analysis.check(rules)) {
        if (finding.kind !== "never_matches") continue
        const index = finding.path?.[0] as number
        const rule = { ...(rules[index] as Rule.Rule), enabled: true }
        if (finding.severity === "error") seen.errors++
        else seen.warnings++
        for (const facts of factsList) {
          if (finding.severity === "error") {
            expect(Interpreter.matches(rule, facts)).toBe(false)
            if (finding.path?.[1] === "if") expect(Interpreter.evaluate(rule.if, facts)).toBe(false)
          } else {
            // What an automation sees on a schedule: no events, the ticket compared with itself.
            expect(Interpreter.evaluate(rule.if, { ...facts, previous: facts.ticket, events: [] })).toBe(false)
          }
        }
      }
      for (const rule of rules) for (const facts of factsList) if (Interpreter.evaluate(rule.if, facts)) seen.held++
    }
  )

  it("the random rules were often reported, and often matched (the property tested something)", () => {
    expect(seen.errors).toBeGreaterThan(50)
    expect(seen.warnings).toBeGreaterThan(5)
    expect(seen.held).toBeGreaterThan(500)
  })

  fcTest.prop([ruleDocs, factsList], { numRuns: 300 })(
    "a shadowed rule matches only where the rule shadowing it matches",
    (docs, factsList) => {
      const rules = decode(docs)
      for (const finding of Analysis.check(rules)) {
        if (finding.kind !== "shadowed") continue
        const [earlier, later] = finding.rules.map((id) => rules.find((r) => r.id === id) as Rule.Rule)
        for (const facts of factsList) {
          const f = later?.kind === "automation" ? { ...facts, previous: facts.ticket, events: [] } : facts
          if (Interpreter.matches(later as Rule.Rule, f))
            expect(Interpreter.matches(earlier as Rule.Rule, f)).toBe(true)
        }
      }
    }
  )
})

// -- pairs through the slots they write ------------------------------------------------------------

describe("pair checks", () => {
  // #12: every two rules were judged, 10 s for 10,000; now only rules that write a common slot are.
  // The reference judges every pair on its own, through the public check of a two-rule set.
  const pairKinds: ReadonlyArray<Analysis.Kind> = ["shadowed", "undo_each_other"]
  const asPair = (rules: Rule.RuleSet) => {
    const out: Array<Analysis.Finding> = []
    for (let l = 0; l < rules.length; l++)
      for (let e = 0; e < l; e++)
        for (const f of Analysis.check([rules[e] as Rule.Rule, rules[l] as Rule.Rule])) {
          if (!pairKinds.includes(f.kind)) continue
          const [at, ...rest] = f.path ?? []
          out.push({ ...f, path: [at === 0 ? e : l, ...rest] })
        }
    return out
  }
  let found = 0
  fcTest.prop([ruleDocs], { numRuns: 300 })("finds exactly the findings of judging every pair", (docs) => {
    const rules = decode(docs)
    const pairs = Analysis.check(rules).filter((f) => pairKinds.includes(f.kind))
    const sortedByRule = (fs: ReadonlyArray<Analysis.Finding>) =>
      [...fs].sort((x, y) => (x.path?.[0] as number) - (y.path?.[0] as number))
    expect(pairs).toEqual(sortedByRule(asPair(rules)))
    found += pairs.length
  })

  it("and the random rule sets had pair findings to find", () => expect(found).toBeGreaterThan(30))
})
