/**
 * What `parseInbound` makes of a raw message: the typed inbound message that `intake` turns into
 * help-desk commands. It keeps what threading, identity and loop protection need (addresses,
 * ids, tokens, the control headers, a classification) and the bodies already made safe: HTML
 * sanitised, the visible reply separated from quoted history, attachments stored, not held.
 */
import type { AttachmentStore } from "@tessera/core"
import type { DateTime } from "effect"

/**
 * A mailbox: the display name as decoded (may be empty) and the address, lower-cased domain.
 *
 * @category models
 * @since 0.1.0
 */
export interface Address {
  readonly name: string
  readonly address: string
}

/**
 * What kind of sender wrote the message. Only `human` mail is ever answered automatically.
 *
 * @category models
 * @since 0.1.0
 */
export type Kind = "human" | "auto-reply" | "bounce" | "list"

/**
 * The classification and the evidence for it (`"Auto-Submitted: auto-replied"`,
 * `"subject: Out of office"`, `"Content-Type: multipart/report; report-type=delivery-status"`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Classification {
  readonly kind: Kind
  readonly reasons: ReadonlyArray<string>
}

/**
 * Every clue that may tie the message to a ticket. None of them is trusted here: `intake` asks
 * its verifier, which trusts a signed token and treats the rest as hints.
 *
 * @category models
 * @since 0.1.0
 */
export interface Threading {
  /** `Message-ID` without angle brackets, if the message has one. */
  readonly messageId: string | undefined
  readonly inReplyTo: ReadonlyArray<string>
  readonly references: ReadonlyArray<string>
  /** A ticket number written in the subject, such as `[#69369]`. */
  readonly subjectNumber: number | undefined
  /** The part after `+` of a recipient's local part, such as `t69369.sig` in `support+t69369.sig@`. */
  readonly plusTokens: ReadonlyArray<string>
}

/**
 * An attachment of the message, already in the `AttachmentStore` (`location` is its key).
 *
 * @category models
 * @since 0.1.0
 */
export interface InboundAttachment {
  readonly fileName: string
  readonly contentType: string
  readonly size: number
  readonly sha256: string
  readonly location: string
  /** `Content-ID` without angle brackets, for inline images an HTML body refers to by `cid:`. */
  readonly contentId: string | undefined
  readonly inline: boolean
}

/**
 * A header as received: lower-cased name, decoded value. Kept so that loop detection and the
 * control-header filter can read them; bounded by the parse limits.
 *
 * @category models
 * @since 0.1.0
 */
export interface Header {
  readonly name: string
  readonly value: string
}

/**
 * A parsed inbound message.
 *
 * @category models
 * @since 0.1.0
 */
export interface InboundMessage {
  readonly from: Address | undefined
  readonly replyTo: ReadonlyArray<Address>
  readonly to: ReadonlyArray<Address>
  readonly cc: ReadonlyArray<Address>
  /** Envelope recipients (SMTP `RCPT TO`) when the source knows them; else empty. */
  readonly deliveredTo: ReadonlyArray<string>
  readonly subject: string
  /** The `Date:` header, when present and valid. */
  readonly date: DateTime.Utc | undefined
  readonly threading: Threading
  /** The whole plain-text body (from the text part, or derived from the HTML). */
  readonly text: string
  /** The new text of the message: quoted history and signature removed, forwarded blocks kept. */
  readonly visibleText: string
  /** Sanitised HTML (`Html.sanitize` of @tessera/core), `undefined` when the message had none. */
  readonly html: string | undefined
  readonly attachments: ReadonlyArray<InboundAttachment>
  readonly classification: Classification
  readonly headers: ReadonlyArray<Header>
  /** Where the parse had to settle for less (bad charset, truncated part...), for review. */
  readonly problems: ReadonlyArray<string>
  /**
   * The raw original as the `AttachmentStore` keeps it (`message/rfc822`), when the parse was asked
   * to keep it (`keepRaw`): an attachment, never rendered.
   */
  readonly raw?: AttachmentStore.StoredAttachment | undefined
}
