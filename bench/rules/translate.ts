// The same rules and facts in json-rules-engine's format. A rule becomes
// `{ conditions: { all: [<its events>, <its condition>] }, event: { type: <rule id> } }` with
// json-rules-engine's built-in operators only; the facts become one flat object of plain
// properties (absent values are `null`), with two extra facts per changeable field for change
// operators (`previous_priority`, `previous_status`: null when the command created the ticket)
// and `priority_rank` for order comparisons on priority. A condition the translator cannot
// express throws, so the bench never compares rule sets that differ.
import { Priority } from "@tessera/core"
import type { Facts, Rule } from "@tessera/rules"
import type { RuleProperties, TopLevelCondition } from "json-rules-engine"

type Condition = TopLevelCondition | { fact: string; operator: string; value: unknown }

/** The flat facts json-rules-engine reads. */
export type PeerFacts = Record<string, unknown>

/** The fact name of a field: `requester.tier` -> `requester_tier`, `custom.plan` -> `custom_plan`. */
const factOf = (field: Rule.FieldName): string => field.replace(".", "_")

const fact = (name: string, operator: string, value: unknown): Condition => ({ fact: name, operator, value })

const list = (value: Rule.FieldCondition["value"]): ReadonlyArray<Rule.Scalar> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Rule.Scalar]

const orderOps: Record<string, string> = {
  lt: "lessThan",
  lte: "lessThanInclusive",
  gt: "greaterThan",
  gte: "greaterThanInclusive"
}

const changeable = new Set<Rule.FieldName>(["priority", "status"])

const translateField = (c: Rule.FieldCondition): Condition => {
  const name = factOf(c.field)
  const value = c.value
  if (c.field === "tags") {
    const wanted = list(value)
    if (c.op === "includes") return { any: wanted.map((t) => fact(name, "contains", t)) }
    if (c.op === "excludes") return { all: wanted.map((t) => fact(name, "doesNotContain", t)) }
    throw new Error(`translate: tags ${c.op} is not translated`)
  }
  switch (c.op) {
    case "is":
      return fact(name, "equal", value)
    case "isNot":
      return fact(name, "notEqual", value)
    case "in":
      return fact(name, "in", list(value))
    case "notIn":
      return fact(name, "notIn", list(value))
    // Ticket ids are never empty strings, so present means "not null" here.
    case "present":
      return fact(name, "notEqual", null)
    case "absent":
      return fact(name, "equal", null)
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return c.field === "priority"
        ? fact("priority_rank", orderOps[c.op] as string, Priority.rank(value as Priority.Priority))
        : fact(name, orderOps[c.op] as string, value)
    case "changedTo":
      if (!changeable.has(c.field)) break
      return { all: [fact(name, "equal", value), fact(`previous_${name}`, "notEqual", value)] }
    case "changedFrom":
      if (!changeable.has(c.field)) break
      return {
        all: [
          fact(`previous_${name}`, "notEqual", null),
          fact(`previous_${name}`, "equal", value),
          fact(name, "notEqual", value)
        ]
      }
    default:
      break
  }
  throw new Error(`translate: ${c.field} ${c.op} is not translated`)
}

const eventsCondition = (events: ReadonlyArray<Rule.TriggerEvent>): Condition => ({
  any: events.map((e) => fact("events", "contains", e))
})

const translateCondition = (c: Rule.Condition): Condition => {
  if ("all" in c) return { all: c.all.map(translateCondition) } as TopLevelCondition
  if ("any" in c) return { any: c.any.map(translateCondition) } as TopLevelCondition
  if ("not" in c) return { not: translateCondition(c.not) } as TopLevelCondition
  if ("field" in c) return translateField(c)
  if ("event" in c) return eventsCondition(typeof c.event === "string" ? [c.event] : c.event)
  throw new Error(`translate: ${JSON.stringify(c)} is not translated`)
}

/**
 * A decoded Tessera rule as a json-rules-engine rule whose event type is the rule id. The test of
 * the rule's events gets a higher condition priority, so json-rules-engine evaluates it first and
 * skips the rest of a rule the command's events do not start (its documented way to
 * short-circuit; conditions of one priority run together).
 */
export const rule = (r: Rule.Rule): RuleProperties => {
  const parts: Array<Condition> = [translateCondition(r.if)]
  if (r.on !== undefined) parts.unshift({ ...eventsCondition(r.on), priority: 2 } as Condition)
  return { name: r.id, conditions: { all: parts } as TopLevelCondition, event: { type: r.id } }
}

const orNull = <A>(a: A | undefined): A | null => (a === undefined ? null : a)

/** The flat facts json-rules-engine evaluates: one property per field the rules read. */
export const facts = (f: Facts.Facts): PeerFacts => {
  const t = f.ticket
  const custom = t.customFields as Record<string, Rule.Scalar>
  return {
    events: f.events,
    priority: t.priority,
    priority_rank: Priority.rank(t.priority),
    previous_priority: f.previous === undefined ? null : f.previous.priority,
    status: t.status,
    previous_status: f.previous === undefined ? null : f.previous.status,
    category: t.category,
    channel: t.channel,
    group: orNull(t.group),
    assignee: orNull(t.assignee),
    type: orNull(t.type),
    tags: t.tags,
    supportLevel: t.supportLevel,
    requester_tier: orNull(f.requesterTier),
    custom_plan: orNull(custom.plan),
    custom_region: orNull(custom.region),
    custom_amount: orNull(custom.amount)
  }
}
