/**
 * Deliveries for the mail tests, and the raw message nodemailer would send for one, parsed back
 * with mailparser as a receiving client would read it.
 */
import { Effect } from "effect"
import { type ParsedMail, simpleParser } from "mailparser"
import nodemailer, { type SendMailOptions } from "nodemailer"
import * as MailOut from "../../src/MailOut.js"
import type { Delivery } from "../../src/Notification.js"
import { customer } from "./fixtures.js"

export const emailBody = (overrides: Partial<MailOut.Body> = {}): MailOut.Body => ({
  from: { address: "support@acme.test", name: "Acme Support" },
  to: { address: "jane@example.com", name: "Jane Sharpe" },
  replyTo: "support+t1042.abcdefghijklmnop@acme.test",
  subject: "[#1042] Printer on fire",
  text: "Hello",
  html: "<p>Hello</p>",
  messageId: "t1042.abcdefghijklmnop.notification_tkt_1_3-abc@mail.acme.test",
  inReplyTo: "first@example.com",
  references: ["first@example.com"],
  autoSubmitted: "auto-replied",
  ...overrides
})

export const delivery = (body: unknown, key = "notification:tkt_1:3/jane@example.com"): Delivery => ({
  key,
  outboxId: "notification:tkt_1:3",
  channel: "email",
  template: "acknowledgement",
  workspaceId: "acme" as never,
  ticketId: "tkt_1" as never,
  publicId: 1042,
  recipient: customer(),
  body
})

const stream = nodemailer.createTransport({ streamTransport: true, buffer: true })

/** The raw message of a delivery, its envelope, and the message parsed back. */
export const rawOf = (d: Delivery) =>
  Effect.gen(function* () {
    const options = yield* MailOut.compose(d)
    const info = yield* Effect.promise(() => stream.sendMail(options))
    const raw = (info as unknown as { message: Buffer }).message.toString("utf8")
    const parsed: ParsedMail = yield* Effect.promise(() => simpleParser(raw))
    return { raw, parsed, envelope: info.envelope }
  })

/** Every address a parsed mail names in its address headers. */
export const addressesOf = (parsed: ParsedMail) =>
  (["to", "cc", "bcc", "from", "replyTo"] as const).flatMap((h) => {
    const v = parsed[h]
    const list = v === undefined ? [] : Array.isArray(v) ? v : [v]
    return list.flatMap((a) => a.value.map((x) => `${h}:${x.address}`))
  })

/** A real transporter that builds every message and keeps it, sending nothing. */
export const capture = () => {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true })
  const sent: Array<Buffer> = []
  const send = transporter.sendMail.bind(transporter)
  transporter.sendMail = (async (message: SendMailOptions) => {
    const info = await send(message)
    sent.push(info.message as Buffer)
    return info
  }) as typeof transporter.sendMail
  return { transporter, sent }
}
