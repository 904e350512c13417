/**
 * An SMTP listener (smtp-server) that takes mail straight from the sending server: it routes each
 * recipient to a workspace (refusing unknown ones at `RCPT TO`), announces and enforces a size
 * limit while the message streams, offers STARTTLS with the user's key and certificate, and
 * answers 250 only after the handler took the message (4xx when it may retry, 5xx when not). The
 * listener is a scoped resource: it stops when its scope closes. Parsing and intake are the
 * handler's.
 */
import { PassThrough, type Readable } from "node:stream"
import { Cause, Effect, Exit, FiberSet, Schema, Scope } from "effect"
import { SMTPServer, type SMTPServerDataStream, type SMTPServerError, type SMTPServerSession } from "smtp-server"
import {
  isPermanent as defaultIsPermanent,
  type Envelope,
  type Handler,
  MessageTooLarge,
  type PromiseHandler
} from "./MailSource.js"

/**
 * Where a recipient's mail goes: a function from the address (lower-cased) to a workspace id, or a
 * table keyed by address (`support@acme.test`) or by domain (`acme.test`). A table matches the
 * address first, then the address without its `+tag` (`support+t42@` is `support@`), then the
 * domain. `undefined` refuses the recipient.
 *
 * @category models
 * @since 0.1.0
 */
export type Route =
  | ((recipient: string) => string | undefined)
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>

/**
 * STARTTLS with the user's key and certificate (PEM). `required` refuses `MAIL FROM` on a
 * connection that did not upgrade; `implicit` speaks TLS from the first byte (port 465 style).
 * Without these options STARTTLS is not offered at all: smtp-server's built-in certificate,
 * whose private key is public, is never used.
 *
 * @category models
 * @since 0.1.0
 */
export interface TlsOptions {
  readonly key: string | Buffer
  readonly cert: string | Buffer
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>
  readonly required?: boolean
  readonly implicit?: boolean
}

/**
 * How the listener runs.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<E = unknown> {
  /** Interface to listen on; `127.0.0.1` unless set, so nothing is exposed by accident. */
  readonly host?: string
  /** Port to listen on; `0` picks a free one (read it from `Listener.port`). Default 25. */
  readonly port?: number
  /** The name the server greets with and says in EHLO. */
  readonly name?: string
  readonly route: Route
  /** Largest message accepted, announced as `SIZE` and enforced while streaming. Default 25 MiB. */
  readonly maxBytes?: number
  readonly tls?: TlsOptions
  /** Most connections served at once (smtp-server's `maxClients`). Default 100. */
  readonly maxClients?: number
  /** Idle time before a connection is dropped, in milliseconds. Default 60 s. */
  readonly socketTimeoutMillis?: number
  /** How long closing waits for open connections before it cuts them, in milliseconds. Default 5 s. */
  readonly closeTimeoutMillis?: number
  /** Reads a handler failure as permanent (5xx) or passing (4xx). Default: `MailSource.isPermanent`. */
  readonly isPermanent?: (error: E) => boolean
}

/**
 * A running listener: where it listens.
 *
 * @category models
 * @since 0.1.0
 */
export interface Listener {
  readonly host: string
  readonly port: number
}

/**
 * The listener could not start (port taken, no permission, bad TLS key).
 *
 * @category errors
 * @since 0.1.0
 */
export class ListenFailed extends Schema.TaggedError<ListenFailed>()("ListenFailed", {
  host: Schema.String,
  port: Schema.Number,
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  get retryable() {
    return true
  }
  override get message() {
    return `SMTP listener could not listen on ${this.host}:${this.port}: ${this.reason}`
  }
}

const defaultMaxBytes = 25 * 1024 * 1024

const withoutPlusTag = (address: string): string => address.replace(/\+[^@]*@/, "@")

const domainOf = (address: string): string => address.slice(address.lastIndexOf("@") + 1)

/**
 * Resolves a recipient to its workspace by `route`, or `undefined` when no workspace takes it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const resolve = (route: Route, recipient: string): string | undefined => {
  const address = recipient.trim().toLowerCase()
  if (typeof route === "function") return route(address)
  const lookup = (key: string): string | undefined =>
    route instanceof Map
      ? (route as ReadonlyMap<string, string>).get(key)
      : Object.hasOwn(route, key)
        ? (route as Readonly<Record<string, string>>)[key]
        : undefined
  const domain = domainOf(address)
  return lookup(address) ?? lookup(withoutPlusTag(address)) ?? lookup(domain) ?? lookup(`@${domain}`)
}

const smtpError = (responseCode: number, text: string): SMTPServerError =>
  Object.assign(new Error(text), { responseCode })

const errorText = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String((error as { _tag: unknown })._tag) : "error"

const sessionWorkspace = (route: Route, session: SMTPServerSession): string | undefined => {
  const first = session.envelope.rcptTo[0]
  return first === undefined ? undefined : resolve(route, first.address)
}

/**
 * Starts the listener in the current scope and hands every accepted message to `handler`; the
 * listener (and any handler still running) stops when the scope closes. All recipients of one
 * transaction share a workspace: a recipient of another workspace gets 452, which makes the sending
 * server deliver it in a transaction of its own.
 *
 * @example
 * ```ts
 * // The default handler: parse, take in, and hold what cannot be parsed with its raw original.
 * const listener = yield* SmtpSource.make({ port: 0, route: { "acme.test": "acme" } }, Receive.handler())
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <E, R>(
  options: Options<E>,
  handler: Handler<E, R>
): Effect.Effect<Listener, ListenFailed, Scope.Scope | R> =>
  Effect.gen(function* () {
    const host = options.host ?? "127.0.0.1"
    const port = options.port ?? 25
    const maxBytes = options.maxBytes ?? defaultMaxBytes
    const isPermanent = options.isPermanent ?? defaultIsPermanent
    const tls = options.tls
    // Closed after the server (scopes run finalizers in reverse): handlers still running are
    // interrupted once no new mail can arrive, and their senders get a 451 to retry.
    const run = yield* FiberSet.makeRuntime<R>()

    const onData = (
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      done: (err?: Error | null, message?: string) => void
    ) => {
      const workspaceId = sessionWorkspace(options.route, session)
      if (workspaceId === undefined) {
        stream.resume()
        stream.once("end", () => done(smtpError(554, "No valid recipients")))
        return
      }
      const envelope: Envelope = {
        from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        workspaceId
      }
      const raw = new PassThrough()
      let ended = false
      let tooLarge = false
      let outcome: Exit.Exit<unknown, E> | undefined
      const answer = () => {
        if (!ended || (outcome === undefined && !tooLarge)) return
        if (tooLarge) return done(smtpError(552, `Message exceeds fixed maximum message size of ${maxBytes} bytes`))
        if (outcome === undefined) return
        if (Exit.isSuccess(outcome)) return done(null, "Message taken")
        const failure = outcome.cause.reasons.find(Cause.isFailReason)
        if (failure !== undefined && isPermanent(failure.error as E)) {
          return done(smtpError(554, `Message refused (${errorText(failure.error)})`))
        }
        done(smtpError(451, "Message not taken now, try again later"))
      }
      const fiber = run(handler(raw, envelope))
      fiber.addObserver((exit) => {
        outcome = exit
        // The handler is done with the stream: drop what it did not read, so the DATA phase ends.
        raw.resume()
        stream.resume()
        answer()
      })
      stream.on("data", (chunk: Buffer) => {
        if (tooLarge || outcome !== undefined) return
        if (stream.sizeExceeded) {
          // Enforced while streaming: the handler sees an error, never a cut message as a whole one.
          tooLarge = true
          raw.destroy(new MessageTooLarge({ limit: maxBytes, received: stream.byteLength }))
          fiber.interruptUnsafe()
          return
        }
        if (!raw.write(chunk)) {
          stream.pause()
          raw.once("drain", () => stream.resume())
        }
      })
      // A client that goes away mid-message: smtp-server destroys the stream without an `end`. The
      // handler must not take a cut message, so it sees the stream fail and is stopped; no answer.
      stream.once("error", () => {})
      stream.once("close", () => {
        if (ended || outcome !== undefined) return
        raw.destroy(new Error("The connection closed before the message was received in full"))
        fiber.interruptUnsafe()
      })
      stream.once("end", () => {
        ended = true
        if (!tooLarge) raw.end()
        answer()
      })
    }

    const server = new SMTPServer({
      name: options.name,
      size: maxBytes,
      rejectOversized: true,
      maxClients: options.maxClients ?? 100,
      socketTimeout: options.socketTimeoutMillis ?? 60_000,
      closeTimeout: options.closeTimeoutMillis ?? 5_000,
      authOptional: true,
      disabledCommands: tls === undefined ? ["AUTH", "STARTTLS"] : ["AUTH"],
      hideSTARTTLS: tls === undefined,
      disableReverseLookup: true,
      logger: false,
      ...(tls === undefined
        ? {}
        : { key: tls.key, cert: tls.cert, ...(tls.ca === undefined ? {} : { ca: tls.ca as Array<string> }) }),
      secure: tls?.implicit === true,
      onMailFrom: (_address, session, callback) =>
        tls?.required === true && !session.secure
          ? callback(smtpError(530, "Must issue a STARTTLS command first"))
          : callback(),
      onRcptTo: (address, session, callback) => {
        const workspaceId = resolve(options.route, address.address)
        if (workspaceId === undefined) return callback(smtpError(550, `<${address.address}>: no such recipient here`))
        const current = sessionWorkspace(options.route, session)
        if (current !== undefined && current !== workspaceId) {
          return callback(smtpError(452, "Too many recipients: send to this one in another transaction"))
        }
        callback()
      },
      onData
    })
    // smtp-server reports client errors (a reset connection) as server events; without a listener
    // Node would end the process on the first one.
    server.on("error", (error) => {
      run(Effect.logDebug("smtp connection error", error))
    })

    const listener = yield* Effect.acquireRelease(
      Effect.callback<Listener, ListenFailed>((resume) => {
        const failed = (error: Error) =>
          resume(Effect.fail(new ListenFailed({ host, port, reason: error.message, cause: error })))
        server.server.once("error", failed)
        server.listen(port, host, () => {
          server.server.off("error", failed)
          const address = server.server.address()
          resume(Effect.succeed({ host, port: typeof address === "object" && address !== null ? address.port : port }))
        })
      }),
      () => Effect.callback<void>((resume) => server.close(() => resume(Effect.void)))
    )
    return listener
  })

/**
 * A listener started through the Promise facade, with the way to stop it.
 *
 * @category models
 * @since 0.1.0
 */
export interface RunningListener extends Listener {
  /** Stops accepting mail, interrupts handlers still running (their senders get 451) and closes. */
  readonly close: () => Promise<void>
}

/**
 * The Promise facade of `make`: starts the listener and resolves once it listens; rejects with
 * `ListenFailed` when it cannot. A handler's rejection is read as `make` reads a failure.
 *
 * @example
 * ```ts
 * const mail = await createIntake({ secrets, own, helpdesk, attachments })
 * const smtp = await SmtpSource.listen({ port: 2525, route: { "acme.test": "acme" } }, mail.handler)
 * await smtp.close()
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const listen = async (options: Options, handler: PromiseHandler): Promise<RunningListener> => {
  const scope = await Effect.runPromise(Scope.make())
  const exit = await Effect.runPromiseExit(
    make(options, (raw: Readable, envelope) =>
      Effect.tryPromise({ try: () => handler(raw, envelope), catch: (e) => e })
    ).pipe(Scope.provide(scope))
  )
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    return Promise.reject(exit.cause.reasons.find(Cause.isFailReason)?.error ?? new Error("SMTP listener failed"))
  }
  return { ...exit.value, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
