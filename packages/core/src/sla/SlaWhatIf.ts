/**
 * What-if for SLA configurations: how the due times and breaches of a set of tickets would move
 * under other policies or calendars, before they are saved. It replays each ticket twice
 * (`slaState` under both configurations) and lists only the instances that differ.
 *
 * @since 0.1.0
 */
import { type DateTime, Duration, Result } from "effect"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { Calendars } from "./internal/clock.js"
import type { SlaError } from "./SlaError.js"
import type { Context, Metric, PolicySet } from "./SlaPolicy.js"
import { type MetricInstance, slaState } from "./SlaState.js"

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
