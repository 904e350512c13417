/**
 * End to end on loopback, the second "Done when" for email: Jane's mail is taken in by
 * `@tessera/email`, the help desk asks for an acknowledgement, `prepare` and the SMTP sender send
 * it to a real SMTP listener, where it arrives once, threaded on her mail and carrying the signed
 * reply address; her answer to it, parsed and routed by `@tessera/email`, lands on the same ticket.
 */
import { Helpdesk, Outbox } from "@tessera/core"
import { Intake, Parse, Receive, Signature, Threading } from "@tessera/email"
import { DateTime, Effect, Layer, Option } from "effect"
import { simpleParser } from "mailparser"
import nodemailer, { type SendMailOptions } from "nodemailer"
import { describe, expect, it } from "vitest"
import * as EmailPrepare from "../src/EmailPrepare.js"
import * as SmtpSender from "../src/SmtpSender.js"
import { keys, layer, mailbox, options, workspaceId } from "./support/desk.js"
import { sink, smtpTo } from "./support/smtp.js"

const own = { addresses: [mailbox], messageIdDomains: ["mail.acme.test"] }
const services = Receive.layer({ keys, own }).pipe(Layer.provideMerge(layer("2026-12-04T18:30:00Z")))

const stream = nodemailer.createTransport({ streamTransport: true, buffer: true })
const rawMail = (message: SendMailOptions) =>
  Effect.promise(async () => (await stream.sendMail(message)).message as unknown as Buffer)

/** Parses and takes in one raw mail, as an SMTP source's handler does. */
const takeIn = (raw: Buffer) =>
  Effect.gen(function* () {
    const message = yield* Parse.parseInbound(raw, { workspaceId, deliveredTo: [mailbox] })
    return { message, result: yield* Intake.intake(message) }
  })

describe("email out, end to end on loopback", () => {
  it("a new ticket's acknowledgement arrives once, threaded and signed; the answer to it lands on the same ticket", async () => {
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const smtp = yield* sink
          const sender = yield* SmtpSender.make({ smtp: smtpTo(smtp.port) })
          const prepare = yield* EmailPrepare.make(options())
          const outbox = yield* Outbox.Outbox
          const desk = yield* Helpdesk.Helpdesk

          // 1. Jane writes to support: a ticket opens, and its acknowledgement waits in the outbox.
          const first = yield* takeIn(
            yield* rawMail({
              from: "Jane Sharpe <jane.sharpe@example.com>",
              to: mailbox,
              subject: "Printer on fire",
              messageId: "<first@example.com>",
              text: "The printer on the third floor is on fire."
            })
          )
          if (first.result.outcome._tag !== "Opened") throw new Error(`not opened: ${first.result.outcome._tag}`)
          const ticket = first.result.outcome.ticket

          // 2. The outbox is drained: prepared, sent, completed; a second drain finds nothing.
          const drain = Effect.gen(function* () {
            const claimed = yield* outbox.claim("notification", yield* DateTime.now, 10, 60_000)
            for (const message of claimed) {
              for (const delivery of yield* prepare(message)) yield* sender.send(delivery)
              yield* outbox.complete(message.id)
            }
            return claimed.length
          })
          expect(yield* drain).toBe(1)
          expect(yield* drain).toBe(0)
          expect(smtp.received).toHaveLength(1)
          const received = smtp.received[0]
          if (received === undefined) throw new Error("nothing received")
          expect(received.to).toEqual(["jane.sharpe@example.com"])
          const ack = yield* Effect.promise(() => simpleParser(received.raw))

          // 3. Threaded on her mail, signed, marked as an automatic answer, without her text.
          expect(ack.inReplyTo).toBe("<first@example.com>")
          expect(ack.references).toBe("<first@example.com>")
          const replyTo = Signature.replyAddress(keys, { workspaceId, publicId: ticket.publicId, mailbox })
          expect(ack.replyTo?.value[0]?.address).toBe(replyTo)
          const token = Option.getOrThrow(Signature.parse((ack.messageId ?? "").replace(/^<|>$/g, "")))
          expect(token.publicId).toBe(ticket.publicId)
          expect(Signature.verify(keys, workspaceId, token)).toBe(true)
          expect(ack.headers.get("auto-submitted")).toBe("auto-replied")
          expect(ack.headers.get("x-auto-response-suppress")).toBe("All")
          expect(ack.subject).toBe(`[#${ticket.publicId}] Printer on fire`)
          // Normal priority: 8 business hours from Friday evening are Monday 09:00-12:00, 14:00-18:00 and Tuesday 09:00-10:00.
          expect(ack.text).toContain("we will answer within 8 business hours, by Tuesday 10:00.")
          expect(ack.text).not.toContain("third floor")

          // 4. Jane answers the acknowledgement from her mail client: it lands on the same ticket.
          const answer = yield* rawMail({
            from: "Jane Sharpe <jane.sharpe@example.com>",
            to: ack.replyTo?.text ?? "",
            subject: `Re: ${ack.subject}`,
            messageId: "<second@example.com>",
            inReplyTo: ack.messageId ?? "",
            references: [ack.references, ack.messageId].flat().filter((x): x is string => typeof x === "string"),
            text: "It is out now, thanks."
          })
          const parsed = yield* Parse.parseInbound(answer, { workspaceId, deliveredTo: [replyTo] })
          const route = yield* Threading.route(parsed, {
            workspaceId,
            keys,
            sender: yield* desk.findContactByEmail("jane.sharpe@example.com"),
            onRefused: "hold",
            lookup: {
              byNumber: (publicId) => Effect.option(desk.asSystem("test").get(publicId)),
              byEmailId: (id) => desk.asSystem("test").findByEmailId(id)
            }
          })
          const second = yield* Intake.intake(parsed)
          const after = yield* desk.asSystem("test").get(ticket.id)
          return { ticket, route, second, after }
        })
      ).pipe(Effect.provide(services))
    )
    expect(outcome.route._tag).toBe("Join")
    expect(outcome.route._tag === "Join" && outcome.route.trust).toBe("signed")
    expect(outcome.route._tag === "Join" && outcome.route.ticket.id).toBe(outcome.ticket.id)
    const second = outcome.second
    expect(second.outcome._tag).toBe("Replied")
    expect("ticket" in second.outcome && second.outcome.ticket.id).toBe(outcome.ticket.id)
    expect(outcome.after.messages.map((m) => m.text)).toEqual([
      "The printer on the third floor is on fire.",
      "It is out now, thanks."
    ])
    console.log(`acknowledgements received: 1; answer routed by ${second.outcome._tag} to #${outcome.ticket.publicId}`)
  })
})
