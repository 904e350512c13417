/**
 * What the two mail sources (`SmtpSource`, `ImapSource`) share: the handler they hand each raw
 * message to, the envelope that comes with it, and how a handler's failure is read (retry later or
 * refuse for good). A source acknowledges a message (SMTP 250, IMAP flag or move) only after the
 * handler succeeded; parsing and intake are the handler's business, not the source's. The
 * handler to give a source is `Receive.handler()` (`createIntake(...).handler` with Promises):
 * it keeps every message, as a ticket, a reply, or a hold with its raw original.
 */
import type { Readable } from "node:stream"
import { type Effect, Schema } from "effect"

/**
 * Who sent a message to whom, as the transport says (SMTP `MAIL FROM`/`RCPT TO`, or the IMAP
 * envelope), and the workspace it was routed to. `from` is `""` for the null sender of bounces.
 *
 * @category models
 * @since 0.1.0
 */
export interface Envelope {
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly workspaceId: string
}

/**
 * Takes one raw message (the bytes as received, streamed) and succeeds only once the message is
 * durably taken: a ticket or reply written, or the raw message kept for review. A failure whose
 * `retryable` is `false` refuses the message for good; any other failure (or a defect) asks the
 * sender, or the next poll, to try again, so a message is never lost to a passing outage.
 *
 * @category models
 * @since 0.1.0
 */
export type Handler<E = unknown, R = never> = (raw: Readable, envelope: Envelope) => Effect.Effect<unknown, E, R>

/**
 * The Promise form of `Handler`, for applications that do not use Effect: resolve once the message
 * is taken, reject to refuse it (for good when the error's `retryable` is `false`).
 *
 * @category models
 * @since 0.1.0
 */
export type PromiseHandler = (raw: Readable, envelope: Envelope) => Promise<unknown>

/**
 * A handler's refusal that no retry can change (a message no workspace accepts, a policy that
 * rejects it): SMTP answers 5xx and the IMAP poller sets the message aside instead of retrying it.
 *
 * @category errors
 * @since 0.1.0
 */
export class Rejected extends Schema.TaggedError<Rejected>()("Rejected", {
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Message refused: ${this.reason}`
  }
}

/**
 * The raw stream a handler reads ends with this error when the message grew past the source's
 * byte limit while it was streaming; the source then refuses the message (SMTP 552).
 *
 * @category errors
 * @since 0.1.0
 */
export class MessageTooLarge extends Schema.TaggedError<MessageTooLarge>()("MessageTooLarge", {
  limit: Schema.Number,
  received: Schema.Number
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Message exceeds the limit of ${this.limit} bytes (${this.received} received so far)`
  }
}

/**
 * Whether a handler's failure is permanent: its `retryable` says `false`. Anything else, including
 * errors that say nothing, counts as passing, because retrying a message costs less than losing it.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isPermanent = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { readonly retryable?: unknown }).retryable === false
