import { Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Rule from "../src/Rule.js"

const base = {
  id: "billing-premium",
  version: 1,
  kind: "trigger",
  on: ["created"],
  if: { all: [{ field: "tags", op: "includes", value: "billing" }] },
  then: [{ set: "group", value: "billing-seniors" }]
}

const problems = (input: unknown) => {
  const r = Rule.decodeRule(input)
  if (Result.isSuccess(r)) throw new Error("decoded")
  return r.failure.problems
}

describe("Rule.decodeRule", () => {
  it("decodes a document using every kind of condition and action", () => {
    const doc = {
      id: "everything.v2",
      version: 3,
      name: "Everything",
      kind: "trigger",
      enabled: true,
      on: ["created", "requester_replied"],
      if: {
        any: [
          {
            all: [
              { field: "priority", op: "gte", value: "high" },
              { field: "custom.plan", op: "in", value: ["pro", "enterprise"] },
              { field: "status", op: "changedTo", value: "open" },
              { field: "tags", op: "changedFrom", value: ["vip", "billing"] },
              { field: "requester.tier", op: "is", value: "premium" },
              { field: "assignee", op: "absent" },
              { field: "supportLevel", op: "lt", value: 3 }
            ]
          },
          { not: { text: "message", op: "matches", value: "invoice\\s+\\d+", ignoreCase: true } },
          { text: "any", op: "containsWords", value: "refund now" },
          { text: "subject", op: "containsAny", value: ["outage", "down"] },
          { since: "lastAgentReply", op: "atLeast", hours: 24 },
          { businessHours: "closed" },
          { classification: "sentiment", op: "in", value: ["negative", "neutral"] },
          { event: ["sla_warning", "sla_breach"] }
        ]
      },
      then: [
        { set: "priority", value: "urgent" },
        { set: "assignee", value: null },
        { setField: "plan", value: 3 },
        { addTags: ["escalated"] },
        { removeTags: ["waiting"] },
        { assign: { strategy: "least_loaded", group: "tier2" } },
        { note: "Escalated by rule" },
        { notify: { template: "sla-warning", to: ["assignee", "agent:mary", "lead@example.com"] } },
        { link: { kind: "problem", to: 69369 } },
        { escalate: { priority: "high", group: "tier2", reason: "premium customer waiting" } }
      ]
    }
    const r = Rule.decodeRule(doc)
    expect(Result.isSuccess(r)).toBe(true)
    expect(Result.getOrThrow(r)).toEqual(doc)
    expect(Schema.is(Rule.Rule)(Result.getOrThrow(r))).toBe(true)
  })

  it("reports every problem with its JSON path", () => {
    expect(
      problems({
        ...base,
        if: {
          all: [
            { field: "tags", op: "lt", value: 1 },
            { field: "status", op: "is" },
            { not: { text: "message", op: "matches", value: "(a" } },
            { field: "priority", op: "is", value: "critical" }
          ]
        }
      })
    ).toEqual([
      { path: ["if", "all", 0, "op"], message: expect.stringContaining("lt does not apply to tags") },
      { path: ["if", "all", 1, "value"], message: "is needs a value" },
      { path: ["if", "all", 2, "not", "value"], message: "Invalid pattern at 0: unclosed group" },
      { path: ["if", "all", 3, "value"], message: "Expected one of low, normal, high, urgent" }
    ])
  })

  it("refuses meaningless operator and value combinations", () => {
    const at = (condition: unknown) => problems({ ...base, if: condition }).map((p) => p.path)
    expect(at({ field: "requester.tier", op: "changed" })).toEqual([["if", "op"]])
    expect(at({ field: "status", op: "present", value: "open" })).toEqual([["if", "value"]])
    expect(at({ field: "status", op: "in", value: "open" })).toEqual([["if", "value"]])
    expect(at({ field: "status", op: "is", value: ["open"] })).toEqual([["if", "value"]])
    expect(at({ field: "custom.plan", op: "gt", value: "pro" })).toEqual([["if", "value"]])
    expect(at({ field: "channel", op: "in", value: ["email", "fax"] })).toEqual([["if", "value", 1]])
    expect(at({ field: "nope", op: "is", value: "x" })).toEqual([["if", "field"]])
    expect(at({ text: "message", op: "containsWords", value: "!!" })).toEqual([["if", "value"]])
    expect(at({ text: "message", op: "containsAny", value: "x", ignoreCase: true })).toEqual([["if", "ignoreCase"]])
    expect(at({ classification: "urgency", op: "is", value: "negative" })).toEqual([["if", "value"]])
    expect(at({ since: "created", op: "atLeast", hours: 100_000 })).toEqual([["if", "hours"]])
    expect(at({ field: "status", op: "is", value: "open", extra: 1 })).toEqual([["if", "extra"]])
    expect(at({ field: "status", text: "message" })).toEqual([["if"]])
  })

  it("refuses a bad envelope and bad actions", () => {
    const paths = problems({
      id: "-bad id",
      version: 0,
      kind: "automation",
      on: ["created"],
      if: { all: [] },
      then: [{ set: "priority", value: "hi" }, { frobnicate: true }, { notify: { template: "t", to: ["bob"] } }]
    }).map((p) => p.path)
    expect(paths).toEqual([
      ["id"],
      ["version"],
      ["then", 0, "value"],
      ["then", 1],
      ["then", 2, "notify", "to", 0],
      ["on"]
    ])
    expect(problems({ ...base, then: [] }).map((p) => p.path)).toEqual([["then"]])
    expect(problems({ ...base, on: [] }).map((p) => p.path)).toEqual([["on"]])
  })

  it("refuses conditions nested deeper than 32 instead of exhausting the stack", () => {
    let condition: unknown = { businessHours: "open" }
    for (let i = 0; i < 10_000; i++) condition = { not: condition }
    const found = problems({ ...base, if: condition })
    expect(found).toHaveLength(1)
    expect(found[0]?.message).toContain("nested deeper than 32")
  })

  it("fails with the rules' InvalidConfig, whose message names each problem's path", () => {
    const r = Rule.decodeRule({ ...base, version: "1", then: [] })
    if (Result.isSuccess(r)) throw new Error("decoded")
    expect(r.failure._tag).toBe("InvalidConfig")
    expect(r.failure.config).toBe("rules")
    expect(r.failure.retryable).toBe(false)
    expect(r.failure.message).toBe(
      "Invalid rules configuration: version: Expected number; then: Expected at least one action"
    )
  })
})

describe("Rule.decodeRuleSet", () => {
  it("prefixes paths with the rule's index and refuses duplicate ids", () => {
    const r = Rule.decodeRuleSet([
      base,
      { ...base, id: "second", if: { any: [{ field: "priority", op: "includes", value: "x" }] } },
      base
    ])
    expect(Result.isFailure(r) && r.failure.problems.map((p) => p.path)).toEqual([
      [1, "if", "any", 0, "op"],
      [2, "id"]
    ])
  })

  it("lists every problem of a rule set at once, each with its path", () => {
    const r = Rule.decodeRuleSet([
      base,
      { ...base, id: "bad id!", version: 0 },
      {
        ...base,
        id: "patterns",
        if: {
          any: [
            { text: "message", op: "matches", value: "(?=a)" },
            { field: "tags", op: "gt", value: 1 }
          ]
        },
        then: [{ set: "priority", value: "soon" }, { notify: { template: "t", to: ["nobody"] } }]
      },
      { ...base, kind: "automation" },
      base
    ])
    if (Result.isSuccess(r)) throw new Error("decoded")
    expect(r.failure._tag).toBe("InvalidConfig")
    expect(r.failure.config).toBe("rules")
    expect(r.failure.problems).toEqual([
      { path: [1, "id"], message: expect.stringContaining("Expected a rule id of letters, digits") },
      { path: [1, "version"], message: expect.stringContaining("Expected a value greater than or equal to 1") },
      { path: [2, "if", "any", 0, "value"], message: expect.stringContaining("Invalid pattern at 0") },
      { path: [2, "if", "any", 1, "op"], message: expect.stringContaining("gt does not apply to tags") },
      { path: [2, "then", 0, "value"], message: "Expected one of low, normal, high, urgent" },
      { path: [2, "then", 1, "notify", "to", 0], message: expect.stringContaining("Expected requester") },
      { path: [3, "on"], message: "An automation runs on a schedule, not on events: remove on" },
      { path: [3, "id"], message: "Duplicate rule id billing-premium (first at 0)" },
      { path: [4, "id"], message: "Duplicate rule id billing-premium (first at 0)" }
    ])
  })

  it("decodes rules in order", () => {
    const r = Rule.decodeRuleSet([base, { ...base, id: "other" }])
    expect(Result.isSuccess(r) && r.success.map((x) => x.id)).toEqual(["billing-premium", "other"])
  })

  it("refuses something that is not an array", () => {
    const r = Rule.decodeRuleSet({ rules: [] })
    expect(Result.isFailure(r) && r.failure.problems).toEqual([{ path: [], message: "Expected an array of rules" }])
  })
})
