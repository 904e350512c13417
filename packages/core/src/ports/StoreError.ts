/**
 * Errors every store adapter reports, whatever its technology. Each says whether retrying can
 * help, so callers branch on data rather than on driver messages; the driver's own error is kept
 * as `cause` for logs and never reaches the domain.
 */
import { Schema } from "effect"

/**
 * An append carried an expected version that is no longer the stream's: someone else wrote
 * first. The `Helpdesk` reloads and decides again; an API caller with a stale version sees it.
 *
 * @category errors
 * @since 0.1.0
 */
export class VersionConflict extends Schema.TaggedError<VersionConflict>()("VersionConflict", {
  ticketId: Schema.String,
  expected: Schema.Number,
  actual: Schema.Number
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Ticket ${this.ticketId} is at version ${this.actual}, not ${this.expected}: reload and retry`
  }
}

/**
 * The store could not be reached or failed (connection lost, disk full, timeout).
 *
 * @category errors
 * @since 0.1.0
 */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  /** What the caller called (`open`); a store reports its own operation (`saveContact`). */
  operation: Schema.String,
  /** The internal step that failed (`saveContact`), when not the operation itself. */
  step: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    const step = this.step === undefined ? "" : ` (in ${this.step})`
    return `Store failed during ${this.operation}${step}: ${this.reason}`
  }
}

/**
 * A stored event no longer decodes: the stream and version say which, the issue says why.
 *
 * @category errors
 * @since 0.1.0
 */
export class CorruptEvent extends Schema.TaggedError<CorruptEvent>()("CorruptEvent", {
  ticketId: Schema.String,
  version: Schema.Number,
  issue: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Event ${this.version} of ticket ${this.ticketId} does not decode: ${this.issue}`
  }
}

/**
 * A ticket was opened with a public number another ticket of the workspace already has.
 *
 * @category errors
 * @since 0.1.0
 */
export class PublicIdTaken extends Schema.TaggedError<PublicIdTaken>()("PublicIdTaken", {
  workspaceId: Schema.String,
  publicId: Schema.Number
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Ticket number ${this.publicId} is already used in workspace ${this.workspaceId}`
  }
}

export { InvalidCursor } from "../internal/cursor.js"

/**
 * Failures any store operation may report.
 *
 * @category errors
 * @since 0.1.0
 */
export type StoreError = StoreUnavailable | CorruptEvent
