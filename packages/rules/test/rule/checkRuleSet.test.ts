// #15: passing `Rule.decodeRuleSet`'s result straight to `RuleTriggers.make` crashed with
// `rules.filter is not a function`. The types refuse it, and at run time (JavaScript, a cast)
// `make` refuses it with the same typed error a bad rule set gets.
import { ConfigError, createHelpdesk } from "@tessera/core"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import * as Builder from "../../src/Builder.js"
import * as Rule from "../../src/Rule.js"
import * as RuleTriggers from "../../src/RuleTriggers.js"

const json = [
  {
    id: "vpn-to-network",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "channel", op: "is", value: "email" },
    then: [{ set: "group", value: "network" }]
  }
]

/** What `make` throws for `rules`, which must be refused. */
const thrownBy = (rules: unknown): ConfigError.InvalidConfig => {
  try {
    RuleTriggers.make(rules as Rule.RuleSet)
  } catch (error) {
    return error as ConfigError.InvalidConfig
  }
  throw new Error("make took it")
}

describe("Rule.checkRuleSet and RuleTriggers.make", () => {
  it("the types refuse a decoding's Result where a rule set is expected", () => {
    const decoded = Rule.decodeRuleSet(json)
    // @ts-expect-error a Result is not a rule set: look at it first
    const refused = () => RuleTriggers.make(decoded)
    expect(refused).toThrow(ConfigError.InvalidConfig)
  })

  it("a successful Result passed on unchecked is InvalidConfig saying to check it first", () => {
    const error = thrownBy(Rule.decodeRuleSet(json))
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error._tag).toBe("InvalidConfig")
    expect(error.config).toBe("rules")
    expect(error.message).toBe(
      "Invalid rules configuration: (root): Expected a rule set, got a Result: check it first (Result.isFailure) and pass its success"
    )
  })

  it("a failed Result passed on unchecked is InvalidConfig carrying the decoding's problems", () => {
    const error = thrownBy(Rule.decodeRuleSet([{ ...json[0], if: { field: "tags", op: "lt", value: 1 } }]))
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error.message).toContain("got the failed result of decoding one: Invalid rules configuration: 0.if")
  })

  it("raw JSON is decoded by make: a bad set throws every problem with its path, never a TypeError", () => {
    const error = thrownBy([{ ...json[0], then: [] }, { id: 7 }])
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error.problems.map((p) => p.path[0])).toEqual(expect.arrayContaining([0, 1]))
    expect(thrownBy("rules.json").problems).toEqual([{ path: [], message: "Expected an array of rules" }])
  })

  it("a decoded set is taken as it is; rules built in code or parsed from JSON are decoded and run", async () => {
    const decoded = Rule.decodeRuleSet(json)
    if (Result.isFailure(decoded)) throw decoded.failure
    expect(Result.getOrThrow(Rule.checkRuleSet(decoded.success))).toBe(decoded.success)
    const built = Builder.trigger("urgent-words", 1)
      .on("created")
      .when(Builder.text("message").containsAny(["outage"]))
      .do(Builder.set("priority", "urgent"))
    const helpdesk = await createHelpdesk({
      triggers: RuleTriggers.make([...(json as ReadonlyArray<unknown>), built] as Rule.RuleSet)
    })
    try {
      const ticket = await helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "VPN down",
        text: "A full outage.",
        channel: "email"
      })
      expect(ticket.group).toBe("network")
      expect(ticket.priority).toBe("urgent")
    } finally {
      await helpdesk.close()
    }
  })
})
