/**
 * Why `parseInbound` could not turn a raw message into an `InboundMessage`: one tagged error per
 * limit, plus unreadable input, a failed source stream, a failed store and a timeout. Each says
 * whether a retry can help and, when the raw original was kept (`keepRaw`), where it is, so that
 * mail that cannot be processed is kept and flagged for review rather than lost.
 */
import { Schema } from "effect"

/**
 * The raw original as the `AttachmentStore` keeps it: its key, size and SHA-256.
 *
 * @category models
 * @since 0.1.0
 */
export const RawOriginal = Schema.Struct({
  key: Schema.String,
  size: Schema.Number,
  sha256: Schema.String
})
/** @category models @since 0.1.0 */
export type RawOriginal = typeof RawOriginal.Type

/** Every error carries the raw original when it was kept. */
const raw = Schema.optionalKey(RawOriginal)

const kept = (error: { readonly raw?: RawOriginal | undefined }): string =>
  error.raw === undefined ? "" : ` (raw original kept as ${error.raw.key})`

/**
 * The message is larger than `maxMessageBytes`; reading stopped there.
 *
 * @category errors
 * @since 0.1.0
 */
export class MessageTooLarge extends Schema.TaggedError<MessageTooLarge>()("MessageTooLarge", {
  maxBytes: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `The message is larger than ${this.maxBytes} bytes${kept(this)}`
  }
}

/**
 * A header block (the message's, or a MIME part's) is larger than `maxHeaderBytes`.
 *
 * @category errors
 * @since 0.1.0
 */
export class HeaderTooLarge extends Schema.TaggedError<HeaderTooLarge>()("HeaderTooLarge", {
  maxBytes: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `A header block is larger than ${this.maxBytes} bytes${kept(this)}`
  }
}

/**
 * The message has more MIME parts than `maxParts`.
 *
 * @category errors
 * @since 0.1.0
 */
export class TooManyParts extends Schema.TaggedError<TooManyParts>()("TooManyParts", {
  maxParts: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `The message has more than ${this.maxParts} MIME parts${kept(this)}`
  }
}

/**
 * MIME parts are nested deeper than `maxDepth`.
 *
 * @category errors
 * @since 0.1.0
 */
export class TooDeep extends Schema.TaggedError<TooDeep>()("TooDeep", {
  maxDepth: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `MIME parts are nested deeper than ${this.maxDepth} levels${kept(this)}`
  }
}

/**
 * The HTML or plain-text bodies are larger than `maxHtmlBytes` / `maxTextBytes`.
 *
 * @category errors
 * @since 0.1.0
 */
export class BodyTooLarge extends Schema.TaggedError<BodyTooLarge>()("BodyTooLarge", {
  body: Schema.Literals(["html", "text"]),
  maxBytes: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `The ${this.body === "html" ? "HTML" : "plain-text"} body is larger than ${this.maxBytes} bytes${kept(this)}`
  }
}

/**
 * The parse took longer than `maxParseMillis` and was stopped.
 *
 * @category errors
 * @since 0.1.0
 */
export class ParseTimeout extends Schema.TaggedError<ParseTimeout>()("ParseTimeout", {
  maxMillis: Schema.Number,
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Parsing the message took longer than ${this.maxMillis} ms${kept(this)}`
  }
}

/**
 * The parser gave up on the bytes (mailparser's own error is the `cause`).
 *
 * @category errors
 * @since 0.1.0
 */
export class Unreadable extends Schema.TaggedError<Unreadable>()("Unreadable", {
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown),
  raw
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `The message cannot be parsed: ${this.reason}${kept(this)}`
  }
}

/**
 * The stream the message was read from failed (a dropped connection): reading it again may work.
 *
 * @category errors
 * @since 0.1.0
 */
export class SourceFailed extends Schema.TaggedError<SourceFailed>()("SourceFailed", {
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown),
  raw
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `Reading the message failed: ${this.reason}${kept(this)}`
  }
}

/**
 * The `AttachmentStore` failed while keeping an attachment or the raw original; its error is the
 * `cause`, and a retry helps when that error says so.
 *
 * @category errors
 * @since 0.1.0
 */
export class StorageFailed extends Schema.TaggedError<StorageFailed>()("StorageFailed", {
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown),
  raw
}) {
  get retryable() {
    const cause: unknown = this.cause
    return typeof cause === "object" && cause !== null && "retryable" in cause && cause.retryable === true
  }
  override get message() {
    return `Storing the message's content failed: ${this.reason}${kept(this)}`
  }
}

/**
 * Every way `parseInbound` fails.
 *
 * @category errors
 * @since 0.1.0
 */
export type EmailError =
  | MessageTooLarge
  | HeaderTooLarge
  | TooManyParts
  | TooDeep
  | BodyTooLarge
  | ParseTimeout
  | Unreadable
  | SourceFailed
  | StorageFailed

/**
 * The tags of `EmailError`, for telling them apart from other errors (`isEmailError`).
 *
 * @category errors
 * @since 0.1.0
 */
export const tags: ReadonlyArray<EmailError["_tag"]> = [
  "MessageTooLarge",
  "HeaderTooLarge",
  "TooManyParts",
  "TooDeep",
  "BodyTooLarge",
  "ParseTimeout",
  "Unreadable",
  "SourceFailed",
  "StorageFailed"
]

/**
 * Whether `u` is one of the errors `parseInbound` fails with.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isEmailError = (u: unknown): u is EmailError =>
  typeof u === "object" &&
  u !== null &&
  "_tag" in u &&
  typeof u._tag === "string" &&
  (tags as ReadonlyArray<string>).includes(u._tag)

/**
 * The same error with the location of the kept raw original.
 *
 * @category combinators
 * @since 0.1.0
 */
export const withRaw = (error: EmailError, original: RawOriginal): EmailError => {
  switch (error._tag) {
    case "MessageTooLarge":
      return new MessageTooLarge({ maxBytes: error.maxBytes, raw: original })
    case "HeaderTooLarge":
      return new HeaderTooLarge({ maxBytes: error.maxBytes, raw: original })
    case "TooManyParts":
      return new TooManyParts({ maxParts: error.maxParts, raw: original })
    case "TooDeep":
      return new TooDeep({ maxDepth: error.maxDepth, raw: original })
    case "BodyTooLarge":
      return new BodyTooLarge({ body: error.body, maxBytes: error.maxBytes, raw: original })
    case "ParseTimeout":
      return new ParseTimeout({ maxMillis: error.maxMillis, raw: original })
    case "Unreadable":
      return new Unreadable({ ...causeOf(error), reason: error.reason, raw: original })
    case "SourceFailed":
      return new SourceFailed({ ...causeOf(error), reason: error.reason, raw: original })
    case "StorageFailed":
      return new StorageFailed({ ...causeOf(error), reason: error.reason, raw: original })
  }
}

const causeOf = (error: { readonly cause?: unknown }): { readonly cause?: unknown } =>
  error.cause === undefined ? {} : { cause: error.cause }
