import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Schema } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Outbox from "../../src/ports/Outbox.js"
import * as C from "../../src/ticket/TicketCommand.js"

const mary = { _tag: "agent", id: "mary" } as const
type Rule = Triggers.TriggerRule<Helpdesk.HelpdeskError>

const rule = (id: string, fire: (context: Triggers.TriggerContext) => ReadonlyArray<C.TicketCommand>): Rule => ({
  rule: { id, version: 1 },
  fire: (context) => Effect.succeed(fire(context))
})

/** Once per unit of work: after an agent's reply, tag the ticket and notify twice (two rules). */
const onAgentReply = (events: Triggers.TriggerContext["events"]) =>
  events.some((e) => e._tag === "ReplyAdded" && e.by._tag === "agent")
const requestedBy = (events: Triggers.TriggerContext["events"], id: string) =>
  events.some((e) => e._tag === "NotificationRequested" && e.rule?.id === id)

const rules: ReadonlyArray<Rule> = [
  rule("tell-requester", ({ current, events }) =>
    onAgentReply(events) && !requestedBy(events, "tell-requester")
      ? [new C.Notify({ ticketId: current.id, template: "reply", to: ["requester"] })]
      : []
  ),
  rule("tag-answered", ({ current, events }) =>
    onAgentReply(events) && !current.tags.includes("answered" as never)
      ? [new C.ChangeTags({ ticketId: current.id, add: ["answered"], remove: [] })]
      : []
  ),
  rule("tell-followers", ({ current, events }) =>
    onAgentReply(events) && !requestedBy(events, "tell-followers")
      ? [new C.Notify({ ticketId: current.id, template: "reply", to: ["followers"] })]
      : []
  )
]

const queued = Effect.gen(function* () {
  const outbox = yield* Outbox.Outbox
  const claimed = yield* outbox.claim("notification", DateTime.makeUnsafe(0), 100, 1000)
  return claimed.map((m) => ({ id: m.id, payload: Schema.decodeUnknownSync(Helpdesk.NotificationPayload)(m.payload) }))
})

describe("the cause of a notification in its outbox payload", () => {
  it.effect("lists the versions of the unit's events written before the request, not other requests", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const ticket = yield* helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "Charged twice",
        text: "My card was charged twice.",
        channel: "email"
      })
      yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
      const history = yield* helpdesk.asSystem("test").history(ticket.id)
      // 1 opened; the reply's unit: 2 reply, 3 new -> open, 4 notify, 5 tag, 6 notify.
      expect(history.map((e, i) => `${i + 1} ${e._tag} ${e.rule?.id ?? ""}`.trim())).toEqual([
        "1 TicketOpened",
        "2 ReplyAdded",
        "3 StatusChanged",
        "4 NotificationRequested tell-requester",
        "5 TagsChanged tag-answered",
        "6 NotificationRequested tell-followers"
      ])
      expect(yield* queued).toEqual([
        {
          id: `notification:${ticket.id}:4`,
          payload: {
            template: "reply",
            to: ["requester"],
            ticketId: ticket.id,
            publicId: ticket.publicId,
            cause: [2, 3],
            rule: { id: "tell-requester", version: 1 }
          }
        },
        {
          id: `notification:${ticket.id}:6`,
          payload: {
            template: "reply",
            to: ["followers"],
            ticketId: ticket.id,
            publicId: ticket.publicId,
            cause: [2, 3, 5],
            rule: { id: "tell-followers", version: 1 }
          }
        }
      ])
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", triggers: { rules } })))
  )

  it.effect("a request its unit holds alone (an automation's notify) has an empty cause", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const ticket = yield* helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "Charged twice",
        text: "My card was charged twice.",
        channel: "email"
      })
      yield* helpdesk.applyRules(ticket.id, [
        rule("remind", ({ current }) => [
          new C.Notify({ ticketId: current.id, template: "still_on_it", to: ["requester"] })
        ])
      ])
      expect((yield* queued).map((m) => m.payload.cause)).toEqual([[]])
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )

  it("a payload queued before cause existed still decodes", () => {
    const decoded = Schema.decodeUnknownSync(Helpdesk.NotificationPayload)({
      template: "escalated",
      to: ["group"],
      ticketId: "tkt_1",
      publicId: 69369
    })
    expect(decoded.cause).toBeUndefined()
  })
})
