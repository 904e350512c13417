/**
 * `decide` builds the events of plain commands without parsing them again (`internal/trusted`):
 * each such event must be exactly what its class's constructor makes of the same fields (same
 * prototype, same fields, equal by `Equal`, accepted by its schema), and events a rule causes or
 * that carry HTML still go through the constructor.
 */
import { DateTime, Effect, Equal, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Decider } from "../../src/testing/index.js"
import { decide } from "../../src/ticket/decide.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as C from "../../src/ticket/TicketCommand.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { MessageId, TicketId } from "../../src/values/Ids.js"

const ticketId = "tkt_1" as TicketId
const mary = Actor.agent("mary")
const state = Ticket.fold([
  Decider.opened({ status: "open", tags: ["vpn"], group: "grp_1", assignee: "agt_1" })
]) as Ticket.Ticket
const body = (text: string, html?: string) => ({ text, attachments: [], ...(html === undefined ? {} : { html }) })

const decided = (command: C.TicketCommand, ctx = Decider.context({ actor: mary })) =>
  Effect.runSync(decide(state, command, ctx))

/** The same event, as its class's constructor builds it from the fields. */
const constructed = (event: E.TicketEvent): E.TicketEvent => {
  const { _tag, ...fields } = event as E.TicketEvent & Record<string, unknown>
  const cls = (E as unknown as Record<string, new (fields: unknown) => E.TicketEvent>)[_tag]
  if (cls === undefined) throw new Error(`no class ${_tag}`)
  return new cls(fields)
}

const isEvent = Schema.is(E.TicketEvent)

/** `event` is what its class's constructor makes of its fields, and encodes as that does. */
const expectConstructed = (event: E.TicketEvent) => {
  const reference = constructed(event)
  expect(event).toStrictEqual(reference)
  expect(Object.getPrototypeOf(event)).toBe(Object.getPrototypeOf(reference))
  expect(Equal.equals(event, reference)).toBe(true)
  expect(isEvent(event)).toBe(true)
  expect(Schema.encodeSync(E.TicketEventJson)(event)).toEqual(Schema.encodeSync(E.TicketEventJson)(reference))
}

describe("events built without a parse", () => {
  const commands: ReadonlyArray<readonly [string, C.TicketCommand]> = [
    ["note", new C.AddNote({ ticketId, messageId: "msg_2" as MessageId, channel: "web", body: body("Hi @jo") })],
    ["reply", new C.AddReply({ ticketId, messageId: "msg_3" as MessageId, channel: "email", body: body("Hello") })],
    ["priority", new C.SetPriority({ ticketId, priority: "urgent" })],
    ["status", new C.ChangeStatus({ ticketId, to: "pending" as never })],
    ["tags", new C.ChangeTags({ ticketId, add: ["Billing Issue"], remove: ["vpn"] })]
  ]

  for (const [name, command] of commands) {
    it(`${name}: each event is what its constructor makes of its fields`, () => {
      const events = decided(command)
      expect(events.length).toBeGreaterThan(0)
      for (const event of events) expectConstructed(event)
    })
  }

  it("notification outcomes the system records: each event is what its constructor makes of its fields", () => {
    const reachedAt = DateTime.makeUnsafe("2026-03-10T09:01:00Z")
    const outcome = { notification: "notification:tkt_1:2", attempt: 1, template: "ack", channel: "email" }
    const events = Effect.runSync(
      decide(
        state,
        new C.RecordNotifications({
          ticketId,
          outcomes: [
            { ...outcome, kind: "delivered", to: ["jane@example.com"], reachedAt },
            { ...outcome, kind: "failed", attempt: 2, to: [], reachedAt, error: "SMTP 550: no such user" },
            { ...outcome, kind: "failed", attempt: 3, to: ["jane@example.com"], reachedAt }
          ]
        }),
        Decider.context({ actor: Actor.system("notify") })
      )
    )
    expect(events.map((e) => e._tag)).toEqual(["NotificationDelivered", "NotificationFailed", "NotificationFailed"])
    for (const event of events) expectConstructed(event)
  })

  it("a note with HTML and a rule's event still go through the constructor, which checks them", () => {
    const html = decided(
      new C.AddNote({ ticketId, messageId: "msg_4" as MessageId, channel: "web", body: body("x", "<b>x</b>") })
    )
    expect(html[0]).toStrictEqual(constructed(html[0] as E.TicketEvent))
    const byRule = decided(new C.SetPriority({ ticketId, priority: "low" }), {
      ...Decider.context({ actor: Actor.system("rules") }),
      rule: { id: "r1", version: 1 }
    })
    expect(byRule[0]).toMatchObject({ _tag: "PriorityChanged", rule: { id: "r1", version: 1 } })
    expect(byRule[0]).toStrictEqual(constructed(byRule[0] as E.TicketEvent))
  })
})
