/**
 * Rule documents under a strict tag taxonomy: an `addTags` action naming a tag the taxonomy does
 * not know is refused by the help desk (`TagNotAllowed`), so the rule's changes give way to a
 * `RulesFailed` naming it; the command the rule followed is written as it was.
 */
import { Helpdesk, MemoryHelpdesk, TagPolicy } from "@tessera/core"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import * as Rule from "../src/Rule.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

const ruleSet = (tags: ReadonlyArray<string>) => {
  const decoded = Rule.decodeRuleSet([
    {
      id: "vpn-tags",
      version: 4,
      kind: "trigger",
      on: ["created"],
      if: { text: "subject", op: "containsWords", value: "vpn" },
      then: [{ set: "priority", value: "high" }, { addTags: [...tags] }]
    }
  ])
  if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
  return decoded.success
}

const strict = TagPolicy.make({ taxonomy: { mode: "strict", tags: ["network", "vpn"] } })

const opensVpnTicket = (tags: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const ticket = yield* helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "My VPN is down",
        text: "Since this morning.",
        channel: "email"
      })
      return { ticket, history: yield* helpdesk.asSystem("test").history(ticket.id) }
    }).pipe(
      Effect.provide(
        MemoryHelpdesk.layer(
          { workspaceId: "acme" },
          {
            ids: "sequential",
            triggers: RuleTriggers.make(ruleSet(tags)),
            ...(Result.isSuccess(strict) ? { tagPolicy: strict.success } : {})
          }
        )
      )
    )
  )

describe("a rule's addTags under a strict taxonomy", () => {
  it("a tag the taxonomy does not know fails the rule: nothing of it is written but its RulesFailed", async () => {
    expect(Result.isSuccess(strict)).toBe(true)
    const { ticket, history } = await opensVpnTicket(["network", "outage"])
    expect(ticket).toMatchObject({ tags: [], priority: "normal" })
    expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "RulesFailed"])
    expect(history[1]).toMatchObject({ reason: "action_failed", rules: [{ id: "vpn-tags", version: 4 }] })
    expect((history[1] as { readonly detail: string }).detail).toContain("TagNotAllowed")
    expect((history[1] as { readonly detail: string }).detail).toContain("outage")
  })

  it("known tags are added, with the rule's other actions", async () => {
    const { ticket, history } = await opensVpnTicket(["network", "VPN"])
    expect(ticket).toMatchObject({ tags: ["network", "vpn"], priority: "high" })
    expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "PriorityChanged", "TagsChanged"])
  })
})
