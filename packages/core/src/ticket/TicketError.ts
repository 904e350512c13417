/**
 * The ways `decide` refuses a command, as tagged errors with the data needed to act on them.
 * A refused command leaves the stream untouched. Errors of stores and of input decoding live
 * with the ports and the `Helpdesk`.
 */
import { Schema } from "effect"
import type { LimitExceeded } from "../values/Limits.js"

/** The ticket's public number (69369): what a message names, since it is what people quote. */
const publicId = Schema.optionalKey(Schema.Number)

/** How a message names a ticket: by its public number when known, else by its id. */
const named = (error: { readonly ticketId?: string | number; readonly publicId?: number }): string =>
  String(error.publicId ?? error.ticketId)

/**
 * The fields by which an error names a ticket: its id, and its public number for the message.
 *
 * @category constructors
 * @since 0.1.0
 */
export const naming = (ticket: { readonly id: string; readonly publicId: number }) => ({
  ticketId: ticket.id,
  publicId: ticket.publicId
})

/**
 * No ticket with this reference (in this workspace, for this reader).
 *
 * @category errors
 * @since 0.1.0
 */
export class TicketNotFound extends Schema.TaggedError<TicketNotFound>()("TicketNotFound", {
  /** The ticket asked for: its id, or the public number it was asked by. */
  ticketId: Schema.Union([Schema.String, Schema.Number])
}) {
  override get message() {
    return `Ticket ${this.ticketId} not found`
  }
}

/**
 * The stream already holds a ticket: it cannot be opened twice.
 *
 * @category errors
 * @since 0.1.0
 */
export class TicketAlreadyExists extends Schema.TaggedError<TicketAlreadyExists>()("TicketAlreadyExists", {
  ticketId: Schema.String
}) {
  override get message() {
    return `Ticket ${this.ticketId} already exists`
  }
}

/**
 * The ticket is closed, which is final: a new message belongs in a follow-up ticket.
 *
 * @category errors
 * @since 0.1.0
 */
export class TicketClosed extends Schema.TaggedError<TicketClosed>()("TicketClosed", {
  ticketId: Schema.String,
  publicId
}) {
  override get message() {
    return `Ticket ${named(this)} is closed; open a follow-up instead`
  }
}

/**
 * The workflow does not allow this status change.
 *
 * @category errors
 * @since 0.1.0
 */
export class TransitionNotAllowed extends Schema.TaggedError<TransitionNotAllowed>()("TransitionNotAllowed", {
  /** Absent when the ticket was to be opened in a status it cannot start in. */
  ticketId: Schema.optionalKey(Schema.String),
  publicId,
  from: Schema.String,
  to: Schema.String
}) {
  override get message() {
    return this.ticketId === undefined
      ? `A ticket cannot be opened in status ${this.to}`
      : `Ticket ${named(this)} cannot move from ${this.from} to ${this.to}`
  }
}

/**
 * The status is not declared in the workspace's workflow.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownStatus extends Schema.TaggedError<UnknownStatus>()("UnknownStatus", {
  status: Schema.String
}) {
  override get message() {
    return `Unknown status "${this.status}"`
  }
}

/**
 * The actor may not do this (a requester adding an internal note, changing the priority...).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotPermitted extends Schema.TaggedError<NotPermitted>()("NotPermitted", {
  /** Absent when the refused command would have opened the ticket. */
  ticketId: Schema.optionalKey(Schema.String),
  publicId,
  actor: Schema.String,
  action: Schema.String
}) {
  override get message() {
    return this.ticketId === undefined
      ? `${this.actor} may not ${this.action}`
      : `${this.actor} may not ${this.action} on ticket ${named(this)}`
  }
}

/**
 * The custom field is not declared in the workspace.
 *
 * @category errors
 * @since 0.1.0
 */
export class UnknownCustomField extends Schema.TaggedError<UnknownCustomField>()("UnknownCustomField", {
  key: Schema.String
}) {
  override get message() {
    return `Unknown custom field "${this.key}"`
  }
}

/**
 * The value does not fit the custom field's declaration.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidCustomFieldValue extends Schema.TaggedError<InvalidCustomFieldValue>()("InvalidCustomFieldValue", {
  key: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid value for custom field "${this.key}": ${this.reason}`
  }
}

/**
 * An escalation must raise the support level, up to 3.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidEscalation extends Schema.TaggedError<InvalidEscalation>()("InvalidEscalation", {
  ticketId: Schema.String,
  publicId,
  from: Schema.Number,
  to: Schema.Number
}) {
  override get message() {
    return `Ticket ${named(this)} cannot be escalated from level ${this.from} to level ${this.to}`
  }
}

/**
 * A message with no text, no HTML and no attachment.
 *
 * @category errors
 * @since 0.1.0
 */
export class EmptyMessage extends Schema.TaggedError<EmptyMessage>()("EmptyMessage", {
  /** Absent for the first message of a ticket to be opened. */
  ticketId: Schema.optionalKey(Schema.String),
  publicId
}) {
  override get message() {
    return this.ticketId === undefined
      ? "A new ticket's first message needs text, HTML or an attachment"
      : `A message on ticket ${named(this)} needs text, HTML or an attachment`
  }
}

/**
 * A time-driven command arrived before its time (the timer is rescheduled).
 *
 * @category errors
 * @since 0.1.0
 */
export class NotDue extends Schema.TaggedError<NotDue>()("NotDue", {
  ticketId: Schema.String,
  publicId,
  dueAt: Schema.DateTimeUtcFromString
}) {
  override get message() {
    return `Ticket ${named(this)}: not due before ${this.dueAt.toString()}`
  }
}

/**
 * Every refusal of `decide`. `LimitExceeded` (from `Limits`) is a command whose result would
 * take the ticket past a per-ticket limit (its tags, its messages).
 *
 * @category errors
 * @since 0.1.0
 */
export type TicketError =
  | TicketNotFound
  | TicketAlreadyExists
  | TicketClosed
  | TransitionNotAllowed
  | UnknownStatus
  | NotPermitted
  | UnknownCustomField
  | InvalidCustomFieldValue
  | InvalidEscalation
  | EmptyMessage
  | NotDue
  | FollowUpRequired
  | LimitExceeded

/**
 * A requester's message on a closed ticket, or on one solved longer ago than its group's reopen
 * window, belongs in a follow-up ticket (the `Helpdesk` opens it).
 *
 * @category errors
 * @since 0.1.0
 */
export class FollowUpRequired extends Schema.TaggedError<FollowUpRequired>()("FollowUpRequired", {
  ticketId: Schema.String,
  publicId
}) {
  override get message() {
    return `A new requester message on ticket ${named(this)} opens a follow-up ticket`
  }
}
