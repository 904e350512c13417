import { Result } from "effect"
import { describe, expect, it } from "vitest"
import * as Builder from "../src/Builder.js"
import * as Rule from "../src/Rule.js"

const { all, any, not, field, custom, text, since, businessHours, classification, event } = Builder

describe("Builder", () => {
  it("builds the same document as the JSON, and it decodes", () => {
    const built = Builder.trigger("billing-premium", 1)
      .on("created")
      .when(all(field("tags").includes("billing"), field("requester.tier").is("premium")))
      .do(Builder.set("group", "billing-seniors"), Builder.set("priority", "high"))
    const json = {
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
    }
    expect(built).toEqual(json)
    expect(Result.getOrThrow(Rule.decodeRule(built))).toEqual(json)
  })

  it("covers every condition and action, and the result decodes unchanged", () => {
    const built = Builder.trigger("angry-vip", 2)
      .named("Angry VIP outside hours")
      .on("requester_replied", "sla_warning")
      .when(
        any(
          all(
            field("priority").gte("high"),
            field("status").changedTo("open"),
            field("tags").changedFrom(["vip", "billing"]),
            field("assignee").absent(),
            field("supportLevel").lt(3),
            field("category").in(["new", "open"]),
            field("channel").isNot("phone"),
            custom("plan").is("enterprise"),
            custom("seats").gt(10)
          ),
          not(text("message").matches("refund\\s+now", { ignoreCase: true })),
          text("any").containsWords("cancel subscription"),
          text("subject").containsAny(["outage", "down"]),
          since("lastAgentReply").atLeast(24),
          since("created").lessThan(1),
          businessHours("closed"),
          classification("sentiment").is("negative"),
          classification("urgency").in(["high"]),
          event("sla_breach", "sla_warning")
        )
      )
      .do(
        Builder.set("priority", "urgent"),
        Builder.set("assignee", null),
        Builder.setField("plan", "enterprise"),
        Builder.addTags("escalated"),
        Builder.removeTags("waiting", "snoozed"),
        Builder.assign("skills", "tier2"),
        Builder.note("Escalated by rule"),
        Builder.notify("angry-vip", ["assignee", "agent:mary", "lead@example.com"]),
        Builder.link("problem", 69369),
        Builder.escalate({ priority: "urgent", group: "tier2", reason: "angry VIP" })
      )
    const decoded = Rule.decodeRule(built)
    expect(Result.isSuccess(decoded) ? decoded.success : decoded.failure.problems).toEqual(built)
  })

  it("builds automations without events, and disabled rules", () => {
    const built = Builder.automation("close-stale", 1)
      .disabled()
      .when(all(field("category").is("solved"), since("statusChanged").atLeast(96)))
      .do(Builder.set("status", "closed"))
    expect(built).toEqual({
      id: "close-stale",
      version: 1,
      kind: "automation",
      enabled: false,
      if: {
        all: [
          { field: "category", op: "is", value: "solved" },
          { since: "statusChanged", op: "atLeast", hours: 96 }
        ]
      },
      then: [{ set: "status", value: "closed" }]
    })
    expect(Result.isSuccess(Rule.decodeRule(built))).toBe(true)
  })

  it("does not offer operators that a field does not accept (compile-time checks)", () => {
    // Never called: the point is that each line fails to type-check.
    const typeChecks = () => [
      // @ts-expect-error tags have no order
      field("tags").lt("billing"),
      // @ts-expect-error tags are included, not compared with `is`
      field("tags").is("billing"),
      // @ts-expect-error a tier has no history, so no change operators
      field("requester.tier").changed(),
      // @ts-expect-error priorities are the four levels
      field("priority").is("critical"),
      // @ts-expect-error statuses have no order
      field("status").gt("open"),
      // @ts-expect-error categories are the six categories
      field("category").is("closedish"),
      // @ts-expect-error `in` takes at least one value
      field("channel").in([]),
      // @ts-expect-error sentiment is negative, neutral or positive
      classification("sentiment").is("angry"),
      // @ts-expect-error only triggers have events
      Builder.automation("a", 1).on("created"),
      // @ts-expect-error a priority cannot be cleared
      Builder.set("priority", null),
      // @ts-expect-error a rule needs at least one action
      Builder.trigger("t", 1).when(all()).do()
    ]
    expect(typeof typeChecks).toBe("function")
  })
})
