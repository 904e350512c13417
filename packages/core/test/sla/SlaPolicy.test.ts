import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { BusinessCalendar, ConfigError, SlaPolicy } from "../../src/index.js"

const failure = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error("expected a failure")
  return result.failure
}

describe("decodePolicySet", () => {
  it("lists every problem of a policy set at once, schema and duplicate ids together, each with its path", () => {
    const error = failure(
      SlaPolicy.decodePolicySet({
        policies: [
          { id: "vip", name: "VIP", targets: { first_replies: {} } },
          { id: "vip", name: "VIP again", targets: { resolution: { high: { minutes: -5, clock: "business" } } } }
        ],
        default: { id: "vip" }
      })
    )
    expect(error).toBeInstanceOf(ConfigError.InvalidConfig)
    expect(error.retryable).toBe(false)
    expect(error.config).toBe("sla-policies")
    expect(error.problems.map((p) => p.path)).toEqual([
      ["policies", 0, "targets", "first_replies"],
      ["policies", 1, "targets", "resolution", "high", "minutes"],
      ["default", "name"],
      ["default", "targets"],
      ["policies", 1, "id"],
      ["default", "id"]
    ])
    expect(error.problems.at(-1)?.message).toBe("the id vip is also at policies.0")
    expect(error.message).toContain("default.id: the id vip is also at policies.0")
  })

  it("the example in its documentation fails as it says", () => {
    const error = failure(
      SlaPolicy.decodePolicySet({
        policies: [{ id: "vip", name: "VIP", targets: { first_replies: {} } }],
        default: { id: "vip" }
      })
    )
    expect(error.problems.map((p) => p.path.join("."))).toEqual([
      "policies.0.targets.first_replies",
      "default.name",
      "default.targets",
      "default.id"
    ])
  })

  it("the default policy set decodes from its JSON", () => {
    const json = JSON.parse(JSON.stringify(SlaPolicy.defaultPolicySet))
    expect(Result.isSuccess(SlaPolicy.decodePolicySet(json))).toBe(true)
  })
})

describe("missingCalendars", () => {
  const business = { minutes: 60, clock: "business" } as const
  const wall = { minutes: 60, clock: "calendar" } as const
  const set: SlaPolicy.PolicySet = {
    policies: [
      { id: "paris", name: "Paris", calendar: "paris", targets: { first_reply: { high: business } } },
      { id: "plain", name: "Plain", targets: { first_reply: { high: business } } },
      { id: "wall", name: "Around the clock", targets: { first_reply: { high: wall } } }
    ],
    default: { id: "standard", name: "Standard", calendar: "tokyo", targets: { resolution: { low: wall } } }
  }

  it("names every calendar a policy needs and is not given, at its calendar key", () => {
    expect(SlaPolicy.missingCalendars(set, {}).map((p) => p.path)).toEqual([
      ["policies", 0, "calendar"],
      ["policies", 1, "calendar"],
      ["default", "calendar"]
    ])
    const problems = SlaPolicy.missingCalendars(set, { paris: BusinessCalendar.alwaysOpen })
    expect(problems).toEqual([
      {
        path: ["policies", 1, "calendar"],
        message:
          'the policy counts business time and names no calendar, and there is no calendar "business_hours" to default to'
      },
      { path: ["default", "calendar"], message: 'there is no calendar "tokyo"' }
    ])
  })

  it("is empty when every calendar needed is given", () => {
    const given = {
      paris: BusinessCalendar.alwaysOpen,
      business_hours: BusinessCalendar.alwaysOpen,
      tokyo: BusinessCalendar.alwaysOpen
    }
    expect(SlaPolicy.missingCalendars(set, given)).toEqual([])
    expect(
      SlaPolicy.missingCalendars(SlaPolicy.defaultPolicySet, { business_hours: BusinessCalendar.alwaysOpen })
    ).toEqual([])
  })
})
