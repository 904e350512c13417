// Deterministic data for bench/rules: varied tickets with the facts of the command that touched
// them, and realistic routing rules as Tessera rule documents (plain JSON, decoded like stored
// rules). Every value comes from a seeded PRNG, so every run and every machine gets the same
// tickets and rules. Only conditions json-rules-engine can also express are generated (no text,
// time, business-hours or classification conditions): translate.ts turns each rule into its
// format.
import { Ticket } from "@tessera/core"
import { Facts, type Rule } from "@tessera/rules"
import { Schema } from "effect"
import { prng } from "../lib/random.js"

type Random = () => number

const pick = <A>(random: Random, items: ReadonlyArray<A>): A => items[Math.floor(random() * items.length)] as A

/** Picks by weight: `[[value, weight], ...]`. */
const weighted = <A>(random: Random, items: ReadonlyArray<readonly [A, number]>): A => {
  const total = items.reduce((sum, [, w]) => sum + w, 0)
  let r = random() * total
  for (const [value, w] of items) {
    r -= w
    if (r < 0) return value
  }
  return (items[items.length - 1] as readonly [A, number])[0]
}

/** `k` distinct items, the first ones of the list more likely (a Zipf-like skew). */
const distinct = <A>(random: Random, items: ReadonlyArray<A>, k: number): Array<A> => {
  const out: Array<A> = []
  while (out.length < Math.min(k, items.length)) {
    const item = items[Math.floor(items.length * random() ** 1.6)] as A
    if (!out.includes(item)) out.push(item)
  }
  return out
}

// -- vocabularies ----------------------------------------------------------------------------------

export const priorities = ["low", "normal", "high", "urgent"] as const
const priorityWeights = [25, 45, 20, 10]

/** Status ids of a workflow with two extra statuses, and their categories. */
export const statuses = [
  ["new", "new"],
  ["open", "open"],
  ["in_progress", "open"],
  ["pending", "pending"],
  ["awaiting_customer", "pending"],
  ["on_hold", "on_hold"],
  ["solved", "solved"],
  ["closed", "closed"]
] as const
const statusWeights = [14, 26, 14, 12, 8, 6, 12, 8]
const statusIds = statuses.map(([id]) => id)
export const categories = ["new", "open", "pending", "on_hold", "solved", "closed"] as const
const categoryOf = new Map<string, (typeof categories)[number]>(statuses)

export const channels = ["email", "web", "chat", "phone", "sms", "social", "api"] as const
const channelWeights = [40, 25, 15, 10, 3, 4, 3]
export const types = ["question", "incident", "problem", "task", "service_request", "feedback", "account"] as const
export const groups = [
  "g-billing",
  "g-tech",
  "g-sales",
  "g-onboarding",
  "g-security",
  "g-accounts",
  "g-shipping",
  "g-returns",
  "g-api",
  "g-mobile",
  "g-enterprise",
  "g-triage"
] as const
export const tiers = ["free", "pro", "premium", "enterprise"] as const
const tierWeights = [45, 30, 15, 10]
export const plans = ["starter", "team", "business", "enterprise"] as const
export const regions = ["eu", "us", "apac", "latam"] as const

/** 40 tags, most common first. */
export const tags = [
  "billing",
  "login",
  "refund",
  "bug",
  "feature_request",
  "password",
  "invoice",
  "shipping",
  "vip",
  "outage",
  "api",
  "mobile",
  "integration",
  "cancellation",
  "upgrade",
  "downgrade",
  "security",
  "gdpr",
  "sso",
  "performance",
  "export",
  "import",
  "webhook",
  "onboarding",
  "training",
  "renewal",
  "trial",
  "discount",
  "chargeback",
  "fraud",
  "spam",
  "urgent_customer",
  "escalated",
  "partner",
  "reseller",
  "ios",
  "android",
  "windows",
  "macos",
  "linux"
] as const

const words = [
  "cannot",
  "login",
  "invoice",
  "wrong",
  "refund",
  "order",
  "missing",
  "error",
  "page",
  "slow",
  "payment",
  "failed",
  "account",
  "locked",
  "export",
  "broken",
  "question",
  "about",
  "plan",
  "upgrade",
  "shipping",
  "delayed",
  "password",
  "reset",
  "api",
  "timeout",
  "mobile",
  "app",
  "crash",
  "help"
]

export const events = ["created", "requester_replied", "agent_replied", "status_changed", "updated"] as const

// -- tickets ---------------------------------------------------------------------------------------

/** One generated case: the facts a rule set is evaluated against. */
export type Case = Facts.Facts

const decodeTicket = Schema.decodeSync(Ticket.Ticket)
type Encoded = { -readonly [K in keyof (typeof Ticket.Ticket)["Encoded"]]: (typeof Ticket.Ticket)["Encoded"][K] }

const base = Date.UTC(2026, 2, 2, 9, 0, 0)
const HOUR = 3_600_000

const amount = (random: Random): number => Math.round(10 * 2000 ** random()) // 10 .. 20,000, log-uniform

const makeTicket = (random: Random, i: number): Encoded => {
  const [status, category] = statuses[
    statusIds.indexOf(
      weighted(
        random,
        statusIds.map((s, k) => [s, statusWeights[k] as number] as const)
      )
    )
  ] as (typeof statuses)[number]
  const createdAt = base + Math.floor(random() * 60 * 24) * HOUR
  const updatedAt = createdAt + Math.floor(random() * 72 * HOUR)
  const customFields: Record<string, string | number | boolean> = {}
  if (random() < 0.8)
    customFields.plan = weighted(
      random,
      plans.map((p, k) => [p, [40, 30, 20, 10][k] as number])
    )
  if (random() < 0.85)
    customFields.region = weighted(
      random,
      regions.map((r, k) => [r, [35, 40, 15, 10][k] as number])
    )
  if (random() < 0.6) customFields.amount = amount(random)
  if (random() < 0.3) customFields.renewal = random() < 0.5
  const optional: Partial<Encoded> = {}
  if (random() < 0.35) optional.organization = `o-${Math.floor(random() * 400)}`
  if (random() < 0.8) optional.type = pick(random, types)
  if (random() < 0.85) optional.group = pick(random, groups)
  if (random() < 0.6 && category !== "new") optional.assignee = `a-${Math.floor(random() * 30)}`
  return {
    id: `t-${i}`,
    workspaceId: "ws-bench",
    publicId: i + 1,
    version: 1 + Math.floor(random() * 12),
    subject: Array.from({ length: 3 + Math.floor(random() * 6) }, () => pick(random, words)).join(" "),
    description: "Generated for bench/rules.",
    requester: `c-${Math.floor(random() * 5000)}`,
    channel: weighted(
      random,
      channels.map((c, k) => [c, channelWeights[k] as number])
    ),
    priority: weighted(
      random,
      priorities.map((p, k) => [p, priorityWeights[k] as number])
    ),
    status,
    category,
    supportLevel: weighted(random, [
      [1, 80],
      [2, 15],
      [3, 5]
    ] as const),
    tags: distinct(
      random,
      tags,
      weighted(
        random,
        [0, 1, 2, 3, 4, 5].map((n, k) => [n, [15, 30, 25, 15, 10, 5][k] as number])
      )
    ),
    customFields,
    followers: [],
    messages: [],
    links: [],
    createdAt: new Date(createdAt).toISOString(),
    updatedAt: new Date(updatedAt).toISOString(),
    statusChangedAt: new Date(updatedAt).toISOString(),
    ...optional
  }
}

/** A status other than `status`, with its category. */
const otherStatus = (random: Random, status: string) => {
  const others = statusIds.filter((s) => s !== status)
  const id = pick(random, others)
  return { status: id, category: categoryOf.get(id) as (typeof categories)[number] }
}

/**
 * `n` cases: a ticket after a command and the facts of that command. 30% were just created (no
 * previous state), the others carry the ticket before the command: a requester or agent reply
 * (some of which also moved the status), a status change, or an update that changed the
 * priority (and sometimes the group).
 */
export const cases = (n: number, seed: number): Array<Case> => {
  const random = prng(seed)
  const out: Array<Case> = []
  for (let i = 0; i < n; i++) {
    let after = makeTicket(random, i)
    const event = weighted(
      random,
      events.map((e, k) => [e, [30, 25, 20, 15, 10][k] as number])
    )
    let before: Encoded | undefined
    let happened: Array<Rule.TriggerEvent> = [event]
    switch (event) {
      case "created": {
        const { assignee: _assignee, ...unassigned } = after
        after = { ...unassigned, status: "new", category: "new", version: 1, createdAt: after.updatedAt }
        break
      }
      case "requester_replied":
      case "agent_replied":
        before = { ...after, version: after.version - 1 }
        if (random() < 0.3) {
          before = { ...before, ...otherStatus(random, after.status) }
          happened = [event, "status_changed"]
        }
        break
      case "status_changed":
        before = { ...after, version: after.version - 1, ...otherStatus(random, after.status) }
        break
      case "updated": {
        const previousPriority = pick(
          random,
          priorities.filter((p) => p !== after.priority)
        )
        before = { ...after, version: after.version - 1, priority: previousPriority }
        if (random() < 0.4) {
          const { group: _group, ...rest } = before
          before = random() < 0.5 ? rest : { ...rest, group: pick(random, groups) }
        }
        break
      }
    }
    const tier =
      random() < 0.95
        ? weighted(
            random,
            tiers.map((t, k) => [t, tierWeights[k] as number])
          )
        : undefined
    out.push(
      Facts.make({
        ticket: decodeTicket(after),
        previous: before === undefined ? undefined : decodeTicket(before),
        events: happened,
        requesterTier: tier,
        now: Date.parse(after.updatedAt)
      })
    )
  }
  return out
}

// -- rules -----------------------------------------------------------------------------------------

type Json = Record<string, unknown>

const field = (name: string, op: string, value?: unknown): Json =>
  value === undefined ? { field: name, op } : { field: name, op, value }

const some = <A>(random: Random, items: ReadonlyArray<A>, min: number, max: number): Array<A> =>
  distinct(random, items, min + Math.floor(random() * (max - min + 1)))

/** One leaf condition of a routing rule, drawn from what routing rules usually test. */
const leaf = (random: Random): Json => {
  const kind = weighted(random, [
    ["priority", 14],
    ["status", 10],
    ["category", 8],
    ["channel", 8],
    ["group", 8],
    ["assignee", 4],
    ["type", 6],
    ["tags", 16],
    ["tier", 10],
    ["plan", 6],
    ["region", 5],
    ["amount", 6],
    ["supportLevel", 2],
    ["event", 3]
  ] as const)
  switch (kind) {
    case "priority":
      return weighted(random, [
        [() => field("priority", "is", pick(random, priorities)), 3],
        [() => field("priority", "in", some(random, priorities, 2, 3)), 3],
        [() => field("priority", "gte", pick(random, ["normal", "high", "urgent"])), 3],
        [() => field("priority", "lte", pick(random, ["low", "normal"])), 1],
        [() => field("priority", "changedTo", pick(random, ["high", "urgent"])), 2]
      ] as const)()
    case "status":
      return weighted(random, [
        [() => field("status", "is", pick(random, statusIds)), 3],
        [() => field("status", "isNot", pick(random, statusIds)), 1],
        [() => field("status", "in", some(random, statusIds, 2, 3)), 2],
        [() => field("status", "changedTo", pick(random, statusIds)), 3],
        [() => field("status", "changedFrom", pick(random, statusIds)), 1]
      ] as const)()
    case "category":
      return random() < 0.5
        ? field("category", "notIn", ["solved", "closed"])
        : field("category", "in", some(random, categories, 1, 3))
    case "channel":
      return random() < 0.6
        ? field("channel", "is", pick(random, channels.slice(0, 4)))
        : field("channel", random() < 0.7 ? "in" : "notIn", some(random, channels, 2, 3))
    case "group":
      return weighted(random, [
        [() => field("group", "is", pick(random, groups)), 3],
        [() => field("group", "isNot", pick(random, groups)), 1],
        [() => field("group", "in", some(random, groups, 2, 4)), 2],
        [() => field("group", "absent"), 2]
      ] as const)()
    case "assignee":
      return field("assignee", random() < 0.7 ? "absent" : "present")
    case "type":
      return random() < 0.6 ? field("type", "is", pick(random, types)) : field("type", "in", some(random, types, 2, 3))
    case "tags":
      return random() < 0.75
        ? field("tags", "includes", random() < 0.6 ? pick(random, tags) : some(random, tags, 2, 3))
        : field("tags", "excludes", random() < 0.7 ? pick(random, tags) : some(random, tags, 2, 3))
    case "tier":
      return weighted(random, [
        [() => field("requester.tier", "is", pick(random, tiers)), 2],
        [() => field("requester.tier", "in", ["premium", "enterprise"]), 3],
        [() => field("requester.tier", "notIn", ["free"]), 1]
      ] as const)()
    case "plan":
      return random() < 0.5
        ? field("custom.plan", "is", pick(random, plans))
        : field("custom.plan", "in", some(random, plans, 2, 3))
    case "region":
      return random() < 0.6
        ? field("custom.region", "is", pick(random, regions))
        : field("custom.region", random() < 0.7 ? "in" : "notIn", some(random, regions, 2, 2))
    case "amount":
      return field("custom.amount", pick(random, ["gt", "gte", "lt", "lte"]), amount(random))
    case "supportLevel":
      return field("supportLevel", "gte", pick(random, [2, 3]))
    case "event":
      return { event: some(random, events, 1, 2) }
  }
}

/** A rule's condition: 2 to 5 leaves under `all`, sometimes with an `any` group or a `not`. */
const condition = (random: Random): Json => {
  const n = 2 + Math.floor(random() * 4)
  const leaves = Array.from({ length: n }, () => leaf(random))
  const parts: Array<Json> = []
  let i = 0
  if (n >= 3 && random() < 0.4) {
    const k = 2 + Math.floor(random() * (n - 2))
    parts.push({ any: leaves.slice(0, k) })
    i = k
  }
  for (; i < leaves.length; i++) {
    const one = leaves[i] as Json
    parts.push(random() < 0.12 ? { not: one } : one)
  }
  return random() < 0.1 && parts.length >= 2 ? { any: parts } : { all: parts }
}

const action = (random: Random): Json =>
  weighted<() => Json>(random, [
    [() => ({ set: "group", value: pick(random, groups) }), 4],
    [() => ({ set: "priority", value: pick(random, ["high", "urgent"]) }), 2],
    [() => ({ addTags: some(random, tags, 1, 2) }), 3],
    [() => ({ notify: { template: "routing-alert", to: ["group"] } }), 1]
  ] as const)()

/**
 * `n` routing rules as JSON documents, in the order they run: triggers on one or two events
 * (one in six on any event) whose condition has 2 to 5 leaves.
 */
export const ruleDocuments = (n: number, seed: number): Array<Json> => {
  const random = prng(seed)
  return Array.from({ length: n }, (_, i) => {
    const on = random() < 1 / 6 ? undefined : some(random, events, 1, 2)
    return {
      id: `route-${String(i + 1).padStart(3, "0")}`,
      version: 1,
      kind: "trigger",
      ...(on === undefined ? {} : { on }),
      if: condition(random),
      then: [action(random)]
    }
  })
}
