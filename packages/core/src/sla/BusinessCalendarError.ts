/**
 * The ways the operations of a `BusinessCalendar` can fail, as tagged errors carrying the
 * instants involved. A spec that does not hold is `ConfigError.InvalidConfig` (`config:
 * "calendar"`), which lists every problem with its path in the spec.
 */
import { Schema } from "effect"

/**
 * A business duration that is negative or infinite.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidDuration extends Schema.TaggedError<InvalidDuration>()("InvalidDuration", {
  millis: Schema.Number,
  reason: Schema.Literals(["negative", "infinite"])
}) {
  override get message() {
    return `A business duration must be finite and not negative (got ${this.millis} ms)`
  }
}

/**
 * `businessTimeBetween` was asked for a span whose end is before its start.
 *
 * @category errors
 * @since 0.1.0
 */
export class EndBeforeStart extends Schema.TaggedError<EndBeforeStart>()("EndBeforeStart", {
  from: Schema.DateTimeUtcFromString,
  to: Schema.DateTimeUtcFromString
}) {
  override get message() {
    return `The span ends (${this.to.toString()}) before it starts (${this.from.toString()})`
  }
}

/**
 * An instant outside the supported range, 1000-01-01T00:00Z (inclusive) to
 * 9999-01-01T00:00Z (exclusive).
 *
 * @category errors
 * @since 0.1.0
 */
export class InstantOutOfRange extends Schema.TaggedError<InstantOutOfRange>()("InstantOutOfRange", {
  epochMillis: Schema.Number
}) {
  override get message() {
    return `Instant ${this.epochMillis} is outside the supported range (years 1000 to 9998)`
  }
}

/**
 * A search met more than about 10 years (3660 days) without open time after its start or the
 * last open time it passed (before, when it searches backwards): a calendar whose open days all
 * lie in the past, an intersection of calendars that never overlap, or `nextClosing` on a
 * calendar that is open around the clock.
 *
 * @category errors
 * @since 0.1.0
 */
export class SearchLimitReached extends Schema.TaggedError<SearchLimitReached>()("SearchLimitReached", {
  operation: Schema.Literals(["addBusinessTime", "subtractBusinessTime", "nextOpening", "nextClosing"]),
  from: Schema.DateTimeUtcFromString
}) {
  override get message() {
    return `${this.operation} from ${this.from.toString()} found no ${
      this.operation === "nextClosing" ? "closing" : "open time"
    } within the search limit (about 10 years)`
  }
}

/**
 * The answer would fall outside the supported range: at or after 9999-01-01T00:00Z (`bound:
 * "end"`), or before 1000-01-01T00:00Z (`bound: "start"`, when subtracting). Every instant a
 * calendar returns is one it accepts.
 *
 * @category errors
 * @since 0.1.0
 */
export class BeyondSupportedRange extends Schema.TaggedError<BeyondSupportedRange>()("BeyondSupportedRange", {
  operation: Schema.Literals(["addBusinessTime", "subtractBusinessTime", "nextOpening", "nextClosing"]),
  from: Schema.DateTimeUtcFromString,
  bound: Schema.Literals(["start", "end"])
}) {
  override get message() {
    return `${this.operation} from ${this.from.toString()} would answer ${
      this.bound === "end" ? "at or after 9999-01-01T00:00:00Z, the end" : "before 1000-01-01T00:00:00Z, the start"
    } of the supported range`
  }
}

/**
 * Every way an operation on a calendar can fail.
 *
 * @category errors
 * @since 0.1.0
 */
export type CalendarError =
  | InvalidDuration
  | EndBeforeStart
  | InstantOutOfRange
  | SearchLimitReached
  | BeyondSupportedRange
