/**
 * A help desk on a SQLite file with 300 tickets, written through `createHelpdesk` on `@tessera/sql`
 * as an application would, at known instants (one ticket every 6 hours from 15 April 2025), with a
 * production rule set that routes billing tickets. The plan it follows is returned, so tests can
 * work out on their own what a dry run must find.
 */
import { Actor, createHelpdesk, IdGenerator } from "@tessera/core"
import { Rule, RuleTriggers } from "@tessera/rules"
import { SqlStore } from "@tessera/sql"
import { Layer, Result } from "effect"

/** What happens to ticket `i` (opened at `openedAt`, number `publicId`). */
export interface Planned {
  readonly i: number
  readonly publicId: number
  readonly openedAt: number
  readonly billing: boolean
  readonly vip: boolean
  readonly refund: boolean
  readonly premium: boolean
  /** When the requester replies (30 hours after opening), for even tickets. */
  readonly replyAt: number | undefined
  /** When an agent sets it pending (3 hours after opening). */
  readonly pendingAt: number | undefined
}

export const firstPublicId = 69100
const start = Date.parse("2025-04-15T00:00:00Z")
const hour = 3_600_000

export const plan: ReadonlyArray<Planned> = Array.from({ length: 300 }, (_, i) => {
  const openedAt = start + i * 6 * hour
  return {
    i,
    publicId: firstPublicId + i,
    openedAt,
    billing: i % 3 === 0,
    vip: i % 10 === 5,
    refund: i % 4 === 0,
    premium: i % 40 < 10,
    replyAt: i % 2 === 0 ? openedAt + 30 * hour : undefined,
    pendingAt: i % 5 === 1 ? openedAt + 3 * hour : undefined
  }
})

/** The production rules: billing tickets go to the billing group when they are opened. */
export const productionRules = [
  {
    id: "old-billing",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "tags", op: "includes", value: "billing" },
    then: [{ set: "group", value: "billing" }]
  }
]

const contact = (i: number) => `cust${i % 40}`

/** Writes the plan's tickets into a SQLite file at `path`. */
export const seed = async (path: string): Promise<void> => {
  const rules = Rule.decodeRuleSet(productionRules)
  if (Result.isFailure(rules)) throw new Error("the production rules do not decode")
  let now = start - hour
  const helpdesk = await createHelpdesk({
    now: () => now,
    layer: Layer.merge(SqlStore.layerUrl({ url: `sqlite:${path}`, firstPublicId }), IdGenerator.layerTimeOrdered),
    triggers: RuleTriggers.make(rules.success)
  })
  try {
    await helpdesk.saveAgent({ id: "mary", name: "Mary Jones", email: "mary@example.com" })
    for (let n = 0; n < 40; n++)
      await helpdesk.saveContact({
        id: `cust${n}`,
        name: `Customer ${n}`,
        emails: [`cust${n}@example.com`],
        ...(n < 10 ? { tier: "premium" } : {})
      })
    const steps: Array<{ readonly at: number; readonly run: () => Promise<unknown> }> = []
    const ids = new Map<number, string>()
    for (const t of plan) {
      steps.push({
        at: t.openedAt,
        run: async () => {
          const opened = await helpdesk.open({
            requester: { id: contact(t.i) },
            subject: `Question ${t.i}`,
            text: t.refund ? "Please refund my last invoice." : "The export button does nothing.",
            channel: "email",
            priority: t.vip ? "high" : "normal",
            tags: [...(t.billing ? ["billing"] : []), ...(t.vip ? ["vip"] : [])]
          })
          ids.set(t.i, opened.id)
        }
      })
      if (t.replyAt !== undefined)
        steps.push({
          at: t.replyAt,
          run: () =>
            helpdesk.reply({
              ticket: ids.get(t.i) ?? "",
              by: Actor.contact(contact(t.i)),
              text: t.refund ? "Any news? I still want my refund." : "Any news?"
            })
        })
      if (t.pendingAt !== undefined)
        steps.push({
          at: t.pendingAt,
          run: () => helpdesk.changeStatus({ ticket: ids.get(t.i) ?? "", by: Actor.agent("mary"), status: "pending" })
        })
    }
    steps.sort((a, b) => a.at - b.at)
    for (const step of steps) {
      now = step.at
      await step.run()
    }
  } finally {
    await helpdesk.close()
  }
}
