import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../src/helpdesk/HelpdeskInput.js"
import * as StateCache from "../../src/helpdesk/StateCache.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import type { DirectoryStore } from "../../src/ports/DirectoryStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { TicketStore } from "../../src/ports/TicketStore.js"
import { Timers } from "../../src/ports/Timers.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import type { InvalidConfig } from "../../src/values/ConfigError.js"
import type { TicketId } from "../../src/values/Ids.js"

// -- fixtures ------------------------------------------------------------------------------------

type Config = Partial<typeof HelpdeskInput.Config.Encoded>
type Ports = TicketStore | DirectoryStore | IdGenerator.IdGenerator | Timers

const mary = { _tag: "agent", id: "mary" } as const
const lin = { _tag: "agent", id: "lin" } as const

/** One memory store, as several processes would share a database, and what happened to it. */
interface Shared {
  /** The store underneath, unobserved: what a test reads does not count. */
  readonly store: TicketStore["Service"]
  /** How many times a help desk loaded a ticket. */
  readonly loads: () => number
  /** How many appends the store refused with `VersionConflict`. */
  readonly conflicts: () => number
  /** A help desk of workspace `acme` over the shared ports: one per simulated process. */
  readonly desk: (config?: Config) => Effect.Effect<Helpdesk.Service, InvalidConfig, Ports>
}

/**
 * Runs `body` over one memory store (counting loads and conflicts), one directory and one id
 * sequence, with Mary (network) and Lin (billing) and the requester Jane in the directory.
 */
const onOneStore = <A, E>(body: (shared: Shared) => Effect.Effect<A, E, Ports>) =>
  Effect.gen(function* () {
    const memory = yield* MemoryTicketStore.makeStore()
    let loads = 0
    let conflicts = 0
    const spy = TicketStore.of({
      ...memory.tickets,
      load: (ticketId) =>
        Effect.andThen(
          Effect.sync(() => {
            loads++
          }),
          memory.tickets.load(ticketId)
        ),
      append: (ticketId, expectedVersion, events, effects) =>
        Effect.tapError(memory.tickets.append(ticketId, expectedVersion, events, effects), (error) =>
          Effect.sync(() => {
            if (error._tag === "VersionConflict") conflicts++
          })
        )
    })
    const shared: Shared = {
      store: memory.tickets,
      loads: () => loads,
      conflicts: () => conflicts,
      desk: (config = {}) =>
        Helpdesk.make({
          workspaceId: "acme",
          customFields: [{ key: "ref", label: "Reference", type: "text" }],
          ...config
        })
    }
    return yield* Effect.gen(function* () {
      const setup = yield* shared.desk()
      yield* setup.saveGroup({ id: "network", name: "Network" })
      yield* setup.saveGroup({ id: "billing", name: "Billing" })
      yield* setup.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", groups: ["network"] })
      yield* setup.saveAgent({ id: "lin", name: "Lin", email: "lin@acme.test", groups: ["billing"] })
      yield* setup.saveContact({ id: "jane", name: "Jane Sharpe" })
      return yield* body(shared)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, spy),
          Layer.succeed(Timers, memory.timers),
          MemoryDirectoryStore.layer,
          IdGenerator.layerSequential
        )
      )
    )
  })

const opens = (desk: Helpdesk.Service, fields: Partial<HelpdeskInput.OpenInput> = {}) =>
  desk.open({
    requester: { id: "jane" },
    subject: "VPN drops every hour",
    text: "Since this morning my VPN disconnects every hour.",
    channel: "web",
    by: mary,
    group: "network",
    ...fields
  })

/** The stream as the store holds it, each event as a short line. */
const streamOf = (store: TicketStore["Service"], ticketId: TicketId) =>
  Effect.map(store.read(ticketId), ({ version, events }) => ({
    version,
    lines: events.map((e) => {
      switch (e._tag) {
        case "PriorityChanged":
          return `priority ${e.from}->${e.to}`
        case "StatusChanged":
          return `status ${e.from}->${e.to}`
        case "NoteAdded":
          return `note ${e.message.text}`
        default:
          return e._tag
      }
    })
  }))

// -- the stale-state rules, with the cache on (default) and off ----------------------------------

describe.each([
  { name: "default cache", config: {}, cached: true },
  { name: "stateCacheSize 0", config: { stateCacheSize: 0 }, cached: false }
])("two processes on one store ($name)", ({ config, cached }) => {
  it.effect("a command that is a no-op on a stale state is decided again on fresh state: no lost update", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk(config)
        const b = yield* shared.desk(config)
        const ticket = yield* opens(a)
        yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        yield* b.setPriority({ ticket: ticket.id, by: lin, priority: "normal" })
        // A remembers "high": deciding on that alone would be a no-op and lose the update.
        const result = yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        expect(result).toMatchObject({ priority: "high", version: 4 })
        expect(yield* streamOf(shared.store, ticket.id)).toEqual({
          version: 4,
          lines: ["TicketOpened", "priority normal->high", "priority high->normal", "priority normal->high"]
        })
        expect((yield* shared.store.load(ticket.id)).state).toEqual(result)
        // A no-op on the current state stays a no-op, answered with the current state.
        const again = yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        expect(again).toEqual(result)
        expect((yield* shared.store.read(ticket.id)).version).toBe(4)
      })
    )
  )

  it.effect("a refusal on a stale state (build or decide) is decided again: fresh state accepts", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk(config)
        const b = yield* shared.desk(config)
        const ticket = yield* opens(a)
        yield* a.changeStatus({ ticket: ticket.id, by: mary, status: "open" })
        // B moves the ticket to billing; A still remembers it in network.
        yield* b.assign({ ticket: ticket.id, by: lin, group: "billing" })
        // Lin is not in network (A's stale group): `build` would refuse with AgentUnavailable.
        const assigned = yield* a.assign({ ticket: ticket.id, by: mary, assignee: "lin" })
        expect(assigned).toMatchObject({ group: "billing", assignee: "lin", status: "open", version: 4 })
        // B solves it; A remembers it open, and "closed" from "open" is TransitionNotAllowed.
        yield* b.changeStatus({ ticket: ticket.id, by: lin, status: "solved" })
        const closed = yield* a.changeStatus({ ticket: ticket.id, by: mary, status: "closed" })
        expect(closed).toMatchObject({ status: "closed", category: "closed", assignee: "lin", version: 6 })
        expect((yield* streamOf(shared.store, ticket.id)).lines).toEqual([
          "TicketOpened",
          "status new->open",
          "GroupChanged",
          "AssigneeChanged",
          "status open->solved",
          "status solved->closed"
        ])
      })
    )
  )

  it.effect("what a stale state accepts but fresh state refuses is refused, and nothing is written", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk(config)
        const b = yield* shared.desk(config)
        const ticket = yield* opens(a)
        yield* a.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
        yield* b.changeStatus({ ticket: ticket.id, by: lin, status: "closed" })
        const before = yield* shared.store.read(ticket.id)
        const refused = yield* Effect.flip(a.setPriority({ ticket: ticket.id, by: mary, priority: "urgent" }))
        expect(refused._tag).toBe("TicketClosed")
        const noted = yield* Effect.flip(a.note({ ticket: ticket.id, by: mary, text: "Too late" }))
        expect(noted._tag).toBe("TicketClosed")
        expect(yield* shared.store.read(ticket.id)).toEqual(before)
        expect(shared.conflicts()).toBe(cached ? 1 : 0)
      })
    )
  )

  it.effect("a stale state that conflicts on append still lands, after the other write, versions contiguous", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk(config)
        const b = yield* shared.desk(config)
        const ticket = yield* opens(a)
        yield* a.tag({ ticket: ticket.id, by: mary, add: ["vpn"] })
        yield* b.note({ ticket: ticket.id, by: lin, text: "Seen it before" })
        const result = yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "urgent" })
        expect(result).toMatchObject({ priority: "urgent", version: 4, tags: ["vpn"] })
        expect(result.messages.map((m) => m.text)).toContain("Seen it before")
        // With the cache, A first tried on version 2: one conflict, then fresh state.
        expect(shared.conflicts()).toBe(cached ? 1 : 0)
        expect(yield* streamOf(shared.store, ticket.id)).toEqual({
          version: 4,
          lines: ["TicketOpened", "TagsChanged", "note Seen it before", "priority normal->urgent"]
        })
        const { events } = yield* shared.store.read(ticket.id)
        expect((yield* shared.store.load(ticket.id)).state).toEqual(Ticket.fold(events, undefined))
        expect(yield* a.asSystem("test").get(ticket.id)).toEqual(result)
      })
    )
  )
})

// -- what the cache saves, and when it is bypassed ------------------------------------------------

describe("the state cache", () => {
  it.effect("consecutive commands through one instance load the ticket once; the opener not at all", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const opener = yield* shared.desk()
        const other = yield* shared.desk()
        const ticket = yield* opens(opener)
        yield* opener.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        yield* opener.tag({ ticket: ticket.id, by: mary, add: ["vpn"] })
        expect(shared.loads()).toBe(0)
        yield* other.note({ ticket: ticket.id, by: mary, text: "One" })
        yield* other.note({ ticket: ticket.id, by: mary, text: "Two" })
        yield* other.setType({ ticket: ticket.id, by: mary, type: "incident" })
        expect(shared.loads()).toBe(1)
        expect((yield* shared.store.read(ticket.id)).version).toBe(6)
      })
    )
  )

  it.effect("stateCacheSize 0 loads on every command", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk({ stateCacheSize: 0 })
        const ticket = yield* opens(desk)
        yield* desk.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        yield* desk.tag({ ticket: ticket.id, by: mary, add: ["vpn"] })
        yield* desk.tag({ ticket: ticket.id, by: mary, add: ["vpn"] })
        expect(shared.loads()).toBe(3)
      })
    )
  )

  it.effect("an expectedVersion other than the remembered one loads fresh, and conflicts if that differs too", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk()
        const b = yield* shared.desk()
        const ticket = yield* opens(a)
        yield* a.tag({ ticket: ticket.id, by: mary, add: ["vpn"] }) // A remembers version 2
        const conflict = yield* Effect.flip(
          a.setPriority({ ticket: ticket.id, by: mary, priority: "urgent", expectedVersion: 1 })
        )
        expect(conflict).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 1, actual: 2 })
        expect(shared.loads()).toBe(1)
        // B writes version 3. A still remembers 2; a caller who has seen 3 is right.
        yield* b.note({ ticket: ticket.id, by: lin, text: "Behind A's back" })
        const loadsBefore = shared.loads()
        const current = yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "urgent", expectedVersion: 3 })
        expect(current).toMatchObject({ priority: "urgent", version: 4 })
        expect(shared.loads()).toBe(loadsBefore + 1)
        // A caller that passes A's (stale) remembered version: tried on it, conflict, fresh load,
        // and the answer is the real version.
        yield* b.tag({ ticket: ticket.id, by: lin, add: ["billing"] })
        const stale = yield* Effect.flip(a.tag({ ticket: ticket.id, by: mary, add: ["x"], expectedVersion: 4 }))
        expect(stale).toMatchObject({ _tag: "VersionConflict", ticketId: ticket.id, expected: 4, actual: 5 })
        expect((yield* shared.store.read(ticket.id)).version).toBe(5)
      })
    )
  )

  it.effect("get reads fresh and refreshes what the instance remembers", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const a = yield* shared.desk()
        const b = yield* shared.desk()
        const ticket = yield* opens(a)
        yield* b.setPriority({ ticket: ticket.id, by: lin, priority: "low" })
        const seen = yield* a.asSystem("test").get(ticket.id)
        expect(seen).toMatchObject({ priority: "low", version: 2 })
        const conflictsBefore = shared.conflicts()
        yield* a.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        expect(shared.conflicts()).toBe(conflictsBefore) // decided on what get refreshed
      })
    )
  )

  it.effect("the least recently used ticket is forgotten first", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        const desk = yield* shared.desk({ stateCacheSize: 2 })
        const one = yield* opens(desk)
        const two = yield* opens(desk)
        yield* desk.tag({ ticket: one.id, by: mary, add: ["a"] }) // two is now the oldest
        const three = yield* opens(desk) // forgets two
        expect(shared.loads()).toBe(0)
        yield* desk.tag({ ticket: one.id, by: mary, add: ["b"] })
        yield* desk.tag({ ticket: three.id, by: mary, add: ["b"] })
        expect(shared.loads()).toBe(0)
        yield* desk.tag({ ticket: two.id, by: mary, add: ["b"] })
        expect(shared.loads()).toBe(1)
      })
    )
  )

  it.effect("stateCacheSize must be a non-negative integer", () =>
    onOneStore((shared) =>
      Effect.gen(function* () {
        for (const stateCacheSize of [-1, 1.5]) {
          const error = yield* Effect.flip(shared.desk({ stateCacheSize }))
          expect(error.problems.map((p) => p.path)).toEqual([["stateCacheSize"]])
        }
      })
    )
  )
})

// -- property: two instances interleaved behave like one that always reads fresh ---------------

type Step =
  | { readonly kind: "priority"; readonly value: "low" | "normal" | "high" | "urgent" }
  | { readonly kind: "tag"; readonly add: boolean; readonly value: string }
  | { readonly kind: "field"; readonly value: string }
  | { readonly kind: "status"; readonly value: "open" | "pending" | "solved" | "closed" }
  | { readonly kind: "assign"; readonly assignee: "mary" | "lin" }
  | { readonly kind: "group"; readonly value: "network" | "billing" }
  | { readonly kind: "note" }
  | { readonly kind: "get" }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("priority" as const), value: fc.constantFrom("low", "normal", "high", "urgent") }),
  fc.record({ kind: fc.constant("tag" as const), add: fc.boolean(), value: fc.constantFrom("vpn", "mail") }),
  fc.record({ kind: fc.constant("field" as const), value: fc.constantFrom("r1", "r2") }),
  fc.record({ kind: fc.constant("status" as const), value: fc.constantFrom("open", "pending", "solved", "closed") }),
  fc.record({ kind: fc.constant("assign" as const), assignee: fc.constantFrom("mary", "lin") }),
  fc.record({ kind: fc.constant("group" as const), value: fc.constantFrom("network", "billing") }),
  fc.record({ kind: fc.constant("note" as const) }),
  fc.record({ kind: fc.constant("get" as const) })
)

const perform = (desk: Helpdesk.Service, ticket: TicketId, s: Step, i: number) => {
  const on = { ticket, by: mary }
  switch (s.kind) {
    case "priority":
      return desk.setPriority({ ...on, priority: s.value })
    case "tag":
      return desk.tag({ ...on, ...(s.add ? { add: [s.value] } : { remove: [s.value] }) })
    case "field":
      return desk.setCustomField({ ...on, key: "ref", value: s.value })
    case "status":
      return desk.changeStatus({ ...on, status: s.value })
    case "assign":
      return desk.assign({ ...on, assignee: s.assignee })
    case "group":
      return desk.assign({ ...on, group: s.value, assignee: null })
    case "note":
      return desk.note({ ...on, text: `note ${i}` })
    case "get":
      return desk.asSystem("test").get(ticket)
  }
}

/** Runs the steps on two tickets, each step through the instance it names; what each answered. */
const runSteps = (
  sizes: readonly [number | undefined, number | undefined],
  steps: ReadonlyArray<{ readonly desk: 0 | 1; readonly ticket: 0 | 1; readonly step: Step }>
) =>
  onOneStore((shared) =>
    Effect.gen(function* () {
      const desks = [
        yield* shared.desk(sizes[0] === undefined ? {} : { stateCacheSize: sizes[0] }),
        yield* shared.desk(sizes[1] === undefined ? {} : { stateCacheSize: sizes[1] })
      ] as const
      const tickets = [(yield* opens(desks[0])).id, (yield* opens(desks[1])).id] as const
      const answers: Array<string> = []
      for (const [i, { desk, ticket, step: s }] of steps.entries()) {
        const exit = yield* Effect.exit(perform(desks[desk], tickets[ticket], s, i))
        answers.push(
          Exit.isSuccess(exit)
            ? `ok v${exit.value.version}`
            : `failed ${Option.match(Exit.findErrorOption(exit), { onNone: () => "defect", onSome: (e) => e._tag })}`
        )
      }
      const streams = []
      for (const id of tickets) {
        const { events, version } = yield* shared.store.read(id)
        const { state } = yield* shared.store.load(id)
        expect(state).toEqual(Ticket.fold(events, undefined))
        expect(state?.version).toBe(version)
        streams.push(events)
      }
      return { answers, streams, loads: shared.loads() }
    })
  ).pipe(Effect.provide(TestClock.layer()))

describe("two caching instances interleaved", () => {
  it("answer and write exactly what one instance reading fresh state every time does", async () => {
    const steps = fc.array(
      fc.record({
        desk: fc.constantFrom(0 as const, 1 as const),
        ticket: fc.constantFrom(0 as const, 1 as const),
        step
      }),
      { maxLength: 30 }
    )
    await fc.assert(
      fc.asyncProperty(steps, fc.constantFrom(undefined, 1), async (plan, size) => {
        const cached = await Effect.runPromise(runSteps([size, undefined], plan))
        const reference = await Effect.runPromise(runSteps([0, 0], plan))
        // The same answers and the same streams as reading fresh state every time: no command
        // was dropped as a no-op, refused, or decided on a state that was no longer current.
        expect(cached.answers).toEqual(reference.answers)
        expect(cached.streams).toEqual(reference.streams)
        expect(cached.loads).toBeLessThanOrEqual(reference.loads)
      }),
      { numRuns: 100 }
    )
  })
})

describe("StateCache.make", () => {
  const known = (version: number) => ({ state: { version } as Ticket.Ticket, version })
  const id = "t1" as TicketId

  it("an older snapshot never replaces a newer one, whatever order they arrive in", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 20 }), (versions) => {
        const cache = StateCache.make(10)
        for (const v of versions) cache.remember(id, known(v))
        expect(cache.recall(id)?.version).toBe(Math.max(...versions))
      })
    )
  })

  it("forgets a ticket at once, and remembers none at size 0", () => {
    const cache = StateCache.make(10)
    cache.remember(id, known(3))
    cache.forget(id)
    expect(cache.recall(id)).toBeUndefined()
    const none = StateCache.make(0)
    none.remember(id, known(3))
    expect(none.recall(id)).toBeUndefined()
  })
})
