/**
 * The ways building or querying a `BusinessCalendar` can fail, as tagged errors. Errors about
 * a calendar spec carry the path of the offending value in the spec (`["weekly", "friday", 1]`),
 * so an API can point at the field; errors of the operations carry the instants involved.
 */
import { Schema } from "effect"

/**
 * Where a problem sits in a calendar spec: keys and array indexes from the root.
 *
 * @category models
 * @since 0.1.0
 */
export const SpecPath = Schema.Array(Schema.Union([Schema.String, Schema.Number]))
/** @category models @since 0.1.0 */
export type SpecPath = typeof SpecPath.Type

const at = (path: SpecPath): string => (path.length === 0 ? "" : ` at ${JSON.stringify(path)}`)

/**
 * The spec does not have the expected shape (a missing or misspelt key, a wrong type), or a
 * value is inconsistent with another (a date range that ends before it starts, two exceptions
 * for the same date).
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidCalendarSpec extends Schema.TaggedError<InvalidCalendarSpec>()("InvalidCalendarSpec", {
  path: SpecPath,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid calendar spec${at(this.path)}: ${this.reason}`
  }
}

/**
 * The time zone is not a known IANA zone name.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownTimeZone extends Schema.TaggedError<UnknownTimeZone>()("UnknownTimeZone", {
  path: SpecPath,
  timeZone: Schema.String
}) {
  override get message() {
    return `Unknown time zone "${this.timeZone}"${at(this.path)}`
  }
}

/**
 * Opening hours that are not a valid `"HH:MM-HH:MM"` range (`24:00` is allowed as an end; an end
 * earlier than the start crosses midnight; start and end may not be equal).
 *
 * @category errors
 * @since 0.1.0
 */
export class MalformedTime extends Schema.TaggedError<MalformedTime>()("MalformedTime", {
  path: SpecPath,
  value: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Malformed opening hours "${this.value}"${at(this.path)}: ${this.reason}`
  }
}

/**
 * A date that is not a valid `"YYYY-MM-DD"` (years 1000-9998), or a yearly date that is not a
 * valid `"MM-DD"`.
 *
 * @category errors
 * @since 0.1.0
 */
export class MalformedDate extends Schema.TaggedError<MalformedDate>()("MalformedDate", {
  path: SpecPath,
  value: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Malformed date "${this.value}"${at(this.path)}: ${this.reason}`
  }
}

/**
 * Two opening intervals overlap: within a day, across days (an overnight shift running into
 * the next day's hours), or within one exception.
 *
 * @category errors
 * @since 0.1.0
 */
export class OverlappingHours extends Schema.TaggedError<OverlappingHours>()("OverlappingHours", {
  path: SpecPath,
  value: Schema.String,
  otherPath: SpecPath,
  other: Schema.String
}) {
  override get message() {
    return `Opening hours "${this.value}"${at(this.path)} overlap "${this.other}"${at(this.otherPath)}`
  }
}

/**
 * The calendar has no weekly hours and no exception that opens it: every search would fail.
 *
 * @category errors
 * @since 0.1.0
 */
export class CalendarNeverOpens extends Schema.TaggedError<CalendarNeverOpens>()("CalendarNeverOpens", {
  path: SpecPath
}) {
  override get message() {
    return `The calendar never opens: it has no weekly hours and no exception with opening hours${at(this.path)}`
  }
}

/**
 * Every way a calendar spec can be refused.
 *
 * @category errors
 * @since 0.1.0
 */
export type SpecError =
  | InvalidCalendarSpec
  | UnknownTimeZone
  | MalformedTime
  | MalformedDate
  | OverlappingHours
  | CalendarNeverOpens

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
 * A search went about 10 years (3660 days) past its last open time without finding what it
 * looked for (the end of the supported range also stops it): a calendar whose open days all
 * lie in the past, an intersection of calendars that never overlap, or `nextClosing` on a
 * calendar that is open around the clock.
 *
 * @category errors
 * @since 0.1.0
 */
export class SearchLimitReached extends Schema.TaggedError<SearchLimitReached>()("SearchLimitReached", {
  operation: Schema.Literals(["addBusinessTime", "nextOpening", "nextClosing"]),
  from: Schema.DateTimeUtcFromString
}) {
  override get message() {
    return `${this.operation} from ${this.from.toString()} found no ${
      this.operation === "nextClosing" ? "closing" : "open time"
    } within the search limit (about 10 years)`
  }
}

/**
 * Every way an operation on a calendar can fail.
 *
 * @category errors
 * @since 0.1.0
 */
export type CalendarError = InvalidDuration | EndBeforeStart | InstantOutOfRange | SearchLimitReached
