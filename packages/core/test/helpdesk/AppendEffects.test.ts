import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { DirectoryStore } from "../../src/ports/DirectoryStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import * as SlaFold from "../../src/sla/SlaFold.js"
import * as SlaPolicy from "../../src/sla/SlaPolicy.js"
import type { TicketId } from "../../src/values/Ids.js"

const mary = { _tag: "agent", id: "mary" } as const
const jane = { _tag: "contact", id: "jane" } as const

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla: Helpdesk.SlaOptions = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: paris.success } }

type Ports = TicketStore | DirectoryStore | IdGenerator.IdGenerator | Timers

/** One memory store and directory, as a database several help desks share, counting what they read. */
interface Shared {
  /** The store underneath, unobserved: what a test reads does not count. */
  readonly store: TicketStore["Service"]
  /** How many times a help desk read a ticket's events. */
  readonly reads: () => number
  /** How many times a help desk loaded a ticket's snapshot. */
  readonly loads: () => number
  /** How many times a help desk read a contact. */
  readonly contactReads: () => number
  /** A help desk of workspace `acme` over the shared ports, tracking the default SLAs: one per process. */
  readonly desk: (config?: { readonly actorCheckMillis?: number }) => Effect.Effect<Helpdesk.Service, unknown, Ports>
}

const onOneStore = <A, E>(body: (shared: Shared) => Effect.Effect<A, E, Ports>) =>
  Effect.gen(function* () {
    // Friday 27 November 2026, 17:00 in Paris.
    yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
    const memory = yield* MemoryTicketStore.makeStore()
    const directory = yield* MemoryDirectoryStore.make
    let reads = 0
    let loads = 0
    let contactReads = 0
    const tickets = TicketStore.of({
      ...memory.tickets,
      read: (ticketId) =>
        Effect.andThen(
          Effect.sync(() => reads++),
          memory.tickets.read(ticketId)
        ),
      load: (ticketId) =>
        Effect.andThen(
          Effect.sync(() => loads++),
          memory.tickets.load(ticketId)
        )
    })
    const contacts = DirectoryStore.of({
      ...directory,
      getContact: (ws, id) =>
        Effect.andThen(
          Effect.sync(() => contactReads++),
          directory.getContact(ws, id)
        )
    })
    const shared: Shared = {
      store: memory.tickets,
      reads: () => reads,
      loads: () => loads,
      contactReads: () => contactReads,
      desk: (config = {}) => Helpdesk.make({ workspaceId: "acme", ...config }, { sla })
    }
    return yield* Effect.gen(function* () {
      const setup = yield* shared.desk()
      yield* setup.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      yield* setup.saveContact({ id: "jane", name: "Jane Sharpe" })
      return yield* body(shared)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, tickets),
          Layer.succeed(Timers, memory.timers),
          Layer.succeed(DirectoryStore, contacts),
          IdGenerator.layerSequential
        )
      )
    )
  })

const janeWrites = (desk: Helpdesk.Service) =>
  desk.open({
    requester: { id: "jane" },
    subject: "Charged twice",
    text: "My card was charged twice.",
    channel: "email"
  })

/** A round of what agents and requesters do, a few minutes apart. */
const round = (desk: Helpdesk.Service, ticket: string) =>
  Effect.gen(function* () {
    for (const command of [
      desk.reply({ ticket, by: mary, text: "Could you send the receipt?" }),
      desk.note({ ticket, by: mary, text: "Asked for the receipt." }),
      desk.changeStatus({ ticket, by: mary, status: "pending" }),
      desk.reply({ ticket, by: jane, text: "Here it is." }),
      desk.setPriority({ ticket, by: mary, priority: "high" }),
      desk.setPriority({ ticket, by: mary, priority: "normal" })
    ]) {
      yield* TestClock.adjust("7 minutes")
      yield* command
    }
  })

/** The ticket's queue due time, and the one a replay of its whole log gives at the same instant. */
const dueTimes = (shared: Shared, desk: Helpdesk.Service, ticketId: TicketId) =>
  Effect.gen(function* () {
    const listed = (yield* desk.asSystem("test").list({ sort: "sla_due" })).items.find((t) => t.id === ticketId)
    const { events } = yield* shared.store.read(ticketId)
    const replayed = SlaFold.replayPlan(SlaFold.prepare(sla), {}, events, yield* DateTime.now)
    if (Result.isFailure(replayed)) throw replayed.failure
    const iso = (d: DateTime.Utc | undefined) => (d === undefined ? undefined : DateTime.formatIso(d))
    return { listed: iso(listed?.slaDueAt), replayed: iso(replayed.success.slaDueAt) }
  })

describe("SLA effects without the history", () => {
  it.effect("with SLAs on, commands on a ticket with a long history read none of it", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk()
        const ticket = yield* janeWrites(desk)
        for (let i = 0; i < 40; i++) yield* round(desk, ticket.id)
        // The fold follows the state the help desk remembers: not even the snapshot is loaded.
        assert.strictEqual(shared.loads(), 0)
        assert.strictEqual(shared.reads(), 0)
        assert.isAbove((yield* desk.asSystem("test").get(ticket.id)).version, 240)
        // The fold gives the queue the due time a replay of the log gives.
        const due = yield* dueTimes(shared, desk, ticket.id)
        assert.isDefined(due.listed)
        assert.strictEqual(due.listed, due.replayed)
      })
    )
  )

  it.effect(
    "once the fold is stored beside the snapshot, a help desk that never saw the ticket reads none of its history",
    () =>
      onOneStore((shared) =>
        Effect.gen(function* () {
          const first = yield* shared.desk()
          const ticket = yield* janeWrites(first)
          for (let i = 0; i < 5; i++) yield* round(first, ticket.id)
          const { sla, version } = yield* shared.store.load(ticket.id)
          assert.strictEqual(sla?.version, version)
          // Another process: it loads the ticket and its fold, and follows from there.
          const second = yield* shared.desk()
          yield* round(second, ticket.id)
          yield* round(first, ticket.id)
          yield* round(second, ticket.id)
          assert.strictEqual(shared.reads(), 0)
          const due = yield* dueTimes(shared, second, ticket.id)
          assert.isDefined(due.listed)
          assert.strictEqual(due.listed, due.replayed)
        })
      )
  )

  it.effect("a ticket written without a fold (or under another configuration) is replayed once, then followed", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk()
        const ticket = yield* janeWrites(desk)
        yield* round(desk, ticket.id)
        // A writer that keeps no fold (a help desk without SLAs) appends behind this one's back.
        const plain = yield* Helpdesk.make({ workspaceId: "acme" })
        yield* plain.note({ ticket: ticket.id, by: mary, text: "Written without SLAs." })
        yield* round(desk, ticket.id)
        assert.strictEqual(shared.reads(), 1)
        yield* round(desk, ticket.id)
        assert.strictEqual(shared.reads(), 1)
        const due = yield* dueTimes(shared, desk, ticket.id)
        assert.strictEqual(due.listed, due.replayed)
      })
    )
  )

  it.effect("timers record milestones from the fold, each once, without reading the log", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk()
        const ticket = yield* janeWrites(desk)
        // The first reply is due Monday 30 November at 17:00Z, warned at 15:00Z (75%).
        yield* TestClock.setTime(Date.parse("2026-11-30T18:00:00Z"))
        assert.strictEqual(yield* desk.runDueTimers(), 1)
        assert.strictEqual(yield* desk.runDueTimers(), 0)
        assert.strictEqual(yield* desk.recomputeSla(ticket.id), 0)
        const milestones = (yield* shared.store.read(ticket.id)).events.flatMap((e) =>
          e._tag === "SlaWarningReached" || e._tag === "SlaBreached" ? [`${e._tag} ${e.metric}#${e.instance}`] : []
        )
        assert.deepStrictEqual(milestones, ["SlaWarningReached first_reply#1", "SlaBreached first_reply#1"])
        assert.strictEqual(shared.reads(), 0)
      })
    )
  )
})

describe("the requester's tier for policy matching", () => {
  it.effect("is read once per actor check, and a contact saved here counts from the next command", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk({ actorCheckMillis: 60_000 })
        const ticket = yield* janeWrites(desk)
        const start = shared.contactReads()
        for (const priority of ["high", "normal", "high", "normal"] as const) {
          yield* desk.setPriority({ ticket: ticket.id, by: mary, priority })
        }
        assert.strictEqual(shared.contactReads(), start)
        yield* TestClock.adjust("61 seconds")
        yield* desk.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        assert.strictEqual(shared.contactReads(), start + 1)

        // High priority on the standard policy: 4 business hours, due Monday 30 November 11:00Z.
        const standard = yield* dueTimes(shared, desk, ticket.id)
        assert.strictEqual(standard.listed, "2026-11-30T11:00:00.000Z")
        // Jane becomes a premium customer: 1 business hour, due Friday 27 November 17:00Z.
        yield* desk.saveContact({ id: "jane", name: "Jane Sharpe", tier: "premium" })
        yield* desk.note({ ticket: ticket.id, by: mary, text: "Premium now." })
        const listed = (yield* desk.asSystem("test").list({ sort: "sla_due" })).items[0]
        assert.strictEqual(
          listed?.slaDueAt === undefined ? undefined : DateTime.formatIso(listed.slaDueAt),
          "2026-11-27T17:00:00.000Z"
        )
      })
    )
  )

  it.effect("with actorCheckMillis 0, is read on every command", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk({ actorCheckMillis: 0 })
        const ticket = yield* janeWrites(desk)
        const start = shared.contactReads()
        yield* desk.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        yield* desk.setPriority({ ticket: ticket.id, by: mary, priority: "normal" })
        assert.strictEqual(shared.contactReads(), start + 2)
      })
    )
  )
})
