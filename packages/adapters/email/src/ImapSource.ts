/**
 * An IMAP poller (imapflow) for a mailbox the help desk owns: each poll takes the messages not yet
 * processed, hands each raw message to the handler in UID order, and only after the handler
 * succeeded marks it `\Seen` or moves it to another folder. The mailbox's own flags are the
 * checkpoint, so a restart resumes where the last run stopped; a run killed between handling and
 * marking hands that one message over again, and the handler's Message-ID idempotency (intake's)
 * makes the second time a no-op. Parsing and intake are the handler's.
 */
import type { ConnectionOptions } from "node:tls"
import { Cause, Effect, Exit, Schedule, Schema, Scope, Semaphore } from "effect"
import { ImapFlow } from "imapflow"
import * as Limit from "./internal/limit.js"
import { isPermanent as defaultIsPermanent, type Envelope, type Handler, type PromiseHandler } from "./MailSource.js"

/**
 * What happens to a message once the handler took it: `"seen"` sets `\Seen` (the poller then looks
 * only at unseen mail), `{ moveTo }` moves it to that folder (created when missing; the poller
 * then looks at every message of the mailbox that is not `\Flagged`).
 *
 * @category models
 * @since 0.1.0
 */
export type After = "seen" | { readonly moveTo: string }

/**
 * How the poller connects and what it does.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<E = unknown> {
  readonly host: string
  readonly port?: number
  /** TLS from the first byte (IMAPS, port 993). Default `true`; `false` for plain IMAP (143). */
  readonly secure?: boolean
  readonly tls?: ConnectionOptions
  readonly auth:
    | { readonly user: string; readonly pass: string }
    | { readonly user: string; readonly accessToken: string }
  /** Default `INBOX`. Give the poller a mailbox of its own: people reading it there mark mail seen. */
  readonly mailbox?: string
  /** The workspace every message of this mailbox goes to. */
  readonly workspaceId: string
  /** Default `"seen"`. */
  readonly after?: After
  /**
   * Where a message goes that the handler refused for good (or that is larger than `maxBytes`):
   * moved to this folder, or by default flagged `\Flagged` (and `\Seen`) for a person to look at.
   */
  readonly refusedTo?: string
  /** Messages taken per poll. Default 50. */
  readonly batchSize?: number
  /**
   * Largest message handed to the handler, by the server's RFC822.SIZE and by the bytes read: a
   * message that grows past it while streaming fails the handler's stream with
   * `MailSource.MessageTooLarge` and is set aside. Default 25 MiB.
   */
  readonly maxBytes?: number
  /** Time between polls of `make`, in milliseconds. Default 30 s. */
  readonly intervalMillis?: number
  /**
   * Whether a handler's error is permanent: the message is then set aside (flagged or moved to
   * `refusedTo`) instead of being offered again. Default: `MailSource.isPermanent`.
   */
  readonly isPermanent?: (error: E) => boolean
}

/**
 * What one poll did: messages taken (and marked), left for the next poll after a passing failure,
 * and refused for good (set aside).
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly taken: number
  readonly retryLater: number
  readonly refused: number
}

/**
 * The IMAP server could not be reached, refused the login, or failed during a poll. The messages
 * of that poll that were not yet marked are taken again by the next one.
 *
 * @category errors
 * @since 0.1.0
 */
export class ImapUnavailable extends Schema.TaggedError<ImapUnavailable>()("ImapUnavailable", {
  host: Schema.String,
  operation: Schema.String,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `IMAP ${this.operation} on ${this.host} failed: ${this.reason}`
  }
}

const defaultMaxBytes = 25 * 1024 * 1024

const addresses = (list: ReadonlyArray<{ readonly address?: string | undefined }> | undefined): Array<string> =>
  (list ?? []).flatMap((a) => (a.address === undefined ? [] : [a.address]))

/**
 * Connects, takes one batch of new messages through `handler`, marks or moves each one the handler
 * took, and logs out. Messages are taken in UID order; the batch stops at the first passing failure
 * so that a later message (a reply) is never taken before an earlier one (its original).
 *
 * @category constructors
 * @since 0.1.0
 */
export const poll = <E, R>(options: Options<E>, handler: Handler<E, R>): Effect.Effect<Report, ImapUnavailable, R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const mailbox = options.mailbox ?? "INBOX"
      const after = options.after ?? "seen"
      const maxBytes = options.maxBytes ?? defaultMaxBytes
      const isPermanent = options.isPermanent ?? defaultIsPermanent
      const imap = <A>(operation: string, run: () => Promise<A>) =>
        Effect.tryPromise({
          try: run,
          catch: (cause) =>
            new ImapUnavailable({
              host: options.host,
              operation,
              reason: cause instanceof Error ? cause.message : String(cause),
              cause
            })
        })

      const client = yield* Effect.acquireRelease(
        Effect.suspend(() => {
          const created = new ImapFlow({
            host: options.host,
            port: options.port ?? (options.secure === false ? 143 : 993),
            secure: options.secure ?? true,
            ...(options.tls === undefined ? {} : { tls: options.tls }),
            auth: options.auth,
            logger: false,
            disableAutoIdle: true
          })
          // imapflow reports a dropped socket as an event; the command that needed it fails too.
          created.on("error", () => {})
          return imap("connect", () => created.connect()).pipe(Effect.as(created))
        }),
        (c) => imap("logout", () => c.logout()).pipe(Effect.catch(() => Effect.sync(() => c.close())))
      )
      const move = typeof after === "object" ? after.moveTo : undefined
      for (const folder of [move, options.refusedTo]) {
        if (folder !== undefined) {
          // Creating a folder that exists answers ALREADYEXISTS, which imapflow reports as not created.
          yield* imap("create", () => client.mailboxCreate(folder)).pipe(Effect.catch(() => Effect.void))
        }
      }
      yield* Effect.acquireRelease(
        imap("select", () => client.getMailboxLock(mailbox)),
        (lock) => Effect.sync(() => lock.release())
      )

      const found = yield* imap("search", () =>
        client.search(move === undefined ? { seen: false } : { flagged: false }, { uid: true })
      )
      const uids = [...(found === false || found === undefined ? [] : found)]
        .sort((a, b) => a - b)
        .slice(0, options.batchSize ?? 50)
      if (uids.length === 0) return { taken: 0, retryLater: 0, refused: 0 }
      const fetched = yield* imap("fetch", () =>
        client.fetchAll(uids, { uid: true, envelope: true, size: true }, { uid: true })
      )
      const byUid = new Map(fetched.map((m) => [m.uid, m] as const))

      const markTaken = (uid: number) =>
        move === undefined
          ? imap("store", () => client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true }))
          : imap("move", () => client.messageMove(String(uid), move, { uid: true }))
      const setAside = (uid: number) =>
        options.refusedTo === undefined
          ? imap("store", () => client.messageFlagsAdd(String(uid), ["\\Flagged", "\\Seen"], { uid: true }))
          : imap("move", () => client.messageMove(String(uid), options.refusedTo as string, { uid: true }))

      let taken = 0
      let refused = 0
      for (const [index, uid] of uids.entries()) {
        const message = byUid.get(uid)
        if (message === undefined) continue // expunged meanwhile by someone else
        if ((message.size ?? 0) > maxBytes) {
          yield* setAside(uid)
          refused++
          continue
        }
        const envelope: Envelope = {
          from: addresses(message.envelope?.from)[0] ?? "",
          to: [...addresses(message.envelope?.to), ...addresses(message.envelope?.cc)],
          workspaceId: options.workspaceId
        }
        const download = yield* imap("fetch", () => client.download(String(uid), undefined, { uid: true }))
        if (download.content === undefined) continue
        const content = download.content
        // RFC822.SIZE is the server's word: the limit also holds on the bytes that actually arrive.
        const limited = Limit.limit(content, maxBytes)
        const exit = yield* Effect.exit(handler(limited.stream, envelope))
        // Whatever the handler left unread is drained, so the connection is free for the next command.
        yield* Effect.callback<void>((resume) => {
          if (content.readableEnded || content.destroyed) return resume(Effect.void)
          content.once("close", () => resume(Effect.void))
          content.once("end", () => resume(Effect.void))
          content.resume()
        })
        if (Exit.isSuccess(exit)) {
          yield* markTaken(uid)
          taken++
          continue
        }
        if (limited.exceeded()) {
          yield* Effect.logWarning("IMAP message larger than its declared size and the limit; set aside", { uid })
          yield* setAside(uid)
          refused++
          continue
        }
        const failure = exit.cause.reasons.find(Cause.isFailReason)
        if (failure !== undefined && isPermanent(failure.error)) {
          yield* Effect.logWarning("IMAP message refused by the handler; set aside", { uid, error: failure.error })
          yield* setAside(uid)
          refused++
          continue
        }
        yield* Effect.logWarning("IMAP message not taken; the next poll tries again", { uid, cause: exit.cause })
        return { taken, retryLater: uids.length - index, refused }
      }
      return { taken, retryLater: 0, refused }
    })
  )

/**
 * A running poller: `poll` runs one poll now (never at the same time as the scheduled one).
 *
 * @category models
 * @since 0.1.0
 */
export interface Poller {
  /** Polls once now, besides the schedule, and reports what it took. */
  readonly poll: Effect.Effect<Report, ImapUnavailable>
}

/**
 * Starts polling in the current scope: one poll right away, then one every `intervalMillis`; a poll
 * that fails (server down) is logged and the next one tries again. Stops when the scope closes.
 *
 * @example
 * ```ts
 * // The default handler: parse, take in, and hold what cannot be parsed with its raw original.
 * const poller = yield* ImapSource.make({ host, auth, workspaceId: "acme" }, Receive.handler())
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E, R>(
  options: Options<E>,
  handler: Handler<E, R>
): Effect.Effect<Poller, never, Scope.Scope | R> =>
  Effect.gen(function* () {
    const context = yield* Effect.context<R>()
    const one = yield* Semaphore.make(1)
    const pollNow = Semaphore.withPermit(one, poll(options, handler).pipe(Effect.provide(context)))
    yield* pollNow.pipe(
      Effect.catch((error) => Effect.logWarning("IMAP poll failed; the next one tries again", error)),
      Effect.repeat(Schedule.spaced(options.intervalMillis ?? 30_000)),
      Effect.forkScoped
    )
    return { poll: pollNow }
  })

/**
 * A poller started through the Promise facade.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunningPoller {
  /** Polls once now, besides the schedule, and reports what it took. */
  readonly poll: () => Promise<Report>
  /** Stops polling (a poll under way is interrupted; its unmarked messages are taken next time). */
  readonly close: () => Promise<void>
}

const promiseHandler =
  (handler: PromiseHandler): Handler =>
  (raw, envelope) =>
    Effect.tryPromise({ try: () => handler(raw, envelope), catch: (e) => e })

/**
 * The Promise facade of `make`: starts polling, resolves at once. A handler's rejection is read as
 * `make` reads a failure.
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = async (options: Options, handler: PromiseHandler): Promise<RunningPoller> => {
  const scope = await Effect.runPromise(Scope.make())
  const poller = await Effect.runPromise(make(options, promiseHandler(handler)).pipe(Scope.provide(scope)))
  return {
    poll: () => Effect.runPromise(poller.poll),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/**
 * The Promise facade of `poll`: one poll, then the connection is closed; rejects with
 * `ImapUnavailable` when the server fails.
 *
 * @category constructors
 * @since 0.1.0
 */
export const pollOnce = (options: Options, handler: PromiseHandler): Promise<Report> =>
  Effect.runPromise(poll(options, promiseHandler(handler)))
