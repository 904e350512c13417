import { Actor, Helpdesk, Outbox, type TicketEvent } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import * as EmailPrepare from "../src/EmailPrepare.js"
import type * as MailOut from "../src/MailOut.js"
import type { Delivery } from "../src/Notification.js"
import { claimAll, keys, layer, mailbox, options, people, workspaceId } from "./support/desk.js"

const fridayEvening = "2026-12-04T18:30:00Z"
const body = (d: Delivery | undefined) => d?.body as MailOut.Body

/** Opens Jane's ticket by email and prepares every notification waiting, by outbox id. */
const scenario = <A>(
  then: (input: {
    readonly desk: Helpdesk.Service
    readonly ticketId: string
    readonly prepareAll: (
      o?: EmailPrepare.Options
    ) => Effect.Effect<
      ReadonlyArray<{ message: Outbox.ClaimedMessage; deliveries: ReadonlyArray<Delivery> }>,
      unknown,
      never
    >
  }) => Effect.Effect<A, unknown, never>,
  open: Partial<Parameters<Helpdesk.Service["open"]>[0]> = {}
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* people
      const desk = yield* Helpdesk.Helpdesk
      const input = {
        requester: { id: "con_jane" },
        subject: "Printer on fire",
        text: "BUY CHEAP PILLS at spam.example",
        channel: "email",
        priority: "high",
        email: { messageId: "<first@example.com>", references: [] },
        ...open
      } as const
      const ticket = yield* desk.open(
        Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Parameters<
          Helpdesk.Service["open"]
        >[0]
      )
      const prepare = yield* EmailPrepare.make(options())
      const context = yield* Effect.context<never>()
      const prepareAll = (o?: EmailPrepare.Options) =>
        Effect.gen(function* () {
          const messages = yield* claimAll
          const run = o === undefined ? prepare : yield* EmailPrepare.make(o)
          const outbox = yield* Outbox.Outbox
          return yield* Effect.forEach(messages, (message) =>
            Effect.map(
              Effect.tap(run(message), () => outbox.complete(message.id)),
              (deliveries) => ({
                message,
                deliveries
              })
            )
          )
        })
      return yield* then({
        desk,
        ticketId: ticket.id,
        prepareAll: (o) => prepareAll(o).pipe(Effect.provide(context)) as never
      })
    }).pipe(Effect.provide(layer(fridayEvening))) as Effect.Effect<A, unknown, never>
  )

describe("EmailPrepare.prepare", () => {
  it("acknowledges a new ticket: signed, threaded on the customer's mail, auto-replied, body not echoed to an unverified address", async () => {
    const [ack] = await scenario(({ prepareAll }) => prepareAll())
    expect(ack?.message.id).toMatch(/^notification:tkt_\d+:\d+$/)
    const [delivery] = ack?.deliveries ?? []
    expect(ack?.deliveries).toHaveLength(1)
    expect(delivery?.key).toBe(`${ack?.message.id}/jane@example.com`)
    expect(delivery?.recipient).toMatchObject({ audience: "customer", verified: false, contact: "con_jane" })
    const mail = body(delivery)
    expect(mail.to).toEqual({ address: "jane@example.com", name: "Jane Sharpe" })
    expect(mail.from).toEqual({ address: mailbox, name: "Acme Support" })
    expect(mail.replyTo).toBe(Signature.replyAddress(keys, { workspaceId, publicId: delivery?.publicId ?? 0, mailbox }))
    const parsed = Option.getOrThrow(Signature.parse(mail.messageId))
    expect(parsed.publicId).toBe(delivery?.publicId)
    expect(Signature.verify(keys, workspaceId, parsed)).toBe(true)
    expect(mail.messageId).toMatch(/@mail\.acme\.test$/)
    expect(mail.inReplyTo).toBe("first@example.com")
    expect(mail.references).toEqual(["first@example.com"])
    expect(mail.autoSubmitted).toBe("auto-replied")
    expect(mail.subject).toBe(`[#${delivery?.publicId}] Printer on fire`)
    expect(mail.text).toContain("we will answer within 4 business hours, by Monday 15:00")
    for (const part of [mail.text, mail.html]) expect(part).not.toContain("PILLS")
  })

  it("writes to a verified requester in their language and time zone, and echoes their message", async () => {
    const [ack] = await scenario(({ prepareAll }) =>
      prepareAll(
        options({
          recipients: {
            verifiedContacts: new Set(["con_jane"]),
            localeOf: () => ({ language: "fr-FR", timeZone: "America/Montreal" })
          }
        })
      )
    )
    const mail = body(ack?.deliveries[0])
    expect(mail.text).toContain("nous vous répondrons sous 4 heures ouvrées, d'ici lundi 09:00")
    expect(mail.text).toContain("BUY CHEAP PILLS")
  })

  it("an agent's reply goes to the requester and followers, on the thread of the customer's mail and the acknowledgement", async () => {
    const result = await scenario(({ desk, ticketId, prepareAll }) =>
      Effect.gen(function* () {
        const [ack] = yield* prepareAll()
        yield* desk.addFollower({
          ticket: ticketId,
          by: Actor.agent("agt_mary"),
          follower: Actor.contact("con_bob")
        } as never)
        yield* desk.note({
          ticket: ticketId,
          by: Actor.agent("agt_mary"),
          text: "@tom the toner is recalled, SECRET-7"
        })
        yield* desk.reply({ ticket: ticketId, by: Actor.agent("agt_mary"), text: "A technician is on the way." })
        return { ack, later: yield* prepareAll() }
      })
    )
    const ackId = body(result.ack?.deliveries[0]).messageId
    const [mention, reply] = result.later
    expect(mention?.deliveries.map((d) => `${d.recipient.audience}:${d.recipient.address}`)).toEqual([
      "agent:tom@acme.test"
    ])
    expect(body(mention?.deliveries[0]).text).toContain("SECRET-7")
    expect(body(mention?.deliveries[0]).autoSubmitted).toBe("auto-generated")
    expect(reply?.deliveries.map((d) => d.recipient.address)).toEqual(["jane@example.com", "bob@example.com"])
    const toJane = body(reply?.deliveries[0])
    expect(toJane.text).toContain("A technician is on the way.")
    expect(toJane.text).toContain("Mary Major")
    expect(`${toJane.subject}${toJane.text}${toJane.html}`).not.toContain("SECRET-7")
    expect(toJane.autoSubmitted).toBe("no")
    expect(toJane.references).toEqual(["first@example.com", ackId])
    expect(toJane.inReplyTo).toBe(ackId)
    expect(toJane.messageId).not.toBe(body(reply?.deliveries[1]).messageId)
  })

  it("prepares the same deliveries on every attempt, even after the ticket moved on", async () => {
    const [first, again] = (await scenario(
      ({ desk, ticketId, prepareAll }) =>
        Effect.gen(function* () {
          const [ack] = yield* prepareAll()
          if (ack === undefined) throw new Error("no acknowledgement queued")
          yield* desk.reply({ ticket: ticketId, by: Actor.agent("agt_mary"), text: "Later news" })
          yield* desk.note({ ticket: ticketId, by: Actor.agent("agt_mary"), text: "Later note" })
          return [ack.deliveries, yield* EmailPrepare.prepare(options(), ack.message)] as const
        }) as never
    )) as readonly [ReadonlyArray<Delivery>, ReadonlyArray<Delivery>]
    expect(first).toHaveLength(1)
    expect(again).toEqual(first)
  })

  it("refuses for good a template nobody knows and a payload that is none", async () => {
    const errors = await scenario(
      ({ prepareAll }) =>
        Effect.gen(function* () {
          const [ack] = yield* prepareAll()
          if (ack === undefined) throw new Error("no acknowledgement queued")
          const prepare = EmailPrepare.prepare(options(), {
            ...ack.message,
            payload: { ...(ack.message.payload as object), template: "nope" }
          })
          const garbage = EmailPrepare.prepare(options(), { ...ack.message, payload: "garbage" })
          return [yield* Effect.flip(prepare), yield* Effect.flip(garbage)]
        }) as never
    )
    for (const e of errors as ReadonlyArray<{ _tag: string; retryable: boolean }>) {
      expect(e._tag).toBe("DeliveryFailed")
      expect(e.retryable).toBe(false)
    }
  })

  it("a ticket opened on the web is acknowledged as auto-generated, not as an answer to a mail", async () => {
    const [ack] = await scenario(({ prepareAll }) => prepareAll(), { channel: "web", email: undefined } as never)
    const mail = body(ack?.deliveries[0])
    expect(mail.autoSubmitted).toBe("auto-generated")
    expect(mail.inReplyTo).toBeUndefined()
    expect(mail.references).toEqual([])
  })

  it("a survey carries the link the application signs for the recipient, and is refused for good without one", async () => {
    const result = await scenario(
      ({ desk, ticketId, prepareAll }) =>
        Effect.gen(function* () {
          yield* prepareAll()
          yield* desk.changeStatus({ ticket: ticketId, by: Actor.agent("agt_mary"), status: "solved" })
          const [survey] = yield* prepareAll(
            options({
              surveyUrl: ({ recipient, outboxId }) =>
                Effect.succeed(`https://acme.test/survey?to=${recipient.address}&n=${outboxId}&x="<b>"`)
            })
          )
          if (survey === undefined) throw new Error("no survey queued")
          return { survey, refused: yield* Effect.flip(EmailPrepare.prepare(options(), survey.message)) }
        }) as never
    )
    const { survey, refused } = result as {
      survey: { message: Outbox.ClaimedMessage; deliveries: ReadonlyArray<Delivery> }
      refused: { _tag: string; retryable: boolean }
    }
    const mail = body(survey.deliveries[0])
    expect(survey.deliveries[0]?.template).toBe("survey")
    expect(mail.text).toContain(`https://acme.test/survey?to=jane@example.com&n=${survey.message.id}&x="<b>"`)
    expect(mail.html).toContain(
      `href="https://acme.test/survey?to=jane@example.com&amp;n=${survey.message.id}&amp;x=&quot;&lt;b&gt;&quot;"`
    )
    expect(mail.autoSubmitted).toBe("auto-generated")
    expect(refused).toMatchObject({ _tag: "DeliveryFailed", retryable: false })
  })

  it("a first-reply warning sends the customer a 'still on it' with the due time, and the assignee a warning", async () => {
    const later = await scenario(
      ({ desk, ticketId, prepareAll }) =>
        Effect.gen(function* () {
          yield* prepareAll()
          yield* desk.assign({ ticket: ticketId, by: Actor.agent("agt_tom"), assignee: "agt_mary" })
          yield* prepareAll()
          // Monday 12:30 in Paris: 3 of the 4 business hours have run, past the 75% warning.
          yield* TestClock.setTime(Date.parse("2026-12-07T11:30:00Z"))
          yield* desk.runDueTimers()
          return yield* prepareAll()
        }) as never
    )
    const [update, warning] = later as ReadonlyArray<{ deliveries: ReadonlyArray<Delivery> }>
    const toJane = body(update?.deliveries[0])
    expect(update?.deliveries[0]?.template).toBe("still_on_it")
    expect(toJane.text).toContain("will get back to you by Monday 15:00.")
    expect(toJane.autoSubmitted).toBe("auto-generated")
    const toMary = body(warning?.deliveries[0])
    expect(warning?.deliveries[0]?.recipient.address).toBe("mary@acme.test")
    expect(toMary.text).toContain("The first_reply target of ticket")
    expect(toMary.text).toContain("is due Monday 15:00.")
  })
})

describe("EmailPrepare.causeOf", () => {
  const at = (iso: string) => ({ epochMilliseconds: Date.parse(iso) })
  const log = [
    { _tag: "TicketOpened", at: at("2026-12-04T18:30:00Z") },
    { _tag: "ReplyAdded", at: at("2026-12-04T18:40:00Z") },
    { _tag: "StatusChanged", at: at("2026-12-04T18:40:00Z") },
    { _tag: "NotificationRequested", at: at("2026-12-04T18:40:00Z") },
    { _tag: "NotificationRequested", at: at("2026-12-04T18:40:00Z") }
  ] as unknown as ReadonlyArray<TicketEvent.TicketEvent>

  it("names the events the request's cause gives, by version, and none outside the log", () => {
    expect(EmailPrepare.causeOf(log, 5, [2, 3]).map((e) => e._tag)).toEqual(["ReplyAdded", "StatusChanged"])
    expect(EmailPrepare.causeOf(log, 5, [0, 3, 6, -1])).toEqual([log[2]])
    expect(EmailPrepare.causeOf(log, 5, [])).toEqual([])
  })

  it("without a cause, takes the events of the request's unit of work before it, other requests left out", () => {
    expect(EmailPrepare.causeOf(log, 5).map((e) => e._tag)).toEqual(["ReplyAdded", "StatusChanged"])
    expect(EmailPrepare.causeOf(log, 1)).toEqual([])
    expect(EmailPrepare.causeOf(log, 9)).toEqual([])
  })
})
