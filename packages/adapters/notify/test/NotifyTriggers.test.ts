import { describe, expect, it } from "@effect/vitest"
import {
  BusinessCalendar,
  TicketCommand as C,
  Helpdesk,
  MemoryHelpdesk,
  Outbox,
  type SlaPolicy,
  type TicketEvent,
  type Triggers
} from "@tessera/core"
import { DateTime, Effect, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import * as NotifyTriggers from "../src/NotifyTriggers.js"

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)

const business = (hours: number) => ({ minutes: hours * 60, clock: "business" as const })
/** Answers within 4 business hours, warned at 75% (3 hours); solved within 40. */
const policies: SlaPolicy.PolicySet = {
  policies: [],
  default: {
    id: "standard",
    name: "Standard",
    calendar: "business_hours",
    targets: {
      first_reply: { normal: business(4) },
      next_reply: { normal: business(4) },
      resolution: { normal: business(40) }
    },
    warnings: { first_reply: { percent: 75 }, next_reply: { percent: 75 }, resolution: { percent: 75 } }
  }
}

const mary = { _tag: "agent", id: "mary" } as const
const lead = { _tag: "agent", id: "lead" } as const

type Extra = ReadonlyArray<Triggers.TriggerRule<Helpdesk.HelpdeskError>>

/** An in-memory help desk with the default notifications after `before`, its clock at `start`. */
const desk = <A, E>(
  body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E, Outbox.Outbox>,
  options: { readonly notify?: NotifyTriggers.Options; readonly before?: Extra; readonly start?: string } = {}
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(options.start ?? "2025-05-01T09:15:00Z"))
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveGroup({ id: "billing", name: "Billing" })
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary Smith", email: "mary@acme.test", groups: ["billing"] })
    yield* helpdesk.saveAgent({ id: "lead", name: "Lee Adams", email: "lead@acme.test", groups: ["billing"] })
    return yield* body(helpdesk)
  }).pipe(
    Effect.provide(
      MemoryHelpdesk.layer(
        { workspaceId: "acme" },
        {
          ids: "sequential",
          firstPublicId: 69369,
          sla: { policies, calendars: { business_hours: paris.success } },
          triggers: { rules: [...(options.before ?? []), ...NotifyTriggers.rules(options.notify)] }
        }
      )
    )
  )

const janeWrites = (helpdesk: Helpdesk.Service, extra: { readonly automated?: boolean } = {}) =>
  helpdesk.open({
    requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
    subject: "Over-charged for my subscription",
    text: "I was charged twice for my subscription this month.",
    channel: "email",
    ...(extra.automated === undefined
      ? {}
      : {
          email: {
            messageId: `${extra.automated ? "auto" : "jane"}-1@example.com`,
            references: [],
            automated: extra.automated
          }
        })
  })

/** The notifications a ticket's history asked for: `template -> recipients`, in order. */
const requested = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.map(helpdesk.asSystem("test").history(ticket), (events) =>
    events.flatMap((e) => (e._tag === "NotificationRequested" ? [`${e.template} -> ${e.to.join(" ")}`] : []))
  )

/** The outbox's notifications, with the tags of the events that caused each. */
const queued = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox.Outbox
    const history = yield* helpdesk.asSystem("test").history(ticket)
    const claimed = yield* outbox.claim("notification", DateTime.makeUnsafe(Date.parse("2030-01-01")), 1000, 1000)
    return claimed
      .filter((m) => m.ticketId === ticket)
      .map((m) => {
        const payload = Schema.decodeUnknownSync(Helpdesk.NotificationPayload)(m.payload)
        const causes = (payload.cause ?? []).map((v) => (history[v - 1] as TicketEvent.TicketEvent)._tag)
        return `${payload.template} (${payload.rule?.id}) <- ${causes.join(" ")}`
      })
  })

const customerKinds = new Set(["acknowledgement", "reply", "still_on_it", "survey"])

describe("the default notifications on Jane's ticket 69369", () => {
  // Thursday 1 May 2025 (a Paris calendar without holidays): Jane writes at 11:15, Mary answers
  // at 11:40, Jane writes back at 14:10; her next reply is due within 4 business hours, so the
  // warning comes at 17:10. Mary answers the next morning and solves the ticket.
  it.effect("acknowledgement, reply, still on it, reply and survey reach Jane in order; agents get theirs", () =>
    desk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        expect(ticket.publicId).toBe(69369)
        const jane = { _tag: "contact", id: ticket.requester } as const
        yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary", group: "billing" })
        yield* TestClock.setTime(Date.parse("2025-05-01T09:40:00Z"))
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Sorry Jane, I am looking into it." })
        yield* helpdesk.note({
          ticket: ticket.id,
          by: mary,
          text: "@lead 49 other customers were hit: refund them all?"
        })
        yield* TestClock.setTime(Date.parse("2025-05-01T12:10:00Z"))
        yield* helpdesk.reply({ ticket: ticket.id, by: jane, text: "Thanks, any news?" })
        yield* TestClock.setTime(Date.parse("2025-05-01T15:09:00Z"))
        expect(yield* helpdesk.runDueTimers()).toBe(0)
        yield* TestClock.setTime(Date.parse("2025-05-01T15:10:00Z"))
        expect(yield* helpdesk.runDueTimers()).toBe(1)
        yield* TestClock.setTime(Date.parse("2025-05-02T07:30:00Z"))
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded, with a discount for the trouble." })
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })

        const all = yield* requested(helpdesk, ticket.id)
        expect(all).toEqual([
          "acknowledgement -> requester",
          "assigned -> agent:mary",
          "reply -> requester followers",
          "mentioned -> mention:lead",
          "customer_replied -> agent:mary",
          "still_on_it -> requester followers",
          "sla_warning -> agent:mary",
          "reply -> requester followers",
          "survey -> requester"
        ])
        expect(all.map((r) => r.split(" ")[0]).filter((k) => customerKinds.has(k as string))).toEqual([
          "acknowledgement",
          "reply",
          "still_on_it",
          "reply",
          "survey"
        ])
        // The outbox holds one message per request, each saying what caused it.
        expect(yield* queued(helpdesk, ticket.id)).toEqual([
          "acknowledgement (notify:acknowledgement) <- TicketOpened",
          // Assigning takes the new ticket into work.
          "assigned (notify:assigned) <- GroupChanged AssigneeChanged StatusChanged",
          "reply (notify:reply) <- ReplyAdded",
          "mentioned (notify:mentioned) <- NoteAdded",
          "customer_replied (notify:customer_replied) <- ReplyAdded",
          "still_on_it (notify:still_on_it) <- SlaWarningReached",
          "sla_warning (notify:sla_warning) <- SlaWarningReached",
          "reply (notify:reply) <- ReplyAdded",
          "survey (notify:survey) <- StatusChanged"
        ])
      })
    )
  )
})

const kindsOf = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.map(requested(helpdesk, ticket), (all) => all.map((r) => r.split(" -> ")[0]))

describe("when the customer hears from the help desk", () => {
  it.effect("mail a machine wrote is never acknowledged, nor told the help desk is still on it, nor surveyed", () =>
    desk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk, { automated: true })
        yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
        // The first reply's warning, at 75% of 4 business hours: 16:15 Paris.
        yield* TestClock.setTime(Date.parse("2025-05-01T14:15:00Z"))
        expect(yield* helpdesk.runDueTimers()).toBe(1)
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
        // The agents are told; the machine is not answered.
        expect(yield* requested(helpdesk, ticket.id)).toEqual(["assigned -> agent:mary", "sla_warning -> agent:mary"])
        // The same mail from a person is acknowledged.
        const human = yield* janeWrites(helpdesk, { automated: false })
        expect(yield* kindsOf(helpdesk, human.id)).toEqual(["acknowledgement"])
      })
    )
  )

  it.effect("a ticket an agent opens for a customer is acknowledged only when configured", () =>
    Effect.gen(function* () {
      const opensForJane = (helpdesk: Helpdesk.Service) =>
        helpdesk.open({
          requester: { email: "jane.sharpe@example.com" },
          by: mary,
          subject: "Phone call: double charge",
          text: "Jane called about a double charge.",
          channel: "phone",
          assignee: "mary"
        })
      yield* desk((helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opensForJane(helpdesk)
          // Mary took it herself: nobody is told.
          expect(yield* kindsOf(helpdesk, ticket.id)).toEqual([])
        })
      )
      yield* desk(
        (helpdesk) =>
          Effect.gen(function* () {
            const ticket = yield* opensForJane(helpdesk)
            expect(yield* kindsOf(helpdesk, ticket.id)).toEqual(["acknowledgement"])
          }),
        { notify: { acknowledgeAgentOpened: true } }
      )
    })
  )

  it.effect("an internal note never asks for a reply to the customer; only an agent's public reply does", () =>
    desk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        yield* helpdesk.note({ ticket: ticket.id, by: mary, text: "Refund pending, do not tell her yet." })
        yield* helpdesk.reply({
          ticket: ticket.id,
          by: helpdesk.system.actor("bot"),
          text: "Automatic: we got your mail."
        })
        expect(yield* kindsOf(helpdesk, ticket.id)).toEqual(["acknowledgement"])
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
        expect(yield* kindsOf(helpdesk, ticket.id)).toEqual(["acknowledgement", "reply"])
      })
    )
  )

  it.effect(
    "no still-on-it update once an agent has answered the customer's last message; the agent is still warned",
    () =>
      desk((helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(helpdesk)
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Looking into it." })
          // The resolution warning (75% of 40 business hours) comes days later, Jane silent since.
          yield* TestClock.setTime(Date.parse("2025-05-09T12:00:00Z"))
          expect(yield* helpdesk.runDueTimers()).toBe(1)
          const history = yield* helpdesk.asSystem("test").history(ticket.id)
          expect(history.filter((e) => e._tag === "SlaWarningReached").map((e) => e.metric)).toEqual(["resolution"])
          expect(yield* kindsOf(helpdesk, ticket.id)).toEqual(["acknowledgement", "assigned", "reply", "sla_warning"])
        })
      )
  )

  it.effect("a survey once per solve: solving again after a reopen asks again, closing does not", () =>
    desk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        const jane = { _tag: "contact", id: ticket.requester } as const
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
        // Her answer reopens the solved ticket.
        const reopened = yield* helpdesk.reply({ ticket: ticket.id, by: jane, text: "Only half of it came back." })
        expect(reopened.category).toBe("open")
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "The rest is on its way." })
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
        yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "closed" })
        expect((yield* kindsOf(helpdesk, ticket.id)).filter((k) => k === "survey")).toHaveLength(2)
        expect(yield* kindsOf(helpdesk, ticket.id)).toEqual(["acknowledgement", "reply", "survey", "reply", "survey"])
      })
    )
  )
})

describe("when agents hear about a ticket", () => {
  it.effect(
    "assignment tells the new assignee, or the group of an unassigned ticket; taking it yourself tells nobody",
    () =>
      desk((helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(helpdesk)
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, group: "billing" })
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          // The same assignee again changes nothing; Lee taking it himself tells nobody.
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "lead" })
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          expect(yield* requested(helpdesk, ticket.id)).toEqual([
            "acknowledgement -> requester",
            "assigned -> group",
            "assigned -> agent:mary",
            "assigned -> agent:mary"
          ])
        })
      )
  )

  it.effect(
    "a customer's reply tells the assignee; a note tells each agent it mentions, not when the system writes it",
    () =>
      desk((helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(helpdesk)
          const jane = { _tag: "contact", id: ticket.requester } as const
          // Unassigned: nobody's ticket yet.
          yield* helpdesk.reply({ ticket: ticket.id, by: jane, text: "Hello? @mary" })
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          yield* helpdesk.reply({ ticket: ticket.id, by: jane, text: "Any news?" })
          yield* helpdesk.note({ ticket: ticket.id, by: mary, text: "@Lead @lee.adams see jane@example.com's mail" })
          yield* helpdesk.note({
            ticket: ticket.id,
            by: helpdesk.system.actor("email"),
            text: "Mail from x@y.test: @mary"
          })
          expect(yield* requested(helpdesk, ticket.id)).toEqual([
            "acknowledgement -> requester",
            "assigned -> agent:mary",
            "customer_replied -> agent:mary",
            "mentioned -> mention:lead mention:lee.adams"
          ])
        })
      )
  )
})

const rule = (
  id: string,
  fire: (context: Triggers.TriggerContext) => ReadonlyArray<C.TicketCommand>
): Triggers.TriggerRule<Helpdesk.HelpdeskError> => ({ rule: { id, version: 1 }, fire: (c) => Effect.succeed(fire(c)) })

describe("once per occurrence, whatever the other rules do", () => {
  // A help desk's own rules, run before the notifications: route new tickets to Mary, tag a
  // ticket an agent answered, and have a senior look at answered billing tickets (a note that
  // mentions Lee). They make the unit of work take several passes.
  const before = [
    rule("route", ({ current, events }) =>
      events.some((e) => e._tag === "TicketOpened") && current.assignee === undefined
        ? [new C.Assign({ ticketId: current.id, assignee: "mary" as never })]
        : []
    ),
    rule("answered", ({ current, events }) =>
      events.some((e) => e._tag === "ReplyAdded" && e.by._tag === "agent") &&
      !current.tags.includes("answered" as never)
        ? [new C.ChangeTags({ ticketId: current.id, add: ["answered"], remove: [] })]
        : []
    ),
    rule("review", ({ current, events }) =>
      events.some((e) => e._tag === "TagsChanged" && e.added.includes("answered" as never))
        ? current.messages.some((m) => m.id === (`review.${current.version}` as never))
          ? []
          : [
              new C.AddNote({
                ticketId: current.id,
                messageId: `review.${current.version}` as never,
                channel: "web",
                body: { text: "@lead please review this answer", attachments: [] }
              })
            ]
        : []
    )
  ]

  it.effect("a unit of several passes asks for each notification once, and its rules' notes mention too", () =>
    desk(
      (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(helpdesk)
          expect(ticket.assignee).toBe("mary")
          yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded. @lead FYI" })
          const history = yield* helpdesk.asSystem("test").history(ticket.id)
          expect(history.map((e) => `${e._tag}${e.rule === undefined ? "" : ` (${e.rule.id})`}`)).toEqual([
            "TicketOpened",
            "AssigneeChanged (route)",
            "StatusChanged (route)",
            "NotificationRequested (notify:acknowledgement)",
            "NotificationRequested (notify:assigned)",
            "ReplyAdded",
            "TagsChanged (answered)",
            "NoteAdded (review)",
            "NotificationRequested (notify:reply)",
            "NotificationRequested (notify:mentioned)"
          ])
          expect(yield* requested(helpdesk, ticket.id)).toEqual([
            "acknowledgement -> requester",
            "assigned -> agent:mary",
            "reply -> requester followers",
            "mentioned -> mention:lead"
          ])
        }),
      { before }
    )
  )

  it.effect("kinds can be turned off, templates renamed, and the rules' version recorded", () =>
    desk(
      (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* janeWrites(helpdesk)
          yield* helpdesk.assign({ ticket: ticket.id, by: lead, assignee: "mary" })
          yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
          const history = yield* helpdesk.asSystem("test").history(ticket.id)
          const asked = history.flatMap((e) =>
            e._tag === "NotificationRequested" ? [`${e.template} ${e.rule?.id}@${e.rule?.version}`] : []
          )
          expect(asked).toEqual(["ack_fr notify:acknowledgement@3", "reply notify:reply@3"])
        }),
      { notify: { enabled: { assigned: false }, templates: { acknowledgement: "ack_fr" }, version: 3 } }
    )
  )

  it("rules lists the kinds that are on, in order, each reading the unit's events", () => {
    const ids = NotifyTriggers.rules({ enabled: { survey: false, mentioned: false } }).map((r) => r.rule.id)
    expect(ids).toEqual([
      "notify:acknowledgement",
      "notify:reply",
      "notify:still_on_it",
      "notify:assigned",
      "notify:customer_replied",
      "notify:sla_warning"
    ])
    expect(NotifyTriggers.rules().every((r) => r.reads?.join() === "events")).toBe(true)
  })
})

describe("property: each occurrence asks once", () => {
  type Op = "agentReply" | "customerReply" | "note" | "mentioningNote" | "solve" | "assign" | "wait"
  const op = fc.constantFrom<Op>("agentReply", "customerReply", "note", "mentioningNote", "solve", "assign", "wait")

  it.effect(
    "for random conversations, one reply, customer_replied, mentioned, survey and sla_warning per occurrence",
    () =>
      Effect.gen(function* () {
        const samples = fc.sample(fc.array(op, { minLength: 1, maxLength: 14 }), { numRuns: 25, seed: 17 })
        let seen = 0
        const kindsSeen = new Set<string>()
        for (const ops of samples) {
          yield* desk((helpdesk) =>
            Effect.gen(function* () {
              const ticket = yield* janeWrites(helpdesk)
              const jane = { _tag: "contact", id: ticket.requester } as const
              let minute = 0
              for (const [i, o] of ops.entries()) {
                // Each command its own instant, so the history's units of work can be told apart.
                minute += o === "wait" ? 6 * 60 : 1
                yield* TestClock.setTime(Date.parse("2025-05-01T09:15:00Z") + minute * 60_000)
                const ref = { ticket: ticket.id }
                const outcome = yield* Effect.result<unknown, Helpdesk.HelpdeskError, never>(
                  o === "agentReply"
                    ? helpdesk.reply({ ...ref, by: mary, text: `Answer ${i}` })
                    : o === "customerReply"
                      ? helpdesk.reply({ ...ref, by: jane, text: `Question ${i}` })
                      : o === "note"
                        ? helpdesk.note({ ...ref, by: mary, text: `Checked ${i}` })
                        : o === "mentioningNote"
                          ? helpdesk.note({ ...ref, by: mary, text: `@lead @LEAD and @mary ${i}` })
                          : o === "solve"
                            ? helpdesk.changeStatus({ ...ref, by: mary, status: "solved" })
                            : o === "assign"
                              ? helpdesk.assign({ ...ref, by: lead, assignee: i % 2 === 0 ? "mary" : "lead" })
                              : helpdesk.runDueTimers()
                )
                // A reply on a solved ticket past its window opens a follow-up: not this ticket's.
                if (outcome._tag === "Failure") throw new Error(`${o}: ${outcome.failure._tag}`)
              }
              const history = yield* helpdesk.asSystem("test").history(ticket.id)
              // The oracle: occurrences read from the history, unit by unit (one instant each).
              const expected: Array<string> = []
              let assignee: string | undefined
              const units = new Map<number, Array<TicketEvent.TicketEvent>>()
              for (const e of history) {
                const at = e.at.epochMilliseconds
                units.set(at, [...(units.get(at) ?? []), e])
              }
              for (const unit of units.values()) {
                const before = assignee
                for (const e of unit) {
                  if (e._tag === "TicketOpened") expected.push("acknowledgement")
                  if (e._tag === "AssigneeChanged") assignee = e.to
                }
                if (assignee !== undefined && assignee !== before && !(assignee === "lead")) expected.push("assigned")
                for (const e of unit) {
                  if (e._tag === "ReplyAdded" && e.by._tag === "agent") expected.push("reply")
                  if (e._tag === "ReplyAdded" && e.by._tag === "contact" && assignee !== undefined)
                    expected.push("customer_replied")
                  if (e._tag === "NoteAdded" && (e.mentions?.length ?? 0) > 0) expected.push("mentioned")
                  if (e._tag === "StatusChanged" && e.toCategory === "solved" && e.fromCategory !== "solved")
                    expected.push("survey")
                }
                if (unit.some((e) => e._tag === "SlaWarningReached") && assignee !== undefined)
                  expected.push("sla_warning")
              }
              const asked = history.flatMap((e) =>
                e._tag === "NotificationRequested" && e.template !== "still_on_it" ? [e.template] : []
              )
              expect([...asked].sort()).toEqual([...expected].sort())
              seen += asked.length
              for (const k of asked) kindsSeen.add(k)
              // Every mentioning note names each handle once.
              for (const e of history)
                if (e._tag === "NotificationRequested" && e.template === "mentioned")
                  expect(e.to).toEqual(["mention:lead", "mention:mary"])
            })
          )
        }
        // The samples exercised every kind the oracle counts.
        expect(seen).toBeGreaterThan(100)
        expect([...kindsSeen].sort()).toEqual([
          "acknowledgement",
          "assigned",
          "customer_replied",
          "mentioned",
          "reply",
          "sla_warning",
          "survey"
        ])
      })
  )
})
