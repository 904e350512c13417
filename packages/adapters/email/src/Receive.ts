/**
 * `receive`: the one entry point that loses no mail. It keeps the raw original in the
 * `AttachmentStore` while `parseInbound` reads it, hands a parsed message to `intake`, and puts
 * a message that cannot be parsed on the `ReviewQueue` with its raw original's key and the typed
 * error, so that every message ends as a ticket, a reply or a hold. `handler` is the same as a
 * `MailSource.Handler`, for the SMTP listener and the IMAP poller; retries and refusals stay theirs.
 */
import type { Readable } from "node:stream"
import {
  AttachmentStore,
  Helpdesk,
  type Html,
  IntakeGuard,
  MemoryAttachmentStore,
  MemoryIntakeGuard
} from "@tessera/core"
import { Effect, Layer } from "effect"
import type * as EmailError from "./EmailError.js"
import type * as EmailLimits from "./EmailLimits.js"
import type * as Inbound from "./Inbound.js"
import * as Intake from "./Intake.js"
import { type Envelope, Rejected } from "./MailSource.js"
import * as MemoryReviewQueue from "./MemoryReviewQueue.js"
import * as Parse from "./Parse.js"
import type { ReviewQueue } from "./ReviewQueue.js"

/**
 * How to parse what arrives. The workspace is the help desk's, and the raw original is always kept.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Envelope recipients (SMTP `RCPT TO`), when the source knows them. */
  readonly deliveredTo?: ReadonlyArray<string>
  /** Limits in place of the defaults of `EmailLimits`. */
  readonly limits?: Partial<EmailLimits.EmailLimits>
  /** How the HTML body is sanitised (remote images are dropped by default). */
  readonly html?: Html.Options
}

/**
 * What a received message became: intake's result, the parsed message (`undefined` when it could
 * not be parsed) and the parse error that put it on the review queue (`undefined` when it parsed).
 *
 * @category models
 * @since 0.1.0
 */
export interface Received extends Intake.Result {
  readonly message: Inbound.InboundMessage | undefined
  readonly error: EmailError.EmailError | undefined
}

/**
 * What `receive` may fail with, and only when a retry can help or nothing could be kept: a help
 * desk or store failure, a source that broke off (`SourceFailed`), an `AttachmentStore` that
 * failed, or a message too large to keep at all (`MessageTooLarge`, which no retry cures: the
 * source refuses it, so the sender learns it was not delivered).
 *
 * @category errors
 * @since 0.1.0
 */
export type ReceiveError = Intake.IntakeError | EmailError.EmailError

/**
 * The services `receive` uses: intake's and the `AttachmentStore`.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = Intake.Services | AttachmentStore.AttachmentStore

/**
 * Where intake keeps its state, each in memory unless given: the guard against taking a mail in
 * twice, the queue of held mail, and the store of raw originals and attachments.
 *
 * @category models
 * @since 0.1.0
 */
export interface Parts<E = never> {
  readonly guard?: Layer.Layer<IntakeGuard.IntakeGuard, E>
  readonly review?: Layer.Layer<ReviewQueue, E>
  readonly attachments?: Layer.Layer<AttachmentStore.AttachmentStore, E>
}

/**
 * Everything `receive` needs but the help desk: intake's configuration and its `Parts` (in
 * memory where not given). Provide the help desk under it:
 * `Receive.layer({ keys, own }).pipe(Layer.provideMerge(helpdeskLayer))`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = <E = never>(
  options: Intake.Options,
  parts: Parts<E> = {}
): Layer.Layer<Intake.Config | IntakeGuard.IntakeGuard | ReviewQueue | AttachmentStore.AttachmentStore, E> =>
  Layer.mergeAll(
    Intake.layer(options),
    parts.guard ?? MemoryIntakeGuard.layer,
    parts.review ?? MemoryReviewQueue.layer,
    parts.attachments ?? MemoryAttachmentStore.layer
  )

/** How long a held unparseable original is remembered, so that a re-delivery is not held twice. */
const rememberMillis = 7 * 24 * 60 * 60 * 1000

/** Keeps an unparseable message for review, once per raw original (same bytes, same hold). */
const holdUnparsed = (
  error: EmailError.EmailError,
  raw: EmailError.RawOriginal
): Effect.Effect<Intake.Outcome, Intake.IntakeError, Services> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const guard = yield* IntakeGuard.IntakeGuard
    const store = yield* AttachmentStore.AttachmentStore
    const ws = helpdesk.config.workspaceId
    const key = `${ws}:email-raw:${raw.sha256}`
    const claim = yield* guard.claim(key, 5 * 60 * 1000)
    if (claim._tag === "Done") {
      // The same bytes are held already: this copy is not needed.
      yield* store.remove(ws, raw.key).pipe(Effect.ignore)
      return { _tag: "Duplicate", ticketId: undefined }
    }
    const claimed = claim._tag === "Claimed"
    // Another process holds the same bytes right now and may yet fail: this copy is held too,
    // since a hold twice costs a reviewer a click and a hold lost costs the mail.
    const held = yield* Intake.holdUnparsed({
      rawLocation: raw.key,
      detail: `${error._tag}: ${error.message}`,
      error
    }).pipe(Effect.tapError(() => (claimed ? guard.release(key).pipe(Effect.ignore) : Effect.void)))
    if (claimed) yield* guard.complete(key, held.id, rememberMillis)
    return { _tag: "Held", held }
  })

/**
 * Receives one raw message (bytes or a stream) into the help desk: keeps the raw original, parses
 * it, takes it in, and holds it for review with its raw original's key and the typed error when
 * it cannot be parsed. A message the same bytes were held for already is a `Duplicate`. Fails
 * only with a `ReceiveError`; after a failure nothing is kept, and the same message may be given
 * again.
 *
 * @example
 * ```ts
 * const received = yield* Receive.receive(bytes)
 * received.outcome._tag // "Opened", or "Held" with `error` set for mail that cannot be parsed
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export const receive = (
  raw: Uint8Array | Readable,
  options: Options = {}
): Effect.Effect<Received, ReceiveError, Services> =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const store = yield* AttachmentStore.AttachmentStore
    const ws = helpdesk.config.workspaceId
    const parsed = yield* Effect.result(Parse.parseInbound(raw, { ...options, workspaceId: ws, keepRaw: true }))
    if (parsed._tag === "Success") {
      const message = parsed.success
      const forget = message.raw === undefined ? Effect.void : store.remove(ws, message.raw.key).pipe(Effect.ignore)
      // After a failure nothing refers to the original (the retry keeps its own copy); a copy of
      // mail taken in before, or the help desk's own mail, needs none either.
      const result = yield* Intake.intake(message).pipe(Effect.tapError(() => forget))
      if (result.outcome._tag === "Duplicate" || result.outcome._tag === "Ignored") yield* forget
      return { ...result, message, error: undefined }
    }
    const error = parsed.failure
    const original = error.raw
    if (original === undefined) return yield* Effect.fail(error)
    if (error.retryable) {
      yield* store.remove(ws, original.key).pipe(Effect.ignore)
      return yield* Effect.fail(error)
    }
    const outcome = yield* holdUnparsed(error, original).pipe(
      Effect.tapError(() => store.remove(ws, original.key).pipe(Effect.ignore))
    )
    return { outcome, acknowledge: false, reasons: [], refused: [], removedHeaders: [], message: undefined, error }
  })

/**
 * `receive` as a `MailSource.Handler`: give it to `SmtpSource.make` or `ImapSource.make`, and a
 * message is acknowledged only once it is a ticket, a reply or a hold. Mail routed to another
 * workspace than the help desk's is refused for good (`MailSource.Rejected`), never taken into the
 * wrong one.
 *
 * @example
 * ```ts
 * const listener = yield* SmtpSource.make({ port: 2525, route: { "acme.test": "acme" } }, Receive.handler())
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const handler =
  (
    options: Omit<Options, "deliveredTo"> = {}
  ): ((raw: Readable, envelope: Envelope) => Effect.Effect<Received, ReceiveError | Rejected, Services>) =>
  (raw, envelope) =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      if (envelope.workspaceId !== helpdesk.config.workspaceId) {
        return yield* new Rejected({
          reason: `mail for workspace ${envelope.workspaceId} reached the help desk of ${helpdesk.config.workspaceId}`
        })
      }
      return yield* receive(raw, { ...options, deliveredTo: envelope.to })
    })
