/**
 * The SLA state of a ticket, as a pure function of its event log: for every metric instance
 * (first reply is instance 1 of `first_reply`, each wait for a next reply a new instance of
 * `next_reply`, each open cycle a new instance of `resolution`, ...), its target, when it
 * started, the time it ran and was paused, its due instant, what remains, and whether it was
 * fulfilled or breached and when.
 *
 * `slaState(events, policies, calendars, now)` reads only the events up to `now`, so asking
 * again later gives the same answers about the past: a breach stays where it happened. A
 * target follows the ticket (a priority raised mid-way shortens it) until the instance is
 * fulfilled or breached; then it is frozen, and a change that comes after a breach does not
 * move it. When a change makes a running target already exceeded, the breach is at the change.
 * The help desk keeps the same rules incrementally (`SlaFold`); this replay is their reference.
 *
 * @since 0.1.0
 */
import { type DateTime, Duration, Result } from "effect"
import type { State, Ticket } from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import { type Calendars, type Clock, clockFor, utc, wallClock } from "./internal/clock.js"
import {
  cycleMetrics,
  evolveWithoutMessages,
  pausesOf,
  resolved,
  targetOf,
  warningThreshold
} from "./internal/metricRules.js"
import type { SlaError } from "./SlaError.js"
import { type Context, type Metric, match, metrics, type Policy, type PolicySet, type Target } from "./SlaPolicy.js"

/**
 * An interval `[from, to)`; `to` absent while it lasts.
 *
 * @category models
 * @since 0.1.0
 */
export interface Interval {
  readonly from: DateTime.Utc
  readonly to?: DateTime.Utc
}

/**
 * Where an instance stands at `now`: running (`active`), stopped by a pausing status
 * (`paused`), ended in time or late (`fulfilled`; `breachedAt` says if it was late), or past its
 * due time and not yet fulfilled (`breached`).
 *
 * @category models
 * @since 0.1.0
 */
export type Status = "active" | "paused" | "fulfilled" | "breached"

/**
 * One instance of a metric, as of `now`.
 *
 * @category models
 * @since 0.1.0
 */
export interface MetricInstance {
  readonly metric: Metric
  /** 1 for the first instance of the metric on this ticket, then 2, 3, ... */
  readonly instance: number
  readonly policy: { readonly id: string; readonly name: string }
  readonly target: Target
  /** The calendar business time counts in (absent for `calendar` targets). */
  readonly calendar?: string
  readonly activatedAt: DateTime.Utc
  readonly status: Status
  /** Time counted towards the target (business time for business targets). */
  readonly elapsed: Duration.Duration
  /** Wall-clock time spent paused. */
  readonly paused: Duration.Duration
  /** The intervals the clock ran; the gaps between them are pauses. */
  readonly running: ReadonlyArray<Interval>
  readonly pauses: ReadonlyArray<Interval>
  /** The instant the target runs out if nothing stops the clock (absent while paused or when done). */
  readonly dueAt?: DateTime.Utc
  /** When the warning is (or was) reached; absent while paused, or without a warning. */
  readonly warningAt?: DateTime.Utc
  /** Target time left; never negative. */
  readonly remaining: Duration.Duration
  /** Counted time beyond the target; zero until the breach. */
  readonly overdue: Duration.Duration
  readonly fulfilledAt?: DateTime.Utc
  readonly breachedAt?: DateTime.Utc
}

/**
 * A ticket's SLA as of `now`: the policy that applies and every instance with a target.
 *
 * @category models
 * @since 0.1.0
 */
export interface SlaState {
  readonly now: DateTime.Utc
  readonly policy: { readonly id: string; readonly name: string }
  readonly instances: ReadonlyArray<MetricInstance>
}

// -- instances while the log is replayed ------------------------------------------------------

interface Running {
  readonly metric: Metric
  readonly instance: number
  readonly activatedAt: number
  /** Closed running segments, then the open one (`to` NaN) while running. */
  readonly segments: Array<{ from: number; to: number }>
  policy: Policy
  target: Target | undefined
  fulfilledAt: number | undefined
  breachedAt: number | undefined
}

const isRunning = (r: Running) => {
  const last = r.segments[r.segments.length - 1]
  return last !== undefined && Number.isNaN(last.to)
}

const isDone = (r: Running) => r.fulfilledAt !== undefined

/** Counted time of the closed segments, and the open one up to `at`. */
const counted = (clock: Clock, r: Running, at: number): Result.Result<number, SlaError> => {
  let sum = 0
  for (const s of r.segments) {
    const to = Number.isNaN(s.to) ? at : Math.min(s.to, at)
    if (to <= s.from) continue
    const part = clock.between(s.from, to)
    if (Result.isFailure(part)) return Result.fail(part.failure)
    sum += part.success
  }
  return Result.succeed(sum)
}

/** When the running instance uses up `amount` of counted time (NaN if not running). */
const reachedAt = (clock: Clock, r: Running, amount: number): Result.Result<number, SlaError> => {
  const open = r.segments[r.segments.length - 1]
  if (open === undefined || !Number.isNaN(open.to)) return Result.succeed(Number.NaN)
  const before = counted(clock, { ...r, segments: r.segments.slice(0, -1) }, open.from)
  if (Result.isFailure(before)) return Result.fail(before.failure)
  return clock.add(open.from, Math.max(0, amount - before.success))
}

/**
 * Replays the log and keeps, for every metric, its instances and what the ticket looked like.
 * Every step first settles breaches that happened before the step's instant.
 */
const replay = (
  events: ReadonlyArray<TicketEvent>,
  set: PolicySet,
  calendars: Calendars,
  now: number,
  context: Context
): Result.Result<{ readonly ticket: Ticket | undefined; readonly runs: ReadonlyArray<Running> }, SlaError> => {
  const runs: Array<Running> = []
  const counts = new Map<Metric, number>()
  let ticket: State
  let t = Number.NEGATIVE_INFINITY

  const clockOf = (r: Running): Result.Result<Clock, SlaError> =>
    r.target === undefined ? Result.succeed(wallClock) : clockFor(r.policy, r.target, calendars)

  /** Marks breaches that happen at or before `at`. */
  const settle = (at: number): Result.Result<void, SlaError> => {
    for (const r of runs) {
      if (isDone(r) || r.breachedAt !== undefined || r.target === undefined || !isRunning(r)) continue
      const clock = clockOf(r)
      if (Result.isFailure(clock)) return Result.fail(clock.failure)
      const due = reachedAt(clock.success, r, r.target.minutes * 60_000)
      if (Result.isFailure(due)) return Result.fail(due.failure)
      if (due.success <= at) r.breachedAt = due.success
    }
    return Result.void
  }

  const activate = (metric: Metric, at: number, current: Ticket) => {
    const n = (counts.get(metric) ?? 0) + 1
    counts.set(metric, n)
    const policy = match(set, current, context)
    const paused = pausesOf(policy, metric).includes(current.category)
    runs.push({
      metric,
      instance: n,
      activatedAt: at,
      segments: paused ? [] : [{ from: at, to: Number.NaN }],
      policy,
      target: targetOf(policy, metric, current),
      fulfilledAt: undefined,
      breachedAt: undefined
    })
  }

  const active = (metric: Metric) => runs.find((r) => r.metric === metric && !isDone(r))

  const fulfil = (r: Running, at: number) => {
    const open = r.segments[r.segments.length - 1]
    if (open !== undefined && Number.isNaN(open.to)) open.to = at
    r.fulfilledAt = at
  }

  /** Pauses or resumes every unfinished instance for the ticket's category; targets follow the ticket. */
  const follow = (at: number, current: Ticket): Result.Result<void, SlaError> => {
    const policy = match(set, current, context)
    for (const r of runs) {
      if (isDone(r)) continue
      if (r.breachedAt === undefined) {
        const target = targetOf(policy, r.metric, current)
        if (r.policy !== policy || r.target !== target) {
          r.policy = policy
          r.target = target
          // A target that the time already counted exceeds is breached now, not in the past.
          if (target !== undefined) {
            const clock = clockOf(r)
            if (Result.isFailure(clock)) return Result.fail(clock.failure)
            const used = counted(clock.success, r, at)
            if (Result.isFailure(used)) return Result.fail(used.failure)
            if (used.success >= target.minutes * 60_000) r.breachedAt = at
          }
        }
      }
      const paused = pausesOf(r.policy, r.metric).includes(current.category)
      const open = r.segments[r.segments.length - 1]
      const running = open !== undefined && Number.isNaN(open.to)
      if (paused && running) open.to = at
      else if (!paused && !running) r.segments.push({ from: at, to: Number.NaN })
    }
    return Result.void
  }

  for (const event of events) {
    const at = Math.max(t, event.at.epochMilliseconds)
    if (at > now) break
    t = at
    const settled = settle(at)
    if (Result.isFailure(settled)) return Result.fail(settled.failure)
    const before = ticket
    ticket = evolveWithoutMessages(ticket, event)
    if (ticket === undefined) continue
    const current = ticket
    switch (event._tag) {
      case "TicketOpened": {
        if (before !== undefined || resolved(current.category)) break
        for (const metric of cycleMetrics) activate(metric, at, current)
        if (event.message.visibility === "public" && event.message.author._tag === "contact") {
          activate("first_reply", at, current)
        }
        break
      }
      case "ReplyAdded": {
        const message = event.message
        if (message.visibility !== "public") break
        if (message.author._tag === "agent") {
          for (const metric of ["first_reply", "next_reply"] as const) {
            const r = active(metric)
            if (r !== undefined) fulfil(r, at)
          }
          const update = active("periodic_update")
          if (update !== undefined) fulfil(update, at)
          if (!resolved(current.category)) activate("periodic_update", at, current)
        } else if (message.author._tag === "contact" && current.category !== "closed") {
          if (active("first_reply") === undefined && active("next_reply") === undefined) {
            activate("next_reply", at, current)
          }
        }
        break
      }
      case "StatusChanged": {
        if (resolved(event.toCategory) && !resolved(event.fromCategory)) {
          // Nothing is left to do on a solved ticket: every running measure ends here.
          for (const r of runs) if (!isDone(r)) fulfil(r, at)
        } else if (!resolved(event.toCategory) && resolved(event.fromCategory)) {
          for (const metric of cycleMetrics) activate(metric, at, current)
        }
        break
      }
      default:
        break
    }
    const followed = follow(at, current)
    if (Result.isFailure(followed)) return Result.fail(followed.failure)
  }
  const settled = settle(now)
  if (Result.isFailure(settled)) return Result.fail(settled.failure)
  return Result.succeed({ ticket, runs })
}

const instanceAt = (
  r: Running,
  target: Target,
  calendars: Calendars,
  now: number
): Result.Result<MetricInstance, SlaError> => {
  const clock = clockFor(r.policy, target, calendars)
  if (Result.isFailure(clock)) return Result.fail(clock.failure)
  const end = r.fulfilledAt ?? now
  const elapsed = counted(clock.success, r, end)
  if (Result.isFailure(elapsed)) return Result.fail(elapsed.failure)
  const targetMillis = target.minutes * 60_000
  const running = !isDone(r) && isRunning(r)
  const due = running ? reachedAt(clock.success, r, targetMillis) : Result.succeed(Number.NaN)
  if (Result.isFailure(due)) return Result.fail(due.failure)
  const threshold = warningThreshold(r.policy.warnings?.[r.metric], targetMillis)
  const warning =
    running && threshold !== undefined ? reachedAt(clock.success, r, threshold) : Result.succeed(Number.NaN)
  if (Result.isFailure(warning)) return Result.fail(warning.failure)
  const segments = r.segments.map((s) => ({ from: s.from, to: Number.isNaN(s.to) ? undefined : s.to }))
  const pauses: Array<Interval> = []
  let cursor = r.activatedAt
  for (const s of segments) {
    if (s.from > cursor) pauses.push({ from: utc(cursor), to: utc(s.from) })
    cursor = s.to ?? Number.POSITIVE_INFINITY
  }
  if (Number.isFinite(cursor) && cursor < end)
    pauses.push(r.fulfilledAt === undefined ? { from: utc(cursor) } : { from: utc(cursor), to: utc(end) })
  const pausedMillis = pauses.reduce((sum, p) => sum + ((p.to?.epochMilliseconds ?? end) - p.from.epochMilliseconds), 0)
  const status: Status = isDone(r)
    ? "fulfilled"
    : r.breachedAt !== undefined
      ? "breached"
      : running
        ? "active"
        : "paused"
  return Result.succeed({
    metric: r.metric,
    instance: r.instance,
    policy: { id: r.policy.id, name: r.policy.name },
    target,
    ...(clock.success.name === undefined ? {} : { calendar: clock.success.name }),
    activatedAt: utc(r.activatedAt),
    status,
    elapsed: Duration.millis(elapsed.success),
    paused: Duration.millis(pausedMillis),
    running: segments.map((s) => (s.to === undefined ? { from: utc(s.from) } : { from: utc(s.from), to: utc(s.to) })),
    pauses,
    ...(Number.isNaN(due.success) ? {} : { dueAt: utc(due.success) }),
    ...(Number.isNaN(warning.success) ? {} : { warningAt: utc(warning.success) }),
    remaining: Duration.millis(Math.max(0, targetMillis - elapsed.success)),
    overdue: Duration.millis(Math.max(0, elapsed.success - targetMillis)),
    ...(r.fulfilledAt === undefined ? {} : { fulfilledAt: utc(r.fulfilledAt) }),
    ...(r.breachedAt === undefined ? {} : { breachedAt: utc(r.breachedAt) })
  })
}

/**
 * The SLA state of a ticket as of `now`, from its events (only those at or before `now`
 * count), the policy set, the calendars its policies name, and the requester's context
 * (tier). Instances of metrics the applicable policy has no target for are left out.
 *
 * @example
 * ```ts
 * const state = Sla.slaState(events, SlaPolicy.defaultPolicySet, { business_hours: paris }, now)
 * // Result.succeed({ policy: { id: "standard", ... }, instances: [{ metric: "first_reply", dueAt, ... }] })
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const slaState = (
  events: ReadonlyArray<TicketEvent>,
  set: PolicySet,
  calendars: Calendars,
  now: DateTime.Utc,
  context: Context = {}
): Result.Result<SlaState, SlaError> => {
  const at = now.epochMilliseconds
  const replayed = replay(events, set, calendars, at, context)
  if (Result.isFailure(replayed)) return Result.fail(replayed.failure)
  const { ticket, runs } = replayed.success
  const policy = ticket === undefined ? set.default : match(set, ticket, context)
  const instances: Array<MetricInstance> = []
  for (const r of runs) {
    if (r.target === undefined) continue
    const instance = instanceAt(r, r.target, calendars, at)
    if (Result.isFailure(instance)) return Result.fail(instance.failure)
    instances.push(instance.success)
  }
  instances.sort((a, b) => metrics.indexOf(a.metric) - metrics.indexOf(b.metric) || a.instance - b.instance)
  return Result.succeed({ now, policy: { id: policy.id, name: policy.name }, instances })
}
