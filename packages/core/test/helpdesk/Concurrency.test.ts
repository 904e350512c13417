import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Random, References } from "effect"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../src/helpdesk/HelpdeskInput.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import { TicketStoreSuite } from "../../src/testing/index.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { TicketId } from "../../src/values/Ids.js"
import type { Tag } from "../../src/values/Tag.js"

const mary = Actor.agent("mary")

/**
 * Help desks over the given store, sharing one directory (with Mary, agent, and Jane, requester)
 * and one id sequence: `instances` of them, as several processes would be.
 */
// The timers come from a store of their own: these tests never fire them.
const desksOn = (store: TicketStore["Service"], instances: number, maxAttempts = 1000) =>
  Effect.gen(function* () {
    const config: typeof HelpdeskInput.Config.Encoded = {
      workspaceId: "acme",
      maxAttempts,
      customFields: [{ key: "ref", label: "Reference", type: "text" }]
    }
    const desks = yield* Effect.forEach(Array.from({ length: instances }), () => Helpdesk.make(config)).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, store),
          Layer.effect(
            Timers,
            Effect.map(MemoryTicketStore.makeStore(), (s) => s.timers)
          ),
          MemoryDirectoryStore.layer,
          IdGenerator.layerSequential
        )
      )
    )
    const desk = desks[0] as Helpdesk.Service
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    yield* desk.saveContact({ id: "jane", name: "Jane Sharpe" })
    const ticket = yield* desk.open({
      requester: { id: "jane" },
      subject: "Many hands",
      text: "Everyone writes here.",
      channel: "web"
    })
    return { desks, desk, ticket }
  })

/** One help desk over the given store. */
const deskOn = (store: TicketStore["Service"], maxAttempts = 1000) => desksOn(store, 1, maxAttempts)

describe("concurrent writers on one ticket", () => {
  // Writers in one instance wait for each other (TicketLocks): the races are between instances.
  it.effect("eight writers on two instances adding tags, notes and field values to one ticket lose none of them", () =>
    Effect.gen(function* () {
      const racing = TicketStoreSuite.interleaving(yield* MemoryTicketStore.make(), 0.3)
      const { desks, desk, ticket } = yield* desksOn(racing.store, 2)
      const writers = Array.from({ length: 8 }, (_, w) => w)
      const perWriter = 30
      yield* Effect.forEach(
        writers,
        (w) =>
          Effect.forEach(
            Array.from({ length: perWriter }, (_, i) => i),
            (i) => {
              const on = { ticket: ticket.id, by: mary }
              const desk = desks[w % desks.length] as Helpdesk.Service
              switch (i % 3) {
                case 0:
                  return desk.tag({ ...on, add: [` W${w} Tag ${i} `] })
                case 1:
                  return desk.note({ ...on, text: `note ${w}/${i}` })
                default:
                  return desk.setCustomField({ ...on, key: "ref", value: `w${w}-${i}` })
              }
            }
          ),
        { concurrency: writers.length }
      )
      expect(racing.conflicts()).toBeGreaterThan(0)
      const events = yield* desk.asSystem("test").history(ticket.id)
      expect(events.length).toBe(1 + writers.length * perWriter)
      // What each event says was written, to find every command exactly once.
      const written = events.slice(1).map((e) => {
        switch (e._tag) {
          case "TagsChanged":
            return `tag ${e.added.join(",")}`
          case "NoteAdded":
            return `note ${e.message.text}`
          case "CustomFieldChanged":
            return `field ${String(e.to)}`
          default:
            return e._tag
        }
      })
      for (const w of writers) {
        const mine = Array.from({ length: perWriter }, (_, i) =>
          i % 3 === 0 ? `tag w${w}_tag_${i}` : i % 3 === 1 ? `note note ${w}/${i}` : `field w${w}-${i}`
        )
        // Exactly once each, and in the order the writer sent them.
        expect(written.filter((x) => mine.includes(x))).toEqual(mine)
      }
      const fields = events.flatMap((e) => (e._tag === "CustomFieldChanged" ? [e] : []))
      fields.forEach((e, i) => {
        expect(e.from, "a field change decided on a stale state").toBe(i === 0 ? undefined : fields[i - 1]?.to)
      })
      const final = yield* desk.asSystem("test").get(ticket.id)
      expect(final.version).toBe(events.length)
      expect(final.tags.length).toBe(writers.length * (perWriter / 3))
      expect(final.messages.length).toBe(1 + writers.length * (perWriter / 3))
    }).pipe(Random.withSeed(7), Effect.provideService(References.PreventSchedulerYield, true))
  )

  // #12: 24 writers on one ticket made a command without expectedVersion fail with VersionConflict.
  it.effect("24 writers on one hot ticket through one instance never conflict, even allowed a single attempt", () =>
    Effect.gen(function* () {
      const racing = TicketStoreSuite.interleaving(yield* MemoryTicketStore.make(), 0.5)
      const { desk, ticket } = yield* deskOn(racing.store, 1)
      const writers = 24
      const perWriter = 10
      const outcomes = yield* Effect.forEach(
        Array.from({ length: writers }, (_, w) => w),
        (w) =>
          Effect.forEach(
            Array.from({ length: perWriter }, (_, i) => i),
            (i) =>
              Effect.result(
                i % 2 === 0
                  ? desk.reply({ ticket: ticket.id, by: mary, text: `reply ${w}/${i}` })
                  : desk.tag({ ticket: ticket.publicId, by: mary, add: [`w${w}_${i}`] })
              )
          ),
        { concurrency: writers }
      )
      const failures = outcomes.flat().flatMap((o) => (o._tag === "Failure" ? [o.failure._tag] : []))
      expect(failures).toEqual([])
      expect(racing.conflicts()).toBe(0)
      const events = yield* desk.asSystem("test").history(ticket.id)
      expect(events.filter((e) => e._tag === "ReplyAdded")).toHaveLength((writers * perWriter) / 2)
      expect(events.filter((e) => e._tag === "TagsChanged")).toHaveLength((writers * perWriter) / 2)
      const final = yield* desk.asSystem("test").get(ticket.id)
      expect(final.version).toBe(events.length)
      expect(final.tags.length).toBe((writers * perWriter) / 2)
    }).pipe(Random.withSeed(12), Effect.provideService(References.PreventSchedulerYield, true))
  )

  it.effect("a rule that calls the help desk on the ticket it runs on does not wait for itself", () =>
    Effect.gen(function* () {
      const { desk, ticket } = yield* deskOn(yield* MemoryTicketStore.make())
      let calls = 0
      const rule: Triggers.TriggerRule<Helpdesk.HelpdeskError> = {
        rule: { id: "nested", version: 1 },
        fire: ({ current }) =>
          calls++ === 0
            ? Effect.as(desk.tag({ ticket: current.id, by: mary, add: ["from_inside"] }), [])
            : Effect.succeed([])
      }
      // applyRules holds the ticket's lock while the rule runs, and the rule's `tag` needs it too.
      yield* desk.applyRules(ticket.id, [rule])
      expect(calls).toBeGreaterThan(0)
      expect((yield* desk.asSystem("test").get(ticket.id)).tags).toEqual(["from_inside"])
    })
  )

  it.effect("an API caller passing a stale expectedVersion gets VersionConflict and nothing is written", () =>
    Effect.gen(function* () {
      const { desk, ticket } = yield* deskOn(yield* MemoryTicketStore.make())
      yield* desk.tag({ ticket: ticket.id, by: mary, add: ["vpn"], expectedVersion: 1 })
      const before = yield* desk.asSystem("test").history(ticket.id)
      const stale = yield* Effect.flip(
        desk.note({ ticket: ticket.id, by: mary, text: "Based on v1", expectedVersion: 1 })
      )
      expect(stale).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 1, actual: 2 })
      const ahead = yield* Effect.flip(
        desk.setPriority({ ticket: ticket.publicId, by: mary, priority: "urgent", expectedVersion: 3 })
      )
      expect(ahead).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 3, actual: 2 })
      expect(yield* desk.asSystem("test").history(ticket.id)).toEqual(before)
      const current = yield* desk.setPriority({ ticket: ticket.id, by: mary, priority: "urgent", expectedVersion: 2 })
      expect(current).toMatchObject({ priority: "urgent", version: 3 })
    })
  )

  it.effect(
    "a writer that always loses the race gives up after maxAttempts with VersionConflict and writes nothing",
    () =>
      Effect.gen(function* () {
        const inner = yield* MemoryTicketStore.make()
        let attempts = 0
        // Before each of the writer's appends, a rival appends first.
        const rival = (ticketId: TicketId) =>
          Effect.gen(function* () {
            attempts++
            const { version } = yield* inner.read(ticketId)
            const tag = `rival_${attempts}` as Tag
            const at = yield* DateTime.now
            yield* inner.append(ticketId, version, [
              new E.TagsChanged({ ticketId, at, by: Actor.system("rival"), added: [tag], removed: [] })
            ])
          })
        const store = TicketStore.of({
          ...inner,
          append: (ticketId, expectedVersion, events) =>
            events.some((e) => e._tag === "NoteAdded")
              ? Effect.andThen(Effect.orDie(rival(ticketId)), inner.append(ticketId, expectedVersion, events))
              : inner.append(ticketId, expectedVersion, events)
        })
        const { desk, ticket } = yield* deskOn(store, 3)
        const error = yield* Effect.flip(desk.note({ ticket: ticket.id, by: mary, text: "Never lands" }))
        // The first try, on the state the desk remembers from opening, does not count: 1 + 3.
        expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 4, actual: 5 })
        expect(attempts).toBe(4)
        const events = yield* desk.asSystem("test").history(ticket.id)
        expect(events.map((e) => (e._tag === "TagsChanged" ? e.added.join() : e._tag))).toEqual([
          "TicketOpened",
          "rival_1",
          "rival_2",
          "rival_3",
          "rival_4"
        ])
      })
  )
})
