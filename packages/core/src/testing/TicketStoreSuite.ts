/**
 * The conformance suite of the `TicketStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests: examples of the contract (streams and optimistic
 * concurrency, public numbers, workspace isolation, cursors, batches over several streams and
 * concurrent batches), a model-based fast-check run of random help desk operations whose
 * streams, numbers, SLA due times and query pages are checked against the reference semantics
 * (`Ticket.fold`, `TicketQuery.run`), properties of queries (ranges, SLA due, sorts, word
 * search), of hostile filter input and of workspace isolation, the concurrency property of
 * issue 2, and the `Timers` and `Outbox` suites of the same store.
 * Each test builds its own store from the layer (a property, once for all its runs) and writes
 * only to workspaces, streams and outbox channels that no other test or run uses, so a shared
 * durable store needs no cleanup between runs.
 */
import { Cause, Clock, DateTime, Effect, Exit, Layer, Option, Random, References, Schema } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Helpdesk from "../helpdesk/Helpdesk.js"
import type * as HelpdeskInput from "../helpdesk/HelpdeskInput.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { IdGenerator, layerSequential } from "../ports/IdGenerator.js"
import type { Outbox, OutboxMessage } from "../ports/Outbox.js"
import type { AppendRequest, StoredStream } from "../ports/TicketStore.js"
import { TicketStore } from "../ports/TicketStore.js"
import { type Timer, Timers } from "../ports/Timers.js"
import * as TicketQuery from "../query/TicketQuery.js"
import type { StatusCategory, StatusId } from "../ticket/Status.js"
import * as Ticket from "../ticket/Ticket.js"
import * as E from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { Channel } from "../values/Channel.js"
import type { FieldValue } from "../values/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../values/Ids.js"
import type * as Priority from "../values/Priority.js"
import * as Tag from "../values/Tag.js"
import type { SupportLevel, TicketType } from "../values/TicketType.js"
import * as Arbitraries from "./Arbitraries.js"
import * as Fixtures from "./internal/fixtures.js"
import * as PublicSearch from "./internal/publicSearch.js"
import * as OutboxSuite from "./OutboxSuite.js"
import * as TimersSuite from "./TimersSuite.js"

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
  /** Runs of each other property: queries, hostile input, workspaces, timers, outbox (default 100). */
  readonly propertyRuns?: number
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

/**
 * A workspace id no other test or run uses, even in a durable store shared between runs: the
 * time, some randomness and a counter.
 *
 * @category testing
 * @since 0.1.0
 */
export const freshWorkspace: Effect.Effect<WorkspaceId> = Fixtures.freshWorkspace

const { failureOf, mary, minutesLater, moved, noted, opened, replied, retagged, show, ticketIn } = Fixtures

/** Runs `f` on a store built afresh from the layer, released at the end. */
const withStore = <A, E, E2>(
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  f: (store: Store) => Effect.Effect<A, E2>
): Promise<A> => Fixtures.withPorts(layer, (ports) => f(ports.tickets))

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
  pagesOf((cursor) => store.query(ws, cursor === undefined ? query : { ...query, cursor }), bound)

/** Every page a page source gives, following `nextCursor`, at most `bound + 1` of them. */
const pagesOf = <E>(
  page: (cursor: string | undefined) => Effect.Effect<TicketQuery.TicketPage, E>,
  bound: number
): Effect.Effect<ReadonlyArray<TicketQuery.TicketPage>, E> =>
  Effect.gen(function* () {
    const pages: Array<TicketQuery.TicketPage> = []
    let cursor: string | undefined
    do {
      if (pages.length > bound) return yield* Effect.die(new Error(`pagination did not end after ${bound} pages`))
      const next = yield* page(cursor)
      pages.push(next)
      cursor = next.nextCursor
    } while (cursor !== undefined)
    return pages
  })

/** Pages of `limit` items: full pages, a cursor exactly when more follow, together `expected`. */
const expectPages = (
  pages: ReadonlyArray<TicketQuery.TicketPage>,
  expected: ReadonlyArray<TicketQuery.TicketSummary>,
  limit: number,
  label: string
) => {
  pages.forEach((page, i) => {
    expect(page.items, `page ${i + 1} of ${label}`).toEqual(expected.slice(i * limit, (i + 1) * limit))
    expect(page.nextCursor !== undefined, `cursor after page ${i + 1} of ${label}`).toBe(
      (i + 1) * limit < expected.length
    )
  })
  expect(pages.length, `pages of ${label}`).toBe(Math.max(1, Math.ceil(expected.length / limit)))
}

// -- the reference answer of a query --------------------------------------------------------------

/** A ticket as the reference sees it: its fold, and the SLA due time its appends last set. */
interface Known {
  readonly ticket: Ticket.Ticket
  readonly slaDueAt: DateTime.Utc | undefined
}

/** Every item of a query's answer, in order, as `TicketQuery.run` gives it over `known`. */
const referenceItems = (
  query: TicketQuery.TicketQuery,
  known: ReadonlyArray<Known>
): ReadonlyArray<TicketQuery.TicketSummary> => {
  const summaries = known.map(({ ticket, slaDueAt }) => {
    const summary = TicketQuery.summarize(ticket)
    return slaDueAt === undefined ? summary : { ...summary, slaDueAt }
  })
  const documents = new Map(
    known.map(({ ticket }) => [ticket.id as string, TicketQuery.searchDocument(ticket, query.searchIn)])
  )
  const { cursor: _cursor, ...all } = query
  const page = Effect.runSync(TicketQuery.run({ ...all, limit: Math.max(1, known.length) }, summaries, documents))
  return page.items
}

/** An instant a query filters on, picked when the query runs: a time of the run's tickets, or a fixed one. */
type InstantPick =
  | { readonly of: "createdAt" | "updatedAt" | "slaDueAt"; readonly pick: number; readonly offset: number }
  | { readonly fixed: number }

type InstantKey = "createdFrom" | "createdTo" | "updatedFrom" | "updatedTo" | "slaDueBefore"

/** A search term, picked when the query runs from the words of the run's subjects and messages. */
type TermPick =
  | {
      readonly kind: "raw" | "normalized" | "prefix" | "upper" | "accented" | "combining" | "decomposed"
      readonly pick: number
      readonly cut: number
    }
  | { readonly kind: "literal"; readonly text: string }

/** A query whose instants and search terms are picked from the data it runs on. */
interface QuerySpec {
  readonly filters: TicketQuery.TicketQuery
  readonly instants: ReadonlyArray<readonly [InstantKey, InstantPick]>
  readonly search?: { readonly terms: ReadonlyArray<TermPick>; readonly separator: string }
}

const instantsOf = (known: ReadonlyArray<Known>, of: "createdAt" | "updatedAt" | "slaDueAt"): Array<number> =>
  known.flatMap(({ ticket, slaDueAt }) => {
    const value = of === "slaDueAt" ? slaDueAt : ticket[of]
    return value === undefined ? [] : [DateTime.toEpochMillis(value)]
  })

const resolveInstant = (pick: InstantPick, known: ReadonlyArray<Known>): DateTime.Utc => {
  if ("fixed" in pick) return DateTime.makeUnsafe(pick.fixed)
  const own = instantsOf(known, pick.of)
  const pool = own.length > 0 ? own : instantsOf(known, "updatedAt")
  const base = pool.length > 0 ? (pool[pick.pick % pool.length] as number) : modelStart
  return DateTime.makeUnsafe(base + pick.offset)
}

/** The words of the tickets' texts as people typed them: case, accents and all. */
const rawWords = (known: ReadonlyArray<Known>): ReadonlyArray<string> =>
  Array.from(
    new Set(
      known.flatMap(({ ticket }) =>
        [ticket.subject, ...ticket.messages.map((m) => m.text)].flatMap((text) =>
          text.split(/[^\p{L}\p{N}\p{M}]+/u).filter((w) => TicketQuery.words(w).length > 0)
        )
      )
    )
  )

const accents: Record<string, string> = { a: "á", e: "é", i: "î", o: "ö", u: "ü", c: "ç", n: "ñ" }

const resolveTerm = (term: TermPick, pool: ReadonlyArray<string>): string => {
  if (term.kind === "literal") return term.text
  const raw = pool.length > 0 ? (pool[term.pick % pool.length] as string) : "nothing"
  const normalized = TicketQuery.words(raw).join(" ")
  switch (term.kind) {
    case "raw":
      return raw
    case "normalized":
      return normalized
    case "prefix": {
      const chars = Array.from(TicketQuery.words(raw)[0] ?? raw)
      return chars.slice(0, 1 + (term.cut % chars.length)).join("")
    }
    case "upper":
      return raw.toUpperCase()
    case "accented":
      return normalized.replace(/[aeioucn]/g, (c) => accents[c] ?? c)
    case "combining":
      return Array.from(raw)
        .map((c) => `${c}\u0300`)
        .join("")
    case "decomposed":
      return raw.normalize("NFD")
  }
}

/** At most `max` UTF-16 units, cut between code points. */
const cutTo = (text: string, max: number): string => {
  let out = ""
  for (const c of text) {
    if (out.length + c.length > max) break
    out += c
  }
  return out
}

/** The query a spec stands for over `known` (the tickets its instants and words come from). */
const resolveQuery = (spec: QuerySpec, known: ReadonlyArray<Known>): TicketQuery.TicketQuery => {
  const query: { -readonly [K in keyof TicketQuery.TicketQuery]: TicketQuery.TicketQuery[K] } = { ...spec.filters }
  for (const [key, pick] of spec.instants) query[key] = resolveInstant(pick, known)
  if (spec.search !== undefined) {
    const pool = rawWords(known)
    query.search = cutTo(spec.search.terms.map((t) => resolveTerm(t, pool)).join(spec.search.separator), 500)
  }
  return query
}

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
    append: (ticketId, expectedVersion, events, effects) =>
      real(store.append(ticketId, expectedVersion, events, effects)),
    appendAll: (batch) => real(store.appendAll(batch)),
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
  /** The SLA due time the last append that set one gave it. */
  slaDueAt: DateTime.Utc | undefined
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
  model.tickets.push({ id: ticket.id, space, publicId: ticket.publicId, events: stream.events, slaDueAt: undefined })
}

/**
 * Events the help desk just appended to a known ticket: after its history, stored as returned
 * (a contact gets the ticket's public view back).
 */
const acceptAppend = async (real: Real, target: ModelTicket, returned: Ticket.Ticket, by: Actor.Actor) => {
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
    if (ticket.id === target.id) return acceptAppend(real, target, ticket, by)
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
    readonly spec: QuerySpec,
    readonly limit: number
  ) {}
  check() {
    return true
  }
  async run(model: Model, real: Real) {
    // Instants and words come from both workspaces: the other one's are values this one lacks.
    await expectQuery(model, real, this.space, resolveQuery(this.spec, knownOf(model)), this.limit)
  }
  toString() {
    return `query(${this.space === 0 ? "A" : "B"}, ${show(this.spec)}, limit ${this.limit})`
  }
}

const knownOf = (model: Model, space?: 0 | 1): ReadonlyArray<Known> =>
  model.tickets
    .filter((t) => space === undefined || t.space === space)
    .map((t) => ({ ticket: Ticket.fold(t.events) as Ticket.Ticket, slaDueAt: t.slaDueAt }))

const expectQuery = async (model: Model, real: Real, space: 0 | 1, query: TicketQuery.TicketQuery, limit: number) => {
  const expected = referenceItems(query, knownOf(model, space))
  const pages = await Effect.runPromise(
    allPages(real.store, real.spaces[space].ws, { ...query, limit }, Math.ceil(expected.length / limit) + 1)
  )
  expectPages(pages, expected, limit, show(query))
}

/**
 * Sets a ticket's SLA due time the way a store receives it, with an append: an internal note by
 * the system, its `slaDueAt` (an instant, or `null` to clear it) in the same append. A stale
 * version must change neither the stream nor the due time.
 */
class SetSla implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly due: { readonly in: number } | { readonly at: number } | null,
    readonly stale: boolean,
    readonly text: string
  ) {}
  check(model: Readonly<Model>) {
    return model.tickets.length > 0
  }
  async run(model: Model, real: Real) {
    const target = model.tickets[this.pick % model.tickets.length] as ModelTicket
    const version = target.events.length
    const now = real.clock.now()
    const due =
      this.due === null ? null : DateTime.makeUnsafe("in" in this.due ? now + this.due.in : modelStart + this.due.at)
    const note = noted(target.id, DateTime.makeUnsafe(now), this.text, `${target.id}.sla${version}`)
    const expectedVersion = this.stale ? (version > 1 && this.pick % 2 === 0 ? version - 1 : version + 1) : version
    const result = await Effect.runPromise(
      Effect.result(real.store.append(target.id, expectedVersion, [note], { slaDueAt: due }))
    )
    if (this.stale) {
      expect(result._tag === "Failure" ? result.failure : result.success).toMatchObject({
        _tag: "VersionConflict",
        streamId: target.id,
        expected: expectedVersion,
        actual: version
      })
      await expectStream(real, target.id, target.events)
      return
    }
    expect(result._tag === "Success" ? result.success : result.failure, "the new version").toBe(version + 1)
    const stream = await Effect.runPromise(readStream(real.store, target.id))
    expect(stream.events, "the note follows the history").toEqual([...target.events, note])
    target.events = stream.events
    target.slaDueAt = due ?? undefined
  }
  toString() {
    return `setSla(#${this.pick}, ${show(this.due)}${this.stale ? ", stale version" : ""}, ${show(this.text)})`
  }
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

/** Filters on the seeded directory's ids, statuses, tags and enumerations, a sort and a direction. */
const ticketQuery = (maxFilters: number): fc.Arbitrary<TicketQuery.TicketQuery> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc
            .subarray([...statuses.filter((s) => s !== "awaiting_vendor")] as Array<StatusCategory>)
            .map((category) => ({
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
          queryTags.map((tagsAll) => ({ tagsAll })),
          fc.constantFrom("all" as const, "public" as const).map((searchIn) => ({ searchIn }))
        ),
        { maxLength: maxFilters }
      ),
      fc.option(fc.constantFrom<TicketQuery.SortKey>("created", "updated", "priority", "sla_due", "sla_due"), {
        nil: undefined
      }),
      fc.option(fc.constantFrom<"asc" | "desc">("asc", "desc"), { nil: undefined })
    )
    .map(([filters, sort, direction]) => ({
      ...Object.assign({}, ...filters),
      ...(sort === undefined ? {} : { sort }),
      ...(direction === undefined ? {} : { direction })
    }))

const instantPick: fc.Arbitrary<InstantPick> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      of: fc.constantFrom("createdAt" as const, "updatedAt" as const, "slaDueAt" as const),
      pick: fc.nat(),
      offset: fc.constantFrom(0, 0, 0, -1, 1, -60_000, 3_600_000)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      fixed: fc.constantFrom(0, modelStart - 1, modelStart, modelStart + 10 * 86_400_000, Date.UTC(2200, 0, 1))
    })
  }
)

const termPick: fc.Arbitrary<TermPick> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "raw" as const,
        "normalized" as const,
        "prefix" as const,
        "prefix" as const,
        "upper" as const,
        "accented" as const,
        "combining" as const,
        "decomposed" as const
      ),
      pick: fc.nat(),
      cut: fc.nat()
    })
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "zyzzyva",
        "printer",
        "VPN",
        "merci",
        "ça",
        "4471",
        "'",
        "--",
        '"vpn"',
        "vpn*",
        "OR",
        "x".repeat(70)
      )
      .map((text) => ({ kind: "literal" as const, text }))
  }
)

const instantFilters = (minLength: number) =>
  fc.array(
    fc.tuple(
      fc.constantFrom<InstantKey>("createdFrom", "createdTo", "updatedFrom", "updatedTo", "slaDueBefore"),
      instantPick
    ),
    { minLength, maxLength: 2 }
  )

const searchPick = fc.record({
  terms: fc.array(termPick, { minLength: 1, maxLength: 2 }),
  separator: fc.constantFrom(" ", "  ", ", ", "-", "'", '"', " & ", " | ", "\t", "/")
})

/**
 * A query that stresses one thing at a time, so that answers are seldom empty: the directory
 * filters; instants (with at most one other filter); a search (likewise); or everything at once;
 * or none, only a sort.
 */
const querySpec: fc.Arbitrary<QuerySpec> = fc.oneof(
  fc.record({ filters: ticketQuery(0), instants: fc.constant([]) }),
  fc.record({ filters: ticketQuery(2), instants: fc.constant([]) }),
  fc.record({ filters: ticketQuery(1), instants: instantFilters(1) }),
  fc.record({ filters: ticketQuery(1), instants: fc.constant([]), search: searchPick }),
  fc.record({ filters: ticketQuery(2), instants: instantFilters(0), search: searchPick })
)

const slaDue = fc.oneof(
  fc.constantFrom(-3_600_000, -1, 0, 1, 1_800_000, 3_600_000, 86_400_000).map((millis) => ({ in: millis })),
  fc.integer({ min: 0, max: 3 }).map((hours) => ({ at: hours * 3_600_000 })),
  fc.constant(null)
)

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
  ...Array.from({ length: 3 }, () =>
    fc.tuple(space, querySpec, fc.integer({ min: 1, max: 4 })).map(([s, q, limit]) => new Query(s, q, limit))
  ),
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(
        fc.nat(),
        slaDue,
        fc.constantFrom(false, false, false, true),
        fc.constantFrom("SLA: first reply due", "Échéance repoussée", "due soon 👀", "' OR 1=1 --")
      )
      .map(([pick, due, stale, text]) => new SetSla(pick, due, stale, text))
  ),
  ...Array.from({ length: 4 }, () =>
    fc.constantFrom(0, 1, 1000, 60_000, 3_600_000, 86_400_001, 5 * 86_400_000).map((millis) => new Advance(millis))
  ),
  ...Array.from({ length: 2 }, () => space.map((s) => new RunTimers(s)))
]

/** Two help desks on a store (fresh workspaces A and B, stream ids of their own), their directories seeded. */
const setupModel = async (ports: Fixtures.Ports) => {
  const realClock = await Effect.runPromise(Clock.clockWith(Effect.succeed))
  const store = onClock(ports.tickets, realClock)
  const clock = manualClock(modelStart, realClock)
  const run = <A, E2>(effect: Effect.Effect<A, E2>) =>
    Effect.runPromise(Effect.provideService(effect, Clock.Clock, clock.clock))
  const wsA = await Effect.runPromise(freshWorkspace)
  const wsB = await Effect.runPromise(freshWorkspace)
  const services = Layer.mergeAll(
    Layer.succeed(TicketStore, store),
    Layer.succeed(DirectoryStore, await Effect.runPromise(MemoryDirectoryStore.make)),
    Layer.succeed(IdGenerator, await Effect.runPromise(prefixedIds(`${wsA}.`))),
    Layer.succeed(Timers, ports.timers)
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
 * A store that lets other fibers run after some reads and before some appends (chance
 * `yieldRate` each, from Effect's `Random`) and counts the `VersionConflict`s its appends
 * answer: between a writer's read (or its decision on a state the `Helpdesk` remembered, which
 * reads nothing) and its append, another writer may now append, as it would against a remote
 * store.
 *
 * @category testing
 * @since 0.1.0
 */
export const interleaving = (
  store: Store,
  yieldRate = 0.1
): { readonly store: Store; readonly conflicts: () => number } => {
  let conflicts = 0
  const maybeYield = Effect.flatMap(Random.next, (x) => (x < yieldRate ? Effect.yieldNow : Effect.void))
  return {
    store: TicketStore.of({
      ...store,
      load: (ticketId) => Effect.tap(store.load(ticketId), () => maybeYield),
      append: (ticketId, expectedVersion, events, effects) =>
        Effect.andThen(
          maybeYield,
          Effect.tapError(store.append(ticketId, expectedVersion, events, effects), (error) =>
            Effect.sync(() => {
              if (error._tag === "VersionConflict") conflicts++
            })
          )
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
 * Concurrent writers on one ticket through two `Helpdesk` instances (as two processes would be),
 * each writer setting a text custom field to values no one else sends. A custom field keeps the
 * ticket's state small, so each fold stays linear in the stream's length; the chain of
 * `from`/`to` values shows which state each command was decided on. Runs with the scheduler's automatic yields off: interleavings come from
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
    const config: typeof HelpdeskInput.Config.Encoded = {
      workspaceId: ws,
      maxAttempts: 1000,
      customFields: [{ key: "ref", label: "Reference", type: "text" }]
    }
    // Writers in one instance take turns on a ticket, so the races are between instances.
    const desks = yield* Effect.forEach([1, 2], () => Helpdesk.make(config)).pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(TicketStore, decorated.store),
          MemoryDirectoryStore.layer,
          Layer.effect(IdGenerator, prefixedIds(`${ws}.`)),
          Layer.succeed(Timers, yield* Timers)
        )
      )
    )
    const desk = desks[0] as Helpdesk.Service
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
      (values, w) =>
        Effect.forEach(values, (value) =>
          Effect.result(
            (desks[w % desks.length] as Helpdesk.Service).setCustomField({
              ticket: ticket.id,
              by: mary,
              key: "ref",
              value
            })
          )
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

/** Writers, batches each and streams of the concurrent-batches test. */
const batchWriters = 8
const batchesPerWriter = 30
const batchStreams = 5

/**
 * Concurrent writers that each read two of five streams and append a note to both in one batch,
 * retrying on `VersionConflict`. A note says which version of its stream its writer read, so
 * in every stream the note at version `v + 1` must have been decided at `v`: a batch that went
 * through on a stale read would break the chain. Every batch is in exactly once, on both streams.
 */
const concurrentBatches = (store: Store): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const streams = Array.from({ length: batchStreams }, (_, n) => ticketIn(ws, `s${n}`))
    for (const [n, id] of streams.entries()) yield* store.append(id, 0, [opened(ws, id, n + 1)])
    let conflicts = 0
    const batch = (writer: number, count: number) =>
      Effect.gen(function* () {
        const first = yield* Random.nextIntBetween(0, batchStreams - 1)
        const second = (first + (yield* Random.nextIntBetween(1, batchStreams - 1))) % batchStreams
        const pair = [streams[first], streams[second]] as [TicketId, TicketId]
        for (let attempt = 0; attempt < 1_000; attempt++) {
          const read = [(yield* store.load(pair[0])).version, (yield* store.load(pair[1])).version]
          // Between the read and the write, other writers may go first.
          yield* Effect.yieldNow
          const requests = pair.map((id, k) => {
            const version = read[k] as number
            const note = noted(id, minutesLater(count), `w${writer}b${count}@${version}`, `${id}.w${writer}b${count}`)
            return { ticketId: id, expectedVersion: version, events: [note] }
          })
          const result = yield* Effect.result(store.appendAll(requests))
          if (result._tag === "Success") {
            expect(result.success, "the versions of a batch, in batch order").toEqual(read.map((v) => v + 1))
            return
          }
          if (result.failure._tag !== "VersionConflict") return yield* Effect.fail(result.failure)
          conflicts++
        }
        return yield* Effect.die(new Error(`batch w${writer}b${count} conflicted 1000 times`))
      })
    yield* Effect.forEach(
      Array.from({ length: batchWriters }, (_, w) => w),
      (writer) =>
        Effect.forEach(
          Array.from({ length: batchesPerWriter }, (_, i) => i),
          (count) => batch(writer, count)
        ),
      { concurrency: batchWriters }
    )
    const written: Array<string> = []
    for (const id of streams) {
      const [opening, ...notes] = (yield* readStream(store, id)).events
      expect(opening?._tag, `${id} opens with TicketOpened`).toBe("TicketOpened")
      notes.forEach((event, index) => {
        const text = event._tag === "NoteAdded" ? event.message.text : event._tag
        const [name, decidedAt] = text.split("@")
        expect(decidedAt, `${id} version ${index + 2} (${text}) was decided on a stale read`).toBe(String(index + 1))
        written.push(name as string)
      })
    }
    expect(written.length, "notes written: two per batch").toBe(batchWriters * batchesPerWriter * 2)
    const perBatch = new Map<string, number>()
    for (const name of written) perBatch.set(name, (perBatch.get(name) ?? 0) + 1)
    expect(perBatch.size, "batches written").toBe(batchWriters * batchesPerWriter)
    expect(
      [...perBatch.values()].every((n) => n === 2),
      "every batch on both its streams"
    ).toBe(true)
    expect(conflicts, "the writers never conflicted: the test proved nothing").toBeGreaterThan(0)
  }).pipe(Random.withSeed(3))

// -- seeded tickets: hostile input and workspaces -------------------------------------------------------

/** A ticket written straight to the store: an opening, perhaps a reply, perhaps an SLA due time. */
interface SeedTicket {
  readonly publicId: number
  readonly subject: string
  readonly text: string
  readonly requester: string
  readonly organization?: string
  readonly assignee?: string
  readonly group?: string
  /** Raw tags, normalised on the way in. */
  readonly tags: ReadonlyArray<string>
  readonly priority: Priority.Priority
  readonly channel: Channel
  readonly category: StatusCategory
  readonly createdMinutes: number
  readonly reply?: { readonly minutes: number; readonly text: string }
  readonly slaMinutes?: number
}

/** Writes a seeded ticket; gives it back as the reference knows it. */
const seedTicket = (store: Store, ws: WorkspaceId, ticketId: TicketId, seed: SeedTicket) =>
  Effect.gen(function* () {
    const at = minutesLater(seed.createdMinutes)
    const requester = Actor.contact(seed.requester)
    const opening = new E.TicketOpened({
      ticketId,
      at,
      by: requester,
      workspaceId: ws,
      publicId: seed.publicId as PublicId,
      subject: seed.subject,
      requester: seed.requester as ContactId,
      channel: seed.channel,
      priority: seed.priority,
      status: seed.category as StatusId,
      category: seed.category,
      tags: Tag.normalizeAll(seed.tags),
      customFields: {},
      message: {
        id: `${ticketId}.m0` as MessageId,
        visibility: "public",
        author: requester,
        channel: seed.channel,
        at,
        text: seed.text,
        attachments: []
      },
      ...(seed.organization === undefined ? {} : { organization: seed.organization as OrganizationId }),
      ...(seed.assignee === undefined ? {} : { assignee: seed.assignee as AgentId }),
      ...(seed.group === undefined ? {} : { group: seed.group as GroupId })
    })
    const slaDueAt = seed.slaMinutes === undefined ? undefined : minutesLater(seed.slaMinutes)
    yield* store.append(ticketId, 0, [opening], slaDueAt === undefined ? {} : { slaDueAt })
    if (seed.reply !== undefined) {
      yield* store.append(ticketId, 1, [replied(ticketId, seed.createdMinutes + seed.reply.minutes, seed.reply.text)])
    }
    const { events } = yield* store.read(ticketId)
    return { ticket: Ticket.fold(events) as Ticket.Ticket, slaDueAt }
  })

/** Tickets whose every text field is hostile: what hostile filters might match. */
const hostileSeeds: ReadonlyArray<SeedTicket> = (() => {
  const f = Arbitraries.hostileFragments
  const frag = (n: number) => f[n % f.length] as string
  const ids = ["a--b", "x.y:z", "Q_1", "jane", "MARY", "a".repeat(128), "z-".repeat(64)]
  const id = (n: number) => ids[n % ids.length] as string
  const categories: ReadonlyArray<StatusCategory> = ["new", "open", "pending", "on_hold", "solved", "closed"]
  return Array.from(
    { length: 14 },
    (_, i): SeedTicket => ({
      publicId: i + 1,
      subject:
        i === 0
          ? "'); DROP TABLE tickets; -- ".repeat(40).slice(0, 1000)
          : `${frag(i)} VPN drops ${frag(i * 7 + 3)} every hour ${frag(i * 13 + 5)}`,
      text:
        i === 1
          ? `${"' OR 1=1 -- % _ \\ ".repeat(500)} merci`
          : `${frag(i * 5 + 1)}${frag(i * 3 + 2)} Merci ! Ça marche ${frag(i * 11 + 4)} invoice ${i}`,
      requester: id(i),
      assignee: id(i + 1),
      group: id(i + 2),
      ...(i % 3 === 0 ? {} : { organization: id(i + 3) }),
      tags: i === 0 ? ["'".repeat(100), "%", "_x_"] : [frag(i), frag(i + 9), frag(i * 2 + 17), "vpn"],
      priority: (["low", "normal", "high", "urgent"] as const)[i % 4] as Priority.Priority,
      channel: (["email", "web", "chat", "phone"] as const)[i % 4] as Channel,
      category: categories[i % categories.length] as StatusCategory,
      createdMinutes: (i * 37) % 100,
      ...(i % 4 === 1 ? { reply: { minutes: 5 + i, text: `${frag(i + 20)} vpn ${frag(i + 21)}` } } : {}),
      ...(i % 3 === 2 ? {} : { slaMinutes: (i * 17) % 90 })
    })
  )
})()

const hostileTagFilter = fc.oneof(
  { weight: 2, arbitrary: Arbitraries.hostileString(200) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...Arbitraries.hostileFragments, "'".repeat(100), "vpn")
      .map((raw) => Tag.normalize(raw))
      .filter((t) => t.length > 0)
  }
)

const edgyStatus = fc.oneof(
  fc.constantFrom("new", "open", "on_hold", "drop_table_tickets", "or_1_1"),
  fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/)
)

/** Valid, decoded queries whose filter values are as hostile as their schemas allow. */
const hostileQuery: fc.Arbitrary<TicketQuery.TicketQuery> = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.array(hostileTagFilter, { minLength: 1, maxLength: 3 }).map((tagsAny) => ({ tagsAny })),
        fc.array(hostileTagFilter, { minLength: 1, maxLength: 2 }).map((tagsAll) => ({ tagsAll })),
        fc.oneof(fc.constant(null), Arbitraries.edgyId).map((assignee) => ({ assignee: assignee as AgentId | null })),
        fc.oneof(fc.constant(null), Arbitraries.edgyId).map((group) => ({ group: group as GroupId | null })),
        Arbitraries.edgyId.map((requester) => ({ requester: requester as ContactId })),
        Arbitraries.edgyId.map((organization) => ({ organization: organization as OrganizationId })),
        fc.array(edgyStatus, { minLength: 1, maxLength: 2 }).map((status) => ({ status: status as Array<StatusId> })),
        ...Array.from({ length: 3 }, () => Arbitraries.hostileString(500).map((search) => ({ search })))
      ),
      { minLength: 1, maxLength: 2 }
    ),
    fc.constantFrom<TicketQuery.SortKey>("created", "updated", "priority", "sla_due"),
    fc.constantFrom<"asc" | "desc">("asc", "desc")
  )
  .map(([filters, sort, direction]): TicketQuery.TicketQuery => ({ ...Object.assign({}, ...filters), sort, direction }))

/** Raw `list` input that must not decode: hostile text where the schema allows none, or too much of it. */
const undecodableQuery: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.constantFrom(
      (s: string) => ({ requester: `'${s}` }),
      (s: string) => ({ assignee: `a'; DROP TABLE tickets; --${s}` }),
      (s: string) => ({ group: `' OR 1=1 --${s}` }),
      (s: string) => ({ organization: `${s}%` }),
      (s: string) => ({ status: [`open'${s}`] }),
      (s: string) => ({ category: [`${s}' OR 1=1 --`] }),
      (s: string) => ({ channel: [`email'; --${s}`] }),
      (s: string) => ({ priority: [`urgent' OR '1'='1${s}`] }),
      (s: string) => ({ sort: `created; DROP TABLE tickets; --${s}` }),
      (s: string) => ({ direction: `asc, (SELECT 1)${s}` }),
      (s: string) => ({ createdFrom: `2026-03-09' OR 1=1 --${s}` }),
      (s: string) => ({ slaDueBefore: `${s}); DROP TABLE tickets; --` }),
      () => ({ limit: 0 }),
      () => ({ limit: 501 }),
      (s: string) => ({ limit: `1; --${s}` })
    ),
    Arbitraries.hostileText(40)
  )
  .map(([make, s]) => make(s))

const tooLong: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  Arbitraries.hostileTextOfLength(201).map((tag) => ({ tagsAny: [tag] })),
  Arbitraries.hostileTextOfLength(201).map((tag) => ({ tagsAll: ["vpn", tag] })),
  Arbitraries.hostileTextOfLength(501).map((search) => ({ search })),
  Arbitraries.hostileTextOfLength(1001).map((cursor) => ({ cursor }))
)

const memoryServices = (ports: Fixtures.Ports) =>
  Layer.mergeAll(
    Layer.succeed(TicketStore, ports.tickets),
    MemoryDirectoryStore.layer,
    layerSequential,
    Layer.succeed(Timers, ports.timers)
  )

/**
 * Links, a merge, its undo and a split through a `Helpdesk` on the store: after each, every
 * ticket involved loads as the fold of its events, its queue row matches, search finds each
 * message on the ticket that holds it now (and only there), and public numbers resolve.
 */
const relations = <E>(layer: Fixtures.StoreLayer<E>) =>
  Fixtures.withBuiltPorts(layer, async (ports) => {
    const store = ports.tickets
    const ws = await Effect.runPromise(freshWorkspace)
    const desk = await Fixtures.helpdeskOn(ports, ws)
    const run = <A, E2>(effect: Effect.Effect<A, E2>) => Effect.runPromise(effect)
    const open = (subject: string, text: string, channel: Channel) =>
      run(desk.open({ requester: { email: "jane@example.com" }, subject, text, channel }))
    const email = await open("Quasar gateway", "The quasargate drops every hour", "email")
    const chat = await open("Quasar again", "Still zephyrwords on the chat", "chat")
    const other = await open("Printer", "The nebulaprinter jams", "web")
    const all = [email, chat, other]
    /** Which tickets a word is found on, through the store's search. */
    const found = async (word: string) =>
      (await Effect.runPromise(store.query(ws, { search: word }))).items.map((t) => t.id).sort()
    const consistent = async () => {
      for (const t of all) {
        const stream = await Effect.runPromise(readStream(store, t.id))
        const folded = Ticket.fold(stream.events) as Ticket.Ticket
        const row = (await Effect.runPromise(store.query(ws, { requester: folded.requester, limit: 500 }))).items.find(
          (r) => r.id === t.id
        )
        expect(row, `row of ${t.id}`).toEqual(TicketQuery.summarize(folded))
        await expectResolves({ store } as never, ws, t.publicId, t.id)
      }
    }

    await run(desk.link({ ticket: other.id, to: email.id, kind: "related", by: mary }))
    await run(desk.merge({ target: email.id, sources: [chat.id], by: mary }))
    await consistent()
    // The merged message is on the target now, and still on the source (closed, readable).
    expect(await found("zephyrwords")).toEqual([chat.id, email.id].sort())
    expect((await run(desk.get(chat.publicId))).id).toBe(email.id)

    await run(desk.undoMerge({ target: email.id, source: chat.id, by: mary }))
    await consistent()
    expect(await found("zephyrwords")).toEqual([chat.id])

    const before = await run(desk.reply({ ticket: email.id, text: "Also the nebulascanner", by: mary }))
    const moved = before.messages.at(-1)?.id as string
    const split = await run(desk.split({ ticket: email.id, messages: [moved], subject: "Scanner", by: mary }))
    all.push(split)
    await consistent()
    expect(await found("nebulascanner")).toEqual([split.id])
    expect(await found("quasargate")).toEqual([email.id])
  })

/**
 * Hostile filters against a store that holds hostile data, through `store.query` with decoded
 * queries and through the `Helpdesk`'s `list`, which decodes its input: every answer is the
 * reference's, undecodable input is refused, bad cursors fail with `InvalidCursor`, and
 * afterwards every stream, number and row is as it was.
 */
const hostileInput = async <E>(layer: Fixtures.StoreLayer<E>, numRuns: number, seed: number | undefined) =>
  Fixtures.withBuiltPorts(layer, async (ports) => {
    const store = ports.tickets
    const ws = await Effect.runPromise(freshWorkspace)
    const known = await Effect.runPromise(
      Effect.forEach(hostileSeeds, (s, i) => seedTicket(store, ws, ticketIn(ws, `h${i}`), s))
    )
    const streams = await Effect.runPromise(Effect.forEach(known, (k) => store.read(k.ticket.id)))
    const desk = await Effect.runPromise(Helpdesk.make({ workspaceId: ws }).pipe(Effect.provide(memoryServices(ports))))
    const everything = referenceItems({}, known)
    const encodeExit = Schema.encodeExit(TicketQuery.TicketQuery)
    await fc.assert(
      fc.asyncProperty(
        hostileQuery,
        fc.integer({ min: 1, max: 5 }),
        fc.oneof(undecodableQuery, tooLong),
        Arbitraries.hostileString(1000),
        async (query, limit, undecodable, badCursor) => {
          const label = show(query)
          const expected = referenceItems(query, known)
          const bound = Math.ceil(expected.length / limit) + 1
          const direct = await Effect.runPromise(
            pagesOf(
              (cursor) => store.query(ws, { ...query, limit, ...(cursor === undefined ? {} : { cursor }) }),
              bound
            )
          )
          expectPages(direct, expected, limit, `store.query ${label}`)
          // Encoding checks the query too; hostile queries hold no dates, so one that does not
          // pass is its own encoded form, for `list` to refuse.
          const encodedExit = encodeExit({ ...query, limit })
          const encoded = Exit.isSuccess(encodedExit)
            ? encodedExit.value
            : ({ ...query, limit } as unknown as typeof TicketQuery.TicketQuery.Encoded)
          // `list` decodes: tags are normalised, and a tag or a search that leaves nothing is refused.
          const decoded = Schema.decodeUnknownExit(TicketQuery.TicketQuery)(encoded)
          if (Exit.isSuccess(decoded)) {
            const listedExpected = referenceItems(decoded.value, known)
            const listBound = Math.ceil(listedExpected.length / limit) + 1
            const listed = await Effect.runPromise(
              pagesOf((cursor) => desk.list(cursor === undefined ? encoded : { ...encoded, cursor }), listBound)
            )
            expectPages(listed, listedExpected, limit, `list ${label}`)
          } else {
            const refusedQuery = await Effect.runPromise(Fixtures.failureOf(desk.list(encoded)))
            expect(refusedQuery._tag, `list ${label}`).toBe("InvalidInput")
          }
          const refused = await Effect.runPromise(
            Fixtures.failureOf(desk.list({ ...encoded, ...undecodable } as typeof TicketQuery.TicketQuery.Encoded))
          )
          expect(refused._tag, `list ${show(undecodable)}`).toBe("InvalidInput")
          const cursorError = await Effect.runPromise(
            Fixtures.failureOf(store.query(ws, { ...query, cursor: badCursor }))
          )
          expect(cursorError._tag, `cursor ${show(badCursor)}`).toBe("InvalidCursor")
          const all = await Effect.runPromise(store.query(ws, { limit: 500 }))
          expect(all.items, "every ticket, unchanged").toEqual(everything)
        }
      ),
      { numRuns, ...(seed === undefined ? {} : { seed }) }
    )
    for (const [i, k] of known.entries()) {
      expect(await Effect.runPromise(readStream(store, k.ticket.id)), `stream ${k.ticket.id}`).toEqual(streams[i])
      const holder = await Effect.runPromise(store.resolve(ws, k.ticket.publicId))
      expect(Option.getOrUndefined(holder)).toBe(k.ticket.id)
    }
    expect((await Effect.runPromise(store.query(ws, { limit: 500 }))).items).toEqual(everything)
  })

const seed: fc.Arbitrary<SeedTicket> = fc.record(
  {
    publicId: fc.integer({ min: 1, max: 6 }),
    subject: fc.constantFrom(
      "VPN drops every hour",
      "Invoice 4471 is wrong",
      "Printer on fire",
      "Ça ne marche pas",
      "' OR 1=1 --"
    ),
    text: fc.constantFrom(
      "It stopped working this morning.",
      "Merci d'avance ! 🙏",
      "Rechnung für März",
      "'); DROP TABLE tickets; --"
    ),
    requester: fc.constantFrom("jane", "omar", "lee", "a--b"),
    organization: fc.constantFrom("acme", "initech"),
    assignee: fc.constantFrom("mary", "sam", "ivan"),
    group: fc.constantFrom("billing", "tier2"),
    tags: fc.subarray(["vpn", "billing", "vpn_issue", "été", "' OR 1=1 --"]),
    priority: Arbitraries.priority,
    channel: Arbitraries.channel,
    category: fc.constantFrom<StatusCategory>("new", "open", "pending", "on_hold", "solved", "closed"),
    createdMinutes: fc.integer({ min: 0, max: 120 }),
    reply: fc.record({
      minutes: fc.integer({ min: 0, max: 120 }),
      text: fc.constantFrom("On it.", "Fixed, merci !", "VPN-Client neu installiert")
    }),
    slaMinutes: fc.integer({ min: 0, max: 240 })
  },
  {
    requiredKeys: [
      "publicId",
      "subject",
      "text",
      "requester",
      "tags",
      "priority",
      "channel",
      "category",
      "createdMinutes"
    ]
  }
)

/** Tickets with more varied words, times and due times, for the query property. */
const richSeed: fc.Arbitrary<SeedTicket> = fc
  .tuple(
    seed,
    fc.constantFrom(
      "VPN drops every hour",
      "Invoice 4471 is wrong",
      "Printer on fire",
      "Ça ne marche pas",
      "Überweisung fehlgeschlagen",
      "Naïve café order",
      "İstanbul office Wi-Fi",
      "' OR 1=1 --",
      "日本語 サポート",
      "VPN-Client crashes"
    ),
    fc.constantFrom(
      "It stopped working this morning.",
      "Merci d'avance ! 🙏",
      "Rechnung für März",
      "'); DROP TABLE tickets; --",
      "The printer prints blank pages",
      "Café crème machine broken",
      "vpnclient.exe crashed at startup",
      "Straße address wrong",
      ""
    )
  )
  .map(([base, subject, text]) => ({ ...base, subject, text }))

/** A later change of a ticket's SLA due time: minutes after the start, or cleared. */
const slaChange = fc.record({ pick: fc.nat(), due: fc.option(fc.integer({ min: 0, max: 240 }), { nil: null }) })

/**
 * Random tickets (times, SLA due times set, moved and cleared, words with case and accents) in
 * one workspace, with another workspace's beside them, and random queries on them (the
 * directory filters, created/updated ranges, SLA due before, every sort and direction, searches
 * for words, prefixes, variants and absent words), page by page: the reference's pages.
 */
const queryConformance = async <E>(layer: Fixtures.StoreLayer<E>, numRuns: number, seedValue: number | undefined) =>
  Fixtures.withBuiltPorts(layer, (ports) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(richSeed, { minLength: 3, maxLength: 12 }),
        fc.array(richSeed, { maxLength: 4 }),
        fc.array(slaChange, { maxLength: 4 }),
        fc.array(fc.tuple(querySpec, fc.integer({ min: 1, max: 5 })), { minLength: 3, maxLength: 6 }),
        async (mine, theirs, changes, queries) => {
          const store = ports.tickets
          const [ws, other] = [await Effect.runPromise(freshWorkspace), await Effect.runPromise(freshWorkspace)]
          const seedAll = (w: WorkspaceId, seeds: ReadonlyArray<SeedTicket>) =>
            Effect.forEach(seeds, (s, i) => seedTicket(store, w, ticketIn(w, `t${i}`), { ...s, publicId: i + 1 }))
          const known = [...(await Effect.runPromise(seedAll(ws, mine)))]
          const others = await Effect.runPromise(seedAll(other, theirs))
          for (const [n, change] of changes.entries()) {
            const i = change.pick % known.length
            const { ticket } = known[i] as Known
            const due = change.due === null ? null : minutesLater(change.due)
            const note = noted(ticket.id, minutesLater(200 + n), "SLA moved", `${ticket.id}.sla${n}`)
            await Effect.runPromise(store.append(ticket.id, ticket.version, [note], { slaDueAt: due }))
            const { events } = await Effect.runPromise(store.read(ticket.id))
            known[i] = { ticket: Ticket.fold(events) as Ticket.Ticket, slaDueAt: due ?? undefined }
          }
          for (const [spec, limit] of queries) {
            const query = resolveQuery(spec, [...known, ...others])
            const expected = referenceItems(query, known)
            const pages = await Effect.runPromise(
              allPages(store, ws, { ...query, limit }, Math.ceil(expected.length / limit) + 1)
            )
            expectPages(pages, expected, limit, show(query))
          }
        }
      ),
      { numRuns, ...(seedValue === undefined ? {} : { seed: seedValue }) }
    )
  )

/**
 * Random tickets in 2–3 workspaces of one store, with the same numbers, people and words in
 * each: no query of one workspace returns another's ticket (and each returns the reference's
 * answer for its own), a number resolves only to the workspace's own ticket, and drawing
 * numbers in one workspace leaves another's sequence as it would be alone.
 */
const workspaceIsolation = async <E>(layer: Fixtures.StoreLayer<E>, numRuns: number, seedValue: number | undefined) =>
  Fixtures.withBuiltPorts(layer, (ports) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.uniqueArray(seed, { selector: (t) => t.publicId, maxLength: 5 }), { minLength: 2, maxLength: 3 }),
        fc.array(querySpec, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (data, specs, limit, draws) => {
          const store = ports.tickets
          const spaces = await Effect.runPromise(Effect.forEach(data, () => freshWorkspace))
          const known = await Effect.runPromise(
            Effect.forEach(data, (seeds, w) =>
              Effect.forEach(seeds, (s, i) =>
                seedTicket(store, spaces[w] as WorkspaceId, ticketIn(spaces[w] as WorkspaceId, `t${i}`), s)
              )
            )
          )
          const everyone = known.flat()
          for (const [w, ws] of spaces.entries()) {
            const own = known[w] as ReadonlyArray<Known>
            for (const spec of [{ filters: {}, instants: [] }, ...specs]) {
              const query = resolveQuery(spec, everyone)
              const expected = referenceItems(query, own)
              const pages = await Effect.runPromise(
                allPages(store, ws, { ...query, limit }, Math.ceil(expected.length / limit) + 1)
              )
              for (const item of pages.flatMap((p) => p.items)) {
                expect(item.workspaceId, `${show(query)} in ${ws} returned ${item.id}`).toBe(ws)
              }
              expectPages(pages, expected, limit, `${show(query)} in workspace ${w}`)
            }
            for (const other of everyone) {
              const holder = await Effect.runPromise(store.resolve(ws, other.ticket.publicId))
              const mine = own.find((k) => k.ticket.publicId === other.ticket.publicId)?.ticket.id
              expect(Option.getOrUndefined(holder), `number ${other.ticket.publicId} in ${ws}`).toBe(mine)
            }
          }
          // Two empty workspaces: one draws among the others' draws, one alone; same numbers.
          const [mixed, alone] = [await Effect.runPromise(freshWorkspace), await Effect.runPromise(freshWorkspace)]
          const targets = [...spaces, mixed]
          const drawn = new Map<WorkspaceId, Array<number>>(targets.map((ws) => [ws, []]))
          for (const d of draws) {
            const ws = targets[d % targets.length] as WorkspaceId
            drawn.get(ws)?.push(await Effect.runPromise(store.nextPublicId(ws)))
          }
          const mixedDraws = drawn.get(mixed) ?? []
          const aloneDraws = await Effect.runPromise(Effect.forEach(mixedDraws, () => store.nextPublicId(alone)))
          expect(mixedDraws, "an empty workspace's numbers do not depend on other workspaces' draws").toEqual(
            aloneDraws
          )
          for (const [w, ws] of spaces.entries()) {
            const numbers = drawn.get(ws) ?? []
            const used = (known[w] as ReadonlyArray<Known>).map((k) => k.ticket.publicId)
            expect(new Set(numbers).size, `numbers drawn in ${ws}`).toBe(numbers.length)
            for (const n of numbers) expect(used, `${n} drawn in ${ws}`).not.toContain(n)
          }
        }
      ),
      { numRuns, ...(seedValue === undefined ? {} : { seed: seedValue }) }
    )
  )

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
  const propertyRuns = options.propertyRuns ?? 100
  const writers = options.writers ?? 8
  const commandsPerWriter = options.commandsPerWriter ?? 500
  const timeout = options.timeout ?? 600_000

  describe(`TicketStore conformance: ${name}`, () => {
    describe("streams", () => {
      it("reading or loading a stream that was never written gives version 0, no events and no state", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            expect(yield* store.read(ticketIn(ws, "never-written"))).toEqual({ events: [], version: 0 })
            expect(yield* store.load(ticketIn(ws, "never-written"))).toEqual({ state: undefined, version: 0 })
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

      it("an append's slaDueAt sets the due time queues sort on; absent keeps it, null clears it, a failed append leaves it", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [late, soon, none] = ["late", "soon", "none"].map((n) => ticketIn(ws, n)) as [
              TicketId,
              TicketId,
              TicketId
            ]
            yield* store.append(late, 0, [opened(ws, late, 1)], { slaDueAt: minutesLater(90) })
            yield* store.append(soon, 0, [opened(ws, soon, 2)], { slaDueAt: minutesLater(30) })
            yield* store.append(none, 0, [opened(ws, none, 3)])
            const order = (direction: "asc" | "desc") =>
              Effect.map(store.query(ws, { sort: "sla_due", direction }), (page) =>
                page.items.map((t) => [t.id, t.slaDueAt === undefined ? undefined : DateTime.formatIso(t.slaDueAt)])
              )
            expect(yield* order("asc")).toEqual([
              [soon, "2026-03-09T13:30:00.000Z"],
              [late, "2026-03-09T14:30:00.000Z"],
              [none, undefined]
            ])
            expect(
              (yield* order("desc")).map(([id]) => id),
              "no due time sorts last either way"
            ).toEqual([late, soon, none])
            const dueBefore = (minutes: number) =>
              Effect.map(store.query(ws, { slaDueBefore: minutesLater(minutes) }), (page) =>
                page.items.map((t) => t.id)
              )
            expect(yield* dueBefore(30), "strictly before").toEqual([])
            expect(yield* dueBefore(31)).toEqual([soon])
            yield* store.append(soon, 1, [retagged(soon, 5, ["urgent"], [])])
            expect(yield* dueBefore(31), "an append without slaDueAt keeps it").toEqual([soon])
            const conflict = yield* failureOf(store.append(soon, 0, [retagged(soon, 6, ["x"], [])], { slaDueAt: null }))
            expect(conflict._tag).toBe("VersionConflict")
            const taken = yield* failureOf(
              store.append(ticketIn(ws, "dup"), 0, [opened(ws, ticketIn(ws, "dup"), 1)], { slaDueAt: minutesLater(1) })
            )
            expect(taken._tag).toBe("PublicIdTaken")
            expect(yield* dueBefore(31), "a failed append changes no due time").toEqual([soon])
            yield* store.append(soon, 2, [retagged(soon, 7, [], ["urgent"])], { slaDueAt: null })
            expect(yield* dueBefore(1000), "null clears it").toEqual([late])
            yield* store.append(none, 1, [retagged(none, 8, ["vip"], [])], { slaDueAt: minutesLater(10) })
            expect(yield* order("asc")).toEqual([
              [none, "2026-03-09T13:10:00.000Z"],
              [late, "2026-03-09T14:30:00.000Z"],
              [soon, undefined]
            ])
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

    it(
      "links, merges, undos and splits through the Helpdesk: every ticket's row, texts, search and number follow its events",
      () => relations(layer),
      timeout
    )

    it(
      "a public-only search (a requester's) never finds words of internal notes, after merges, undos and splits too",
      () => PublicSearch.run(layer),
      timeout
    )

    describe("batches", () => {
      it("a batch over several streams appends to each and returns their versions in batch order; read, load and queries see them", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            // Batch order (b, c, a) is neither the ids' order nor the order the streams were made.
            const [a, b, c] = ["a", "b", "c"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
            const beforeA = [opened(ws, a, 1)]
            const beforeB = [opened(ws, b, 2, "omar"), replied(b, 1, "Looking into it.")]
            yield* store.append(a, 0, beforeA)
            yield* store.append(b, 0, beforeB)
            const toA = [
              replied(a, 5, "Fixed on our side."),
              retagged(a, 6, ["fixed"], ["vpn"]),
              moved(a, 7, "new", "solved")
            ]
            const toB = [moved(b, 3, "new", "pending")]
            const toC = [opened(ws, c, 3, "lee"), retagged(c, 4, ["vip"], [])]
            const versions = yield* store.appendAll([
              { ticketId: b, expectedVersion: 2, events: toB },
              { ticketId: c, expectedVersion: 0, events: toC },
              { ticketId: a, expectedVersion: 1, events: toA }
            ])
            expect(versions).toEqual([3, 2, 4])
            expect(yield* readStream(store, a)).toEqual({ events: [...beforeA, ...toA], version: 4 })
            expect(yield* readStream(store, b)).toEqual({ events: [...beforeB, ...toB], version: 3 })
            expect(yield* readStream(store, c)).toEqual({ events: toC, version: 2 })
            const folds = [a, b, c].map((id) =>
              TicketQuery.summarize(
                Ticket.fold(id === a ? [...beforeA, ...toA] : id === b ? [...beforeB, ...toB] : toC) as Ticket.Ticket
              )
            )
            const byId = (items: ReadonlyArray<TicketQuery.TicketSummary>) =>
              [...items].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
            expect(byId((yield* store.query(ws, {})).items)).toEqual(folds)
            const ids = (query: TicketQuery.TicketQuery) =>
              Effect.map(store.query(ws, query), (page) => page.items.map((t) => t.id))
            expect(yield* ids({ category: ["solved"], tagsAll: ["fixed"] })).toEqual([a])
            expect(yield* ids({ category: ["pending"] })).toEqual([b])
            expect(yield* ids({ tagsAny: ["vip"] })).toEqual([c])
            expect(Option.getOrUndefined(yield* store.resolve(ws, 3 as PublicId))).toBe(c)
          })
        ))

      it("a stale version on the last entry fails the batch with VersionConflict: no stream, timer, outbox message or due time is written", () =>
        Fixtures.withPorts(layer, ({ tickets: store, timers, outbox }) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [a, b, c] = ["a", "b", "c"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
            yield* store.append(a, 0, [opened(ws, a, 1)])
            yield* store.append(b, 0, [opened(ws, b, 2)])
            const [beforeA, beforeB] = [yield* store.read(a), yield* store.read(b)]
            const channel = `${ws}:email`
            const timer: Timer = {
              id: `${c}:sla`,
              workspaceId: ws,
              ticketId: c,
              purpose: "sla",
              dueAt: minutesLater(30)
            }
            const message: OutboxMessage = {
              id: `${c}:welcome`,
              workspaceId: ws,
              ticketId: c,
              channel,
              payload: { to: "lee@example.com" },
              createdAt: minutesLater(1)
            }
            const batch = (staleB: number): ReadonlyArray<AppendRequest> => [
              {
                ticketId: c,
                expectedVersion: 0,
                events: [opened(ws, c, 3, "lee")],
                effects: { timers: [timer], outbox: [message], slaDueAt: minutesLater(30) }
              },
              {
                ticketId: a,
                expectedVersion: 1,
                events: [replied(a, 5, "On it.")],
                effects: { slaDueAt: minutesLater(60) }
              },
              { ticketId: b, expectedVersion: staleB, events: [moved(b, 6, "new", "pending")] }
            ]
            for (const stale of [0, 2]) {
              const error = yield* failureOf(store.appendAll(batch(stale)))
              expect(error).toMatchObject({ _tag: "VersionConflict", streamId: b, expected: stale, actual: 1 })
            }
            expect(yield* readStream(store, a)).toEqual(beforeA)
            expect(yield* readStream(store, b)).toEqual(beforeB)
            expect(yield* readStream(store, c)).toEqual({ events: [], version: 0 })
            expect(Option.isNone(yield* store.resolve(ws, 3 as PublicId))).toBe(true)
            const later = minutesLater(600)
            expect(yield* timers.claimDue(ws, later, 10, 1), "no timer of the failed batch").toEqual([])
            expect(yield* outbox.claim(channel, later, 10, 1), "no message of the failed batch").toEqual([])
            expect(yield* store.query(ws, { slaDueBefore: later }), "no due time of the failed batch").toEqual({
              items: [],
              nextCursor: undefined
            })
            // The same batch at the current versions goes through, effects and all.
            expect(yield* store.appendAll(batch(1))).toEqual([1, 2, 2])
            expect((yield* timers.claimDue(ws, later, 10, 1)).map((t) => t.id)).toEqual([timer.id])
            expect((yield* outbox.claim(channel, later, 10, 1)).map((m) => m.id)).toEqual([message.id])
            const due = yield* store.query(ws, { slaDueBefore: later, sort: "sla_due" })
            expect(due.items.map((t) => t.id)).toEqual([c, a])
          })
        ))

      it("of several stale entries, VersionConflict names the first in batch order", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [z, m, a] = ["z", "m", "a"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
            for (const [n, id] of [z, m, a].entries()) yield* store.append(id, 0, [opened(ws, id, n + 1)])
            const error = yield* failureOf(
              store.appendAll([
                { ticketId: m, expectedVersion: 1, events: [retagged(m, 1, ["x"], [])] },
                { ticketId: z, expectedVersion: 3, events: [retagged(z, 2, ["x"], [])] },
                { ticketId: a, expectedVersion: 0, events: [retagged(a, 3, ["x"], [])] }
              ])
            )
            expect(error).toMatchObject({ _tag: "VersionConflict", streamId: z, expected: 3, actual: 1 })
            for (const id of [z, m, a]) expect((yield* readStream(store, id)).version).toBe(1)
          })
        ))

      it("an entry with no events asserts its stream's version: stale fails the batch, current lets it through and leaves the stream as it was", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [child, parent, never] = ["child", "parent", "never"].map((n) => ticketIn(ws, n)) as [
              TicketId,
              TicketId,
              TicketId
            ]
            yield* store.append(child, 0, [opened(ws, child, 1)])
            yield* store.append(parent, 0, [opened(ws, parent, 2), replied(parent, 1, "Hello")])
            const [beforeChild, beforeParent] = [yield* store.read(child), yield* store.read(parent)]
            const note = retagged(child, 5, ["linked"], [])
            for (const stale of [1, 3]) {
              const error = yield* failureOf(
                store.appendAll([
                  { ticketId: child, expectedVersion: 1, events: [note] },
                  { ticketId: parent, expectedVersion: stale, events: [] }
                ])
              )
              expect(error).toMatchObject({ _tag: "VersionConflict", streamId: parent, expected: stale, actual: 2 })
            }
            const ahead = yield* failureOf(
              store.appendAll([
                { ticketId: child, expectedVersion: 1, events: [note] },
                { ticketId: never, expectedVersion: 1, events: [] }
              ])
            )
            expect(ahead, "a stream never written is at version 0").toMatchObject({
              _tag: "VersionConflict",
              streamId: never,
              expected: 1,
              actual: 0
            })
            expect(yield* readStream(store, child)).toEqual(beforeChild)
            expect(
              yield* store.appendAll([
                { ticketId: parent, expectedVersion: 2, events: [] },
                { ticketId: never, expectedVersion: 0, events: [] },
                { ticketId: child, expectedVersion: 1, events: [note] }
              ])
            ).toEqual([2, 0, 2])
            expect(yield* readStream(store, parent)).toEqual(beforeParent)
            expect(yield* readStream(store, never)).toEqual({ events: [], version: 0 })
            expect(yield* readStream(store, child)).toEqual({ events: [...beforeChild.events, note], version: 2 })
          })
        ))

      it("a public number taken in the store or claimed twice in one batch fails with PublicIdTaken and writes nothing", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [held, first, second] = ["held", "first", "second"].map((n) => ticketIn(ws, n)) as [
              TicketId,
              TicketId,
              TicketId
            ]
            yield* store.append(held, 0, [opened(ws, held, 1)])
            const before = yield* store.read(held)
            const twice = yield* failureOf(
              store.appendAll([
                { ticketId: held, expectedVersion: 1, events: [retagged(held, 1, ["x"], [])] },
                { ticketId: first, expectedVersion: 0, events: [opened(ws, first, 7)] },
                { ticketId: second, expectedVersion: 0, events: [opened(ws, second, 7, "omar")] }
              ])
            )
            expect(twice).toMatchObject({ _tag: "PublicIdTaken", workspaceId: ws, publicId: 7 })
            const taken = yield* failureOf(
              store.appendAll([
                { ticketId: first, expectedVersion: 0, events: [opened(ws, first, 7)] },
                { ticketId: second, expectedVersion: 0, events: [opened(ws, second, 1, "omar")] }
              ])
            )
            expect(taken).toMatchObject({ _tag: "PublicIdTaken", workspaceId: ws, publicId: 1 })
            expect(yield* readStream(store, held)).toEqual(before)
            for (const id of [first, second]) expect(yield* readStream(store, id)).toEqual({ events: [], version: 0 })
            expect(Option.isNone(yield* store.resolve(ws, 7 as PublicId))).toBe(true)
            expect((yield* store.query(ws, {})).items.map((t) => t.id)).toEqual([held])
          })
        ))

      it("a stream named twice in one batch is a defect of the caller: the store dies naming it and writes nothing", () =>
        withStore(layer, (store) =>
          Effect.gen(function* () {
            const ws = yield* freshWorkspace
            const [a, b] = ["a", "b"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId]
            yield* store.append(a, 0, [opened(ws, a, 1)])
            yield* store.append(b, 0, [opened(ws, b, 2)])
            const [beforeA, beforeB] = [yield* store.read(a), yield* store.read(b)]
            const exit = yield* Effect.exit(
              store.appendAll([
                { ticketId: a, expectedVersion: 1, events: [retagged(a, 1, ["x"], [])] },
                { ticketId: b, expectedVersion: 1, events: [moved(b, 2, "new", "open")] },
                { ticketId: a, expectedVersion: 2, events: [retagged(a, 3, ["y"], [])] }
              ])
            )
            expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "appendAll died").toBe(true)
            const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
            expect(String(defect)).toContain(`ticket ${a} appears twice in one batch`)
            expect(yield* readStream(store, a)).toEqual(beforeA)
            expect(yield* readStream(store, b)).toEqual(beforeB)
          })
        ))

      it("an empty batch returns no versions", () =>
        withStore(layer, (store) => Effect.map(store.appendAll([]), (versions) => expect(versions).toEqual([]))))

      it(
        `${batchWriters} concurrent writers × ${batchesPerWriter} read-modify-write batches over 2 of 5 streams lose no update`,
        () => withStore(layer, (store) => concurrentBatches(store)),
        timeout
      )
    })

    it(
      "random queries (ranges, SLA due, every sort, word searches) over random tickets give the reference's pages",
      () => queryConformance(layer, propertyRuns, options.seed),
      timeout
    )

    it(
      "hostile filter input (quotes, SQL fragments, unicode, maximal lengths) gives the reference's answers and changes nothing",
      () => hostileInput(layer, propertyRuns, options.seed),
      timeout
    )

    it(
      "random data in 2–3 workspaces: no query, number or sequence of one workspace reaches another's",
      () => workspaceIsolation(layer, propertyRuns, options.seed),
      timeout
    )

    it("declares its capabilities", () =>
      withStore(layer, (store) =>
        Effect.sync(() => {
          expect(typeof store.capabilities.durable).toBe("boolean")
          expect(typeof store.capabilities.multiProcess).toBe("boolean")
        })
      ))

    it(
      "random help desk operations in two workspaces keep every stream, ticket number and query page consistent with the reference",
      // One store for the whole property: each run has workspaces and stream ids of its own.
      () =>
        Fixtures.withBuiltPorts(layer, (ports) =>
          fc.assert(
            fc.asyncProperty(
              fc.commands([...modelCommands], { maxCommands: options.maxCommands ?? 50, size: "max" }),
              async (steps) => {
                const { model, real } = await setupModel(ports)
                await fc.asyncModelRun(() => ({ model, real }), steps)
                await finalCheck(model, real)
              }
            ),
            {
              numRuns,
              ...(options.seed === undefined ? {} : { seed: options.seed }),
              ...(options.path === undefined ? {} : { path: options.path })
            }
          )
        ),
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

  const suiteOptions = { numRuns: propertyRuns, timeout, ...(options.seed === undefined ? {} : { seed: options.seed }) }
  TimersSuite.run(name, layer, suiteOptions)
  OutboxSuite.run(name, layer, suiteOptions)
}
