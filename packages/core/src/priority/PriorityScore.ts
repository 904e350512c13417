/**
 * Explainable priority scoring: a policy (an urgency × impact matrix plus modifiers for customer
 * tier, SLA risk, channel, ticket type, complexity, sentiment, tags and custom fields) turns a ticket into a
 * score, and ordered thresholds turn the score into a `Priority`. Every point comes with a
 * factor that says why, and the factors add up to the score. Scoring is pure: the SLA risk, the
 * customer tier and the sentiment arrive as numbers and names, computed elsewhere (`Sla`, the
 * directory, a classifier); changing the ticket's priority stays `decide`'s job.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { field, list, number, string } from "../internal/loose.js"
import type { Ticket } from "../ticket/Ticket.js"
import * as ConfigError from "../values/ConfigError.js"
import { FieldKey, FieldValue } from "../values/CustomField.js"
import { type Priority, rank } from "../values/Priority.js"
import { Tag } from "../values/Tag.js"
import { Tier } from "../values/Tier.js"

/**
 * How urgent a problem is, lowest first. `blocking` means work has stopped (an outage, a bug
 * with no workaround): the default policy keeps the urgent rank for it.
 *
 * @category models
 * @since 0.1.0
 */
export const Urgency = Schema.Literals(["low", "medium", "high", "blocking"])
/** @category models @since 0.1.0 */
export type Urgency = typeof Urgency.Type

/**
 * Who a problem affects, narrowest first: one person, a team, the whole customer organization,
 * or the customer's own customers.
 *
 * @category models
 * @since 0.1.0
 */
export const Impact = Schema.Literals(["individual", "team", "organization", "customers"])
/** @category models @since 0.1.0 */
export type Impact = typeof Impact.Type

/**
 * A number of points: an integer, so that a ticket's factors add up to its score exactly.
 *
 * @category models
 * @since 0.1.0
 */
export const Points = Schema.Int.check(Schema.isBetween({ minimum: -1000, maximum: 1000 }))
/** @category models @since 0.1.0 */
export type Points = typeof Points.Type

const ByImpact = Schema.Struct({
  individual: Points,
  team: Points,
  organization: Points,
  customers: Points
})

/**
 * The base score of every urgency (rows) and impact (columns); every cell is required.
 *
 * @category models
 * @since 0.1.0
 */
export const Matrix = Schema.Struct({
  low: ByImpact,
  medium: ByImpact,
  high: ByImpact,
  blocking: ByImpact
})
/** @category models @since 0.1.0 */
export type Matrix = typeof Matrix.Type

/**
 * Points by channel; a channel left out adds nothing.
 *
 * @category models
 * @since 0.1.0
 */
export const ChannelPoints = Schema.Struct({
  email: Schema.optionalKey(Points),
  web: Schema.optionalKey(Points),
  chat: Schema.optionalKey(Points),
  phone: Schema.optionalKey(Points),
  sms: Schema.optionalKey(Points),
  social: Schema.optionalKey(Points),
  api: Schema.optionalKey(Points)
})
/** @category models @since 0.1.0 */
export type ChannelPoints = typeof ChannelPoints.Type

/**
 * Points by ticket type; a type left out (or a ticket without a type) adds nothing.
 *
 * @category models
 * @since 0.1.0
 */
export const TypePoints = Schema.Struct({
  question: Schema.optionalKey(Points),
  incident: Schema.optionalKey(Points),
  problem: Schema.optionalKey(Points),
  task: Schema.optionalKey(Points),
  service_request: Schema.optionalKey(Points),
  feedback: Schema.optionalKey(Points),
  account: Schema.optionalKey(Points)
})
/** @category models @since 0.1.0 */
export type TypePoints = typeof TypePoints.Type

/**
 * Points by complexity; a complexity left out (or a ticket without one) adds nothing.
 *
 * @category models
 * @since 0.1.0
 */
export const ComplexityPoints = Schema.Struct({
  simple: Schema.optionalKey(Points),
  standard: Schema.optionalKey(Points),
  complex: Schema.optionalKey(Points)
})
/** @category models @since 0.1.0 */
export type ComplexityPoints = typeof ComplexityPoints.Type

/**
 * One step of SLA risk: `points` once the share of the SLA target used reaches `from` (0 just
 * opened, 1 due or breached). The highest step reached applies, alone.
 *
 * @category models
 * @since 0.1.0
 */
export const SlaRiskStep = Schema.Struct({
  from: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
  points: Points
})
/** @category models @since 0.1.0 */
export type SlaRiskStep = typeof SlaRiskStep.Type

/**
 * Points for a custom field holding a value; every rule that matches adds its points.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldRule = Schema.Struct({ key: FieldKey, value: FieldValue, points: Points })
/** @category models @since 0.1.0 */
export type FieldRule = typeof FieldRule.Type

/**
 * Points for a tag on the ticket; every rule that matches adds its points.
 *
 * @category models
 * @since 0.1.0
 */
export const TagRule = Schema.Struct({ tag: Tag, points: Points })
/** @category models @since 0.1.0 */
export type TagRule = typeof TagRule.Type

/**
 * The lowest score of each priority above `low`; they must increase strictly.
 *
 * @category models
 * @since 0.1.0
 */
export const Thresholds = Schema.Struct({ normal: Schema.Int, high: Schema.Int, urgent: Schema.Int })
/** @category models @since 0.1.0 */
export type Thresholds = typeof Thresholds.Type

/**
 * A priority policy. `defaults` stand in for an urgency or impact nobody gave; `tiers` maps a
 * customer tier to points; `sentiment.weight` is what a fully negative sentiment (-1) adds
 * (positive sentiment adds nothing: a polite customer is not less urgent); with
 * `urgentOnlyWhenBlocking`, a ticket whose urgency is not `blocking` is capped at `high`.
 *
 * @category models
 * @since 0.1.0
 */
export const Policy = Schema.Struct({
  defaults: Schema.Struct({ urgency: Urgency, impact: Impact }),
  matrix: Matrix,
  tiers: Schema.optionalKey(Schema.Record(Tier, Points)),
  slaRisk: Schema.optionalKey(Schema.Array(SlaRiskStep)),
  channels: Schema.optionalKey(ChannelPoints),
  types: Schema.optionalKey(TypePoints),
  complexities: Schema.optionalKey(ComplexityPoints),
  sentiment: Schema.optionalKey(
    Schema.Struct({ weight: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1000 })) })
  ),
  tags: Schema.optionalKey(Schema.Array(TagRule)),
  customFields: Schema.optionalKey(Schema.Array(FieldRule)),
  thresholds: Thresholds,
  urgentOnlyWhenBlocking: Schema.Boolean
})
/** @category models @since 0.1.0 */
export type Policy = typeof Policy.Type

/**
 * What the schema cannot check, read from the raw document (so that they are reported with the
 * schema's problems): thresholds that do not increase, SLA risk steps out of order, and a custom
 * field or tag rule given twice.
 */
const orderProblems = (input: unknown): ReadonlyArray<ConfigError.Problem> => {
  const problems: Array<ConfigError.Problem> = []
  const thresholds = field(input, "thresholds")
  const [normal, high, urgent] = ["normal", "high", "urgent"].map((key) => number(field(thresholds, key)))
  if (normal !== undefined && high !== undefined && high <= normal)
    problems.push({ path: ["thresholds", "high"], message: `${high} is not above normal's ${normal}` })
  if (high !== undefined && urgent !== undefined && urgent <= high)
    problems.push({ path: ["thresholds", "urgent"], message: `${urgent} is not above high's ${high}` })
  const steps = list(field(input, "slaRisk")).map((step) => number(field(step, "from")))
  for (const [i, from] of steps.entries()) {
    const previous = steps[i - 1]
    if (from !== undefined && previous !== undefined && from <= previous)
      problems.push({ path: ["slaRisk", i, "from"], message: `${from} is not above the previous step's ${previous}` })
  }
  const fields = list(field(input, "customFields")).map((rule) => [field(rule, "key"), field(rule, "value")] as const)
  for (const [i, [key, value]] of fields.entries()) {
    if (string(key) === undefined || value === undefined) continue
    if (fields.findIndex(([k, v]) => k === key && v === value) < i)
      problems.push({ path: ["customFields", i], message: `${key} = ${JSON.stringify(value)} has a rule already` })
  }
  const tags = list(field(input, "tags")).map((rule) => string(field(rule, "tag")))
  for (const [i, tag] of tags.entries()) {
    if (tag !== undefined && tags.indexOf(tag) < i)
      problems.push({ path: ["tags", i], message: `${tag} has a rule already` })
  }
  return problems
}

/**
 * Decodes a priority policy from untrusted JSON (parsed). Unknown keys are refused, so a
 * misspelt modifier does not silently do nothing; so are thresholds that do not increase,
 * SLA risk steps out of order and a custom field or tag rule given twice. Every problem is
 * listed, each with its path, in one `InvalidConfig` (`config: "priority-policy"`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodePolicy = (input: unknown): Result.Result<Policy, ConfigError.InvalidConfig> => {
  const decoded = Schema.decodeUnknownResult(Policy)(input, { errors: "all", onExcessProperty: "error" })
  const problems = [
    ...(Result.isFailure(decoded) ? ConfigError.problems(decoded.failure.issue) : []),
    ...orderProblems(input)
  ]
  if (Result.isFailure(decoded) || problems.length > 0) {
    const found = problems.length > 0 ? problems : [{ path: [], message: "does not decode" }]
    return Result.fail(ConfigError.invalid("priority-policy", found))
  }
  return Result.succeed(decoded.success)
}

/**
 * Encodes a policy to JSON, for storage; `decodePolicy` reads it back.
 *
 * @category constructors
 * @since 0.1.0
 */
export const encodePolicy = (policy: Policy): unknown => Schema.encodeSync(Policy)(policy)

/**
 * What the policy reads from a ticket; a whole `Ticket.Ticket` will do.
 *
 * @category models
 * @since 0.1.0
 */
export type TicketInput = Pick<Ticket, "channel" | "type" | "tags" | "customFields" | "complexity">

/**
 * What the policy reads besides the ticket. `urgency` and `impact` default to the policy's;
 * `tier` is the requester's (or their organization's) customer tier; `slaRisk` is the share of
 * the SLA target used (0 to 1, 1 due or breached); `sentiment` is a classifier's score from -1
 * (angry) to 1 (pleased). Numbers outside their range are clamped; `NaN` counts as absent.
 *
 * @category models
 * @since 0.1.0
 */
export interface Context {
  readonly urgency?: Urgency | undefined
  readonly impact?: Impact | undefined
  readonly tier?: Tier | undefined
  readonly slaRisk?: number | undefined
  readonly sentiment?: number | undefined
}

/**
 * What contributed to a score.
 *
 * @category models
 * @since 0.1.0
 */
export type FactorName =
  | "matrix"
  | "tier"
  | "slaRisk"
  | "channel"
  | "type"
  | "complexity"
  | "sentiment"
  | "tag"
  | "customField"
  | "cap"

/**
 * One contribution to a score, and why.
 *
 * @category models
 * @since 0.1.0
 */
export interface Factor {
  readonly factor: FactorName
  /** For a person to read, e.g. `"tier premium +20"`. */
  readonly detail: string
  readonly points: number
}

/**
 * A priority with its score and the factors that make it up; `points` of the factors add up to
 * `score`, and `priority` is `priorityOf(policy, score)`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Prioritization {
  readonly priority: Priority
  readonly score: number
  readonly urgency: Urgency
  readonly impact: Impact
  readonly factors: ReadonlyArray<Factor>
}

/**
 * The priority a score earns under a policy's thresholds.
 *
 * @category combinators
 * @since 0.1.0
 */
export const priorityOf = (policy: Policy, score: number): Priority => {
  const { normal, high, urgent } = policy.thresholds
  return score >= urgent ? "urgent" : score >= high ? "high" : score >= normal ? "normal" : "low"
}

const signed = (points: number): string => (points < 0 ? `${points}` : `+${points}`)

const clamp = (value: number | undefined, min: number, max: number): number | undefined =>
  value === undefined || Number.isNaN(value) ? undefined : Math.min(max, Math.max(min, value))

// Rounding -0.4 gives -0, which would print as "+0" but is not `0` to Object.is.
const integer = (value: number): number => Math.round(value) + 0

/**
 * Scores a ticket under a policy and explains the result. Pure and total: never throws, and the
 * same inputs give the same answer.
 *
 * @example
 * ```ts
 * // From the tests: a billing (`account`) ticket from an enterprise customer.
 * const result = PriorityScore.prioritize(PriorityScore.defaultPolicy, billing, {
 *   urgency: "high",
 *   impact: "organization",
 *   tier: "enterprise",
 *   slaRisk: 0.6
 * })
 * result.priority // "high"
 * result.factors.map((f) => f.detail)
 * // ["urgency high × impact organization 40", "tier enterprise +20", "SLA 60% used (at least 50%) +10",
 * //  "type account +10", "urgent is for blocking problems (urgency high): capped at high -16"]
 * result.score // 64
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const prioritize = (policy: Policy, ticket: TicketInput, context: Context = {}): Prioritization => {
  const factors: Array<Factor> = []
  const add = (factor: FactorName, detail: string, points: number) => {
    factors.push({ factor, detail: `${detail} ${signed(points)}`, points })
  }

  const urgency = context.urgency ?? policy.defaults.urgency
  const impact = context.impact ?? policy.defaults.impact
  const base = policy.matrix[urgency][impact]
  factors.push({
    factor: "matrix",
    detail:
      `urgency ${urgency}${context.urgency === undefined ? " (default)" : ""} × ` +
      `impact ${impact}${context.impact === undefined ? " (default)" : ""} ${base}`,
    points: base
  })

  if (context.tier !== undefined && policy.tiers !== undefined) {
    const points = Object.hasOwn(policy.tiers, context.tier) ? policy.tiers[context.tier] : undefined
    add("tier", points === undefined ? `tier ${context.tier} (not in the policy)` : `tier ${context.tier}`, points ?? 0)
  }

  const risk = clamp(context.slaRisk, 0, 1)
  if (risk !== undefined && policy.slaRisk !== undefined) {
    const step = policy.slaRisk.findLast((s) => risk >= s.from)
    if (step !== undefined)
      add("slaRisk", `SLA ${Math.round(risk * 100)}% used (at least ${Math.round(step.from * 100)}%)`, step.points)
  }

  const channel = policy.channels?.[ticket.channel]
  if (channel !== undefined) add("channel", `channel ${ticket.channel}`, channel)

  const type = ticket.type === undefined ? undefined : policy.types?.[ticket.type]
  if (type !== undefined) add("type", `type ${ticket.type}`, type)

  const complexity = ticket.complexity === undefined ? undefined : policy.complexities?.[ticket.complexity]
  if (complexity !== undefined) add("complexity", `complexity ${ticket.complexity}`, complexity)

  const sentiment = clamp(context.sentiment, -1, 1)
  if (sentiment !== undefined && policy.sentiment !== undefined) {
    add(
      "sentiment",
      sentiment < 0 ? `sentiment ${sentiment} (negative)` : `sentiment ${sentiment} (not negative)`,
      integer(Math.max(0, -sentiment) * policy.sentiment.weight)
    )
  }

  for (const rule of policy.tags ?? []) {
    if (ticket.tags.includes(rule.tag)) add("tag", `tag ${rule.tag}`, rule.points)
  }

  for (const rule of policy.customFields ?? []) {
    const value = Object.hasOwn(ticket.customFields, rule.key) ? ticket.customFields[rule.key] : undefined
    if (value === rule.value) add("customField", `${rule.key} = ${JSON.stringify(rule.value)}`, rule.points)
  }

  const raw = factors.reduce((sum, f) => sum + f.points, 0)
  // The cap lowers the score itself, not just the priority, so that the priority stays a
  // function of the score and the factors still add up to it.
  const ceiling = policy.thresholds.urgent - 1
  if (policy.urgentOnlyWhenBlocking && urgency !== "blocking" && raw > ceiling) {
    add("cap", `urgent is for blocking problems (urgency ${urgency}): capped at high`, ceiling - raw)
  }

  const score = factors.reduce((sum, f) => sum + f.points, 0)
  return { priority: priorityOf(policy, score), score, urgency, impact, factors }
}

/**
 * Whether a prioritization ranks strictly above another: by priority, then by score.
 *
 * @category predicates
 * @since 0.1.0
 */
export const ranksAbove = (a: Prioritization, b: Prioritization): boolean =>
  rank(a.priority) > rank(b.priority) || (a.priority === b.priority && a.score > b.score)

/**
 * A default policy, for a start: urgency and impact drive the base score, enterprise and
 * premium customers, incidents, problems and billing (`account`) tickets, real-time channels,
 * complex tickets, SLA risk and an upset requester raise it, questions and free users lower it, and only a
 * blocking problem can be urgent. A billing error for a large customer thus ranks above a free
 * user's general question.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPolicy: Policy = {
  defaults: { urgency: "medium", impact: "individual" },
  matrix: {
    low: { individual: 0, team: 5, organization: 10, customers: 15 },
    medium: { individual: 15, team: 20, organization: 25, customers: 30 },
    high: { individual: 30, team: 35, organization: 40, customers: 50 },
    blocking: { individual: 50, team: 60, organization: 70, customers: 80 }
  },
  tiers: { free: -5, standard: 0, premium: 10, enterprise: 20 },
  slaRisk: [
    { from: 0.5, points: 10 },
    { from: 0.8, points: 20 },
    { from: 1, points: 30 }
  ],
  channels: { phone: 5, chat: 5, social: 5 },
  types: { question: -10, incident: 10, problem: 10, account: 10, feedback: -10 },
  complexities: { complex: 5 },
  sentiment: { weight: 10 },
  thresholds: { normal: 15, high: 40, urgent: 65 },
  urgentOnlyWhenBlocking: true
}
