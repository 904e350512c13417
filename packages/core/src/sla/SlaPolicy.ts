/**
 * SLA policies: which tickets a policy applies to, and its targets per metric and priority.
 * Policies are plain JSON checked by a Schema (`decodePolicySet`: one `InvalidConfig` listing
 * every problem with its path); they are matched in order, the first whose conditions all hold wins,
 * and the set's `default` policy (a field of its own, never found by name) applies otherwise.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { field, list, string } from "../internal/loose.js"
import { StatusCategory } from "../ticket/Status.js"
import type { Ticket } from "../ticket/Ticket.js"
import { Channel } from "../values/Channel.js"
import * as ConfigError from "../values/ConfigError.js"
import { FieldKey, FieldValue } from "../values/CustomField.js"
import { GroupId } from "../values/Ids.js"
import { Priority } from "../values/Priority.js"
import type { Metric } from "../values/SlaMetric.js"
import { Tag } from "../values/Tag.js"
import { TicketType } from "../values/TicketType.js"
import { Tier } from "../values/Tier.js"

export { Metric, metrics } from "../values/SlaMetric.js"

const Minutes = Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(60 * 24 * 366 * 10))

/**
 * A target: a number of minutes, counted in the policy's business calendar (`"business"`) or
 * around the clock (`"calendar"`).
 *
 * @category models
 * @since 0.1.0
 */
export const Target = Schema.Struct({
  minutes: Minutes,
  clock: Schema.Literals(["business", "calendar"])
})
/** @category models @since 0.1.0 */
export type Target = typeof Target.Type

/**
 * Targets of one metric by priority; a priority left out is not measured.
 *
 * @category models
 * @since 0.1.0
 */
export const TargetsByPriority = Schema.Struct({
  low: Schema.optionalKey(Target),
  normal: Schema.optionalKey(Target),
  high: Schema.optionalKey(Target),
  urgent: Schema.optionalKey(Target)
})
/** @category models @since 0.1.0 */
export type TargetsByPriority = typeof TargetsByPriority.Type

/**
 * When to warn before a breach: a number of minutes before the due time (in the target's own
 * clock), or a share of the target elapsed (`percent` 80: warn when 80% is used).
 *
 * @category models
 * @since 0.1.0
 */
export const Warning = Schema.Union([
  Schema.Struct({ before: Minutes }),
  Schema.Struct({ percent: Schema.Finite.check(Schema.isGreaterThan(0), Schema.isLessThan(100)) })
])
/** @category models @since 0.1.0 */
export type Warning = typeof Warning.Type

/**
 * Which tickets a policy applies to. Every condition given must hold; a list holds when the
 * ticket's value is one of it (`tagsAny`: some tag in the list; `tagsAll`: every one);
 * `tier` is the requester's (or their organization's) customer tier.
 *
 * @category models
 * @since 0.1.0
 */
export const Conditions = Schema.Struct({
  priority: Schema.optionalKey(Schema.Array(Priority)),
  tier: Schema.optionalKey(Schema.Array(Tier)),
  channel: Schema.optionalKey(Schema.Array(Channel)),
  type: Schema.optionalKey(Schema.Array(TicketType)),
  group: Schema.optionalKey(Schema.Array(GroupId)),
  tagsAny: Schema.optionalKey(Schema.Array(Tag)),
  tagsAll: Schema.optionalKey(Schema.Array(Tag)),
  customFields: Schema.optionalKey(Schema.Record(FieldKey, Schema.Array(FieldValue)))
})
/** @category models @since 0.1.0 */
export type Conditions = typeof Conditions.Type

const PerMetric = <S extends Schema.Top>(value: S) =>
  Schema.Struct({
    first_reply: Schema.optionalKey(value),
    next_reply: Schema.optionalKey(value),
    periodic_update: Schema.optionalKey(value),
    resolution: Schema.optionalKey(value),
    requester_wait: Schema.optionalKey(value),
    agent_work: Schema.optionalKey(value)
  })

/**
 * An SLA policy. `calendar` names the business calendar its `"business"` targets count in (a
 * key of the calendars given to `Sla.slaState`); `pauses` overrides, per metric, the status
 * categories that stop its clock (see `defaultPauses`).
 *
 * @category models
 * @since 0.1.0
 */
export const Policy = Schema.Struct({
  id: Schema.String.check(
    Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, {
      message: "Expected an id of 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or a digit"
    })
  ),
  name: Schema.String,
  conditions: Schema.optionalKey(Conditions),
  calendar: Schema.optionalKey(Schema.String),
  targets: PerMetric(TargetsByPriority),
  pauses: Schema.optionalKey(PerMetric(Schema.Array(StatusCategory))),
  warnings: Schema.optionalKey(PerMetric(Warning))
})
/** @category models @since 0.1.0 */
export type Policy = typeof Policy.Type

/**
 * Policies in the order they are matched, and the policy for tickets none of them matches.
 *
 * @category models
 * @since 0.1.0
 */
export const PolicySet = Schema.Struct({
  policies: Schema.Array(Policy),
  default: Policy
})
/** @category models @since 0.1.0 */
export type PolicySet = typeof PolicySet.Type

/** Two policies with one id: each later one is a problem at its `id`. */
const duplicateIds = (input: unknown): ReadonlyArray<ConfigError.Problem> => {
  const ids: Array<readonly [ReadonlyArray<string | number>, unknown]> = [
    ...list(field(input, "policies")).map((p, i) => [["policies", i, "id"], field(p, "id")] as const),
    [["default", "id"], field(field(input, "default"), "id")]
  ]
  const seen = new Map<string, ReadonlyArray<string | number>>()
  const problems: Array<ConfigError.Problem> = []
  for (const [path, raw] of ids) {
    const id = string(raw)
    if (id === undefined) continue
    const earlier = seen.get(id)
    if (earlier === undefined) seen.set(id, path)
    else problems.push({ path, message: `the id ${id} is also at ${earlier.slice(0, -1).join(".")}` })
  }
  return problems
}

/**
 * Decodes a policy set from untrusted JSON (parsed). Unknown keys are refused, so a misspelt
 * metric or condition does not silently do nothing; two policies with the same id too. Every
 * problem is listed, each with its path, in one `InvalidConfig` (`config: "sla-policies"`).
 *
 * @example
 * ```ts
 * SlaPolicy.decodePolicySet({ policies: [{ id: "vip", name: "VIP", targets: { first_replies: {} } }], default: { id: "vip" } })
 * // Result.fail(InvalidConfig: policies.0.targets.first_replies (unexpected), default.name and
 * // default.targets (missing), default.id (the id vip is also at policies.0))
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodePolicySet = (input: unknown): Result.Result<PolicySet, ConfigError.InvalidConfig> => {
  const decoded = Schema.decodeUnknownResult(PolicySet)(input, { errors: "all", onExcessProperty: "error" })
  const problems = [
    ...(Result.isFailure(decoded) ? ConfigError.problems(decoded.failure.issue) : []),
    ...duplicateIds(input)
  ]
  if (Result.isFailure(decoded) || problems.length > 0) {
    const found = problems.length > 0 ? problems : [{ path: [], message: "does not decode" }]
    return Result.fail(ConfigError.invalid("sla-policies", found))
  }
  return Result.succeed(decoded.success)
}

/**
 * The calendars a policy set needs and `calendars` lacks, as problems at the offending policy's
 * `calendar` key: every calendar a policy names, and `"business_hours"` for a policy that counts
 * business time without naming one (as `Sla` does). The help desk checks this when it is built.
 *
 * @category combinators
 * @since 0.1.0
 */
export const missingCalendars = (
  set: PolicySet,
  calendars: { readonly [name: string]: unknown }
): ReadonlyArray<ConfigError.Problem> =>
  [
    ...set.policies.map((p, i) => [["policies", i] as const, p] as const),
    [["default"] as const, set.default] as const
  ].flatMap(([at, policy]) => {
    const counts = Object.values(policy.targets).some((byPriority) =>
      Object.values(byPriority ?? {}).some((target) => target?.clock === "business")
    )
    const name = policy.calendar ?? (counts ? "business_hours" : undefined)
    if (name === undefined || Object.hasOwn(calendars, name)) return []
    const message =
      policy.calendar === undefined
        ? `the policy counts business time and names no calendar, and there is no calendar "${name}" to default to`
        : `there is no calendar "${name}"`
    return [{ path: [...at, "calendar"], message }]
  })

/**
 * The status categories that stop each metric's clock unless a policy says otherwise: waiting
 * on the requester (`pending`) stops what the requester waits for, waiting on a third party
 * (`on_hold`) also stops the agents' work and update clocks. Solved and closed end every metric.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPauses: Readonly<Record<Metric, ReadonlyArray<StatusCategory>>> = {
  first_reply: [],
  next_reply: [],
  periodic_update: ["pending", "on_hold"],
  resolution: ["pending"],
  requester_wait: ["pending"],
  agent_work: ["pending", "on_hold"]
}

/**
 * What a policy's conditions see besides the ticket: the requester's customer tier.
 *
 * @category models
 * @since 0.1.0
 */
export interface Context {
  readonly tier?: Tier | undefined
}

const oneOf = <A>(list: ReadonlyArray<A> | undefined, value: A | undefined): boolean =>
  list === undefined || (value !== undefined && list.includes(value))

/**
 * Whether a ticket meets a policy's conditions.
 *
 * @category predicates
 * @since 0.1.0
 */
export const applies = (policy: Policy, ticket: Ticket, context: Context = {}): boolean => {
  const c = policy.conditions
  if (c === undefined) return true
  return (
    oneOf(c.priority, ticket.priority) &&
    oneOf(c.tier, context.tier) &&
    oneOf(c.channel, ticket.channel) &&
    oneOf(c.type, ticket.type) &&
    oneOf(c.group, ticket.group) &&
    (c.tagsAny === undefined || c.tagsAny.some((t) => ticket.tags.includes(t))) &&
    (c.tagsAll === undefined || c.tagsAll.every((t) => ticket.tags.includes(t))) &&
    Object.entries(c.customFields ?? {}).every(([key, values]) => {
      const value = Object.hasOwn(ticket.customFields, key) ? ticket.customFields[key as FieldKey] : undefined
      return value !== undefined && values.includes(value)
    })
  )
}

/**
 * The policy for a ticket: the first of the set whose conditions hold, else the default.
 *
 * @category combinators
 * @since 0.1.0
 */
export const match = (set: PolicySet, ticket: Ticket, context: Context = {}): Policy =>
  set.policies.find((p) => applies(p, ticket, context)) ?? set.default

const hours = (h: number, clock: Target["clock"] = "business"): Target => ({ minutes: h * 60, clock })

/**
 * Default policies, for a start: priorities low / normal / high / urgent with first reply,
 * next reply and resolution targets in business time on the calendar named `"business_hours"`
 * (urgent first replies count around the clock), and premium or enterprise customers (`tier`)
 * ahead with targets about half as long. Warnings at 75% of each target.
 *
 * @category constants
 * @since 0.1.0
 */
export const defaultPolicySet: PolicySet = {
  policies: [
    {
      id: "premium",
      name: "Premium and enterprise customers",
      conditions: { tier: ["premium", "enterprise"] },
      calendar: "business_hours",
      targets: {
        first_reply: { urgent: hours(0.5, "calendar"), high: hours(1), normal: hours(4), low: hours(8) },
        next_reply: { urgent: hours(1, "calendar"), high: hours(2), normal: hours(6), low: hours(12) },
        resolution: { urgent: hours(4, "calendar"), high: hours(8), normal: hours(24), low: hours(40) }
      },
      warnings: { first_reply: { percent: 75 }, next_reply: { percent: 75 }, resolution: { percent: 75 } }
    }
  ],
  default: {
    id: "standard",
    name: "Standard",
    calendar: "business_hours",
    targets: {
      first_reply: { urgent: hours(1, "calendar"), high: hours(4), normal: hours(8), low: hours(24) },
      next_reply: { urgent: hours(2, "calendar"), high: hours(8), normal: hours(16), low: hours(24) },
      resolution: { urgent: hours(8, "calendar"), high: hours(16), normal: hours(40), low: hours(80) }
    },
    warnings: { first_reply: { percent: 75 }, next_reply: { percent: 75 }, resolution: { percent: 75 } }
  }
}
