/**
 * The conformance suite of the `TicketStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests: examples of the contract (streams and optimistic
 * concurrency, public numbers, workspace isolation, cursors), a model-based fast-check run of
 * random help desk operations whose streams, numbers and query pages are checked against the
 * reference semantics (`Ticket.fold`, `TicketQuery.run`), and the concurrency property of issue 2.
 * Each test builds its own store from the layer and writes only to workspaces and streams that no
 * other test or run uses, so a shared durable store needs no cleanup between runs.
 */
import { Clock, Context, DateTime, Effect, Exit, Layer, Option, Random, References, Scope } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Helpdesk from "../helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../helpdesk/HelpdeskInput.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator, layerSequential } from "../ports/IdGenerator.js"
import type { Outbox } from "../ports/Outbox.js"
import type { StoredStream } from "../ports/TicketStore.js"
import { TicketStore } from "../ports/TicketStore.js"
import { Timers } from "../ports/Timers.js"
import * as TicketQuery from "../query/TicketQuery.js"
import type { Tag } from "../tags/Tag.js"
import * as Actor from "../ticket/Actor.js"
import type { Channel } from "../ticket/Channel.js"
import type { FieldKey, FieldValue } from "../ticket/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../ticket/Ids.js"
import type { StatusCategory, StatusId } from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as E from "../ticket/TicketEvent.js"
import type { SupportLevel, TicketType } from "../ticket/TicketType.js"
import * as Arbitraries from "./Arbitraries.js"

type Store = TicketStore["Service"]

/**
 * How much of the suite to run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Runs of the model-based property (default 200). */
  readonly numRuns?: number
  /** Most operations in one model-based run (default 50). */
  readonly maxCommands?: number
  /** Seed and path of the model-based run, to replay a failure as fast-check reported it. */
  readonly seed?: number
  readonly path?: string
  /** Concurrent writers on one ticket (default 8, as issue 2 requires). */
  readonly writers?: number
  /** Commands each writer sends (default 500, as issue 2 requires). */
  readonly commandsPerWriter?: number
  /** Timeout of each property test, in milliseconds (default 10 minutes). */
  readonly timeout?: number
}

// -- shared helpers -------------------------------------------------------------------------------

let workspaceCount = 0

/**
 * A workspace id no other test or run uses, even in a durable store shared between runs: the
 * time, some randomness and a counter.
 *
 * @category testing
 * @since 0.1.0
 */
export const freshWorkspace: Effect.Effect<WorkspaceId> = Effect.gen(function* () {
  const millis = yield* Clock.currentTimeMillis
  const random = yield* Random.nextIntBetween(0, 36 ** 6)
  workspaceCount++
  return `ws-${millis.toString(36)}-${random.toString(36)}-${workspaceCount}` as WorkspaceId
})

/** Runs `f` on a store built afresh from the layer, released at the end. */
const withStore = <A, E, E2>(
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  f: (store: Store) => Effect.Effect<A, E2>
): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* f(yield* TicketStore)
    }).pipe(Effect.provide(Layer.fresh(layer)))
  )

const show = (value: unknown): string => {
  try {
    return fc.stringify(value)
  } catch {
    return String(value)
  }
}

/** The typed error of an effect that must fail; a success fails the test, saying what came back. */
const failureOf = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<E> =>
  Effect.flatMap(Effect.result(effect), (result) =>
    result._tag === "Failure"
      ? Effect.succeed(result.failure)
      : Effect.die(new Error(`expected a failure, got ${show(result.success)}`))
  )

/** Reads a stream and checks that its version is its length and that `load` is its fold. */
const readStream = (store: Store, ticketId: TicketId): Effect.Effect<StoredStream, unknown> =>
  Effect.tap(store.read(ticketId), (stream) =>
    Effect.map(store.load(ticketId), (loaded) => {
      expect(stream.version, `version of ${ticketId} vs its events`).toBe(stream.events.length)
      expect(loaded.version, `loaded version of ${ticketId}`).toBe(stream.version)
      expect(loaded.state, `loaded state of ${ticketId} vs the fold of its events`).toEqual(Ticket.fold(stream.events))
    })
  )

/** Reads all pages of a query, following `nextCursor`; stops a store whose cursors never end. */
const allPages = (
  store: Store,
  ws: WorkspaceId,
  query: TicketQuery.TicketQuery,
  bound: number
): Effect.Effect<ReadonlyArray<TicketQuery.TicketPage>, unknown> =>
  Effect.gen(function* () {
    const pages: Array<TicketQuery.TicketPage> = []
    let cursor: string | undefined
    do {
      if (pages.length > bound) return yield* Effect.die(new Error(`pagination did not end after ${bound} pages`))
      const page = yield* store.query(ws, cursor === undefined ? query : { ...query, cursor })
      pages.push(page)
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return pages
  })

// -- fixtures of the example tests ------------------------------------------------------------------

const startAt: DateTime.Utc = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
const minutesLater = (minutes: number): DateTime.Utc => DateTime.add(startAt, { minutes })
const mary = Actor.agent("mary")

const ticketIn = (ws: WorkspaceId, name: string) => `${ws}.${name}` as TicketId

const opened = (ws: WorkspaceId, ticketId: TicketId, publicId: number, requester = "jane") =>
  new E.TicketOpened({
    ticketId,
    at: startAt,
    by: Actor.contact(requester),
    workspaceId: ws,
    publicId: publicId as PublicId,
    subject: "VPN drops every hour",
    requester: requester as ContactId,
    channel: "email",
    priority: "normal",
    status: "new" as StatusId,
    category: "new",
    tags: ["vpn" as Tag],
    customFields: { plan: "pro" } as Record<FieldKey, FieldValue>,
    message: {
      id: `${ticketId}.m0` as MessageId,
      visibility: "public",
      author: Actor.contact(requester),
      channel: "email",
      at: startAt,
      text: "Since Monday the VPN drops every hour. Merci ! 👍",
      attachments: [{ fileName: "vpn.log", contentType: "text/plain", size: 2048 }],
      email: { messageId: "<a1@example.com>", references: [] }
    }
  })

const replied = (ticketId: TicketId, minutes: number, text: string) =>
  new E.ReplyAdded({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    message: {
      id: `${ticketId}.m${minutes}` as MessageId,
      visibility: "public",
      author: mary,
      channel: "email",
      at: minutesLater(minutes),
      text,
      attachments: []
    }
  })

const retagged = (ticketId: TicketId, minutes: number, added: ReadonlyArray<string>, removed: ReadonlyArray<string>) =>
  new E.TagsChanged({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    added: added as ReadonlyArray<Tag>,
    removed: removed as ReadonlyArray<Tag>
  })

const moved = (ticketId: TicketId, minutes: number, from: StatusCategory, to: StatusCategory) =>
  new E.StatusChanged({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    from: from as StatusId,
    to: to as StatusId,
    fromCategory: from,
    toCategory: to
  })

// -- the model-based run --------------------------------------------------------------------------

/** A clock the run moves by hand (so replays see the same times); sleeping still takes real time. */
interface ManualClock {
  readonly clock: Clock.Clock
  readonly now: () => number
  readonly advance: (millis: number) => void
}

const manualClock = (start: number, real: Clock.Clock): ManualClock => {
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
const onClock = (store: Store, clock: Clock.Clock): Store => {
  const real = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideService(effect, Clock.Clock, clock)
  return TicketStore.of({
    capabilities: store.capabilities,
    read: (ticketId) => real(store.read(ticketId)),
    load: (ticketId) => real(store.load(ticketId)),
    append: (ticketId, expectedVersion, events) => real(store.append(ticketId, expectedVersion, events)),
    nextPublicId: (ws) => real(store.nextPublicId(ws)),
    resolve: (ws, publicId) => real(store.resolve(ws, publicId)),
    query: (ws, query) => real(store.query(ws, query))
  })
}

/** Sequential ids (`tkt_1`) behind a prefix only this run uses: stream ids are global to a store. */
const prefixedIds = (prefix: string): Effect.Effect<IdGenerator["Service"]> =>
  Effect.map(
    Effect.gen(function* () {
      return yield* IdGenerator
    }).pipe(Effect.provide(layerSequential)),
    (inner) => IdGenerator.of({ next: (kind) => Effect.map(inner.next(kind), (id) => `${prefix}${id}`) })
  )

const modelStart = Date.parse("2026-03-09T08:00:00.000Z")

const statuses = ["new", "open", "pending", "on_hold", "awaiting_vendor", "solved", "closed"] as const

const modelConfig = (ws: WorkspaceId, maxAttempts?: number): typeof HelpdeskInput.Config.Encoded => ({
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

const seedDirectory = (desk: Helpdesk.Service) =>
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

interface Space {
  readonly ws: WorkspaceId
  readonly desk: Helpdesk.Service
}

/** The system under test: one store, two workspaces on it, and the clock the run moves. */
interface Real {
  readonly store: Store
  readonly spaces: readonly [Space, Space]
  readonly clock: ManualClock
  /** Runs an effect on the run's clock. */
  readonly run: <A, E>(effect: Effect.Effect<A, E>) => Promise<A>
}

interface ModelTicket {
  readonly id: TicketId
  readonly space: 0 | 1
  readonly publicId: PublicId
  /** The accepted events, as the store returned them. */
  events: ReadonlyArray<E.TicketEvent>
}

/** What the run knows: every ticket it opened and the events accepted on it. */
interface Model {
  readonly tickets: Array<ModelTicket>
}

/** Refusals a help desk operation may answer with: the command is refused, nothing is written. */
const refusals: ReadonlyArray<string> = [
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
/** With a stale `expectedVersion`, only the checks made before loading the stream come first. */
const staleRefusals: ReadonlyArray<string> = ["VersionConflict", "InvalidInput", "NotInDirectory", "AgentUnavailable"]

const expectStream = async (real: Real, ticketId: TicketId, events: ReadonlyArray<E.TicketEvent>) => {
  const stream = await Effect.runPromise(readStream(real.store, ticketId))
  expect(stream.events, `stream ${ticketId}`).toEqual(events)
}

const expectResolves = async (real: Real, ws: WorkspaceId, publicId: number, ticketId: TicketId | undefined) => {
  const found = await Effect.runPromise(real.store.resolve(ws, publicId as PublicId))
  expect(Option.getOrUndefined(found), `ticket number ${publicId} in ${ws}`).toBe(ticketId)
}

const holderOf = (model: Model, space: 0 | 1, publicId: number) =>
  model.tickets.find((t) => t.space === space && t.publicId === publicId)?.id

/** A ticket the help desk just opened: new, numbered uniquely, stored as returned. */
const acceptNewTicket = async (model: Model, real: Real, space: 0 | 1, ticket: Ticket.Ticket) => {
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
  model.tickets.push({ id: ticket.id, space, publicId: ticket.publicId, events: stream.events })
}

/** Events the help desk just appended to a known ticket: after its history, stored as returned. */
const acceptAppend = async (real: Real, target: ModelTicket, returned: Ticket.Ticket) => {
  const stream = await Effect.runPromise(readStream(real.store, target.id))
  expect(stream.events.slice(0, target.events.length), "history must not change").toEqual(target.events)
  for (const event of stream.events.slice(target.events.length)) {
    expect(event.ticketId).toBe(target.id)
    // The help desk reads the clock once per command; the store keeps `at` to the millisecond.
    expect(DateTime.toEpochMillis(event.at)).toBe(real.clock.now())
  }
  expect(Ticket.fold(stream.events), "the stream folds to what the help desk returned").toEqual(returned)
  target.events = stream.events
}

type OpenArgs = HelpdeskInput.OpenInput

class Open implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly space: 0 | 1,
    readonly input: OpenArgs
  ) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    const { ws, desk } = real.spaces[this.space]
    const result = await real.run(Effect.result(desk.open(this.input)))
    const chosen = this.input.publicId
    const holder = chosen === undefined ? undefined : holderOf(model, this.space, chosen)
    if (result._tag === "Failure") {
      const error = result.failure
      if (error._tag === "PublicIdTaken") {
        expect(holder, `${chosen} is free in ${ws}, yet PublicIdTaken`).not.toBe(undefined)
        expect(error).toMatchObject({ workspaceId: ws, publicId: chosen })
      } else {
        expect(refusals, show(error)).toContain(error._tag)
      }
      if (chosen !== undefined) await expectResolves(real, ws, chosen, holder)
      return
    }
    expect(holder, `ticket number ${chosen} was taken by ${holder}`).toBe(undefined)
    if (chosen !== undefined) expect(result.success.publicId).toBe(chosen)
    await acceptNewTicket(model, real, this.space, result.success)
  }
  toString() {
    return `open(${this.space === 0 ? "A" : "B"}, ${show(this.input)})`
  }
}

type Follower = E.Follower

/** An operation on an existing ticket, as the help desk's inputs take it. */
type TicketOp =
  | { readonly kind: "reply"; readonly text: string; readonly channel?: Channel }
  | { readonly kind: "note"; readonly text: string }
  | { readonly kind: "status"; readonly status: string }
  | { readonly kind: "assign"; readonly assignee?: string | null; readonly group?: string | null }
  | { readonly kind: "priority"; readonly priority: "low" | "normal" | "high" | "urgent" }
  | { readonly kind: "type"; readonly type: TicketType }
  | { readonly kind: "escalate"; readonly to?: SupportLevel; readonly reason: string }
  | { readonly kind: "field"; readonly key: string; readonly value: string | number | boolean | null }
  | { readonly kind: "tags"; readonly add?: ReadonlyArray<string>; readonly remove?: ReadonlyArray<string> }
  | { readonly kind: "follow" | "unfollow"; readonly follower: Follower }

interface Target {
  readonly ticket: string | number
  readonly by: Actor.Actor
  readonly expectedVersion?: number
}

const perform = (desk: Helpdesk.Service, target: Target, op: TicketOp) => {
  switch (op.kind) {
    case "reply": {
      const { kind: _, ...input } = op
      return desk.reply({ ...target, ...input })
    }
    case "note": {
      const { kind: _, ...input } = op
      return desk.note({ ...target, ...input })
    }
    case "status":
      return desk.changeStatus({ ...target, status: op.status })
    case "assign": {
      const { kind: _, ...input } = op
      return desk.assign({ ...target, ...input })
    }
    case "priority":
      return desk.setPriority({ ...target, priority: op.priority })
    case "type":
      return desk.setType({ ...target, type: op.type })
    case "escalate": {
      const { kind: _, ...input } = op
      return desk.escalate({ ...target, ...input })
    }
    case "field":
      return desk.setCustomField({ ...target, key: op.key, value: op.value })
    case "tags": {
      const { kind: _, ...input } = op
      return desk.tag({ ...target, ...input })
    }
    case "follow":
      return desk.addFollower({ ...target, follower: op.follower })
    case "unfollow":
      return desk.removeFollower({ ...target, follower: op.follower })
  }
}

class OnTicket implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    /** `requester`: whoever asked for the ticket (replies reopen it, or open a follow-up). */
    readonly by: Actor.Actor | "requester",
    readonly ref: "id" | "publicId",
    readonly version: "none" | "current" | "stale",
    readonly op: TicketOp
  ) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const { desk } = real.spaces[target.space]
    const version = target.events.length
    const expectedVersion =
      this.version === "current"
        ? version
        : this.version === "stale"
          ? version + (this.pick % 2 === 0 ? -1 : 1)
          : undefined
    const by =
      this.by === "requester" ? Actor.contact((Ticket.fold(target.events) as Ticket.Ticket).requester) : this.by
    const input: Target = {
      ticket: this.ref === "id" ? target.id : target.publicId,
      by,
      ...(expectedVersion === undefined ? {} : { expectedVersion })
    }
    const result = await real.run(Effect.result(perform(desk, input, this.op)))
    if (result._tag === "Failure") {
      const error = result.failure
      expect(this.version === "stale" ? staleRefusals : refusals, show(error)).toContain(error._tag)
      if (error._tag === "VersionConflict") {
        expect(error).toMatchObject({ streamId: target.id, expected: expectedVersion, actual: version })
      }
      await expectStream(real, target.id, target.events)
      return
    }
    expect(this.version, "a command with a stale expectedVersion was accepted").not.toBe("stale")
    const ticket = result.success
    if (ticket.id === target.id) return acceptAppend(real, target, ticket)
    // A requester's reply on a closed ticket opens a follow-up, linked both ways.
    expect(this.op.kind, `${this.op.kind} returned another ticket`).toBe("reply")
    expect(ticket.links).toContainEqual({ kind: "follow_up_of", ticketId: target.id })
    const original = await Effect.runPromise(readStream(real.store, target.id))
    expect(original.events.slice(0, version)).toEqual(target.events)
    expect(original.events.slice(version).map((e) => (e._tag === "LinkAdded" ? e.link : e._tag))).toEqual([
      { kind: "followed_up_by", ticketId: ticket.id }
    ])
    target.events = original.events
    await acceptNewTicket(model, real, target.space, ticket)
  }
  toString() {
    const ref = this.ref === "publicId" ? ", by number" : ""
    const version = this.version === "none" ? "" : `, ${this.version} version`
    const by = this.by === "requester" ? "requester" : Actor.label(this.by)
    return `${this.op.kind}(#${this.pick}, ${by}${ref}${version}, ${show(this.op)})`
  }
}

/** Reads a ticket back through its own help desk and tries it through the other workspace's. */
class ReadBack implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const own = real.spaces[target.space]
    const other = real.spaces[target.space === 0 ? 1 : 0]
    expect(await real.run(own.desk.get(target.publicId))).toEqual(Ticket.fold(target.events))
    expect(await real.run(own.desk.history(target.id))).toEqual(target.events)
    await expectResolves(real, own.ws, target.publicId, target.id)
    const foreignRead = await real.run(failureOf(other.desk.get(target.id)))
    expect(foreignRead._tag).toBe("TicketNotFound")
    const foreignWrite = await real.run(failureOf(other.desk.tag({ ticket: target.id, by: mary, add: ["foreign"] })))
    expect(foreignWrite._tag).toBe("TicketNotFound")
    await expectStream(real, target.id, target.events)
  }
  toString() {
    return `readBack(#${this.pick})`
  }
}

/** One query, page by page, against the reference: `TicketQuery.run` over the model's folds. */
class Query implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly space: 0 | 1,
    readonly query: TicketQuery.TicketQuery,
    readonly limit: number
  ) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    await expectQuery(model, real, this.space, this.query, this.limit)
  }
  toString() {
    return `query(${this.space === 0 ? "A" : "B"}, ${show(this.query)}, limit ${this.limit})`
  }
}

const expectQuery = async (model: Model, real: Real, space: 0 | 1, query: TicketQuery.TicketQuery, limit: number) => {
  const summaries = model.tickets
    .filter((t) => t.space === space)
    .map((t) => TicketQuery.summarize(Ticket.fold(t.events) as Ticket.Ticket))
  const reference = await Effect.runPromise(
    TicketQuery.run({ ...query, limit: Math.max(1, summaries.length) }, summaries)
  )
  const expected = reference.items
  const pages = await Effect.runPromise(
    allPages(real.store, real.spaces[space].ws, { ...query, limit }, Math.ceil(expected.length / limit) + 1)
  )
  // Page by page: full pages, a cursor exactly when more follow, together the reference list.
  pages.forEach((page, i) => {
    expect(page.items, `page ${i + 1} of ${show(query)}`).toEqual(expected.slice(i * limit, (i + 1) * limit))
    expect(page.nextCursor !== undefined, `cursor after page ${i + 1}`).toBe((i + 1) * limit < expected.length)
  })
  expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / limit)))
}

/** Moves the run's clock (ties, reopen windows, close timers). */
class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly millis: number) {}
  check() {
    return true
  }
  async run(_model: Model, real: Real) {
    real.clock.advance(this.millis)
  }
  toString() {
    return `advance(${this.millis} ms)`
  }
}

/** Fires due close timers: only solved tickets close, each once, by the system. */
class RunTimers implements fc.AsyncCommand<Model, Real> {
  constructor(readonly space: 0 | 1) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    const fired = await real.run(real.spaces[this.space].desk.runDueTimers())
    let closed = 0
    for (const target of model.tickets.filter((t) => t.space === this.space)) {
      const stream = await Effect.runPromise(readStream(real.store, target.id))
      expect(stream.events.slice(0, target.events.length)).toEqual(target.events)
      const added = stream.events.slice(target.events.length)
      if (added.length > 0) {
        closed++
        expect(added.map((e) => (e._tag === "StatusChanged" ? [e.toCategory, Actor.label(e.by)] : e._tag))).toEqual([
          ["closed", "system:close-solved"]
        ])
      }
      target.events = stream.events
    }
    // A timer whose ticket an agent closed first counts as fired too: at least those it closed.
    expect(fired).toBeGreaterThanOrEqual(closed)
  }
  toString() {
    return `runDueTimers(${this.space === 0 ? "A" : "B"})`
  }
}

// Arbitraries of the run: ids are the seeded directory's (and a few unknown ones).

const space = fc.constantFrom<0 | 1>(0, 1)

const actor: fc.Arbitrary<Actor.Actor> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(Actor.agent("mary"), Actor.agent("sam")) },
  { weight: 3, arbitrary: fc.constantFrom(Actor.contact("jane"), Actor.contact("omar")) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Actor.agent("ivan"),
      Actor.agent("ghost"),
      Actor.contact("lee"),
      Actor.contact("nobody"),
      Actor.system("rule:vip")
    )
  }
)

const follower: fc.Arbitrary<Follower> = fc.constantFrom(
  { _tag: "agent", id: "mary" as AgentId },
  { _tag: "agent", id: "sam" as AgentId },
  { _tag: "agent", id: "ghost" as AgentId },
  { _tag: "contact", id: "jane" as ContactId },
  { _tag: "contact", id: "lee" as ContactId },
  { _tag: "contact", id: "nobody" as ContactId }
)

const status = fc.constantFrom<string>(...statuses, "bogus", "Not A Status")
const agentRef = fc.constantFrom<string>("mary", "sam", "ivan", "ghost")
const groupRef = fc.constantFrom<string>("billing", "tier2", "nowhere")
const rawTags = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("Billing", " billing ", "vpn issue", "VPN  Issue", "Été", "🎉 launch") },
    { weight: 1, arbitrary: Arbitraries.rawTag }
  ),
  { maxLength: 3 }
)
const queryTags = fc.subarray(["billing", "vpn_issue", "été", "🎉_launch", "nothing"])
const fieldInput = fc.constantFrom<readonly [string, string | number | boolean | null]>(
  ["plan", "pro"],
  ["plan", "enterprise"],
  ["plan", "gold"],
  ["plan", null],
  ["order_number", 4471],
  ["order_number", 12.5],
  ["order_number", "4471"],
  ["vip", true],
  ["vip", false],
  ["color", "red"]
)

const richOpen: fc.Arbitrary<OpenArgs> = fc.record(
  {
    requester: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom({ id: "jane" }, { id: "omar" }, { id: "lee" }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { id: "nobody" },
          { email: "new.customer@example.com" },
          { email: "JANE@Example.com", name: "Jane" },
          { email: "not-an-email" }
        )
      }
    ),
    by: actor,
    subject: fc.oneof(fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong"), fc.string({ maxLength: 20 })),
    text: Arbitraries.messageText,
    channel: Arbitraries.channel,
    priority: Arbitraries.priority,
    type: Arbitraries.ticketType,
    status,
    group: groupRef,
    assignee: agentRef,
    tags: rawTags,
    customFields: fieldInput.map(([key, value]) => ({ [key]: value ?? "free" })),
    publicId: fc.integer({ min: 1, max: 6 })
  },
  { requiredKeys: ["requester", "subject", "text", "channel"] }
)

const simpleOpen: fc.Arbitrary<OpenArgs> = fc.record(
  {
    requester: fc.constantFrom({ id: "jane" }, { id: "omar" }, { id: "lee" }),
    subject: fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong", "Printer on fire"),
    text: fc.constantFrom("It stopped working this morning.", "Merci d'avance ! 🙏"),
    channel: Arbitraries.channel,
    priority: Arbitraries.priority,
    tags: rawTags
  },
  { requiredKeys: ["requester", "subject", "text", "channel"] }
)

/** An agent takes a call and solves it on the spot: solved from the start, its close timer set. */
const solvedOnTheSpot: fc.Arbitrary<OpenArgs> = fc.record({
  requester: fc.constantFrom({ id: "jane" }, { id: "omar" }),
  by: fc.constant(Actor.agent("sam")),
  subject: fc.constant("Password reset"),
  text: fc.constant("Reset it on the phone."),
  channel: fc.constant("phone" as const),
  status: fc.constant("solved"),
  group: fc.constantFrom("billing", "tier2")
})

const ticketOp: fc.Arbitrary<TicketOp> = fc.oneof(
  fc.record(
    { kind: fc.constant("reply" as const), text: Arbitraries.messageText, channel: Arbitraries.channel },
    { requiredKeys: ["kind", "text"] }
  ),
  fc.record({ kind: fc.constant("note" as const), text: Arbitraries.messageText }),
  fc.record({ kind: fc.constant("status" as const), status }),
  fc.constantFrom<TicketOp>({ kind: "status", status: "solved" }, { kind: "status", status: "closed" }),
  fc.record(
    {
      kind: fc.constant("assign" as const),
      assignee: fc.option(agentRef, { nil: null }),
      group: fc.option(groupRef, { nil: null })
    },
    { requiredKeys: ["kind"] }
  ),
  fc.record({ kind: fc.constant("priority" as const), priority: Arbitraries.priority }),
  fc.record({ kind: fc.constant("type" as const), type: Arbitraries.ticketType }),
  fc.record(
    {
      kind: fc.constant("escalate" as const),
      to: Arbitraries.supportLevel,
      reason: fc.constantFrom("needs tier 2", "")
    },
    { requiredKeys: ["kind", "reason"] }
  ),
  fieldInput.map(([key, value]): TicketOp => ({ kind: "field", key, value })),
  fc.record({ kind: fc.constant("tags" as const), add: rawTags, remove: rawTags }, { requiredKeys: ["kind"] }),
  fc.record({ kind: fc.constantFrom("follow" as const, "unfollow" as const), follower })
)

const ticketQuery: fc.Arbitrary<TicketQuery.TicketQuery> = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.subarray([...statuses.filter((s) => s !== "awaiting_vendor")] as Array<StatusCategory>).map((category) => ({
          category
        })),
        fc.subarray([...statuses] as Array<StatusId>).map((status) => ({ status })),
        fc.constantFrom(null, "mary", "sam", "ivan").map((assignee) => ({ assignee: assignee as AgentId | null })),
        fc.constantFrom(null, "billing", "tier2").map((group) => ({ group: group as GroupId | null })),
        fc.constantFrom("jane", "omar", "lee").map((requester) => ({ requester: requester as ContactId })),
        fc.constant({ organization: "acme" as OrganizationId }),
        fc.subarray(["low", "normal", "high", "urgent"] as const).map((priority) => ({ priority })),
        fc.subarray(["email", "web", "chat", "phone"] as Array<Channel>).map((channel) => ({ channel })),
        queryTags.map((tagsAny) => ({ tagsAny })),
        queryTags.map((tagsAll) => ({ tagsAll }))
      ),
      { maxLength: 2 }
    ),
    fc.option(fc.constantFrom("created", "updated", "priority") as fc.Arbitrary<TicketQuery.SortKey>, {
      nil: undefined
    }),
    fc.option(fc.constantFrom<"asc" | "desc">("asc", "desc"), { nil: undefined })
  )
  .map(([filters, sort, direction]) => ({
    ...Object.assign({}, ...filters),
    ...(sort === undefined ? {} : { sort }),
    ...(direction === undefined ? {} : { direction })
  }))

const modelCommands: ReadonlyArray<fc.Arbitrary<fc.AsyncCommand<Model, Real>>> = [
  ...Array.from({ length: 2 }, () => fc.tuple(space, simpleOpen).map(([s, input]) => new Open(s, input))),
  fc.tuple(space, solvedOnTheSpot).map(([s, input]) => new Open(s, input)),
  fc.tuple(space, richOpen).map(([s, input]) => new Open(s, input)),
  ...Array.from({ length: 8 }, () =>
    fc
      .tuple(
        fc.nat(),
        fc.oneof({ weight: 4, arbitrary: actor }, { weight: 1, arbitrary: fc.constant("requester" as const) }),
        fc.constantFrom<"id" | "publicId">("id", "id", "id", "publicId"),
        fc.constantFrom<"none" | "current" | "stale">("none", "none", "none", "none", "current", "stale"),
        ticketOp
      )
      .map(([pick, by, ref, version, op]) => new OnTicket(pick, by, ref, version, op))
  ),
  // The requester writes back: reopens solved tickets, and opens follow-ups of closed ones.
  fc
    .nat()
    .map((pick) => new OnTicket(pick, "requester", "id", "none", { kind: "reply", text: "Still broken, sorry!" })),
  fc.nat().map((pick) => new ReadBack(pick)),
  fc.tuple(space, ticketQuery, fc.integer({ min: 1, max: 4 })).map(([s, q, limit]) => new Query(s, q, limit)),
  fc.tuple(space, ticketQuery, fc.integer({ min: 1, max: 4 })).map(([s, q, limit]) => new Query(s, q, limit)),
  ...Array.from({ length: 2 }, () =>
    fc.constantFrom(0, 1, 1000, 3_600_000, 86_400_001, 5 * 86_400_000).map((millis) => new Advance(millis))
  ),
  ...Array.from({ length: 2 }, () => space.map((s) => new RunTimers(s)))
]

/** Builds a fresh store, two help desks on it (workspaces A and B), and seeds their directories. */
const setupModel = async <E>(layer: Layer.Layer<TicketStore | Timers | Outbox, E>, scope: Scope.Scope) => {
  const context = await Effect.runPromise(Layer.buildWithScope(Layer.fresh(layer), scope))
  const realClock = await Effect.runPromise(Clock.clockWith(Effect.succeed))
  const store = onClock(Context.get(context, TicketStore), realClock)
  const clock = manualClock(modelStart, realClock)
  const run = <A, E2>(effect: Effect.Effect<A, E2>) =>
    Effect.runPromise(Effect.provideService(effect, Clock.Clock, clock.clock))
  const wsA = await Effect.runPromise(freshWorkspace)
  const wsB = await Effect.runPromise(freshWorkspace)
  const services = Layer.mergeAll(
    Layer.succeed(TicketStore, store),
    Layer.succeed(DirectoryStore, await Effect.runPromise(MemoryDirectoryStore.make)),
    Layer.succeed(IdGenerator, await Effect.runPromise(prefixedIds(`${wsA}.`))),
    Layer.succeed(Timers, Context.get(context, Timers))
  )
  const spaceOf = async (ws: WorkspaceId): Promise<Space> => {
    const desk = await run(Effect.provide(Helpdesk.make(modelConfig(ws)), services))
    await run(seedDirectory(desk))
    return { ws, desk }
  }
  const real: Real = { store, spaces: [await spaceOf(wsA), await spaceOf(wsB)], clock, run }
  const model: Model = { tickets: [] }
  return { model, real }
}

/** After a run: every stream is what the model holds, and each workspace lists exactly its own. */
const finalCheck = async (model: Model, real: Real) => {
  for (const target of model.tickets) {
    await expectStream(real, target.id, target.events)
    await expectResolves(real, real.spaces[target.space].ws, target.publicId, target.id)
  }
  await expectQuery(model, real, 0, {}, 500)
  await expectQuery(model, real, 1, {}, 500)
}

// -- the concurrency property -------------------------------------------------------------------------

/**
 * A store that lets other fibers run after some reads (chance `yieldRate`, from Effect's `Random`)
 * and counts the `VersionConflict`s its appends answer: between a writer's read and its append,
 * another writer may now append, as it would against a remote store.
 *
 * @category testing
 * @since 0.1.0
 */
export const interleaving = (
  store: Store,
  yieldRate = 0.1
): { readonly store: Store; readonly conflicts: () => number } => {
  let conflicts = 0
  return {
    store: TicketStore.of({
      ...store,
      load: (ticketId) =>
        Effect.tap(store.load(ticketId), () =>
          Effect.flatMap(Random.next, (x) => (x < yieldRate ? Effect.yieldNow : Effect.void))
        ),
      append: (ticketId, expectedVersion, events) =>
        Effect.tapError(store.append(ticketId, expectedVersion, events), (error) =>
          Effect.sync(() => {
            if (error._tag === "VersionConflict") conflicts++
          })
        )
    }),
    conflicts: () => conflicts
  }
}

/**
 * What the concurrency property observed.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConcurrencyReport {
  readonly writers: number
  readonly commandsPerWriter: number
  readonly ticketId: TicketId
  /** The value each writer set, per writer, in the order it sent them. */
  readonly sent: ReadonlyArray<ReadonlyArray<string>>
  /** Errors of the commands the help desk refused (none expected). */
  readonly refused: ReadonlyArray<unknown>
  /** The version each accepted command left the ticket at. */
  readonly versions: ReadonlyArray<number>
  /** `VersionConflict`s the store answered, retried by the help desk. */
  readonly conflicts: number
  /** The ticket's stream afterwards. */
  readonly stream: StoredStream
}

/**
 * Concurrent writers on one ticket through the `Helpdesk`, each setting a text custom field to
 * values no one else sends. A custom field keeps the ticket's state small, so each fold stays
 * linear in the stream's length; the chain of `from`/`to` values shows which state each command
 * was decided on. Runs with the scheduler's automatic yields off: interleavings come from
 * `interleaving`, at a rate that forces real conflicts without retrying most commands.
 *
 * @category testing
 * @since 0.1.0
 */
export const concurrentWriters = <E>(
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  options: { readonly writers?: number; readonly commandsPerWriter?: number; readonly seed?: number } = {}
): Effect.Effect<ConcurrencyReport, E | Helpdesk.HelpdeskError> => {
  const writers = options.writers ?? 8
  const commandsPerWriter = options.commandsPerWriter ?? 500
  return Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const decorated = interleaving(yield* TicketStore)
    const desk = yield* Helpdesk.make({
      workspaceId: ws,
      maxAttempts: 1000,
      customFields: [{ key: "ref", label: "Reference", type: "text" }]
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, decorated.store),
          MemoryDirectoryStore.layer,
          Layer.effect(IdGenerator, prefixedIds(`${ws}.`)),
          Layer.succeed(Timers, yield* Timers)
        )
      )
    )
    yield* desk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    yield* desk.saveContact({ id: "jane", name: "Jane Sharpe" })
    const ticket = yield* desk.open({
      requester: { id: "jane" },
      subject: "Many hands",
      text: "Everyone writes here at once.",
      channel: "web"
    })
    const sent = Array.from({ length: writers }, (_, w) =>
      Array.from({ length: commandsPerWriter }, (_, i) => `w${w}-c${i}`)
    )
    const outcomes = yield* Effect.forEach(
      sent,
      (values) =>
        Effect.forEach(values, (value) =>
          Effect.result(desk.setCustomField({ ticket: ticket.id, by: mary, key: "ref", value }))
        ),
      { concurrency: writers }
    )
    const results = outcomes.flat()
    return {
      writers,
      commandsPerWriter,
      ticketId: ticket.id,
      sent,
      refused: results.flatMap((r) => (r._tag === "Failure" ? [r.failure] : [])),
      versions: results.flatMap((r) => (r._tag === "Success" ? [r.success.version] : [])),
      conflicts: decorated.conflicts(),
      stream: yield* (yield* TicketStore).read(ticket.id)
    }
  }).pipe(
    Effect.provide(Layer.fresh(layer)),
    Random.withSeed(options.seed ?? 2),
    Effect.provideService(References.PreventSchedulerYield, true)
  )
}

/**
 * Checks a concurrency report: every command accepted and in the stream exactly once, in each
 * writer's order, each decided on the state the one before it left, versions contiguous, and
 * conflicts did happen (otherwise the run proved nothing).
 *
 * @category testing
 * @since 0.1.0
 */
export const expectNothingLost = (report: ConcurrencyReport): void => {
  const total = report.writers * report.commandsPerWriter
  expect(report.refused.slice(0, 3).map(show), "refused commands").toEqual([])
  expect(report.conflicts, "the writers never conflicted: the run proved nothing").toBeGreaterThan(0)
  expect(report.stream.version).toBe(1 + total)
  expect(report.stream.events.length).toBe(1 + total)
  expect([...report.versions].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 2))
  const [first, ...changes] = report.stream.events
  expect(first?._tag).toBe("TicketOpened")
  const values: Array<string> = []
  let previous: FieldValue | undefined
  for (const event of changes) {
    if (event._tag !== "CustomFieldChanged") throw new Error(`unexpected ${event._tag} in the stream`)
    expect(event.from, "a command was decided on a stale state").toBe(previous)
    previous = event.to
    values.push(String(event.to))
  }
  expect(new Set(values).size, "a value appears twice").toBe(values.length)
  report.sent.forEach((mine, w) => {
    expect(
      values.filter((v) => v.startsWith(`w${w}-`)),
      `writer ${w}'s values, in order`
    ).toEqual(mine)
  })
  expect((Ticket.fold(report.stream.events) as Ticket.Ticket).customFields).toEqual({ ref: previous })
}

// -- the suite ------------------------------------------------------------------------------------

/**
 * Registers the conformance tests of a `TicketStore` adapter. Each test builds its own store
 * from `layer`.
 *
 * @example
 * TicketStoreSuite.run("memory", MemoryTicketStore.layer())
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(
  name: string,
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  options: Options = {}
): void => {
  const numRuns = options.numRuns ?? 200
  const writers = options.writers ?? 8
  const commandsPerWriter = options.commandsPerWriter ?? 500
  const timeout = options.timeout ?? 600_000

  describe(`TicketStore conformance: ${name}`, () => {
    describe("streams", () => {
      it("reading a stream that was never written gives version 0 and no events", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            expect(yield* store.read(ticketIn(ws, "never-written"))).toEqual({ events: [], version: 0 })
          })
        ))

      it("an append at the expected version returns the new version, and the stream reads back the same events in order", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const id = ticketIn(ws, "t1")
            const other = ticketIn(ws, "t2")
            const events = [
              opened(ws, id, 1),
              replied(id, 5, "Could you send the VPN client's log? « Merci »"),
              retagged(id, 6, ["vpn_client", "été"], ["vpn"]),
              moved(id, 7, "new", "pending")
            ]
            expect(yield* store.append(id, 0, events.slice(0, 1))).toBe(1)
            expect(yield* store.append(id, 1, events.slice(1))).toBe(4)
            expect(yield* store.append(other, 0, [opened(ws, other, 2)])).toBe(1)
            expect(yield* store.read(id)).toEqual({ events, version: 4 })
            expect((yield* store.read(other)).version).toBe(1)
          })
        ))

      it("an append with a stale expected version fails with VersionConflict and writes nothing", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const id = ticketIn(ws, "t1")
            const events = [opened(ws, id, 1), replied(id, 5, "On it.")]
            yield* store.append(id, 0, events)
            for (const stale of [0, 1, 3]) {
              const error = yield* failureOf(store.append(id, stale, [retagged(id, 9, ["late"], [])]))
              expect(error).toMatchObject({ _tag: "VersionConflict", streamId: id, expected: stale, actual: 2 })
            }
            expect(yield* store.read(id)).toEqual({ events, version: 2 })
            const empty = ticketIn(ws, "t2")
            const ahead = yield* failureOf(store.append(empty, 1, [opened(ws, empty, 2)]))
            expect(ahead).toMatchObject({ _tag: "VersionConflict", streamId: empty, expected: 1, actual: 0 })
            expect(yield* store.read(empty)).toEqual({ events: [], version: 0 })
          })
        ))
    })

    describe("public ids", () => {
      it("nextPublicId never hands out the same number twice in a workspace", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const numbers = yield* Effect.forEach(Array.from({ length: 25 }), () => store.nextPublicId(ws))
            expect(new Set(numbers).size).toBe(numbers.length)
            for (const n of numbers) expect(Number.isSafeInteger(n) && n >= 1, `${n}`).toBe(true)
          })
        ))

      it("each workspace numbers its tickets on its own: draws in one do not change another's sequence", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const [a, b, c] = [yield* freshWorkspace, yield* freshWorkspace, yield* freshWorkspace]
            const fromA: Array<number> = []
            const fromB: Array<number> = []
            for (let i = 0; i < 4; i++) {
              fromA.push(yield* store.nextPublicId(a))
              fromA.push(yield* store.nextPublicId(a))
              fromB.push(yield* store.nextPublicId(b))
            }
            const fromC: Array<number> = []
            for (let i = 0; i < 4; i++) fromC.push(yield* store.nextPublicId(c))
            expect(fromB).toEqual(fromC)
            expect(fromA.slice(0, 4)).toEqual(fromC)
          })
        ))

      it("nextPublicId skips a number a ticket already holds", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const first = yield* store.nextPublicId(ws)
            const id = ticketIn(ws, "t1")
            yield* store.append(id, 0, [opened(ws, id, first + 1)])
            const next = yield* store.nextPublicId(ws)
            expect([first, first + 1]).not.toContain(next)
          })
        ))

      it("resolve finds a ticket by its public id only in its own workspace", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
            const id = ticketIn(a, "t1")
            yield* store.append(id, 0, [opened(a, id, 7)])
            expect(Option.getOrUndefined(yield* store.resolve(a, 7 as PublicId))).toBe(id)
            expect(Option.isNone(yield* store.resolve(b, 7 as PublicId))).toBe(true)
            expect(Option.isNone(yield* store.resolve(a, 8 as PublicId))).toBe(true)
          })
        ))

      it("a TicketOpened whose public id is taken in its workspace fails with PublicIdTaken and appends nothing", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const a = yield* freshWorkspace
            const first = ticketIn(a, "t1")
            const second = ticketIn(a, "t2")
            yield* store.append(first, 0, [opened(a, first, 42)])
            const error = yield* failureOf(
              store.append(second, 0, [opened(a, second, 42, "omar"), replied(second, 1, "Hello")])
            )
            expect(error).toMatchObject({ _tag: "PublicIdTaken", workspaceId: a, publicId: 42 })
            expect(yield* store.read(second)).toEqual({ events: [], version: 0 })
            expect(Option.getOrUndefined(yield* store.resolve(a, 42 as PublicId))).toBe(first)
            expect((yield* store.query(a, {})).items.map((t) => t.id)).toEqual([first])
          })
        ))

      it("the same public id in another workspace is fine", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
            const inA = ticketIn(a, "t1")
            const inB = ticketIn(b, "t1")
            yield* store.append(inA, 0, [opened(a, inA, 42)])
            expect(yield* store.append(inB, 0, [opened(b, inB, 42)])).toBe(1)
            expect(Option.getOrUndefined(yield* store.resolve(a, 42 as PublicId))).toBe(inA)
            expect(Option.getOrUndefined(yield* store.resolve(b, 42 as PublicId))).toBe(inB)
          })
        ))
    })

    describe("queries", () => {
      it("a query in one workspace never returns another workspace's tickets", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const [a, b, empty] = [yield* freshWorkspace, yield* freshWorkspace, yield* freshWorkspace]
            const inA = [1, 2, 3].map((n) => ticketIn(a, `t${n}`))
            const inB = [1, 2].map((n) => ticketIn(b, `t${n}`))
            for (const [n, id] of inA.entries()) yield* store.append(id, 0, [opened(a, id, n + 1, "jane")])
            for (const [n, id] of inB.entries()) yield* store.append(id, 0, [opened(b, id, n + 1, "omar")])
            expect((yield* store.query(a, {})).items.map((t) => t.id)).toEqual(inA)
            expect((yield* store.query(b, {})).items.map((t) => t.id)).toEqual(inB)
            expect(yield* store.query(a, { requester: "omar" as ContactId })).toEqual({
              items: [],
              nextCursor: undefined
            })
            expect(yield* store.query(empty, {})).toEqual({ items: [], nextCursor: undefined })
          })
        ))

      it("the projection follows appends: queries see the latest state", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const id = ticketIn(ws, "t1")
            yield* store.append(id, 0, [opened(ws, id, 1)])
            yield* store.append(id, 1, [moved(id, 3, "new", "solved"), retagged(id, 4, ["fixed"], ["vpn"])])
            const { events } = yield* store.read(id)
            const solved = yield* store.query(ws, { category: ["solved"], tagsAll: ["fixed"] })
            expect(solved.items).toEqual([TicketQuery.summarize(Ticket.fold(events) as Ticket.Ticket)])
            expect(solved.items[0]).toMatchObject({ status: "solved", tags: ["fixed"], version: 3 })
            expect((yield* store.query(ws, { category: ["new"] })).items).toEqual([])
          })
        ))

      it("a cursor the store did not issue for this ordering fails with InvalidCursor", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            for (const n of [1, 2, 3]) {
              const id = ticketIn(ws, `t${n}`)
              yield* store.append(id, 0, [opened(ws, id, n)])
            }
            const garbage = yield* failureOf(store.query(ws, { cursor: "not-a-cursor" }))
            expect(garbage._tag).toBe("InvalidCursor")
            const page = yield* store.query(ws, { limit: 1 })
            expect(page.nextCursor).toBeTypeOf("string")
            const reversed = yield* failureOf(
              store.query(ws, { limit: 1, direction: "desc", cursor: page.nextCursor as string })
            )
            expect(reversed._tag).toBe("InvalidCursor")
          })
        ))
    })

    it("declares its capabilities", () =>
      withStore(layer, (store) =>
        Effect.sync(() => {
          expect(typeof store.capabilities.durable).toBe("boolean")
          expect(typeof store.capabilities.multiProcess).toBe("boolean")
        })
      ))

    it(
      "random help desk operations in two workspaces keep every stream, ticket number and query page consistent with the reference",
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.commands([...modelCommands], { maxCommands: options.maxCommands ?? 50, size: "max" }),
            async (steps) => {
              const scope = await Effect.runPromise(Scope.make())
              try {
                const { model, real } = await setupModel(layer, scope)
                await fc.asyncModelRun(() => ({ model, real }), steps)
                await finalCheck(model, real)
              } finally {
                await Effect.runPromise(Scope.close(scope, Exit.void))
              }
            }
          ),
          {
            numRuns,
            ...(options.seed === undefined ? {} : { seed: options.seed }),
            ...(options.path === undefined ? {} : { path: options.path })
          }
        )
      },
      timeout
    )

    it(
      `${writers} concurrent writers × ${commandsPerWriter} commands on one ticket lose nothing`,
      async () => {
        expectNothingLost(await Effect.runPromise(concurrentWriters(layer, { writers, commandsPerWriter })))
      },
      timeout
    )
  })
}
