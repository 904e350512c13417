// Routing rules as docs/rules.md shows them: a rule set stored as JSON (rules.json), checked by
// `Rule.decodeRuleSet`, compiled by `RuleTriggers.make` and run by the help desk after each
// command. A premium customer's billing ticket goes to the billing seniors at high priority.
import { readFileSync } from "node:fs"
import { createHelpdesk } from "@tessera/core"
import { Rule, RuleTriggers } from "@tessera/rules"
import { Result } from "effect"

const json = JSON.parse(readFileSync(new URL("rules.json", import.meta.url), "utf8"))

const decoded = Rule.decodeRuleSet(json)
if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
const tiers = (ticket) => (ticket.requester === "jane" ? { requester: "premium" } : {})

const helpdesk = await createHelpdesk({ triggers: RuleTriggers.make(decoded.success, { tiers }) })
try {
  await helpdesk.saveGroup({ id: "billing_seniors", name: "Billing seniors" })
  await helpdesk.saveContact({ id: "jane", name: "Jane Sharpe", emails: ["jane@example.com"] })
  const ticket = await helpdesk.open({
    requester: { id: "jane" },
    subject: "Charged twice",
    text: "Two payments on my invoice.",
    channel: "email",
    tags: ["billing"]
  })
  console.log(`#${ticket.publicId}: group ${ticket.group}, priority ${ticket.priority}`)
  for (const event of await helpdesk.asSystem("report").history(ticket.publicId)) {
    if (event.rule !== undefined) console.log(`${event._tag} by rule ${event.rule.id} v${event.rule.version}`)
  }
  const broken = Rule.decodeRuleSet([{ ...json[0], if: { field: "tags", op: "lt", value: 3 } }])
  console.log(`broken rule set: ${Result.isFailure(broken) ? broken.failure.problems.length : 0} problem(s)`)
} finally {
  await helpdesk.close()
}
