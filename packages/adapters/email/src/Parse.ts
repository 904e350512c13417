/**
 * `parseInbound`: raw MIME (bytes or a stream) to the typed `InboundMessage`, on mailparser's
 * streaming `MailParser`, under the hard limits of `EmailLimits` enforced while the bytes flow.
 * Attachments stream into the `AttachmentStore` as they are decoded, so memory stays flat for a
 * large one; HTML goes through core's `Html.sanitize`; the visible reply and the classification
 * come from `ReplyText` and `AutoReply`. It never throws: every failure is an `EmailError`.
 */
import { PassThrough, type Readable } from "node:stream"
import { AttachmentStore, type Html, type Ids } from "@tessera/core"
import { Cause, Clock, Context, Effect, Exit, Fiber } from "effect"
import { type AttachmentStream, MailParser, type MessageText } from "mailparser"
import * as AutoReply from "./AutoReply.js"
import * as EmailError from "./EmailError.js"
import * as EmailLimits from "./EmailLimits.js"
import type * as Inbound from "./Inbound.js"
import * as Addresses from "./internal/addresses.js"
import * as Attachments from "./internal/attachments.js"
import * as Guard from "./internal/guard.js"
import * as Headers from "./internal/headers.js"
import * as SafeHtml from "./internal/html.js"
import * as Inbox from "./internal/inbox.js"
import * as Pump from "./internal/pump.js"
import { fromReadable } from "./internal/readable.js"
import * as ReplyText from "./ReplyText.js"

/**
 * How to parse a message.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The workspace the attachments are stored in. Default `"default"`. */
  readonly workspaceId?: string
  /** Limits in place of the defaults of `EmailLimits`. */
  readonly limits?: Partial<EmailLimits.EmailLimits>
  /**
   * Keep the raw original in the `AttachmentStore` while parsing (`InboundMessage.raw`, and `raw`
   * on every error but `MessageTooLarge`), so that mail that cannot be processed is kept for
   * review. Default false.
   */
  readonly keepRaw?: boolean
  /** Envelope recipients (SMTP `RCPT TO`), when the source knows them. */
  readonly deliveredTo?: ReadonlyArray<string>
  /** How the HTML body is sanitised (remote images are dropped by default). */
  readonly html?: Html.Options
}

/** Characters of the text the visible reply is looked for in (about 20 ms of work on a quiet core). */
const maxReplyScan = 128 * 1024

/** Entries of `problems`; past that, one last entry says how many were left out. */
const maxProblems = 50

type Item = AttachmentStream | MessageText

const refusalOf = (error: unknown, limits: EmailLimits.EmailLimits): EmailError.EmailError => {
  if (EmailError.isEmailError(error)) return error
  const { code, message } = (typeof error === "object" && error !== null ? error : {}) as {
    readonly code?: unknown
    readonly message?: unknown
  }
  const text = typeof message === "string" ? message : String(error)
  if (code === "EMAXLEN" && /header/i.test(text))
    return new EmailError.HeaderTooLarge({ maxBytes: limits.maxHeaderBytes })
  if (code === "EMAXLEN" && /child nodes/i.test(text)) return new EmailError.TooManyParts({ maxParts: limits.maxParts })
  return new EmailError.Unreadable({ reason: text, cause: error })
}

const mailparserOptions = (limits: EmailLimits.EmailLimits) => ({
  // The text is all we need: no HTML from text, no links found in it, no cid: inlining, no md5
  // (the store hashes with SHA-256). The text of HTML-only mail comes from the sanitised HTML.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false as const,
  maxHeadSize: limits.maxHeaderBytes,
  // The guard counts parts first; this is mailsplit's own backstop, one above it.
  maxChildNodes: limits.maxParts + 1
})

interface Parsed {
  readonly parser: MailParser
  readonly text: MessageText
  readonly outcomes: ReadonlyArray<Attachments.Outcome>
  readonly guard: Guard.Guard
}

/** Bounds one step of the parse by the time the parse has left. */
type Within = <A, E, R>(step: Effect.Effect<A, E, R>) => Effect.Effect<A, E | EmailError.ParseTimeout, R>

/** Runs mailparser over the pumped input, storing attachments as they come. */
const run = (
  parser: MailParser,
  guard: Guard.Guard,
  pump: Pump.Pump,
  workspaceId: Ids.WorkspaceId,
  limits: EmailLimits.EmailLimits,
  inbox: Inbox.Inbox,
  within: Within
): Effect.Effect<Parsed, EmailError.EmailError, AttachmentStore.AttachmentStore> =>
  Effect.gen(function* () {
    const outcomes: Array<Attachments.Outcome> = []
    for (;;) {
      const attachment = yield* inbox.next
      if (attachment === undefined) break
      outcomes.push(yield* within(Attachments.store(attachment, { workspaceId, maxBytes: limits.maxAttachmentBytes })))
    }
    const end = yield* Effect.promise(() => pump.done)
    const text = inbox.text()
    if (end._tag !== "Ended" || text === undefined) {
      return yield* new EmailError.Unreadable({ reason: "the parser ended before the message did" })
    }
    return { parser, text, outcomes, guard }
  })

const wire = (parser: MailParser, guard: Guard.Guard, limits: EmailLimits.EmailLimits, inbox: Inbox.Inbox) => {
  parser.on("data", (item: Item) => {
    // An attachment never reached (the parse failed first) must not crash the process with an
    // unhandled `error`; one that is reached reports its errors through the store's stream.
    if (item.type === "attachment") item.content.on("error", () => {})
    inbox.offer(item)
  })
  parser.on("end", () => {
    inbox.end()
  })
  parser.on("error", (error: unknown) => {
    inbox.fail(guard.refusal() ?? refusalOf(error, limits))
  })
}

/** The clock of every fiber whose clock no layer or test replaced. */
const defaultClock = Context.get(Context.empty(), Clock.Clock)

/** The longest delay `setTimeout` keeps (about 24.8 days); a longer one fires at once. */
const maxTimerMillis = 2 ** 31 - 1

/**
 * `run` within `maxParseMillis`. On the default clock the limit is a timer that fails the inbox,
 * so waiting for mailparser takes no race of two fibers (which cost more CPU than the rest of the
 * wait), and storing an attachment races only the time left. On any other clock (a test's), or
 * past what a timer can hold, the whole run races the clock's sleep.
 */
const withinTimeLimit = <A, R>(
  limits: EmailLimits.EmailLimits,
  inbox: Inbox.Inbox,
  parse: (within: Within) => Effect.Effect<A, EmailError.EmailError, R>
): Effect.Effect<A, EmailError.EmailError, R> =>
  Effect.clockWith((clock) => {
    const millis = limits.maxParseMillis
    const timedOut = () => Effect.fail(new EmailError.ParseTimeout({ maxMillis: millis }))
    if (clock !== defaultClock || millis > maxTimerMillis) {
      return parse((step) => step).pipe(Effect.timeoutOrElse({ duration: millis, orElse: timedOut }))
    }
    const deadline = clock.currentTimeMillisUnsafe() + millis
    const within: Within = (step) =>
      Effect.suspend(() =>
        step.pipe(
          Effect.timeoutOrElse({ duration: Math.max(0, deadline - clock.currentTimeMillisUnsafe()), orElse: timedOut })
        )
      )
    const timer = setTimeout(() => inbox.fail(new EmailError.ParseTimeout({ maxMillis: millis })), millis)
    return parse(within).pipe(Effect.ensuring(Effect.sync(() => clearTimeout(timer))))
  })

const pumpRefusal = (end: Pump.PumpEnd, limits: EmailLimits.EmailLimits): EmailError.EmailError =>
  end._tag === "TooLarge"
    ? new EmailError.MessageTooLarge({ maxBytes: limits.maxMessageBytes })
    : end._tag === "SourceFailed"
      ? new EmailError.SourceFailed({
          reason: end.error instanceof Error ? end.error.message : String(end.error),
          cause: end.error
        })
      : new EmailError.Unreadable({ reason: "reading stopped" })

/** The `src` of every `cid:` image the (sanitised) HTML refers to. */
const referencedCids = (html: string | undefined): ReadonlySet<string> => {
  const cids = new Set<string>()
  if (html === undefined) return cids
  for (const match of html.matchAll(/\bsrc\s*=\s*["']?cid:([^"'\s>]{1,998})/gi)) {
    const cid = match[1] as string
    cids.add(cid)
    try {
      cids.add(decodeURIComponent(cid))
    } catch {
      // a malformed %-escape: the cid as written is all there is
    }
  }
  return cids
}

const build = (
  parsed: Parsed,
  options: Options,
  limits: EmailLimits.EmailLimits,
  raw: AttachmentStore.StoredAttachment | undefined
): Effect.Effect<Inbound.InboundMessage> =>
  Effect.gen(function* () {
    const { parser, text: body, outcomes, guard } = parsed
    const problems: Array<string> = [...guard.problems()]
    const lines: ReadonlyArray<Headers.Line> = parser.headerLines === false ? [] : parser.headerLines
    const first = (name: string) => Headers.values(lines, name)[0]

    const from = Addresses.mailboxes(parser.from)
    const replyTo = Addresses.mailboxes(parser.replyTo)
    const to = Addresses.mailboxes(parser.to)
    const cc = Addresses.mailboxes(parser.cc)
    if (from.addresses.length === 0) problems.push("no sender address (From)")
    const dropped = from.dropped + replyTo.dropped + to.dropped + cc.dropped
    if (dropped > 0) problems.push(`${dropped} address(es) without a usable mailbox left out`)
    const deliveredTo = (options.deliveredTo ?? []).flatMap((address) => Addresses.envelopeAddress(address) ?? [])

    const dateHeader = first("date")
    const date = Headers.date(dateHeader)
    if (dateHeader === undefined) problems.push("no Date header")
    else if (date === undefined) problems.push(`unreadable Date header ${JSON.stringify(dateHeader.slice(0, 100))}`)
    const messageIdHeader = first("message-id")
    const messageId = messageIdHeader === undefined ? undefined : Headers.messageIds(messageIdHeader)[0]
    if (messageId === undefined) problems.push("no Message-ID")
    const rawSubject = typeof parser.subject === "string" ? parser.subject : ""
    // A NUL ends a C string in whatever reads the ticket next (a database driver, a terminal).
    const subject = rawSubject.includes("\u0000") ? rawSubject.replaceAll("\u0000", "") : rawSubject
    if (subject !== rawSubject) problems.push("NUL characters removed from the subject")

    const headers = Headers.list(lines, limits.maxHeaders)
    if (lines.length > headers.length)
      problems.push(`${lines.length - headers.length} header(s) past the first ${limits.maxHeaders} left out`)

    // Each step below is bounded; between big ones the event loop runs (small mail needs no break).
    const big = (body.html?.length ?? 0) + (body.text?.length ?? 0) > 32 * 1024
    if (big) yield* SafeHtml.yieldToEventLoop
    const html = body.html === undefined ? undefined : yield* SafeHtml.sanitize(body.html, options.html)
    const decoded = body.text ?? ""
    const plain = decoded.includes("\u0000") ? decoded.replaceAll("\u0000", "") : decoded
    if (plain !== decoded) problems.push("NUL characters removed from the text")
    // No text part (HTML-only mail, also inside multipart/related): the text is the HTML's.
    const text = plain.trim().length === 0 && html !== undefined ? SafeHtml.toText(html) : plain
    if (text.includes("\uFFFD")) problems.push("the text holds bytes its charset cannot decode (shown as U+FFFD)")
    if (big) yield* SafeHtml.yieldToEventLoop
    // The new text of a reply is at its top: past that, a pasted log would only cost time.
    const visibleText = ReplyText.visible(text.length > maxReplyScan ? text.slice(0, maxReplyScan) : text)
    if (text.length > maxReplyScan)
      problems.push(`the visible reply was looked for in the first ${maxReplyScan} characters of the text`)

    const cids = referencedCids(html)
    const attachments: Array<Inbound.InboundAttachment> = []
    for (const outcome of outcomes) {
      if (outcome._tag === "Skipped") {
        problems.push(outcome.problem)
        continue
      }
      if (outcome.problem !== undefined) problems.push(outcome.problem)
      const { contentId } = outcome.attachment
      attachments.push({ ...outcome.attachment, inline: contentId !== undefined && cids.has(contentId) })
    }
    const contentIds = new Set(attachments.flatMap((attachment) => attachment.contentId ?? []))
    const missing = [...cids].filter((cid) => !contentIds.has(cid))
    if (missing.length > 0) problems.push(`${missing.length} cid: image reference(s) match no attachment`)

    const contentType = first("content-type") ?? "text/plain"
    const classification = AutoReply.classify({ headers, subject, from: from.addresses[0], contentType })
    const recipients = [...to.addresses, ...cc.addresses].map((address) => address.address).concat(deliveredTo)
    const references = Headers.values(lines, "references").flatMap(Headers.messageIds)

    const message: Inbound.InboundMessage = {
      from: from.addresses[0],
      replyTo: replyTo.addresses,
      to: to.addresses,
      cc: cc.addresses,
      deliveredTo,
      subject,
      date,
      threading: {
        messageId,
        inReplyTo: Headers.values(lines, "in-reply-to").flatMap(Headers.messageIds),
        references: [...new Set(references)],
        subjectNumber: Headers.subjectNumber(subject),
        plusTokens: Addresses.plusTokens(recipients)
      },
      text,
      visibleText,
      html,
      attachments,
      classification,
      headers,
      problems:
        problems.length > maxProblems
          ? [...problems.slice(0, maxProblems - 1), `${problems.length - maxProblems + 1} more problem(s) left out`]
          : problems
    }
    return raw === undefined ? message : { ...message, raw }
  })

/**
 * Parses a raw message into an `InboundMessage`, storing its attachments (and, with `keepRaw`,
 * the original) in the `AttachmentStore`. The limits of `options.limits` are enforced while the
 * bytes stream: past one, parsing stops with its `EmailError`. An attachment larger than
 * `maxAttachmentBytes` is left out with a `problems` entry; what else the parse had to settle
 * for (an unknown charset, a multipart that never closes, a missing header) is in `problems`.
 *
 * @example
 * ```ts
 * const message = yield* parseInbound(bytes, { keepRaw: true })
 * message.threading.subjectNumber // 69369 for "Re: [#69369] Printer on fire"
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseInbound = (
  raw: Uint8Array | Readable,
  options: Options = {}
): Effect.Effect<Inbound.InboundMessage, EmailError.EmailError, AttachmentStore.AttachmentStore> =>
  Effect.gen(function* () {
    const limits = EmailLimits.make(options.limits)
    const workspaceId = (options.workspaceId ?? "default") as Ids.WorkspaceId
    const store = yield* AttachmentStore.AttachmentStore

    const rawSink = options.keepRaw === true ? new PassThrough() : undefined
    // A source that fails before the store's put reads the sink destroys it with an error that
    // nobody would listen to yet, which ends the process: the put reports it when it reads.
    rawSink?.on("error", () => {})
    const rawFiber =
      rawSink === undefined
        ? undefined
        : yield* Effect.forkChild(
            store.put(
              workspaceId,
              fromReadable(
                rawSink,
                (error) => new EmailError.Unreadable({ reason: "the raw original is incomplete", cause: error })
              ),
              { fileName: "message.eml", contentType: "message/rfc822", maxBytes: limits.maxMessageBytes }
            )
          )

    const inbox = Inbox.make()
    const parser = new MailParser(mailparserOptions(limits))
    const guard = Guard.install(parser, limits)
    wire(parser, guard, limits, inbox)
    const pump = Pump.start(raw, {
      maxBytes: limits.maxMessageBytes,
      parser,
      raw: rawSink,
      onRefused: (end) => {
        inbox.fail(pumpRefusal(end, limits))
      }
    })
    const stop = Effect.sync(() => {
      pump.stop()
      parser.destroy()
    })
    // Whatever ends the parse (success, failure, interruption), reading and parsing stop.
    yield* Effect.addFinalizer(() => stop)

    const parsed = yield* withinTimeLimit(limits, inbox, (within) =>
      run(parser, guard, pump, workspaceId, limits, inbox, within)
    ).pipe(Effect.exit)

    // The original of a message the parse refused is still read to its end, for review.
    if (Exit.isFailure(parsed)) {
      pump.detachParser()
      parser.destroy()
    }
    const kept = rawFiber === undefined ? undefined : yield* keep(rawFiber, pump, limits)
    if (Exit.isFailure(parsed)) {
      const failure = parsed.cause
      return yield* Effect.failCause(failure).pipe(
        Effect.mapError((error) =>
          kept === undefined || kept._tag === "Failed" ? error : EmailError.withRaw(error, kept.stored)
        )
      )
    }
    if (kept?._tag === "Failed") return yield* kept.error
    return yield* build(parsed.value, options, limits, kept?.stored)
  }).pipe(Effect.scoped)

type Kept =
  | { readonly _tag: "Kept"; readonly stored: AttachmentStore.StoredAttachment }
  | { readonly _tag: "Failed"; readonly error: EmailError.EmailError }

/** Waits (within the parse time limit) for the input's end and the raw original's put. */
const keep = (
  rawFiber: Fiber.Fiber<AttachmentStore.StoredAttachment, unknown>,
  pump: Pump.Pump,
  limits: EmailLimits.EmailLimits
): Effect.Effect<Kept> =>
  Effect.gen(function* () {
    const exit = yield* Effect.promise(() => pump.done).pipe(
      Effect.andThen(Fiber.join(rawFiber)),
      Effect.timeoutOrElse({
        duration: limits.maxParseMillis,
        orElse: () => Effect.fail(new EmailError.ParseTimeout({ maxMillis: limits.maxParseMillis }))
      }),
      Effect.exit
    )
    if (Exit.isSuccess(exit)) return { _tag: "Kept", stored: exit.value } as const
    yield* Fiber.interrupt(rawFiber)
    const error: unknown = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    return {
      _tag: "Failed",
      error: new EmailError.StorageFailed({ reason: "the raw original could not be kept", cause: error })
    } as const
  })
