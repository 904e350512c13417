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
  /** The ticket's public number, which the message names when the help desk knows it. */
  publicId: Schema.optionalKey(Schema.Number),
  expected: Schema.Number,
  actual: Schema.Number
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Ticket ${this.publicId ?? this.ticketId} is at version ${this.actual}, not ${this.expected}: reload and retry`
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

/**
 * An append would record, as a new message, an email `Message-ID` that its workspace already
 * holds: the same mail taken in twice (a re-delivery, an IMAP re-poll, two processes at once).
 * Nothing was written; `ticketId` is the ticket the id was first recorded on (follow its merge
 * pointer, `Ticket.mergedInto`, to where the conversation is now). A retry can never help.
 *
 * @category errors
 * @since 0.1.0
 */
export class EmailMessageRecorded extends Schema.TaggedError<EmailMessageRecorded>()("EmailMessageRecorded", {
  workspaceId: Schema.String,
  /** The email `Message-ID`, exactly as the message's `email.messageId` holds it. */
  messageId: Schema.String,
  /** The ticket the message was first recorded on. */
  ticketId: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Email message ${this.messageId} is already recorded on ticket ${this.ticketId} in workspace ${this.workspaceId}`
  }
}

/**
 * What a store may lack, as its `StoreCapabilities` declare it: a kind of `search`, or a batch as
 * large as the one asked for (`maxBatch`).
 *
 * @category models
 * @since 0.1.0
 */
export const Capability = Schema.Literals(["search", "maxBatch"])
/** @category models @since 0.1.0 */
export type Capability = typeof Capability.Type

/**
 * The call needs a capability the store declares it lacks (a search on a store without one, a
 * batch larger than its `maxBatch`): the store answers this instead of a wrong result, and a
 * retry can never help. `requested` is what the call needed, `supported` what the store declares.
 *
 * @category errors
 * @since 0.1.0
 */
export class Unsupported extends Schema.TaggedError<Unsupported>()("Unsupported", {
  capability: Capability,
  /** What the caller called (`list`); a store reports its own operation (`query`). */
  operation: Schema.String,
  /** The internal step that found it (`query`), when not the operation itself. */
  step: Schema.optionalKey(Schema.String),
  requested: Schema.Union([Schema.String, Schema.Number]),
  supported: Schema.Union([Schema.String, Schema.Number])
}) {
  get retryable() {
    return false
  }
  override get message() {
    const step = this.step === undefined ? "" : ` (in ${this.step})`
    return `${this.operation}${step}: this store does not support ${this.capability} ${this.requested} (it supports ${this.supported})`
  }
}

/**
 * A value is larger than the store's database accepts, although it is within `Limits` (an email
 * id of 998 characters whose bytes exceed what a PostgreSQL index entry holds, say): nothing was
 * written, and a retry can never help. `reason` is the database's own words.
 *
 * @category errors
 * @since 0.1.0
 */
export class ValueTooLarge extends Schema.TaggedError<ValueTooLarge>()("ValueTooLarge", {
  /** What the caller called (`reply`); a store reports its own operation (`append`). */
  operation: Schema.String,
  /** The internal step that found it (`append`), when not the operation itself. */
  step: Schema.optionalKey(Schema.String),
  /** The ticket written, when the write was to one. */
  ticketId: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return false
  }
  override get message() {
    const step = this.step === undefined ? "" : ` (in ${this.step})`
    const ticket = this.ticketId === undefined ? "" : ` for ticket ${this.ticketId}`
    return `${this.operation}${step}: a value is larger than the store accepts${ticket}: ${this.reason}`
  }
}

export { InvalidCursor } from "../internal/cursor.js"

/**
 * Failures any store operation may report: the store failed (`StoreUnavailable`, worth a retry),
 * a stored event no longer decodes (`CorruptEvent`), the call needs what the store lacks
 * (`Unsupported`), or a value is larger than its database accepts (`ValueTooLarge`). Only the
 * first is retryable.
 *
 * @category errors
 * @since 0.1.0
 */
export type StoreError = StoreUnavailable | CorruptEvent | Unsupported | ValueTooLarge
