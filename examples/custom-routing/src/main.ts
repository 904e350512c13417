/**
 * Custom routing: rules stored as JSON (as a database would hold them) and rules written with the
 * typed builder go through the same decoder and compiler, and run inside the `Helpdesk` as
 * triggers. A premium billing question is routed to the billing seniors; an angry message, in
 * French, is tagged by the classifier and escalated to a senior; a free user's question is left
 * alone. `RuleTriggers.explain` then says why each rule matched or not, with the values it read.
 */
import { readFileSync, realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { createHelpdesk, Ticket, TicketEvent } from "@tessera/core"
import { Builder, Classifier, type Interpreter, Rule, RuleTriggers } from "@tessera/rules"
import { Result, Schema } from "effect"

const { all, any, field, text, classification } = Builder

// #region builder
/** Angry messages go to a senior: by words, or by the classifier's sentiment. */
const angryToSenior = Builder.trigger("angry-to-senior", 1)
  .named("Angry messages go to a senior")
  .on("created", "requester_replied")
  .when(
    all(
      any(
        classification("sentiment").is("negative"),
        text("message").containsAny(["unacceptable", "inadmissible", "lawyer", "avocat"])
      ),
      field("tags").excludes("escalated")
    )
  )
  .do(
    Builder.addTags("escalated"),
    Builder.escalate({ priority: "urgent", group: "seniors", reason: "Angry customer" })
  )
// #endregion

/** The rules: those stored as JSON, then those written in code; one decoder checks them all. */
export const loadRules = (): Rule.RuleSet => {
  // #region decode
  const stored: unknown = JSON.parse(readFileSync(new URL("rules.json", import.meta.url), "utf8"))
  const decoded = Rule.decodeRuleSet([...(stored as ReadonlyArray<unknown>), angryToSenior])
  if (Result.isFailure(decoded)) {
    throw new Error(decoded.failure.problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("\n"))
  }
  // #endregion
  return decoded.success
}

/** Customer tiers by contact (a real app reads them from its directory). */
const tierOf: Record<string, string> = { jane: "premium", omar: "free", lea: "free" }

/**
 * Runs the story and prints what the rules did and why.
 */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const rules = loadRules()
  // #region helpdesk
  const options: RuleTriggers.Options = {
    tiers: (ticket) => {
      const tier = tierOf[ticket.requester]
      return tier === undefined ? {} : { requester: tier }
    },
    classify: (text) => Classifier.classify(text)
  }
  const helpdesk = await createHelpdesk({
    workspaceId: "acme",
    firstPublicId: 69369,
    now: () => Date.parse("2026-11-10T09:00:00Z"),
    triggers: RuleTriggers.make(rules, options)
  })
  // #endregion
  try {
    await helpdesk.saveGroup({ id: "billing_seniors", name: "Billing seniors" })
    await helpdesk.saveGroup({ id: "seniors", name: "Seniors" })
    for (const [id, name] of [
      ["jane", "Jane Sharpe"],
      ["omar", "Omar Haddad"],
      ["lea", "Léa Martin"]
    ] as const) {
      await helpdesk.saveContact({ id, name, emails: [`${id}@example.com`] })
    }
    print(`Rules: ${rules.map((r) => `${r.id} v${r.version} (${r.kind})`).join(", ")}`)

    const tickets = [
      await helpdesk.open({
        requester: { id: "jane" },
        subject: "Charged twice for November",
        text: "Hello, my November invoice shows two payments. Could you check it, please?",
        channel: "email",
        tags: ["billing"]
      }),
      await helpdesk.open({
        requester: { id: "omar" },
        subject: "How do I export my invoices?",
        text: "Where can I download my invoices?",
        channel: "web",
        tags: ["billing"]
      }),
      await helpdesk.open({
        requester: { id: "lea" },
        subject: "Toujours pas de remboursement",
        text: "C'est inadmissible, trois semaines sans réponse. Je suis furieuse !",
        channel: "email"
      })
    ]
    for (const t of tickets) {
      print("")
      print(
        `#${t.publicId} "${t.subject}": group ${t.group ?? "-"}, priority ${t.priority}, level ${t.supportLevel}, tags ${t.tags.join(", ") || "-"}`
      )
      for (const e of await helpdesk.asSystem("demo").history(t.id)) {
        if (e.rule !== undefined) print(`  ${e._tag.padEnd(15)} by rule ${e.rule.id} v${e.rule.version}`)
      }
    }

    // #region explain
    // The Promise facade speaks JSON: decode the ticket's log, and fold it into the whole ticket
    // (the facade's answers leave the conversation out, and rules may read it).
    const asked = tickets[1]?.id ?? ""
    const log = (await helpdesk.asSystem("demo").history(asked)).map((e) =>
      Schema.decodeUnknownSync(TicketEvent.TicketEvent)(e)
    )
    const current = Ticket.fold(log)
    if (current === undefined) throw new Error(`ticket ${asked} has no history`)
    const explanation = RuleTriggers.explain(
      rules,
      { before: undefined, current, events: log, now: current.createdAt, pass: 1 },
      options
    )
    // #endregion
    print("")
    print(`Why #${tickets[1]?.publicId} was not routed:`)
    for (const e of explanation) {
      print(`  ${e.rule.id}: ${e.matched ? "matched" : e.onEvents ? "conditions failed" : "not on these events"}`)
      for (const line of describe(e.conditions, "    ")) print(line)
    }
  } finally {
    await helpdesk.close()
  }
}

/** A condition in a few words. */
const summary = (condition: Rule.Leaf): string => {
  if ("field" in condition)
    return `${condition.field} ${condition.op}${"value" in condition ? ` ${JSON.stringify(condition.value)}` : ""}`
  if ("text" in condition) return `${condition.text} text ${condition.op} ${JSON.stringify(condition.value)}`
  if ("classification" in condition)
    return `${condition.classification} ${condition.op} ${JSON.stringify(condition.value)}`
  if ("since" in condition) return `since ${condition.since} ${condition.op} ${condition.hours} h`
  if ("businessHours" in condition) return `business hours ${condition.businessHours}`
  return `event ${JSON.stringify(condition.event)}`
}

/** A condition trace as indented lines: each node held (+) or failed (-), leaves with what they read. */
const describe = (trace: Interpreter.ConditionTrace, indent: string): ReadonlyArray<string> => {
  const mark = trace.held ? "+" : "-"
  switch (trace._tag) {
    case "All":
    case "Any":
      return [
        `${indent}${mark} ${trace._tag.toLowerCase()} of:`,
        ...trace.children.flatMap((c) => describe(c, `${indent}  `))
      ]
    case "Not":
      return [`${indent}${mark} not:`, ...describe(trace.child, `${indent}  `)]
    case "Leaf":
      return [`${indent}${mark} ${summary(trace.condition)} (read ${JSON.stringify(trace.actual) ?? "nothing"})`]
  }
}

// Run the story when this file is the program (`pnpm start`), not when a test imports it.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
