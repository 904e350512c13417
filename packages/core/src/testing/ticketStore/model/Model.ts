/**
 * The model-based run of the `TicketStore` suite, its state: two help desks on one store (two
 * workspaces), a clock the run moves by hand, what the run knows of every ticket (its accepted
 * events and SLA due time), and the checks each step makes against the store: a stream reads
 * back as the model holds it, `load` is its fold, numbers resolve, queries give the reference's
 * pages, email Message-IDs are found on the ticket that first recorded them.
 */
import { Clock, DateTime, Effect, Option } from "effect"
import { expect } from "vitest"
import type * as Helpdesk from "../../../helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../../../helpdesk/HelpdeskInput.js"
import { TicketStore } from "../../../ports/TicketStore.js"
import type * as TicketQuery from "../../../query/TicketQuery.js"
import * as Ticket from "../../../ticket/Ticket.js"
import type * as E from "../../../ticket/TicketEvent.js"
import type * as Actor from "../../../values/Actor.js"
import type { PublicId, TicketId, WorkspaceId } from "../../../values/Ids.js"
import type * as StoreCalls from "../../internal/storeCalls.js"
import { statuses } from "../QuerySpecs.js"
import { expectAnswer, type Known, readStream, type Store } from "../Support.js"

/** A clock the run moves by hand (so replays see the same times); sleeping still takes real time. */
export interface ManualClock {
  readonly clock: Clock.Clock
  readonly now: () => number
  readonly advance: (millis: number) => void
}

export const manualClock = (start: number, real: Clock.Clock): ManualClock => {
  let now = start
  const nanos = () => BigInt(now) * 1_000_000n
  return {
    clock: {
      currentTimeMillisUnsafe: () => now,
      currentTimeMillis: Effect.sync(() => now),
      currentTimeNanosUnsafe: nanos,
      currentTimeNanos: Effect.sync(nanos),
      monotonicTimeNanosUnsafe: () => real.monotonicTimeNanosUnsafe(),
      monotonicTimeNanos: real.monotonicTimeNanos,
      sleep: (duration) => real.sleep(duration)
    },
    now: () => now,
    advance: (millis) => {
      now += millis
    }
  }
}

/** The store with its own operations on the real clock, whatever clock the caller runs on. */
export const onClock = (store: Store, clock: Clock.Clock): Store => {
  const real = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideService(effect, Clock.Clock, clock)
  return TicketStore.of({
    capabilities: store.capabilities,
    read: (ticketId) => real(store.read(ticketId)),
    load: (ticketId) => real(store.load(ticketId)),
    loadMany: (ticketIds) => real(store.loadMany(ticketIds)),
    loadIfChanged: (ticketId, version) => real(store.loadIfChanged(ticketId, version)),
    append: (ticketId, expectedVersion, events, effects) =>
      real(store.append(ticketId, expectedVersion, events, effects)),
    appendAll: (batch) => real(store.appendAll(batch)),
    readAll: (after, limit, options) => real(store.readAll(after, limit, options)),
    nextPublicId: (ws) => real(store.nextPublicId(ws)),
    resolve: (ws, publicId) => real(store.resolve(ws, publicId)),
    findByEmailId: (ws, messageId) => real(store.findByEmailId(ws, messageId)),
    query: (ws, query, visibility) => real(store.query(ws, query, visibility))
  })
}

export const modelConfig = (ws: WorkspaceId, maxAttempts?: number): typeof HelpdeskInput.Config.Encoded => ({
  workspaceId: ws,
  workflow: {
    statuses: statuses.map((id) => ({
      id,
      category: id === "awaiting_vendor" ? "on_hold" : id,
      label: id.replace("_", " ")
    })),
    closeSolvedAfterHours: 24,
    reopen: { default: { _tag: "AlwaysReopen" }, byGroup: { tier2: { _tag: "ReopenWithin", days: 1 } } }
  },
  customFields: [
    { key: "plan", label: "Plan", type: "dropdown", options: ["free", "pro", "enterprise"] },
    { key: "order_number", label: "Order number", type: "number" },
    { key: "vip", label: "VIP", type: "boolean" }
  ],
  ...(maxAttempts === undefined ? {} : { maxAttempts })
})

export const seedDirectory = (desk: Helpdesk.Service) =>
  Effect.gen(function* () {
    yield* desk.saveOrganization({ id: "acme", name: "Acme" })
    yield* desk.saveGroup({ id: "billing", name: "Billing" })
    yield* desk.saveGroup({ id: "tier2", name: "Tier 2" })
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com", groups: ["billing"] })
    yield* desk.saveAgent({ id: "sam", name: "Sam", email: "sam@example.com", groups: ["billing", "tier2"] })
    yield* desk.saveAgent({ id: "ivan", name: "Ivan", email: "ivan@example.com", groups: ["tier2"], active: false })
    yield* desk.saveContact({ id: "jane", name: "Jane Sharpe", emails: ["jane@example.com"], organization: "acme" })
    yield* desk.saveContact({ id: "omar", name: "Omar", emails: ["omar@example.com"] })
    yield* desk.saveContact({ id: "lee", name: "Lee" })
  })

export interface Space {
  readonly ws: WorkspaceId
  readonly desk: Helpdesk.Service
}

/** The system under test: one store, two workspaces on it, and the clock the run moves. */
export interface Real {
  readonly store: Store
  /** What the store was asked, for failure messages. */
  readonly recorder: StoreCalls.Recorder
  readonly spaces: readonly [Space, Space]
  readonly clock: ManualClock
  /** Runs an effect on the run's clock. */
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>
}

export interface ModelTicket {
  readonly id: TicketId
  readonly space: 0 | 1
  readonly publicId: PublicId
  /** The accepted events, as the store returned them. */
  events: ReadonlyArray<E.TicketEvent>
  /** The SLA due time the last append that set one gave it. */
  slaDueAt: DateTime.Utc | undefined
}

/** What the run knows: every ticket it opened and the events accepted on it. */
export interface Model {
  readonly tickets: Array<ModelTicket>
  /** Per workspace, the ticket each email Message-ID of `emailIdPool` was first recorded on. */
  readonly emailIds: readonly [Map<string, TicketId>, Map<string, TicketId>]
}

/** The email Message-IDs replies and notes of a run carry: few, so that they meet again. */
export const emailIdPool: ReadonlyArray<string> = ["<m1@model.test>", "<m2@model.test>", "<m3@model.test>"]

/** Every id of the pool is found, in each workspace, on the ticket the model says first recorded it. */
export const expectEmailIds = async (model: Model, real: Real) => {
  for (const space of [0, 1] as const) {
    for (const messageId of emailIdPool) {
      const found = await Effect.runPromise(real.store.findByEmailId(real.spaces[space].ws, messageId))
      expect(Option.getOrUndefined(found), `findByEmailId(${space === 0 ? "A" : "B"}, ${messageId})`).toBe(
        model.emailIds[space].get(messageId)
      )
    }
  }
}

/** Refusals a help desk operation may answer with: the command is refused, nothing is written. */
export const refusals: ReadonlyArray<string> = [
  "TicketNotFound",
  "TicketClosed",
  "TransitionNotAllowed",
  "UnknownStatus",
  "NotPermitted",
  "UnknownCustomField",
  "InvalidCustomFieldValue",
  "InvalidEscalation",
  "EmptyMessage",
  "InvalidInput",
  "NotInDirectory",
  "AgentUnavailable"
]
/**
 * With a stale `expectedVersion`, only the checks made before loading the stream come first: the
 * access policy's among them (a contact's command on a ticket they may not see is not found, and
 * a light agent's reply refused, issue 18).
 */
export const staleRefusals: ReadonlyArray<string> = [
  "VersionConflict",
  "InvalidInput",
  "NotInDirectory",
  "AgentUnavailable",
  "TicketNotFound",
  "NotPermitted"
]

export const expectStream = async (real: Real, ticketId: TicketId, events: ReadonlyArray<E.TicketEvent>) => {
  const stream = await Effect.runPromise(readStream(real.store, ticketId))
  expect(stream.events, `stream ${ticketId}`).toEqual(events)
}

export const expectResolves = async (real: Real, ws: WorkspaceId, publicId: number, ticketId: TicketId | undefined) => {
  const found = await Effect.runPromise(real.store.resolve(ws, publicId as PublicId))
  expect(Option.getOrUndefined(found), `ticket number ${publicId} in ${ws}`).toBe(ticketId)
}

export const holderOf = (model: Model, space: 0 | 1, publicId: number) =>
  model.tickets.find((t) => t.space === space && t.publicId === publicId)?.id

/** A ticket the help desk just opened: new, numbered uniquely, stored as returned. */
export const acceptNewTicket = async (model: Model, real: Real, space: 0 | 1, ticket: Ticket.Ticket) => {
  expect(ticket.workspaceId).toBe(real.spaces[space].ws)
  expect(
    model.tickets.some((t) => t.id === ticket.id),
    `ticket id ${ticket.id} reused`
  ).toBe(false)
  expect(holderOf(model, space, ticket.publicId), `ticket number ${ticket.publicId} handed out twice`).toBe(undefined)
  const stream = await Effect.runPromise(readStream(real.store, ticket.id))
  expect(stream.events.map((e) => e._tag)).toEqual(["TicketOpened"])
  expect(Ticket.fold(stream.events)).toEqual(ticket)
  await expectResolves(real, ticket.workspaceId, ticket.publicId, ticket.id)
  model.tickets.push({ id: ticket.id, space, publicId: ticket.publicId, events: stream.events, slaDueAt: undefined })
}

/**
 * Events the help desk just appended to a known ticket: after its history, stored as returned
 * (a contact gets the ticket's public view back).
 */
export const acceptAppend = async (real: Real, target: ModelTicket, returned: Ticket.Ticket, by: Actor.Actor) => {
  const stream = await Effect.runPromise(readStream(real.store, target.id))
  expect(stream.events.slice(0, target.events.length), "history must not change").toEqual(target.events)
  for (const event of stream.events.slice(target.events.length)) {
    expect(event.ticketId).toBe(target.id)
    // The help desk reads the clock once per command; the store keeps `at` to the millisecond.
    expect(DateTime.toEpochMillis(event.at)).toBe(real.clock.now())
  }
  const folded = Ticket.fold(stream.events) as Ticket.Ticket
  expect(Ticket.viewFor(by, folded), "the stream folds to what the help desk returned").toEqual(returned)
  target.events = stream.events
}

export const knownOf = (model: Model, space?: 0 | 1): ReadonlyArray<Known> =>
  model.tickets
    .filter((t) => space === undefined || t.space === space)
    .map((t) => ({ ticket: Ticket.fold(t.events) as Ticket.Ticket, slaDueAt: t.slaDueAt }))

export const expectQuery = async (
  model: Model,
  real: Real,
  space: 0 | 1,
  query: TicketQuery.TicketQuery,
  limit: number
) => {
  await expectAnswer(real.store, real.spaces[space].ws, query, limit, knownOf(model, space))
}
