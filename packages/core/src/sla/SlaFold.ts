/**
 * A ticket's SLAs kept incrementally, so that a command never replays the ticket's history: a
 * `Fold` holds only what later events and plans need (the open instances with the time they
 * counted so far and the start of their running segment, late instances whose breach is not
 * recorded yet, the milestones recorded, instance counters), so its size does not grow with the
 * history. `plan` gives what a command needs from it: the milestones due and not recorded, the
 * next instant one falls due, the earliest due time for queues.
 *
 * The rules are those of `SlaState`'s replay, which stays the reference (a property test holds
 * the two plans equal). Time already counted depends on the configuration and on the
 * requester's tier, so a fold carries their fingerprint: one that does not fit is replayed
 * (`fromLog`) instead of evolved. A fold is plain JSON (`FoldJson`), for stores to keep.
 *
 * @since 0.1.0
 */
import { type DateTime, Result, Schema } from "effect"
import { hash53 } from "../internal/hash.js"
import type { State } from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import { Priority } from "../values/Priority.js"
import { Metric } from "../values/SlaMetric.js"
import { businessClock, type Calendars, type Clock, calendarOf, clockFor } from "./internal/clock.js"
import { cycleMetrics, evolveWithoutMessages, pausesOf, resolved, warningThreshold } from "./internal/metricRules.js"
import type { SlaError } from "./SlaError.js"
import { type Configured, milestoneKey, type Plan, planOf, type Stand } from "./SlaPlan.js"
import { type Context, match, type Policy, type PolicySet, type Target } from "./SlaPolicy.js"

/**
 * One metric instance a future event or plan may need.
 *
 * @category models
 * @since 0.1.0
 */
export const Instance = Schema.Struct({
  metric: Metric,
  instance: Schema.Int,
  /** The policy's place in the set: its `policies`, then the default. */
  policy: Schema.Int,
  /** The priority its target was taken at (the target is the policy's for it, if any). */
  priority: Priority,
  /** Wall-clock time of its closed running segments. */
  wall: Schema.Finite,
  /** Business time of its closed running segments, on every calendar a policy names. */
  business: Schema.Record(Schema.String, Schema.Finite),
  /** The start of its running segment; absent while paused or done. */
  since: Schema.optionalKey(Schema.Finite),
  fulfilledAt: Schema.optionalKey(Schema.Finite),
  breachedAt: Schema.optionalKey(Schema.Finite),
  warningRecorded: Schema.Boolean,
  breachRecorded: Schema.Boolean
})
/** @category models @since 0.1.0 */
export type Instance = typeof Instance.Type

/**
 * A ticket's SLAs after some of its events (epoch milliseconds throughout).
 *
 * @category models
 * @since 0.1.0
 */
export const Fold = Schema.Struct({
  /** The shape's version: a fold of another shape does not decode and is replayed. */
  v: Schema.Literal(1),
  /** The configuration and requester context it was computed under (`fingerprint`). */
  fingerprint: Schema.String,
  /** The instant of the last event folded (events never move time back); `null` before any. */
  at: Schema.NullOr(Schema.Finite),
  /** Whether the ticket exists (its opening was folded). */
  opened: Schema.Boolean,
  /** Instances started so far, by metric. */
  counts: Schema.Record(Schema.String, Schema.Int),
  /** Open instances, and late ones whose breach is not recorded yet, in the order they started. */
  instances: Schema.Array(Instance),
  /** Milestones recorded for instances that had not started (`kind:metric:instance`). */
  ahead: Schema.Array(Schema.String)
})
/** @category models @since 0.1.0 */
export type Fold = typeof Fold.Type

/**
 * A fold as JSON text, the form stores keep.
 *
 * @category models
 * @since 0.1.0
 */
export const FoldJson = Schema.fromJsonString(Fold)

/**
 * Policies and calendars, prepared once for folding: the policies in order, the calendars
 * whose business time a fold counts, and the fingerprint of the whole.
 *
 * @category models
 * @since 0.1.0
 */
export interface Prepared extends Configured {
  /** `set.policies`, then `set.default`: a fold names a policy by its place here. */
  readonly policies: ReadonlyArray<Policy>
  /** The business clocks of the calendars the policies name and `calendars` holds. */
  readonly clocks: ReadonlyArray<Clock & { readonly name: string }>
  readonly fingerprint: string
}

/**
 * Prepares a configuration for folding. Two configurations that serialise alike share a
 * fingerprint; any change (a target, a calendar's hours) gives another.
 *
 * @category constructors
 * @since 0.1.0
 */
export const prepare = (configuration: { readonly policies: PolicySet; readonly calendars: Calendars }): Prepared => {
  const set = configuration.policies
  const calendars = configuration.calendars
  const policies = [...set.policies, set.default]
  const names = [...new Set(policies.map(calendarOf))].filter((name) => Object.hasOwn(calendars, name))
  const clocks = names.map((name) => ({
    ...businessClock(name, calendars[name] as NonNullable<Calendars[string]>),
    name
  }))
  const named = names.map((name) => [name, calendars[name]] as const)
  return { set, calendars, policies, clocks, fingerprint: hash53(JSON.stringify({ set, calendars: named })) }
}

/**
 * The fingerprint a fold computed under this configuration and requester context carries.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fingerprint = (prepared: Prepared, context: Context): string =>
  `${prepared.fingerprint}:${context.tier ?? ""}`

/**
 * Whether a fold was computed under this configuration and context, so it may be evolved.
 *
 * @category predicates
 * @since 0.1.0
 */
export const fits = (prepared: Prepared, context: Context, fold: Fold): boolean =>
  fold.fingerprint === fingerprint(prepared, context)

/**
 * The fold of a stream with no events.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty = (prepared: Prepared, context: Context): Fold => ({
  v: 1,
  fingerprint: fingerprint(prepared, context),
  at: null,
  opened: false,
  counts: {},
  instances: [],
  ahead: []
})

// -- evolving ---------------------------------------------------------------------------------

/** A fold being evolved: mutable, each optional instant `undefined` when absent. */
interface Work {
  at: number | null
  opened: boolean
  counts: Record<string, number>
  instances: Array<Running>
  ahead: Array<string>
}

interface Running {
  readonly metric: Metric
  readonly instance: number
  policy: number
  priority: Priority
  wall: number
  readonly business: Record<string, number>
  since: number | undefined
  fulfilledAt: number | undefined
  breachedAt: number | undefined
  warningRecorded: boolean
  breachRecorded: boolean
}

const thaw = (fold: Fold): Work => ({
  at: fold.at,
  opened: fold.opened,
  counts: { ...fold.counts },
  instances: fold.instances.map((i) => ({
    ...i,
    business: { ...i.business },
    since: i.since,
    fulfilledAt: i.fulfilledAt,
    breachedAt: i.breachedAt
  })),
  ahead: [...fold.ahead]
})

const freeze = (fingerprint: string, w: Work): Fold => ({
  v: 1,
  fingerprint,
  at: w.at,
  opened: w.opened,
  counts: w.counts,
  instances: w.instances.map(({ since, fulfilledAt, breachedAt, ...rest }) => ({
    ...rest,
    ...(since === undefined ? {} : { since }),
    ...(fulfilledAt === undefined ? {} : { fulfilledAt }),
    ...(breachedAt === undefined ? {} : { breachedAt })
  })),
  ahead: w.ahead
})

const targetIn = (prepared: Prepared, policy: number, metric: Metric, priority: Priority): Target | undefined =>
  prepared.policies[policy]?.targets[metric]?.[priority]

const policyIndex = (prepared: Prepared, ticket: Parameters<typeof match>[1], context: Context): number =>
  prepared.policies.indexOf(match(prepared.set, ticket, context))

/** Time an instance counted on `clock` in its closed segments. */
const countedIn = (r: Instance | Running, clock: Clock): number =>
  clock.name === undefined ? r.wall : (r.business[clock.name] ?? Number.NaN)

/** When the running instance has counted `amount` on `clock`. */
const reachedAt = (r: Instance | Running, clock: Clock, amount: number): Result.Result<number, SlaError> =>
  r.since === undefined ? Result.succeed(Number.NaN) : clock.add(r.since, Math.max(0, amount - countedIn(r, clock)))

const clockOf = (prepared: Prepared, r: Instance | Running, target: Target): Result.Result<Clock, SlaError> =>
  clockFor(prepared.policies[r.policy] as Policy, target, prepared.calendars)

/** Ends the running segment at `at`, counting it on every clock. */
const stop = (prepared: Prepared, r: Running, at: number): Result.Result<void, SlaError> => {
  const since = r.since
  if (since === undefined) return Result.void
  r.since = undefined
  if (at <= since) return Result.void
  r.wall += at - since
  for (const clock of prepared.clocks) {
    const part = clock.between(since, at)
    if (Result.isFailure(part)) return Result.fail(part.failure)
    r.business[clock.name] = (r.business[clock.name] ?? 0) + part.success
  }
  return Result.void
}

/** One event, with the ticket it leaves: the replay's step (see `SlaState`), on a fold. */
const step = (
  prepared: Prepared,
  context: Context,
  w: Work,
  event: TicketEvent,
  ticket: State
): Result.Result<void, SlaError> => {
  const at = Math.max(w.at ?? Number.NEGATIVE_INFINITY, event.at.epochMilliseconds)
  w.at = at

  // Breaches that happened before this instant.
  for (const r of w.instances) {
    if (r.fulfilledAt !== undefined || r.breachedAt !== undefined || r.since === undefined) continue
    const target = targetIn(prepared, r.policy, r.metric, r.priority)
    if (target === undefined) continue
    const clock = clockOf(prepared, r, target)
    if (Result.isFailure(clock)) return Result.fail(clock.failure)
    const due = reachedAt(r, clock.success, target.minutes * 60_000)
    if (Result.isFailure(due)) return Result.fail(due.failure)
    if (due.success <= at) r.breachedAt = due.success
  }

  if (event._tag === "SlaWarningReached" || event._tag === "SlaBreached") {
    const kind = event._tag === "SlaWarningReached" ? "warning" : "breach"
    const r = w.instances.find((i) => i.metric === event.metric && i.instance === event.instance)
    if (r !== undefined) {
      if (kind === "warning") r.warningRecorded = true
      else r.breachRecorded = true
    } else if (event.instance > (w.counts[event.metric] ?? 0)) {
      w.ahead.push(milestoneKey(kind, event.metric, event.instance))
    }
  }

  const before = w.opened
  w.opened = ticket !== undefined
  if (ticket === undefined) return Result.void
  const current = ticket

  const activate = (metric: Metric) => {
    const n = (w.counts[metric] ?? 0) + 1
    w.counts[metric] = n
    const policy = policyIndex(prepared, current, context)
    const paused = pausesOf(prepared.policies[policy] as Policy, metric).includes(current.category)
    const warningKey = milestoneKey("warning", metric, n)
    const breachKey = milestoneKey("breach", metric, n)
    const warningRecorded = w.ahead.includes(warningKey)
    const breachRecorded = w.ahead.includes(breachKey)
    if (warningRecorded || breachRecorded) w.ahead = w.ahead.filter((k) => k !== warningKey && k !== breachKey)
    w.instances.push({
      metric,
      instance: n,
      policy,
      priority: current.priority,
      wall: 0,
      business: Object.fromEntries(prepared.clocks.map((c) => [c.name, 0])),
      since: paused ? undefined : at,
      fulfilledAt: undefined,
      breachedAt: undefined,
      warningRecorded,
      breachRecorded
    })
  }
  const active = (metric: Metric) => w.instances.find((r) => r.metric === metric && r.fulfilledAt === undefined)
  const fulfil = (r: Running | undefined): Result.Result<void, SlaError> => {
    if (r === undefined) return Result.void
    r.fulfilledAt = at
    return stop(prepared, r, at)
  }

  switch (event._tag) {
    case "TicketOpened": {
      if (before || resolved(current.category)) break
      for (const metric of cycleMetrics) activate(metric)
      if (event.message.visibility === "public" && event.message.author._tag === "contact") activate("first_reply")
      break
    }
    case "ReplyAdded": {
      const message = event.message
      if (message.visibility !== "public") break
      if (message.author._tag === "agent") {
        for (const metric of ["first_reply", "next_reply", "periodic_update"] as const) {
          const done = fulfil(active(metric))
          if (Result.isFailure(done)) return done
        }
        if (!resolved(current.category)) activate("periodic_update")
      } else if (message.author._tag === "contact" && current.category !== "closed") {
        if (active("first_reply") === undefined && active("next_reply") === undefined) activate("next_reply")
      }
      break
    }
    case "StatusChanged": {
      if (resolved(event.toCategory) && !resolved(event.fromCategory)) {
        // Nothing is left to do on a solved ticket: every running measure ends here.
        for (const r of w.instances) {
          if (r.fulfilledAt !== undefined) continue
          const done = fulfil(r)
          if (Result.isFailure(done)) return done
        }
      } else if (!resolved(event.toCategory) && resolved(event.fromCategory)) {
        for (const metric of cycleMetrics) activate(metric)
      }
      break
    }
    default:
      break
  }

  // Targets follow the ticket until a breach; clocks pause and resume with its category.
  const policy = policyIndex(prepared, current, context)
  for (const r of w.instances) {
    if (r.fulfilledAt !== undefined) continue
    if (r.breachedAt === undefined) {
      const was = targetIn(prepared, r.policy, r.metric, r.priority)
      const target = targetIn(prepared, policy, r.metric, current.priority)
      if (prepared.policies[r.policy] !== prepared.policies[policy] || was !== target) {
        r.policy = policy
        r.priority = current.priority
        // A target that the time already counted exceeds is breached now, not in the past.
        if (target !== undefined) {
          const clock = clockOf(prepared, r, target)
          if (Result.isFailure(clock)) return Result.fail(clock.failure)
          let used = countedIn(r, clock.success)
          if (r.since !== undefined && at > r.since) {
            const open = clock.success.between(r.since, at)
            if (Result.isFailure(open)) return Result.fail(open.failure)
            used += open.success
          }
          if (used >= target.minutes * 60_000) r.breachedAt = at
        }
      }
    }
    const paused = pausesOf(prepared.policies[r.policy] as Policy, r.metric).includes(current.category)
    if (paused && r.since !== undefined) {
      const stopped = stop(prepared, r, at)
      if (Result.isFailure(stopped)) return stopped
    } else if (!paused && r.since === undefined) {
      r.since = at
    }
  }

  // Done is final: keep a done instance only while its breach waits to be recorded.
  w.instances = w.instances.filter(
    (r) => r.fulfilledAt === undefined || (r.breachedAt !== undefined && !r.breachRecorded)
  )
  return Result.void
}

/**
 * Folds `event` into `fold`, given the ticket the event leaves (`Ticket.evolve`'s result; its
 * messages are not read). The fold must fit the configuration and context (`fits`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const evolve = (
  prepared: Prepared,
  context: Context,
  fold: Fold,
  event: TicketEvent,
  ticket: State
): Result.Result<Fold, SlaError> => {
  const w = thaw(fold)
  const stepped = step(prepared, context, w, event, ticket)
  return Result.isFailure(stepped) ? Result.fail(stepped.failure) : Result.succeed(freeze(fold.fingerprint, w))
}

/**
 * Folds `events` into `fold`, starting from `ticket`, the state they apply to.
 *
 * @category combinators
 * @since 0.1.0
 */
export const evolveAll = (
  prepared: Prepared,
  context: Context,
  fold: Fold,
  ticket: State,
  events: Iterable<TicketEvent>
): Result.Result<Fold, SlaError> => {
  const w = thaw(fold)
  let current = ticket === undefined || ticket.messages.length === 0 ? ticket : { ...ticket, messages: [] }
  for (const event of events) {
    current = evolveWithoutMessages(current, event)
    const stepped = step(prepared, context, w, event, current)
    if (Result.isFailure(stepped)) return Result.fail(stepped.failure)
  }
  return Result.succeed(freeze(fold.fingerprint, w))
}

/**
 * The fold of a whole log: one replay, for a stream whose fold is unknown or does not fit.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromLog = (
  prepared: Prepared,
  context: Context,
  events: Iterable<TicketEvent>
): Result.Result<Fold, SlaError> => evolveAll(prepared, context, empty(prepared, context), undefined, events)

// -- planning ---------------------------------------------------------------------------------

export { type Milestone, type Plan, replayPlan } from "./SlaPlan.js"

/**
 * The plan at `now` from a fold, without the log. `undefined` when `now` is before the last
 * event folded: the replay then leaves later events out, which a fold cannot (ask `replayPlan`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const plan = (prepared: Prepared, fold: Fold, now: DateTime.Utc): Result.Result<Plan | undefined, SlaError> => {
  const at = now.epochMilliseconds
  if (fold.at !== null && at < fold.at) return Result.succeed(undefined)
  const stands: Array<Stand> = []
  for (const r of fold.instances) {
    const target = targetIn(prepared, r.policy, r.metric, r.priority)
    if (target === undefined) continue
    const policy = prepared.policies[r.policy] as Policy
    const clock = clockOf(prepared, r, target)
    if (Result.isFailure(clock)) return Result.fail(clock.failure)
    const targetMillis = target.minutes * 60_000
    const running = r.fulfilledAt === undefined && r.since !== undefined
    let breachedAt = r.breachedAt
    let dueAt = Number.NaN
    let warningAt = Number.NaN
    if (running) {
      const due = reachedAt(r, clock.success, targetMillis)
      if (Result.isFailure(due)) return Result.fail(due.failure)
      dueAt = due.success
      if (breachedAt === undefined && dueAt <= at) breachedAt = dueAt
      const threshold = warningThreshold(policy.warnings?.[r.metric], targetMillis)
      if (threshold !== undefined) {
        const warning = reachedAt(r, clock.success, threshold)
        if (Result.isFailure(warning)) return Result.fail(warning.failure)
        warningAt = warning.success
      }
    }
    stands.push({
      metric: r.metric,
      instance: r.instance,
      policy: policy.id,
      warningAt,
      dueAt,
      breachedAt,
      warningRecorded: r.warningRecorded,
      breachRecorded: r.breachRecorded
    })
  }
  return Result.succeed(planOf(stands, at))
}
