/**
 * The whole path, against real servers on loopback: Jane's mail is taken in through
 * `@tessera/email`, the help desk's default notifications (`NotifyTriggers.rules`) and a webhook
 * rule ask for mail and webhooks, and the notifier (`Notifier.make`) delivers them to an SMTP
 * listener (smtp-server) and an HTTP receiver (node:http, 127.0.0.1 allowed explicitly) that
 * verifies every signature with `WebhookVerify`. Jane's answer to the acknowledgement, taken in
 * again, lands on her ticket; the agent's reply reaches her on the same thread.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, Helpdesk, MemoryHelpdesk, TicketCommand, type Triggers } from "@tessera/core"
import { intake, parseInbound, Receive, Signature } from "@tessera/email"
import { Effect, Layer, Option } from "effect"
import { type ParsedMail, simpleParser } from "mailparser"
import * as Notifier from "../src/Notifier.js"
import * as NotifyTriggers from "../src/NotifyTriggers.js"
import { startReceiver } from "./support/receiver.js"
import { sink, smtpTo } from "./support/smtp.js"

const keys = Effect.runSync(Signature.keys(["end-to-end-signing-key-0123456789abcdef"]))
const own = { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] }
const secret = "crm-webhook-secret-0123456789abcdef"

/** Every unit of work that opens a ticket or adds a reply is told to the CRM. */
const toCrm: Triggers.TriggerRule<Helpdesk.HelpdeskError> = {
  rule: { id: "crm", version: 1 },
  fire: (ctx) =>
    Effect.succeed(
      ctx.pass === 1 && ctx.events.some((e) => e._tag === "TicketOpened" || e._tag === "ReplyAdded")
        ? [new TicketCommand.Notify({ ticketId: ctx.current.id, template: "ticket_changed", to: ["webhook:crm"] })]
        : []
    )
}

const layer = Receive.layer({ keys, own }).pipe(
  Layer.provideMerge(
    MemoryHelpdesk.layer(
      { workspaceId: "acme" },
      { ids: "sequential", firstPublicId: 4100, triggers: { rules: [toCrm, ...NotifyTriggers.rules()] } }
    )
  )
)

const mail = (headers: ReadonlyArray<string>, text: string) =>
  new TextEncoder().encode(
    [...headers, "Date: Mon, 07 Dec 2026 09:15:00 +0100", "Content-Type: text/plain; charset=utf-8", "", text, ""].join(
      "\r\n"
    )
  )

const takeIn = (bytes: Uint8Array) => Effect.flatMap(parseInbound(bytes), (message) => intake(message))
const addresses = (m: ParsedMail) =>
  (Array.isArray(m.to) ? m.to : m.to === undefined ? [] : [m.to]).flatMap((a) => a.value.map((v) => v.address))
const header = (m: ParsedMail, name: string) => {
  const value = m.headers.get(name)
  return typeof value === "string" ? value : value === undefined ? undefined : JSON.stringify(value)
}
const bracketed = (id: string | undefined) => (id === undefined ? "" : id.startsWith("<") ? id : `<${id}>`)

describe("notifications end to end", () => {
  it.live(
    "acknowledgement once and threaded, the answer on the same ticket, the reply on the same thread, every webhook verified",
    () =>
      Effect.gen(function* () {
        const smtp = yield* sink
        const receiver = yield* Effect.acquireRelease(
          Effect.promise(() => startReceiver([secret])),
          (r) => Effect.promise(() => r.close())
        )
        const desk = yield* Helpdesk.Helpdesk
        yield* desk.saveAgent({ id: "agt_mary", name: "Mary Major", email: "mary@acme.test" })
        const notifier = yield* Notifier.make({
          mail: { smtp: smtpTo(smtp.port) },
          from: { address: "support@acme.test", name: "Acme Support" },
          keys,
          email: { messageIdDomain: "mail.acme.test" },
          webhooks: { endpoints: { crm: { url: receiver.url("/hook"), secrets: [secret], allow: ["127.0.0.1"] } } },
          survey: { base: "https://help.acme.test/survey" }
        })
        const drain = Effect.gen(function* () {
          let total = 0
          for (;;) {
            const report = yield* notifier.drainOnce
            expect(report.deadLettered + report.retried).toBe(0)
            total += report.delivered
            if (report.claimed === 0) return total
          }
        })

        // Jane writes in.
        const janeId = "<jane-1@customer.test>"
        const opened = yield* takeIn(
          mail(
            [
              "From: Jane Sharpe <jane@customer.test>",
              "To: support@acme.test",
              "Subject: Charged twice",
              `Message-ID: ${janeId}`
            ],
            "I was charged twice for my subscription."
          )
        )
        expect(opened.outcome._tag).toBe("Opened")
        if (opened.outcome._tag !== "Opened") return
        const ticket = opened.outcome.ticket
        const firstDrain = yield* drain
        expect(firstDrain).toBe(2) // the acknowledgement and the CRM's webhook
        expect(yield* drain).toBe(0)

        const acks = (yield* Effect.promise(() => Promise.all(smtp.received.map((r) => simpleParser(r.raw))))).filter(
          (m) => addresses(m).includes("jane@customer.test")
        )
        expect(acks).toHaveLength(1)
        const ack = acks[0] as ParsedMail
        expect(header(ack, "in-reply-to")).toBe(janeId)
        expect(ack.references).toContain(janeId)
        const token = Signature.token(keys, "acme", ticket.publicId)
        expect(ack.messageId).toMatch(new RegExp(`^<${token.replace(".", "\\.")}\\.[^@]+@mail\\.acme\\.test>$`))
        const signedId = Signature.parse(ack.messageId?.slice(1) ?? "")
        expect(Option.isSome(signedId) && Signature.verify(keys, "acme", signedId.value)).toBe(true)
        const replyTo = ack.replyTo?.value[0]?.address
        expect(replyTo).toBe(`support+${token}@acme.test`)
        expect(header(ack, "auto-submitted")).toBe("auto-replied")
        // Not verified yet: her own words are not echoed back.
        expect(ack.text).not.toContain("charged twice for my subscription")

        // Jane answers the acknowledgement, from her mail client.
        const answered = yield* takeIn(
          mail(
            [
              "From: Jane Sharpe <jane@customer.test>",
              `To: ${replyTo}`,
              `Subject: Re: ${ack.subject}`,
              "Message-ID: <jane-2@customer.test>",
              `In-Reply-To: ${ack.messageId}`,
              `References: ${janeId} ${ack.messageId}`
            ],
            "It is invoice 2026-118, and the second charge was yesterday."
          )
        )
        expect(answered.outcome).toMatchObject({ _tag: "Replied", on: ticket.id })
        yield* drain

        // Mary answers; the reply reaches Jane on the same thread.
        const before = smtp.received.length
        yield* desk.reply({
          ticket: ticket.id,
          by: Actor.agent("agt_mary"),
          text: "Refunded: 12.00 EUR, back in 3 days."
        })
        yield* drain
        const later = yield* Effect.promise(() =>
          Promise.all(smtp.received.slice(before).map((r) => simpleParser(r.raw)))
        )
        const replies = later.filter((m) => addresses(m).includes("jane@customer.test"))
        expect(replies).toHaveLength(1)
        const reply = replies[0] as ParsedMail
        expect(reply.text).toContain("Refunded: 12.00 EUR")
        expect(header(reply, "in-reply-to")).toBe("<jane-2@customer.test>")
        expect(reply.references).toEqual(
          expect.arrayContaining([janeId, bracketed(ack.messageId), "<jane-2@customer.test>"])
        )
        expect(reply.messageId).toContain(token)
        expect(reply.replyTo?.value[0]?.address).toBe(replyTo)

        // Every webhook verified; a replayed and a tampered copy are refused.
        const hooks = receiver.received.filter((r) => r.path === "/hook")
        expect(hooks.length).toBe(3) // opened, Jane's answer, Mary's reply
        expect(hooks.every((h) => h.verdict?.ok === true)).toBe(true)
        const sample = hooks[0]
        if (sample === undefined) return
        const resend = (body: Buffer) => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(sample.headers))
            if (typeof v === "string" && !["host", "content-length", "connection"].includes(k)) headers[k] = v
          return Effect.promise(() =>
            fetch(receiver.url("/hook"), { method: "POST", headers, body: new Uint8Array(body) }).then((r) => ({
              status: r.status,
              refusal: r.headers.get("x-refusal")
            }))
          )
        }
        expect(yield* resend(sample.body)).toEqual({ status: 401, refusal: "Replayed" })
        const tampered = Buffer.from(
          sample.body.toString("utf8").replace(`"publicId":${ticket.publicId}`, '"publicId":1')
        )
        expect(tampered.equals(sample.body)).toBe(false)
        expect(yield* resend(tampered)).toEqual({ status: 401, refusal: "BadSignature" })

        // The ticket's history says what went out.
        const history = yield* desk.asSystem("test").history(ticket.id)
        const delivered = history.flatMap((e) =>
          e._tag === "NotificationDelivered" ? [`${e.template}/${e.channel}`] : []
        )
        expect(delivered).toEqual(
          expect.arrayContaining(["acknowledgement/email", "ticket_changed/webhook", "reply/email"])
        )
        const requested = history.filter((e) => e._tag === "NotificationRequested").length
        expect(history.filter((e) => e._tag === "NotificationFailed")).toHaveLength(0)
        console.log(
          `end to end: ${smtp.received.length} mails at the SMTP listener (${acks.length} acknowledgement, ${replies.length} reply to Jane), ` +
            `${hooks.length} webhooks verified, 2 forged copies refused, ${requested} notifications asked, ${delivered.length} recorded delivered`
        )
      }).pipe(Effect.scoped, Effect.provide(layer)),
    60_000
  )
})
