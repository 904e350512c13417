import { describe, expect, it } from "@effect/vitest"
import {
  Helpdesk,
  type Ids,
  MemoryHelpdesk,
  MemoryTicketStore,
  Outbox,
  TicketCommand,
  TicketEvent,
  TicketStore,
  type Triggers
} from "@tessera/core"
import { DateTime, Effect, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as WebhookPayload from "../src/WebhookPayload.js"

type Rule = Triggers.TriggerRule<Helpdesk.HelpdeskError>

/** A rule asking for a notification to `to` when a ticket opens or gets an internal note. */
const notifyOn = (to: ReadonlyArray<string>): Rule => ({
  rule: { id: "notify-integrations", version: 3 },
  fire: ({ current, events }) =>
    Effect.succeed(
      events.some((e) => e._tag === "TicketOpened" || e._tag === "NoteAdded")
        ? [new TicketCommand.Notify({ ticketId: current.id, template: "ticket_changed", to: [...to] })]
        : []
    )
})

const helpdeskWith = (rules: ReadonlyArray<Rule>) =>
  MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", firstPublicId: 1001, triggers: { rules } })

const claimAll = Effect.flatMap(Outbox.Outbox, (outbox) =>
  outbox.claim("notification", DateTime.makeUnsafe(4_000_000_000_000), 100, 60_000)
)

const mary = { _tag: "agent", id: "mary" } as const

describe("WebhookPayload.prepare", () => {
  it.effect(
    "gives one delivery per webhook endpoint, with the ticket, the template, the rule and the causing events",
    () =>
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
        const ticket = yield* helpdesk.open({
          requester: { email: "jane@example.com", name: "Jane" },
          subject: "Printer on fire",
          text: "It is smoking.",
          channel: "email",
          tags: ["hardware"]
        })
        // A later unit of work (the fallback without `cause` tells units apart by their instant).
        yield* TestClock.adjust(1000)
        yield* helpdesk.note({ ticket: ticket.id, by: mary, text: "Called facilities." })
        const messages = yield* claimAll
        expect(messages.map((m) => m.id)).toEqual([`notification:${ticket.id}:2`, `notification:${ticket.id}:4`])
        const prepare = yield* WebhookPayload.prepare
        const [opened, noted] = yield* Effect.forEach(messages, prepare)
        // `requester` is the email side's: only the two endpoints, each once.
        expect(opened?.map((d) => [d.key, d.channel, d.recipient.audience, d.recipient.address])).toEqual([
          [`notification:${ticket.id}:2:webhook:crm`, "webhook", "integration", "crm"],
          [`notification:${ticket.id}:2:webhook:pager`, "webhook", "integration", "pager"]
        ])
        const body = opened?.[0]?.body
        // The body is plain JSON: it survives a round trip unchanged.
        expect(JSON.parse(JSON.stringify(body))).toEqual(body)
        const payload = Schema.decodeUnknownSync(WebhookPayload.Payload)(body)
        expect(payload).toMatchObject({
          type: "notification",
          id: `notification:${ticket.id}:2:webhook:crm`,
          notification: `notification:${ticket.id}:2`,
          template: "ticket_changed",
          workspaceId: "acme",
          ticket: { id: ticket.id, publicId: 1001 },
          rule: { id: "notify-integrations", version: 3 }
        })
        expect(payload.events.map((e) => [e.version, e.event._tag])).toEqual([[1, "TicketOpened"]])
        expect(payload.events[0]?.event).toBeInstanceOf(TicketEvent.TicketOpened)
        const second = Schema.decodeUnknownSync(WebhookPayload.Payload)(noted?.[0]?.body)
        // The note's unit of work: the note only, not the opening before it.
        expect(second.events.map((e) => [e.version, e.event._tag])).toEqual([[3, "NoteAdded"]])
      }).pipe(Effect.provide(helpdeskWith([notifyOn(["requester", "webhook:crm", "webhook:pager", "webhook:crm"])])))
  )

  it.effect("names no delivery, and reads nothing, for a notification without webhook recipients", () =>
    Effect.gen(function* () {
      let reads = 0
      const store = yield* MemoryTicketStore.make()
      const counting = TicketStore.TicketStore.of({
        ...store,
        read: (id) =>
          Effect.suspend(() => {
            reads++
            return store.read(id)
          })
      })
      const prepare = yield* WebhookPayload.prepare.pipe(Effect.provideService(TicketStore.TicketStore, counting))
      const message = {
        id: "notification:tk_1:2",
        workspaceId: "acme" as Ids.WorkspaceId,
        ticketId: "tk_1" as Ids.TicketId,
        channel: "notification",
        payload: { template: "t", to: ["requester", "webhook:"], ticketId: "tk_1", publicId: 5 },
        createdAt: DateTime.makeUnsafe(0)
      }
      expect(yield* prepare(message)).toEqual([])
      expect(reads).toBe(0)
      const broken = yield* Effect.flip(prepare({ ...message, payload: { nothing: true } }))
      expect(broken).toMatchObject({ _tag: "DeliveryFailed", retryable: false })
    })
  )
})

describe("WebhookPayload.causingEvents", () => {
  const at = (ms: number) => DateTime.makeUnsafe(ms)
  const by = { _tag: "agent", id: "mary" as Ids.AgentId } as const
  const tk = "tk_1" as Ids.TicketId
  const stream: ReadonlyArray<TicketEvent.TicketEvent> = [
    new TicketEvent.TagsChanged({ ticketId: tk, at: at(1000), by, added: ["a" as never], removed: [] }),
    new TicketEvent.TagsChanged({ ticketId: tk, at: at(2000), by, added: ["b" as never], removed: [] }),
    new TicketEvent.NotificationRequested({ ticketId: tk, at: at(2000), by, template: "x", to: ["webhook:a"] }),
    new TicketEvent.TagsChanged({ ticketId: tk, at: at(2000), by, added: ["c" as never], removed: [] }),
    new TicketEvent.NotificationRequested({ ticketId: tk, at: at(2000), by, template: "y", to: ["webhook:a"] })
  ]

  it("takes the run of events recorded at the request's instant, other requests left out", () => {
    expect(WebhookPayload.causingEvents(stream, 5).map((e) => e.version)).toEqual([2, 4])
    expect(WebhookPayload.causingEvents(stream, 3).map((e) => e.version)).toEqual([2])
    expect(WebhookPayload.causingEvents(stream, 9)).toEqual([])
    expect(WebhookPayload.causingEvents(stream, undefined)).toEqual([])
  })

  it("takes the versions the outbox message names when it names them", () => {
    expect(WebhookPayload.causingEvents(stream, 5, [4, 1, 4, 99]).map((e) => e.version)).toEqual([1, 4])
    const message = {
      id: "notification:tk_1:5",
      workspaceId: "acme" as Ids.WorkspaceId,
      ticketId: tk,
      channel: "notification",
      payload: { template: "y", to: ["webhook:a"], ticketId: tk, publicId: 7, cause: [1] },
      createdAt: at(2000)
    }
    const deliveries = WebhookPayload.deliveries(message, stream)
    if (Result.isFailure(deliveries)) throw deliveries.failure
    const payload = Schema.decodeUnknownSync(WebhookPayload.Payload)(deliveries.success[0]?.body)
    expect(payload.events.map((e) => e.version)).toEqual([1])
  })

  it("keeps only endpoint names from the recipients", () => {
    expect(
      WebhookPayload.endpointsOf(["webhook:a", "requester", "webhook:", "webhook:b", "webhook:a", "agent:webhook:c"])
    ).toEqual(["a", "b"])
  })
})
