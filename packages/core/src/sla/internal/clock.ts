/**
 * How SLA time is counted: around the clock, or in the opening hours of a named business
 * calendar. The replay (`SlaState`) and the fold (`SlaFold`) both count through these clocks,
 * in epoch milliseconds, so they agree to the millisecond.
 */
import { DateTime, Duration, Result } from "effect"
import * as BusinessCalendar from "../BusinessCalendar.js"
import { CalendarFailed, type SlaError, UnknownCalendar } from "../SlaError.js"
import type { Policy, Target } from "../SlaPolicy.js"

/**
 * The calendars policies count business time in, by name.
 *
 * @category models
 * @since 0.1.0
 */
export type Calendars = Readonly<Record<string, BusinessCalendar.BusinessCalendar>>

/** A way of counting time: `name` is the calendar's, absent for the wall clock. */
export interface Clock {
  readonly name: string | undefined
  /** Time counted in `[from, to)`. */
  readonly between: (from: number, to: number) => Result.Result<number, SlaError>
  /** The instant with `amount` counted after `from` (`from` itself for 0). */
  readonly add: (from: number, amount: number) => Result.Result<number, SlaError>
}

/** Time around the clock. */
export const wallClock: Clock = {
  name: undefined,
  between: (from, to) => Result.succeed(Math.max(0, to - from)),
  add: (from, amount) => Result.succeed(from + amount)
}

/** An instant from epoch milliseconds. */
export const utc = (millis: number): DateTime.Utc => DateTime.makeUnsafe(millis)

/** Business time on one calendar, its failures named after it. */
export const businessClock = (name: string, calendar: BusinessCalendar.BusinessCalendar): Clock => {
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

/** The name of the calendar a policy's business targets count in. */
export const calendarOf = (policy: Policy): string => policy.calendar ?? "business_hours"

/** The clock a target of a policy counts in. */
export const clockFor = (policy: Policy, target: Target, calendars: Calendars): Result.Result<Clock, SlaError> => {
  if (target.clock === "calendar") return Result.succeed(wallClock)
  const name = calendarOf(policy)
  const calendar = Object.hasOwn(calendars, name) ? calendars[name] : undefined
  return calendar === undefined
    ? Result.fail(new UnknownCalendar({ calendar: name, policy: policy.id }))
    : Result.succeed(businessClock(name, calendar))
}
