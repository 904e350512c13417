/**
 * What of an inbound message goes on a ticket's message: the subject, the visible text (quoted
 * history left out), the sanitised HTML, the attachments' metadata (their bytes are already in
 * the `AttachmentStore`) and the email ids that thread later replies, all fitted to core's
 * limits so that a long or odd message is shortened, never refused.
 */
import { createHash } from "node:crypto"
import { Limits, type Message } from "@tessera/core"
import type * as Inbound from "./Inbound.js"

/**
 * The body of a ticket message, as `Helpdesk.open` and `Helpdesk.reply` take it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Body {
  readonly text: string
  readonly html?: string
  readonly attachments: ReadonlyArray<Message.Attachment>
  readonly email: Message.EmailIds
}

const mediaType = /^[\w.+-]+\/[\w.+-]+$/

/** Keeps the first `max` characters, without cutting a surrogate pair in two. */
const cut = (text: string, max: number) => {
  if (text.length <= max) return text
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max
  return text.slice(0, end)
}

/**
 * The subject a ticket opens with: the message's, trimmed and shortened, or `(no subject)`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const subject = (message: Inbound.InboundMessage): string => {
  const trimmed = message.subject.replace(/\s+/g, " ").trim()
  return trimmed === "" ? "(no subject)" : cut(trimmed, Limits.subjectLength)
}

/**
 * An attachment's metadata as core keeps it: a name (`attachment` when it has none), a media
 * type (`application/octet-stream` when it is not one), its size, location and content id.
 *
 * @category combinators
 * @since 0.1.0
 */
export const attachment = (a: Inbound.InboundAttachment): Message.Attachment => {
  const fileName = cut(a.fileName.trim(), Limits.fileNameLength)
  const contentType = a.contentType.trim().toLowerCase()
  return {
    fileName: fileName === "" ? "attachment" : fileName,
    contentType: mediaType.test(contentType) ? contentType : "application/octet-stream",
    size: Number.isSafeInteger(a.size) && a.size >= 0 ? a.size : 0,
    ...(a.location.length <= Limits.locationLength ? { location: a.location } : {}),
    ...(a.contentId !== undefined && a.contentId.length <= Limits.emailIdLength ? { contentId: a.contentId } : {})
  }
}

/** The raw original as an attachment of the ticket message. */
const original = (raw: NonNullable<Inbound.InboundMessage["raw"]>): Message.Attachment => ({
  fileName: "message.eml",
  contentType: "message/rfc822",
  size: raw.size,
  ...(raw.key.length <= Limits.locationLength ? { location: raw.key } : {})
})

/**
 * The key that identifies a message for idempotency: its recorded Message-ID in lower case.
 *
 * @category combinators
 * @since 0.1.0
 */
export const key = (message: Inbound.InboundMessage): string => messageId(message).toLowerCase()

/**
 * The Message-ID recorded on the ticket message: the message's own, or for mail without one a
 * stand-in made of a hash of what it says (sender, date, subject, text), so that a re-delivery
 * of the same mail is recognised as the same.
 *
 * @category combinators
 * @since 0.1.0
 */
export const messageId = (message: Inbound.InboundMessage): string => {
  const id = message.threading.messageId?.trim()
  if (id !== undefined && id !== "" && id.length <= Limits.emailIdLength) return id
  const hash = createHash("sha256")
  for (const part of [
    message.from?.address ?? "",
    message.date === undefined ? "" : String(message.date.epochMilliseconds),
    message.subject,
    message.text
  ])
    hash.update(part).update("\u0000")
  return `sha256-${hash.digest("hex")}@tessera.invalid`
}

/**
 * The body of the ticket message: visible text (the whole text when nothing visible is left),
 * HTML, at most `Limits.attachmentsPerMessage` attachments (the raw original last, as
 * `message.eml`, when it was kept), and the email ids (`automated` when
 * a machine wrote the mail, so nothing answers it automatically).
 *
 * @category combinators
 * @since 0.1.0
 */
export const body = (message: Inbound.InboundMessage, automated: boolean): Body => {
  const visible = message.visibleText.trim() !== "" ? message.visibleText : message.text
  // The raw original, where kept, is an attachment of the message (never rendered), last of all.
  const raw = message.raw === undefined ? [] : [original(message.raw)]
  const attachments = [
    ...message.attachments.slice(0, Limits.attachmentsPerMessage - raw.length).map(attachment),
    ...raw
  ]
  const text =
    visible.trim() === "" && message.attachments.length === 0 && message.html === undefined ? "(no text)" : visible
  const ids = (list: ReadonlyArray<string>) =>
    list.filter((id) => id !== "" && id.length <= Limits.emailIdLength).slice(-Limits.referencesPerMessage)
  const [inReplyTo] = ids(message.threading.inReplyTo)
  return {
    text: cut(text, Limits.textLength),
    ...(message.html === undefined || message.html.length > Limits.htmlLength ? {} : { html: message.html }),
    attachments,
    email: {
      messageId: messageId(message),
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
      references: ids(message.threading.references),
      ...(automated ? { automated: true } : {})
    }
  }
}
