/**
 * The notifier assembled: default notifications (`NotifyTriggers.rules`) in a help desk in
 * memory, mail captured by a nodemailer stream transport (no network), outcomes recorded on the
 * ticket. Covers the seams between the parts: mentions reach the agents they name, the
 * `assigned` mail reads well without an `AssigneeChanged` in its cause, survey links carry a
 * token `SurveyToken.verify` accepts, and the two sides' `prepare` combine.
 */
import { describe, expect, it } from "@effect/vitest"
import { Actor, Helpdesk, MemoryHelpdesk, MemoryIntakeGuard, type Outbox, type Ticket } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Clock, DateTime, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import { simpleParser } from "mailparser"
import type { SendMailOptions, Transporter } from "nodemailer"
import { type Delivery, DeliveryFailed } from "../src/Notification.js"
import * as Notifier from "../src/Notifier.js"
import { createNotifier } from "../src/NotifierClient.js"
import * as NotifyTriggers from "../src/NotifyTriggers.js"
import * as Recipients from "../src/Recipients.js"
import * as SurveyToken from "../src/SurveyToken.js"
import { capture } from "./support/mail.js"

const keys = Effect.runSync(Signature.keys(["notifier-test-signing-key-0123456789abcdef"]))
const mary = Actor.agent("agt_mary")

const deskLayer = () =>
  MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", triggers: { rules: NotifyTriggers.rules() } })

const parsed = (sent: ReadonlyArray<Buffer>) => Promise.all(sent.map((raw) => simpleParser(raw)))

const people = Effect.gen(function* () {
  const desk = yield* Helpdesk.Helpdesk
  yield* desk.saveGroup({ id: "grp_billing", name: "Billing" })
  yield* desk.saveAgent({ id: "agt_mary", name: "Mary Major", email: "mary@acme.test", groups: ["grp_billing"] })
  yield* desk.saveAgent({ id: "agt_tom", name: "Tom Thumb", email: "tom.thumb@acme.test", groups: ["grp_billing"] })
  yield* desk.saveAgent({ id: "agt_zoe", name: "Zoe Zed", email: "zoe@acme.test" })
  yield* desk.saveContact({ id: "con_jane", name: "Jane Sharpe", emails: ["jane@example.com"] })
  return desk
})

const config = (transporter: Transporter, extra: Partial<Notifier.Config> = {}): Notifier.Config => ({
  mail: { transporter },
  from: { address: "support@acme.test", name: "Acme Support" },
  keys,
  survey: { base: "https://help.acme.test/survey?from=mail" },
  ...extra
})

const open = (desk: Helpdesk.Service, extra: Partial<Parameters<Helpdesk.Service["open"]>[0]> = {}) =>
  desk.open({
    requester: { id: "con_jane" },
    subject: "Charged twice",
    text: "I was charged twice.",
    channel: "web",
    ...extra
  })

describe("Notifier.make", () => {
  it.live("delivers the acknowledgement and records NotificationDelivered on the ticket", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const notifier = yield* Notifier.make(config(transporter))
      const ticket = yield* open(desk)
      const report = yield* notifier.drainOnce
      expect(report).toMatchObject({ claimed: 1, delivered: 1, retried: 0, deadLettered: 0 })
      const [ack] = yield* Effect.promise(() => parsed(sent))
      expect(ack?.to).toMatchObject({ value: [{ address: "jane@example.com" }] })
      expect(ack?.subject).toContain("Charged twice")
      const history = yield* desk.asSystem("test").history(ticket.id)
      const delivered = history.filter((e) => e._tag === "NotificationDelivered")
      expect(delivered).toHaveLength(1)
      expect(delivered[0]).toMatchObject({ template: "acknowledgement", channel: "email", to: ["jane@example.com"] })
      expect((yield* notifier.drainOnce).claimed).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  it.live("a note mentioning @tom tells Tom, and only the agents it names", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const notifier = yield* Notifier.make(config(transporter))
      const ticket = yield* open(desk)
      yield* notifier.drainOnce
      sent.length = 0
      yield* desk.note({ ticket: ticket.id, by: mary, text: "@tom.thumb can you check the refund? @nobody" })
      const report = yield* notifier.drainOnce
      expect(report.deadLettered).toBe(0)
      const mails = yield* Effect.promise(() => parsed(sent))
      expect(mails.map((m) => m.to)).toMatchObject([{ value: [{ address: "tom.thumb@acme.test" }] }])
      expect(mails[0]?.text).toContain("can you check the refund?")
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  it.live("the assigned mail reads well for a ticket opened already assigned, and for a group alone", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const notifier = yield* Notifier.make(config(transporter))
      // Opened by Zoe, already assigned to Mary (no group): the cause is the TicketOpened alone.
      yield* open(desk, { by: Actor.agent("agt_zoe"), assignee: "agt_mary" })
      // Given to the Billing group, nobody in it yet.
      const second = yield* open(desk, { subject: "Refund" })
      yield* notifier.drainOnce
      const before = sent.length
      yield* desk.assign({ ticket: second.id, by: Actor.agent("agt_zoe"), group: "grp_billing" })
      yield* notifier.drainOnce
      const mails = yield* Effect.promise(() => parsed(sent))
      const toMary = mails.filter((m) => m.subject?.startsWith("[#") && m.subject.includes("Assigned"))
      const opened = toMary.find((m) => m.subject?.includes("Charged twice"))
      expect(opened?.subject).toMatch(/Assigned to Mary Major: Charged twice$/)
      expect(opened?.text).toContain("is now assigned to Mary Major in -.")
      const grouped = mails.slice(before)
      expect(grouped.map((m) => (m.to as { value: Array<{ address: string }> }).value[0]?.address).sort()).toEqual([
        "mary@acme.test",
        "tom.thumb@acme.test"
      ])
      for (const m of grouped) {
        expect(m.subject).toMatch(/Assigned to Billing: Refund$/)
        expect(m.text).toContain("is now assigned to Billing in Billing.")
        expect(m.text).not.toMatch(/to {2}|in \./)
      }
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  it.live("the survey on solve links to the survey page with a signed token for Jane and the ticket", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const notifier = yield* Notifier.make(config(transporter))
      const ticket = yield* open(desk)
      yield* desk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
      yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
      yield* notifier.drainOnce
      const mails = yield* Effect.promise(() => parsed(sent))
      const survey = mails.find((m) => m.subject?.includes("How did we do"))
      const link = /https:\/\/help\.acme\.test\/survey\?\S+/.exec(survey?.text ?? "")?.[0]
      expect(link).toBeDefined()
      const url = new URL(link ?? "")
      expect(url.searchParams.get("from")).toBe("mail")
      const claims = yield* SurveyToken.verify(keys, url.searchParams.get("token") ?? "")
      expect(claims).toMatchObject({ workspaceId: "acme", ticketId: ticket.id, recipient: "con_jane" })
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  // #17: the token was made at each attempt's time, so a retried survey carried another link.
  it.effect("a survey mail retried later carries the same link, whose token expires counted from the request", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const send = transporter.sendMail.bind(transporter)
      let refusals = 1
      transporter.sendMail = (async (message: SendMailOptions) => {
        const subject = String(message.subject ?? "")
        if (subject.includes("How did we do") && refusals-- > 0) {
          throw Object.assign(new Error("try again later"), { responseCode: 451 })
        }
        return send(message)
      }) as typeof transporter.sendMail
      const notifier = yield* Notifier.make(config(transporter))
      const ticket = yield* open(desk)
      yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
      const solvedAt = yield* Clock.currentTimeMillis
      expect((yield* notifier.drainOnce).retried).toBe(1)
      yield* TestClock.adjust("3 hours")
      expect(yield* notifier.drainOnce).toMatchObject({ claimed: 1, delivered: 1 })
      const mails = yield* Effect.promise(() => parsed(sent))
      const survey = mails.find((m) => m.subject?.includes("How did we do"))
      const token = new URL(
        /https:\/\/help\.acme\.test\/survey\?\S+/.exec(survey?.text ?? "")?.[0] ?? ""
      ).searchParams.get("token")
      const claims = yield* SurveyToken.verify(keys, token ?? "")
      expect(claims.expiresAt).toBe(solvedAt + 30 * 24 * 3600 * 1000)
      // The survey is the outbox message's, the same at every attempt.
      expect(claims.survey).toMatch(new RegExp(`^notification:${ticket.id}:\\d+$`))
      // The link of the first attempt: made from the request's time, not from the retry's.
      const first = yield* SurveyToken.make(keys, {
        workspaceId: "acme",
        ticketId: ticket.id,
        recipient: "con_jane",
        survey: claims.survey ?? "",
        issuedAt: solvedAt
      })
      expect(token).toBe(first)
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  // #17: LoopGuard's caps were not applied to the notifier's own mail.
  it.effect("mail to an address past the loop cap is not sent: dead-lettered and recorded with the reason", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const notifier = yield* Notifier.make(
        config(transporter, { loopCaps: { perTicket: 20, perRecipient: 2, windowMillis: 3_600_000 } })
      )
      const tickets = yield* Effect.forEach([1, 2, 3], (n) => open(desk, { subject: `Loop ${n}` }))
      // Three acknowledgements to Jane: two go out, the third is capped.
      expect(yield* notifier.drainOnce).toMatchObject({ claimed: 3, delivered: 2, deadLettered: 1 })
      // Agents' notices are not counted: Tom hears of all three.
      for (const t of tickets) yield* desk.assign({ ticket: t.id, by: mary, assignee: "agt_tom" })
      expect(yield* notifier.drainOnce).toMatchObject({ claimed: 3, delivered: 3 })
      const mails = yield* Effect.promise(() => parsed(sent))
      const toJane = mails.filter((m) => JSON.stringify(m.to).includes("jane@example.com"))
      expect(toJane).toHaveLength(2)
      const failed = (yield* Effect.forEach(tickets, (t) => desk.asSystem("test").history(t.id))).flatMap((h) =>
        h.filter((e) => e._tag === "NotificationFailed")
      )
      expect(failed).toHaveLength(1)
      expect(failed[0]).toMatchObject({ template: "acknowledgement" })
      expect(JSON.stringify(failed[0])).toContain("loop guard: more than 2 automatic mails to jane@example.com")
      // The window slides: an hour later Jane hears from the help desk again.
      yield* TestClock.adjust("61 minutes")
      yield* open(desk, { subject: "Later" })
      yield* notifier.drainOnce
      expect((yield* Effect.promise(() => parsed(sent))).filter((m) => m.subject?.includes("Later"))).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  it.effect("the loop caps count through the IntakeGuard in context, so two notifiers share them", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter, sent } = capture()
      const caps = { perTicket: 20, perRecipient: 1, windowMillis: 3_600_000 }
      const first = yield* Notifier.make(config(transporter, { loopCaps: caps, worker: { batchSize: 1 } }))
      const second = yield* Notifier.make(config(transporter, { loopCaps: caps, worker: { batchSize: 1 } }))
      yield* open(desk, { subject: "One" })
      yield* open(desk, { subject: "Two" })
      yield* first.drainOnce
      expect((yield* second.drainOnce).deadLettered).toBe(1)
      expect(sent).toHaveLength(1)
      // Turned off, nothing is counted.
      const free = yield* Notifier.make(config(transporter, { loopCaps: false }))
      yield* open(desk, { subject: "Three" })
      expect((yield* free.drainOnce).delivered).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(Layer.merge(deskLayer(), MemoryIntakeGuard.layer)))
  )

  it.live("a survey page that is not http(s) fails the survey for good, recorded as failed", () =>
    Effect.gen(function* () {
      const desk = yield* people
      const { transporter } = capture()
      const notifier = yield* Notifier.make(config(transporter, { survey: { base: "ftp://help.acme.test/" } }))
      const ticket = yield* open(desk)
      yield* desk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
      const report = yield* notifier.drainOnce
      expect(report.deadLettered).toBe(1)
      const failed = (yield* desk.asSystem("test").history(ticket.id)).filter((e) => e._tag === "NotificationFailed")
      expect(failed).toMatchObject([{ template: "survey" }])
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )

  it.live("an invalid webhook endpoint fails the build with InvalidNotifierConfig", () =>
    Effect.gen(function* () {
      const { transporter } = capture()
      const exit = yield* Effect.exit(
        Notifier.make(config(transporter, { webhooks: { endpoints: { crm: { url: "not a url", secrets: ["s"] } } } }))
      )
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("InvalidNotifierConfig")
    }).pipe(Effect.scoped, Effect.provide(deskLayer()))
  )
})

describe("Notifier.combine", () => {
  const message = (to: ReadonlyArray<string>): Outbox.ClaimedMessage =>
    ({
      id: "notification:tkt_1:2",
      workspaceId: "acme",
      ticketId: "tkt_1",
      channel: "notification",
      payload: { template: "acknowledgement", to, ticketId: "tkt_1", publicId: 1 },
      attempts: 0,
      createdAt: DateTime.makeUnsafe(0)
    }) as unknown as Outbox.ClaimedMessage
  const delivery = (key: string, channel: string) => ({ key, channel }) as unknown as Delivery
  const email = () => Effect.succeed([delivery("a", "email")])
  const webhook = () => Effect.succeed([delivery("b", "webhook")])

  it.effect("concatenates email then webhook deliveries, asking each side only for its recipients", () =>
    Effect.gen(function* () {
      const both = yield* Notifier.combine(email, webhook)(message(["requester", "webhook:crm"]))
      expect(both.map((d) => d.key)).toEqual(["a", "b"])
      const hooks = yield* Notifier.combine(() => Effect.die("email side asked"), webhook)(message(["webhook:crm"]))
      expect(hooks.map((d) => d.key)).toEqual(["b"])
      const mails = yield* Notifier.combine(email, () => Effect.die("webhook side asked"))(message(["requester"]))
      expect(mails.map((d) => d.key)).toEqual(["a"])
    })
  )

  it.effect("keeps each side's error as it was: retryable stays retryable", () =>
    Effect.gen(function* () {
      const down = new DeliveryFailed({ channel: "webhook", reason: "store down", retryable: true })
      const error = yield* Effect.flip(Notifier.combine(email, () => Effect.fail(down))(message(["webhook:crm"])))
      expect(error).toBe(down)
      const bad = new DeliveryFailed({ channel: "email", reason: "no kind", retryable: false })
      const refused = yield* Effect.flip(Notifier.combine(() => Effect.fail(bad), webhook)(message(["requester"])))
      expect(refused.retryable).toBe(false)
    })
  )
})

describe("Recipients.resolve with mentions", () => {
  const agent = (id: string, name: string, email: string, active = true) =>
    ({ id, name, email, active, groups: [] }) as never
  const ticket = { requester: "con_jane", channel: "web", messages: [], followers: [] } as unknown as Ticket.Ticket
  const snapshot = {
    contacts: [],
    groups: [],
    agents: [
      agent("agt_mary", "Mary Major", "major@acme.test"),
      agent("agt_mary2", "Mary Minor", "m.minor@acme.test"),
      agent("agt_old", "Mary Gone", "gone@acme.test", false),
      agent("agt_tom", "Tom Thumb", "tom.thumb@acme.test")
    ]
  }
  it("a mention:<handle> names the active agents Mention.resolve finds, not the one who wrote it", () => {
    const to = (entries: ReadonlyArray<string>, actor?: string) =>
      Recipients.resolve(ticket, entries, snapshot, actor === undefined ? {} : { actor: Actor.agent(actor) }).map(
        (r) => [r.audience, r.address]
      )
    expect(to(["mention:tom.thumb"])).toEqual([["agent", "tom.thumb@acme.test"]])
    expect(to(["mention:mary"])).toEqual([
      ["agent", "major@acme.test"],
      ["agent", "m.minor@acme.test"]
    ])
    expect(to(["mention:mary"], "agt_mary")).toEqual([["agent", "m.minor@acme.test"]])
    expect(to(["mention:nobody", "mention:"])).toEqual([])
  })
})

describe("createNotifier", () => {
  it("drains with Promises over the layer given, and rejects a bad configuration with the tagged error", async () => {
    const { transporter, sent } = capture()
    // The help desk of the layer opens Jane's ticket as it starts: its acknowledgement waits.
    const layer = Layer.effectDiscard(Effect.flatMap(people, (desk) => open(desk))).pipe(
      Layer.provideMerge(deskLayer())
    )
    const notifier = await createNotifier({ ...config(transporter), helpdesk: layer })
    expect(await notifier.drainOnce()).toMatchObject({ claimed: 1, delivered: 1 })
    expect(await notifier.drainOnce()).toMatchObject({ claimed: 0 })
    await notifier.close()
    expect(sent).toHaveLength(1)
    await expect(
      createNotifier({
        ...config(transporter),
        webhooks: { endpoints: { crm: { url: "not a url", secrets: ["s"] } } },
        helpdesk: deskLayer()
      })
    ).rejects.toMatchObject({ _tag: "InvalidNotifierConfig" })
  })
})
