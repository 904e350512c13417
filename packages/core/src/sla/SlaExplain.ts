/**
 * Why an SLA due time is what it is: the target and its policy, the opening hours it was
 * counted in, the holidays it skipped and the pauses it waited out, in data and in sentences
 * for an agent. It explains an instance `SlaState` computed; it computes nothing new.
 *
 * @since 0.1.0
 */
import { DateTime, Result } from "effect"
import * as BusinessCalendar from "./BusinessCalendar.js"
import type { Calendars } from "./internal/clock.js"
import type { Metric, Target } from "./SlaPolicy.js"
import type { Interval, MetricInstance } from "./SlaState.js"

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
  /** When the instance started counting. */
  readonly activatedAt: DateTime.Utc
  /** When the instance was fulfilled (the reply went out, the ticket was solved), if it was. */
  readonly fulfilledAt?: DateTime.Utc
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
    activatedAt: instance.activatedAt,
    ...(instance.calendar === undefined ? {} : { calendar: instance.calendar }),
    ...(instance.dueAt === undefined ? {} : { dueAt: instance.dueAt }),
    ...(instance.breachedAt === undefined ? {} : { breachedAt: instance.breachedAt }),
    ...(instance.fulfilledAt === undefined ? {} : { fulfilledAt: instance.fulfilledAt }),
    openingHours,
    holidays,
    pauses: instance.pauses,
    lines
  }
}
