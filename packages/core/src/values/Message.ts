/**
 * The conversation of a ticket: public replies, which the requester sees, and internal notes,
 * which only agents see. A message keeps its author, channel, text, optional HTML (sanitised:
 * `sanitizeBody` on the way in, `withStoredHtml` on the way out), attachment metadata (the bytes
 * live elsewhere) and the email ids that thread replies.
 */
import { Schema } from "effect"
import { boundedArray } from "../internal/bounded.js"
import { Actor } from "./Actor.js"
import { Channel } from "./Channel.js"
import * as Html from "./Html.js"
import { MessageId, PublicId, TicketId } from "./Ids.js"
import * as Limits from "./Limits.js"

/**
 * Metadata of an attachment; the content itself is stored by the application.
 *
 * @category models
 * @since 0.1.0
 */
export const Attachment = Schema.Struct({
  fileName: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(Limits.fileNameLength)),
  contentType: Schema.String.check(
    Schema.isPattern(/^[\w.+-]+\/[\w.+-]+$/, { message: "Expected a media type such as text/plain" })
  ),
  size: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** Where the application stored the bytes (a URL or a storage key). */
  location: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(Limits.locationLength))),
  /** `Content-ID` of an inline image in an HTML body. */
  contentId: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(Limits.emailIdLength)))
})
/** @category models @since 0.1.0 */
export type Attachment = typeof Attachment.Type

/**
 * The attachments of one message: at most `Limits.attachmentsPerMessage`, a longer list refused
 * before any entry is decoded.
 *
 * @category models
 * @since 0.1.0
 */
export const Attachments = boundedArray(Attachment, Limits.attachmentsPerMessage)

/**
 * The RFC 5322 ids that thread a message in email: its own `Message-ID`, what it replies to,
 * and its `References`.
 *
 * @category models
 * @since 0.1.0
 */
export const EmailIds = Schema.Struct({
  messageId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(Limits.emailIdLength)),
  inReplyTo: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(Limits.emailIdLength))),
  references: boundedArray(Schema.String.check(Schema.isMaxLength(Limits.emailIdLength)), Limits.referencesPerMessage),
  /**
   * Written by a machine (an auto-reply, a bounce, a mailing list, a help desk): nothing may
   * answer it automatically (no acknowledgement, no auto-reply), which breaks mail loops.
   */
  automated: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export type EmailIds = typeof EmailIds.Type

/**
 * Who may read a message: `public` replies go to the requester, `internal` notes stay with
 * agents.
 *
 * @category models
 * @since 0.1.0
 */
export const Visibility = Schema.Literals(["public", "internal"])
/** @category models @since 0.1.0 */
export type Visibility = typeof Visibility.Type

/**
 * A message body as written: plain text, and optionally the HTML it came with.
 *
 * @category models
 * @since 0.1.0
 */
export const Body = Schema.Struct({
  text: Schema.String.check(Schema.isMaxLength(Limits.textLength)),
  html: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(Limits.htmlLength))),
  attachments: Attachments,
  email: Schema.optionalKey(EmailIds)
})
/** @category models @since 0.1.0 */
export type Body = typeof Body.Type

/**
 * Where a message was first written, when a merge or a split moved it to another ticket: the
 * ticket and its public number at the time.
 *
 * @category models
 * @since 0.1.0
 */
export const Origin = Schema.Struct({ ticketId: TicketId, publicId: PublicId })
/** @category models @since 0.1.0 */
export type Origin = typeof Origin.Type

/**
 * One message of a ticket's conversation. A message moved by a merge or a split keeps its id,
 * author, channel and time, and says where it came from in `origin`.
 *
 * @category models
 * @since 0.1.0
 */
export const Message = Schema.Struct({
  id: MessageId,
  visibility: Visibility,
  author: Actor,
  channel: Channel,
  at: Schema.DateTimeUtcFromString,
  ...Body.fields,
  origin: Schema.optionalKey(Origin)
})
/** @category models @since 0.1.0 */
export type Message = typeof Message.Type

/**
 * Whether a message is visible to the requester.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isPublic = (message: Message): boolean => message.visibility === "public"

/**
 * The body (or message) with its HTML sanitised (`Html.sanitize`, through `Html.sanitizeStored`,
 * a hash for a body already sanitised): the very same object when it
 * has no HTML, so a message without HTML costs nothing. The decider applies it to every message
 * a command brings, whoever sent the command.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sanitizeBody = <B extends { readonly html?: string }>(body: B): B => {
  if (body.html === undefined) return body
  // The same as `Html.sanitize`, but a body that already came out of it (mail that parseInbound
  // sanitised) costs a hash instead of two more passes of sanitize-html.
  const html = Html.sanitizeStored(body.html)
  return html === body.html ? body : { ...body, html }
}

/**
 * A stored message as a read returns it: its HTML sanitised (`Html.sanitizeStored`, a hash for a
 * body sanitised when it was written), the very same object when nothing changes. Messages
 * stored before #16 may hold HTML exactly as a caller sent it; this is what keeps it from a reader.
 *
 * @category constructors
 * @since 0.1.0
 */
export const withStoredHtml = (message: Message): Message => {
  if (message.html === undefined) return message
  const html = Html.sanitizeStored(message.html)
  return html === message.html ? message : { ...message, html }
}
