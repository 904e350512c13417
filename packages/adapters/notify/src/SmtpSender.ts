/**
 * The email `Sender`: sends each delivery's mail (`MailOut.compose`) over SMTP with nodemailer,
 * through one pooled transport that closes with its scope, and says whether a failure is worth
 * another attempt: a 4xx reply or a connection that failed is, a 5xx reply is not. Which
 * deliveries to send, and when to try again, is the outbox worker's business.
 */
import { Effect, type Scope } from "effect"
import nodemailer, { type SendMailOptions, type Transporter } from "nodemailer"
import type SMTPPool from "nodemailer/lib/smtp-pool"
import * as MailOut from "./MailOut.js"
import { type Delivery, DeliveryFailed, type Receipt, type Sender } from "./Notification.js"

/**
 * Where to send: SMTP pool options (host, port, auth, TLS, pool size), or a transporter the
 * application built and closes itself.
 *
 * @category models
 * @since 0.1.0
 */
export type Options = { readonly smtp: SMTPPool.Options } | { readonly transporter: Transporter }

/**
 * The email sender, and its transport for whoever needs more (verify, events).
 *
 * @category models
 * @since 0.1.0
 */
export interface SmtpSender extends Sender {
  readonly transporter: Transporter
}

const channel = "email"

/** What an SMTP failure means for another attempt. */
const classify = (error: unknown): DeliveryFailed => {
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    readonly responseCode?: unknown
    readonly code?: unknown
    readonly message?: unknown
    readonly response?: unknown
  }
  const text = String(e.response ?? e.message ?? error).slice(0, 500)
  if (typeof e.responseCode === "number") {
    // 4xx: the server may take it later (greylisting, a full mailbox); 5xx: it never will.
    return new DeliveryFailed({
      channel,
      reason: `SMTP ${e.responseCode}: ${text}`,
      retryable: e.responseCode < 500
    })
  }
  // A message nodemailer cannot build stays unbuildable; every other failure is the connection's.
  const permanent = e.code === "EENVELOPE" || e.code === "EMESSAGE"
  return new DeliveryFailed({ channel, reason: `${String(e.code ?? "SMTP")}: ${text}`, retryable: !permanent })
}

/**
 * Sends one composed message; a recipient the server refused is a failure of its own.
 *
 * @category combinators
 * @since 0.1.0
 */
export const sendWith = (transporter: Transporter, delivery: Delivery): Effect.Effect<Receipt, DeliveryFailed> =>
  Effect.gen(function* () {
    const message: SendMailOptions = yield* MailOut.compose(delivery)
    const info = yield* Effect.tryPromise({ try: () => transporter.sendMail(message), catch: classify })
    const rejected = (info as { readonly rejected?: ReadonlyArray<unknown> }).rejected ?? []
    if (rejected.length > 0) {
      return yield* new DeliveryFailed({
        channel,
        reason: `recipient refused: ${String(rejected[0])}`,
        retryable: false
      })
    }
    const response = (info as { readonly response?: unknown }).response
    return typeof response === "string" ? { acceptedBy: response } : {}
  })

/**
 * An email sender over SMTP. With `smtp` options it opens one pooled transport, closed when the
 * scope closes; a given `transporter` is used as it is and left open.
 *
 * @example
 * const sender = yield* SmtpSender.make({ smtp: { host: "127.0.0.1", port: 2525, secure: false } })
 * yield* sender.send(delivery)
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<SmtpSender, never, Scope.Scope> =>
  Effect.gen(function* () {
    const transporter =
      "transporter" in options
        ? options.transporter
        : yield* Effect.acquireRelease(
            Effect.sync(() => nodemailer.createTransport({ ...options.smtp, pool: true })),
            (t) => Effect.sync(() => t.close())
          )
    return {
      channel,
      transporter,
      send: (delivery: Delivery) => sendWith(transporter, delivery)
    }
  })
