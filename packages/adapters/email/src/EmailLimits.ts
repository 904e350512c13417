/**
 * The hard limits `parseInbound` holds a message to, all configurable, all enforced while the
 * bytes stream through the parser (never after reading everything): a message past one of them
 * stops being parsed and fails with the matching `EmailError`. The defaults take ordinary mail,
 * including a 25 MB attachment, and refuse what only a broken or hostile sender writes.
 */

/**
 * The limits of one parse. Byte counts are of the message as received (bodies still in their
 * transfer encoding), except `maxAttachmentBytes`, which counts decoded bytes.
 *
 * @category models
 * @since 0.1.0
 */
export interface EmailLimits {
  /** Bytes of the whole raw message. Default 40 MiB (a 25 MiB attachment is ~34 MiB in base64). */
  readonly maxMessageBytes: number
  /**
   * Bytes of one header block: the message's or one MIME part's. mailparser counts each header
   * line as at least 64 bytes. Default 256 KiB (real mail stays under a few tens of KiB).
   */
  readonly maxHeaderBytes: number
  /** MIME parts, the message itself and every multipart container included. Default 500. */
  readonly maxParts: number
  /** Nesting depth of MIME parts (the message is depth 0). Default 20. */
  readonly maxDepth: number
  /**
   * Bytes of the HTML bodies together, counted as they arrive. The HTML is converted to text and
   * sanitised in memory, so this bounds that work too. Default 1 MiB.
   */
  readonly maxHtmlBytes: number
  /** Bytes of the plain-text bodies together, counted as they arrive. Default 1 MiB. */
  readonly maxTextBytes: number
  /**
   * Decoded bytes of one attachment, the `maxBytes` of `AttachmentStore.put`. A larger one is not
   * kept (the message is, with a `problems` entry). Default 25 MiB.
   */
  readonly maxAttachmentBytes: number
  /** Entries of `InboundMessage.headers`; later headers are left out (with a problem). Default 1,000. */
  readonly maxHeaders: number
  /** Milliseconds the whole parse may take, storing attachments included. Default 20,000. */
  readonly maxParseMillis: number
}

/**
 * The default limits (see each field of `EmailLimits`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const defaults: EmailLimits = {
  maxMessageBytes: 40 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxParts: 500,
  maxDepth: 20,
  maxHtmlBytes: 1024 * 1024,
  maxTextBytes: 1024 * 1024,
  maxAttachmentBytes: 25 * 1024 * 1024,
  maxHeaders: 1_000,
  maxParseMillis: 20_000
}

/**
 * The defaults with the given limits in their place. A limit that is not a positive number
 * (`0`, `NaN`, negative) keeps its default rather than refusing every message.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (overrides: Partial<EmailLimits> = {}): EmailLimits => {
  const limits: Record<keyof EmailLimits, number> = { ...defaults }
  for (const key of Object.keys(defaults) as Array<keyof EmailLimits>) {
    const value = overrides[key]
    if (typeof value === "number" && value > 0) limits[key] = Math.floor(value)
  }
  return limits
}
