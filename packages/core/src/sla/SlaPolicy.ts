/**
 * SLA policies: which tickets a policy applies to, and its targets per metric and priority.
 * Policies are plain JSON checked by a Schema (`decodePolicySet`: typed errors with the path of
 * the offending value); they are matched in order, the first whose conditions all hold wins,
 * and the set's `default` policy (a field of its own, never found by name) applies otherwise.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { firstProblem } from "../internal/issues.js"
import { StatusCategory } from "../ticket/Status.js"
import type { Ticket } from "../ticket/Ticket.js"
import { Channel } from "../values/Channel.js"
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
  id: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)),
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

/**
 * A policy set that does not decode: the first problem, with its path in the JSON.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidPolicy extends Schema.TaggedError<InvalidPolicy>()("InvalidPolicy", {
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  reason: Schema.String
}) {
  override get message() {
    return `Invalid SLA policy at ${JSON.stringify(this.path)}: ${this.reason}`
  }
}

/**
 * Decodes a policy set from untrusted JSON (parsed). Unknown keys are refused, so a misspelt
 * metric or condition does not silently do nothing; two policies with the same id too.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodePolicySet = (input: unknown): Result.Result<PolicySet, InvalidPolicy> => {
  const decoded = Schema.decodeUnknownResult(PolicySet)(input, { onExcessProperty: "error" })
  if (Result.isFailure(decoded)) {
    const first = firstProblem(decoded.failure.issue, decoded.failure.message)
    return Result.fail(new InvalidPolicy({ path: first.path, reason: first.message }))
  }
  const set = decoded.success
  const seen = new Map<string, number>()
  for (const [i, policy] of [...set.policies, set.default].entries()) {
    const earlier = seen.get(policy.id)
    if (earlier !== undefined) {
      const path = i === set.policies.length ? ["default", "id"] : ["policies", i, "id"]
      return Result.fail(new InvalidPolicy({ path, reason: `the id ${policy.id} is also policy ${earlier}'s` }))
    }
    seen.set(policy.id, i)
  }
  return Result.succeed(set)
}

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
 * The brief's policies, for a start: priorities low / normal / high / urgent with first reply,
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
