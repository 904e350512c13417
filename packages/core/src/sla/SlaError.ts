/**
 * The errors of SLA computations: a policy that counts business time on a calendar nobody gave,
 * and business time that cannot be counted (a calendar that never opens again, an instant
 * outside its range). `Sla` re-exports them; every SLA module returns them on its error channel.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

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
