/**
 * One outgoing mail, as data and as nodemailer message options. `Body` is what an email
 * `Delivery` carries (prepared once, the same on every attempt); `compose` checks it and builds
 * the options, making sure nothing a customer typed (a name, a subject) can add a header or a
 * recipient: addresses must be plain, values lose their line breaks, and a subject holding an
 * encoded word is encoded whole so a reader decodes it once, to the literal text.
 */
import { Directory } from "@tessera/core"
import { Effect, Schema } from "effect"
import type { SendMailOptions } from "nodemailer"
import { type Delivery, DeliveryFailed } from "./Notification.js"
import { headerSafe } from "./Template.js"

const Mailbox = Schema.Struct({ address: Schema.String, name: Schema.optionalKey(Schema.String) })
/** @category models @since 0.1.0 */
export type Mailbox = typeof Mailbox.Type

/**
 * How a mail marks itself for other systems (RFC 3834): `auto-generated` (an update, a survey),
 * `auto-replied` (an acknowledgement answering the customer's own mail), or `no` (an agent wrote
 * it).
 *
 * @category models
 * @since 0.1.0
 */
export const AutoSubmitted = Schema.Literals(["auto-generated", "auto-replied", "no"])
/** @category models @since 0.1.0 */
export type AutoSubmitted = typeof AutoSubmitted.Type

/**
 * The body of an email delivery: everything the mail says, threading ids without angle brackets.
 *
 * @category models
 * @since 0.1.0
 */
export const Body = Schema.Struct({
  from: Mailbox,
  to: Mailbox,
  /** The signed reply address (`support+t<number>.<mac>@domain`). */
  replyTo: Schema.String,
  subject: Schema.String,
  text: Schema.String,
  html: Schema.String,
  /** The signed Message-ID (`Signature.messageId`). */
  messageId: Schema.String,
  inReplyTo: Schema.optionalKey(Schema.String),
  references: Schema.Array(Schema.String),
  autoSubmitted: AutoSubmitted
})
/** @category models @since 0.1.0 */
export type Body = typeof Body.Type

/**
 * The header carrying the delivery's idempotency key, so a receiver can drop a repeat.
 *
 * @category models
 * @since 0.1.0
 */
export const deliveryHeader = "X-Tessera-Delivery"

const decodeBody = Schema.decodeUnknownExit(Body)
const isAddress = Schema.is(Directory.Email)
// A Message-ID: no spaces, brackets or controls, one `@`.
const idPattern = /^[^\s<>@]+@[^\s<>@]+$/

/** A value a header can carry: one line, no encoded word left to decode. */
const encodeIfTricky = (value: string): string => {
  const line = headerSafe(value)
  if (!line.includes("=?")) return line
  // Encoded whole (RFC 2047 B words of at most 45 bytes): a reader decodes it once, to the text itself.
  const words: Array<string> = []
  let current = ""
  for (const ch of line) {
    if (Buffer.byteLength(current + ch) > 45) {
      words.push(current)
      current = ""
    }
    current += ch
  }
  words.push(current)
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, "utf8").toString("base64")}?=`).join(" ")
}

/** A display name: one line, no encoded-word opener (a quoted name is never decoded, but some readers do). */
const safeName = (name: string): string => headerSafe(name).replace(/=\?/g, "= ?")

const refuse = (reason: string) => new DeliveryFailed({ channel: "email", reason, retryable: false })

const mailbox = (role: string, box: Mailbox): Effect.Effect<{ name: string; address: string }, DeliveryFailed> =>
  isAddress(box.address.trim())
    ? Effect.succeed({ name: safeName(box.name ?? ""), address: box.address.trim() })
    : Effect.fail(refuse(`${role} is not a plain email address: ${JSON.stringify(box.address.slice(0, 100))}`))

const messageIdOf = (role: string, id: string): Effect.Effect<string, DeliveryFailed> => {
  const bare = id.trim().replace(/^<|>$/g, "")
  return idPattern.test(bare) ? Effect.succeed(`<${bare}>`) : Effect.fail(refuse(`${role} is not a Message-ID`))
}

/**
 * The nodemailer options of an email delivery: decodes and checks its body (a bad address or
 * Message-ID fails with a `DeliveryFailed` no retry can help), sets From, To, Reply-To, Subject,
 * both parts, the threading headers, `Auto-Submitted` and `X-Auto-Response-Suppress: All` on
 * automatic mail, and the delivery key in `X-Tessera-Delivery`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compose = (delivery: Delivery): Effect.Effect<SendMailOptions, DeliveryFailed> =>
  Effect.gen(function* () {
    const decoded = decodeBody(delivery.body)
    if (decoded._tag === "Failure") return yield* refuse("the delivery's body is not an email body")
    const body = decoded.value
    const from = yield* mailbox("From", body.from)
    const to = yield* mailbox("To", body.to)
    const replyTo = yield* mailbox("Reply-To", { address: body.replyTo })
    const messageId = yield* messageIdOf("Message-ID", body.messageId)
    const inReplyTo = body.inReplyTo === undefined ? undefined : yield* messageIdOf("In-Reply-To", body.inReplyTo)
    const references = yield* Effect.forEach(body.references, (r) => messageIdOf("References", r))
    const headers: Record<string, string> = { [deliveryHeader]: headerSafe(delivery.key) }
    if (body.autoSubmitted !== "no") {
      headers["Auto-Submitted"] = body.autoSubmitted
      headers["X-Auto-Response-Suppress"] = "All"
    }
    return {
      from,
      to: [to],
      replyTo: replyTo.address,
      subject: encodeIfTricky(body.subject),
      text: body.text,
      html: body.html,
      messageId,
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
      ...(references.length === 0 ? {} : { references }),
      headers,
      // The envelope is ours, not derived from headers someone could have bent.
      envelope: { from: from.address, to: [to.address] }
    } satisfies SendMailOptions
  })
