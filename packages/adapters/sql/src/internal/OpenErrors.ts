/**
 * The errors of opening a database from a URL (a URL that names no database this package can
 * open, an option it cannot use, a database that cannot be reached) and the default statement
 * timeout the drivers set. `Connection` exports them; they live here so that the dialects' drivers (`dialect/*Connection.ts`) raise them without
 * importing `Connection`, which imports the drivers.
 */
import { Duration, Schema } from "effect"

/**
 * The URL names no database this package can open.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidUrl extends Schema.TaggedError<InvalidUrl>()("InvalidUrl", {
  url: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Cannot open ${this.url}: ${this.reason}`
  }
}

/**
 * The database could not be opened or reached (missing directory, refused connection, bad password).
 *
 * @category errors
 * @since 0.1.0
 */
export class ConnectionFailed extends Schema.TaggedError<ConnectionFailed>()("ConnectionFailed", {
  url: Schema.String,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Cannot connect to ${this.url}: ${this.reason}`
  }
}

/**
 * An option of `open` (or of a layer that opens a client) has a value it cannot use.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidOption extends Schema.TaggedError<InvalidOption>()("InvalidOption", {
  option: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Invalid option ${this.option}: ${this.reason}`
  }
}

/**
 * The statement timeout `open` sets on PostgreSQL when none is given: far above what any of the
 * store's statements takes on a million tickets (milliseconds), far below "forever".
 *
 * @category models
 * @since 0.1.0
 */
export const defaultStatementTimeout: Duration.Duration = Duration.seconds(30)
