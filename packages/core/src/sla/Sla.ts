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
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Result, Schema } from "effect"
import type { Ticket } from "../ticket/Ticket.js"
import { evolve, type State } from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as BusinessCalendar from "./BusinessCalendar.js"
import {
  type Context,
  defaultPauses,
  type Metric,
  match,
  metrics,
  type Policy,
  type PolicySet,
  type Target,
  type Warning
} from "./SlaPolicy.js"

/**
 * A policy names a calendar that was not given.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownCalendar extends Schema.TaggedError<UnknownCalendar>()("UnknownCalendar", {
  calendar: Schema.String,
  policy: Schema.String
}) {
  override get message() {
    return `SLA policy ${this.policy} counts business time on calendar ${this.calendar}, which was not given`
  }
}

/**
 * Business time could not be counted: the calendar never opens again within ten years of the
 * instant, or the instant is outside the calendar's range.
 *
 * @category errors
 * @since 0.1.0
 */
export class CalendarFailed extends Schema.TaggedError<CalendarFailed>()("CalendarFailed", {
  calendar: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `SLA time on calendar ${this.calendar} cannot be counted: ${this.reason}`
  }
}

/** @category errors @since 0.1.0 */
export type SlaError = UnknownCalendar | CalendarFailed

/**
 * The calendars policies count business time in, by name.
 *
 * @category models
 * @since 0.1.0
 */
export type Calendars = Readonly<Record<string, BusinessCalendar.BusinessCalendar>>

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

// -- clocks ---------------------------------------------------------------------------------

interface Clock {
  readonly name: string | undefined
  /** Time counted in `[from, to)`. */
  readonly between: (from: number, to: number) => Result.Result<number, SlaError>
  /** The instant with `amount` counted after `from` (`from` itself for 0). */
  readonly add: (from: number, amount: number) => Result.Result<number, SlaError>
}

const wallClock: Clock = {
  name: undefined,
  between: (from, to) => Result.succeed(Math.max(0, to - from)),
  add: (from, amount) => Result.succeed(from + amount)
}

const utc = (millis: number): DateTime.Utc => DateTime.makeUnsafe(millis)

const businessClock = (name: string, calendar: BusinessCalendar.BusinessCalendar): Clock => {
  const failed = (error: { readonly message: string }) => new CalendarFailed({ calendar: name, reason: error.message })
  return {
    name,
    between: (from, to) =>
      to <= from
        ? Result.succeed(0)
        : Result.mapBoth(BusinessCalendar.businessTimeBetween(calendar, utc(from), utc(to)), {
            onFailure: failed,
            onSuccess: Duration.toMillis
          }),
    add: (from, amount) =>
      Result.mapBoth(BusinessCalendar.addBusinessTime(calendar, utc(from), Duration.millis(amount)), {
        onFailure: failed,
        onSuccess: (d) => d.epochMilliseconds
      })
  }
}

const clockFor = (policy: Policy, target: Target, calendars: Calendars): Result.Result<Clock, SlaError> => {
  if (target.clock === "calendar") return Result.succeed(wallClock)
  const name = policy.calendar ?? "business_hours"
  const calendar = Object.hasOwn(calendars, name) ? calendars[name] : undefined
  return calendar === undefined
    ? Result.fail(new UnknownCalendar({ calendar: name, policy: policy.id }))
    : Result.succeed(businessClock(name, calendar))
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

const resolved = (category: string) => category === "solved" || category === "closed"

const pausesOf = (policy: Policy, metric: Metric): ReadonlyArray<string> =>
  policy.pauses?.[metric] ?? defaultPauses[metric]

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

const warningThreshold = (warning: Warning | undefined, target: number): number | undefined =>
  warning === undefined
    ? undefined
    : "before" in warning
      ? Math.max(0, target - warning.before * 60_000)
      : (target * warning.percent) / 100

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

  const targetOf = (policy: Policy, metric: Metric, at: Ticket): Target | undefined =>
    policy.targets[metric]?.[at.priority]

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
    ticket = evolve(ticket, event)
    if (ticket === undefined) continue
    const current = ticket
    switch (event._tag) {
      case "TicketOpened": {
        if (before !== undefined || resolved(current.category)) break
        for (const metric of ["resolution", "requester_wait", "agent_work"] as const) activate(metric, at, current)
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
          for (const metric of ["resolution", "requester_wait", "agent_work"] as const) activate(metric, at, current)
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

/**
 * Why a due time is what it is: the target and its policy, the opening hours it was counted in,
 * the holidays it skipped and the pauses it waited out, in data and in sentences.
 *
 * @category models
 * @since 0.1.0
 */
export interface Explanation {
  readonly metric: Metric
  readonly instance: number
  readonly policy: { readonly id: string; readonly name: string }
  readonly target: Target
  readonly calendar?: string
  readonly dueAt?: DateTime.Utc
  readonly breachedAt?: DateTime.Utc
  readonly openingHours: ReadonlyArray<BusinessCalendar.OpenInterval>
  readonly holidays: ReadonlyArray<BusinessCalendar.SkippedHoliday>
  readonly pauses: ReadonlyArray<Interval>
  readonly lines: ReadonlyArray<string>
}

const iso = (d: DateTime.Utc) => DateTime.formatIso(d)

const describe = (minutes: number): string => {
  const h = Math.floor(minutes / 60)
  const m = Math.round(minutes - h * 60)
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`
}

/**
 * Explains one instance (from `slaState`): which target of which policy, the opening hours
 * of its calendar that counted (for business targets), each holiday skipped and each pause.
 *
 * @category combinators
 * @since 0.1.0
 */
export const explainDue = (instance: MetricInstance, calendars: Calendars): Explanation => {
  const calendar =
    instance.calendar !== undefined && Object.hasOwn(calendars, instance.calendar)
      ? calendars[instance.calendar]
      : undefined
  const end = instance.fulfilledAt ?? instance.breachedAt ?? instance.dueAt
  const openingHours: Array<BusinessCalendar.OpenInterval> = []
  if (calendar !== undefined) {
    for (const segment of instance.running) {
      const to = segment.to ?? end
      if (to === undefined) continue
      const stop = end !== undefined && DateTime.isLessThan(end, to) ? end : to
      const intervals = BusinessCalendar.openIntervals(calendar, segment.from, stop)
      if (Result.isSuccess(intervals)) openingHours.push(...intervals.success)
    }
  }
  const holidays =
    calendar !== undefined && end !== undefined
      ? BusinessCalendar.holidaysBetween(calendar, instance.activatedAt, end)
      : []
  const lines: Array<string> = [
    `${instance.metric} #${instance.instance}: target ${describe(instance.target.minutes)} of ${
      instance.target.clock === "business" ? `business time on calendar ${instance.calendar}` : "calendar time"
    }, from policy "${instance.policy.name}" (${instance.policy.id}).`,
    `Started ${iso(instance.activatedAt)}.`
  ]
  if (instance.target.clock === "business") {
    lines.push(
      openingHours.length === 0
        ? "No opening hours counted yet."
        : `Counted in ${openingHours.length} opening interval(s): ${openingHours
            .map((o) => `${iso(o.start)}–${iso(o.end)}`)
            .join(", ")}.`
    )
  }
  for (const h of holidays) lines.push(`Skipped the holiday ${h.date}${h.name === undefined ? "" : ` (${h.name})`}.`)
  for (const p of instance.pauses) {
    lines.push(`Paused from ${iso(p.from)}${p.to === undefined ? " (still paused)" : ` to ${iso(p.to)}`}.`)
  }
  if (instance.fulfilledAt !== undefined) lines.push(`Fulfilled ${iso(instance.fulfilledAt)}.`)
  if (instance.breachedAt !== undefined) lines.push(`Breached ${iso(instance.breachedAt)}, when the target ran out.`)
  else if (instance.dueAt !== undefined) lines.push(`Due ${iso(instance.dueAt)}.`)
  return {
    metric: instance.metric,
    instance: instance.instance,
    policy: instance.policy,
    target: instance.target,
    ...(instance.calendar === undefined ? {} : { calendar: instance.calendar }),
    ...(instance.dueAt === undefined ? {} : { dueAt: instance.dueAt }),
    ...(instance.breachedAt === undefined ? {} : { breachedAt: instance.breachedAt }),
    openingHours,
    holidays,
    pauses: instance.pauses,
    lines
  }
}

/**
 * A ticket to weigh a change against: its events and its requester's context.
 *
 * @category models
 * @since 0.1.0
 */
export interface Subject {
  readonly events: ReadonlyArray<TicketEvent>
  readonly context?: Context
}

/**
 * Policies and calendars, as they are or as they would be.
 *
 * @category models
 * @since 0.1.0
 */
export interface Configuration {
  readonly policies: PolicySet
  readonly calendars: Calendars
}

/**
 * How one metric instance of one ticket would move.
 *
 * @category models
 * @since 0.1.0
 */
export interface Move {
  readonly ticketId: string
  readonly metric: Metric
  readonly instance: number
  readonly before: Pick<MetricInstance, "status" | "dueAt" | "breachedAt"> | undefined
  readonly after: Pick<MetricInstance, "status" | "dueAt" | "breachedAt"> | undefined
  /** How far the due time moves (positive: later); absent when either side has none. */
  readonly shift?: Duration.Duration
}

const keyOf = (i: MetricInstance) => `${i.metric}#${i.instance}`
const summary = (i: MetricInstance | undefined) =>
  i === undefined
    ? undefined
    : {
        status: i.status,
        ...(i.dueAt === undefined ? {} : { dueAt: i.dueAt }),
        ...(i.breachedAt === undefined ? {} : { breachedAt: i.breachedAt })
      }
const sameInstant = (a: DateTime.Utc | undefined, b: DateTime.Utc | undefined) =>
  a === undefined || b === undefined ? a === b : a.epochMilliseconds === b.epochMilliseconds

/**
 * What-if: how due times and breaches of these tickets would move under another configuration,
 * before it is saved. Lists only the instances that change (due time, breach or status).
 *
 * @category combinators
 * @since 0.1.0
 */
export const whatIf = (
  tickets: ReadonlyArray<Subject>,
  current: Configuration,
  proposed: Configuration,
  now: DateTime.Utc
): Result.Result<ReadonlyArray<Move>, SlaError> => {
  const moves: Array<Move> = []
  for (const subject of tickets) {
    const first = subject.events[0]
    if (first === undefined) continue
    const before = slaState(subject.events, current.policies, current.calendars, now, subject.context)
    if (Result.isFailure(before)) return Result.fail(before.failure)
    const after = slaState(subject.events, proposed.policies, proposed.calendars, now, subject.context)
    if (Result.isFailure(after)) return Result.fail(after.failure)
    const was = new Map(before.success.instances.map((i) => [keyOf(i), i]))
    const will = new Map(after.success.instances.map((i) => [keyOf(i), i]))
    for (const key of new Set([...was.keys(), ...will.keys()])) {
      const a = was.get(key)
      const b = will.get(key)
      if (
        a !== undefined &&
        b !== undefined &&
        a.status === b.status &&
        sameInstant(a.dueAt, b.dueAt) &&
        sameInstant(a.breachedAt, b.breachedAt)
      )
        continue
      const either = (b ?? a) as MetricInstance
      const shift =
        a?.dueAt !== undefined && b?.dueAt !== undefined
          ? Duration.millis(b.dueAt.epochMilliseconds - a.dueAt.epochMilliseconds)
          : undefined
      moves.push({
        ticketId: first.ticketId,
        metric: either.metric,
        instance: either.instance,
        before: summary(a),
        after: summary(b),
        ...(shift === undefined ? {} : { shift })
      })
    }
  }
  return Result.succeed(moves)
}
