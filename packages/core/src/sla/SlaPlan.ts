/**
 * What a command needs of a ticket's SLAs at an instant (`Plan`): the milestones due and not
 * yet recorded, the next instant one falls due, the earliest due time for queues. `SlaFold`
 * computes it from a fold; `replayPlan` from the whole log through `Sla.slaState`, the
 * reference the fold is held to.
 *
 * @since 0.1.0
 */
import { DateTime, Result } from "effect"
import type { RecordSla } from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import { type Metric, metrics } from "../values/SlaMetric.js"
import type { Calendars } from "./internal/clock.js"
import type { SlaError } from "./SlaError.js"
import type { Context, PolicySet } from "./SlaPolicy.js"
import { slaState } from "./SlaState.js"

/**
 * A milestone due and not yet recorded, as `RecordSla` takes it.
 *
 * @category models
 * @since 0.1.0
 */
export type Milestone = RecordSla["milestones"][number]

/**
 * What a command needs of a ticket's SLAs at `now`: the milestones due and not recorded (in
 * the order of `Sla.slaState`'s instances), the next instant one falls due, and the earliest
 * due time of a running instance (for queues).
 *
 * @category models
 * @since 0.1.0
 */
export interface Plan {
  readonly due: ReadonlyArray<Milestone>
  readonly next: DateTime.Utc | undefined
  readonly slaDueAt: DateTime.Utc | undefined
}

/**
 * Where one instance stands at the plan's instant (epoch milliseconds; NaN when it has none).
 *
 * @category models
 * @since 0.1.0
 */
export interface Stand {
  readonly metric: Metric
  readonly instance: number
  readonly policy: string
  readonly warningAt: number
  readonly dueAt: number
  readonly breachedAt: number | undefined
  readonly warningRecorded: boolean
  readonly breachRecorded: boolean
}

/**
 * The plan from where each instance stands at `now`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const planOf = (stands: ReadonlyArray<Stand>, now: number): Plan => {
  const due: Array<Milestone> = []
  let next: number | undefined
  let slaDueAt: number | undefined
  const consider = (t: number) => {
    if (next === undefined || t < next) next = t
  }
  const ordered = [...stands].sort(
    (a, b) => metrics.indexOf(a.metric) - metrics.indexOf(b.metric) || a.instance - b.instance
  )
  for (const s of ordered) {
    const base = { metric: s.metric, instance: s.instance, policy: s.policy }
    if (!Number.isNaN(s.warningAt) && !s.warningRecorded) {
      if (s.warningAt <= now) due.push({ kind: "warning", ...base, reachedAt: DateTime.makeUnsafe(s.warningAt) })
      else consider(s.warningAt)
    }
    if (!s.breachRecorded) {
      if (s.breachedAt !== undefined)
        due.push({ kind: "breach", ...base, reachedAt: DateTime.makeUnsafe(s.breachedAt) })
      else if (!Number.isNaN(s.dueAt)) consider(s.dueAt)
    }
    if (!Number.isNaN(s.dueAt) && (slaDueAt === undefined || s.dueAt < slaDueAt)) slaDueAt = s.dueAt
  }
  return {
    due,
    next: next === undefined ? undefined : DateTime.makeUnsafe(next),
    slaDueAt: slaDueAt === undefined ? undefined : DateTime.makeUnsafe(slaDueAt)
  }
}

/**
 * The key of a recorded milestone: `kind:metric:instance`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const milestoneKey = (kind: "warning" | "breach", metric: string, instance: number): string =>
  `${kind}:${metric}:${instance}`

/**
 * A configuration, as `replayPlan` reads it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Configured {
  readonly set: PolicySet
  readonly calendars: Calendars
}

/**
 * The plan at `now` from the whole log, through `Sla.slaState`: the reference `plan` is held
 * to, and the answer when `plan` has none.
 *
 * @category combinators
 * @since 0.1.0
 */
export const replayPlan = (
  prepared: Configured,
  context: Context,
  events: ReadonlyArray<TicketEvent>,
  now: DateTime.Utc
): Result.Result<Plan, SlaError> => {
  const state = slaState(events, prepared.set, prepared.calendars, now, context)
  if (Result.isFailure(state)) return Result.fail(state.failure)
  const recorded = new Set(
    events.flatMap((e) =>
      e._tag === "SlaWarningReached"
        ? [milestoneKey("warning", e.metric, e.instance)]
        : e._tag === "SlaBreached"
          ? [milestoneKey("breach", e.metric, e.instance)]
          : []
    )
  )
  const millis = (d: DateTime.Utc | undefined) => (d === undefined ? Number.NaN : d.epochMilliseconds)
  return Result.succeed(
    planOf(
      state.success.instances.map((i) => ({
        metric: i.metric,
        instance: i.instance,
        policy: i.policy.id,
        warningAt: millis(i.warningAt),
        dueAt: millis(i.dueAt),
        breachedAt: i.breachedAt?.epochMilliseconds,
        warningRecorded: recorded.has(milestoneKey("warning", i.metric, i.instance)),
        breachRecorded: recorded.has(milestoneKey("breach", i.metric, i.instance))
      })),
      now.epochMilliseconds
    )
  )
}
