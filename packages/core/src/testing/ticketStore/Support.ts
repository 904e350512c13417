/**
 * What the parts of the `TicketStore` suite share: the options they run with, a store built
 * afresh per test (its calls recorded for failure messages), reading a stream with the check that
 * `load` is its fold, paging through a query, and the reference answer of a query
 * (`TicketQuery.run` over the tickets' folds).
 */
import { type DateTime, Effect, type Layer, Option } from "effect"
import { expect } from "vitest"
import { IdGenerator, layerSequential } from "../../ports/IdGenerator.js"
import type { Outbox } from "../../ports/Outbox.js"
import type { StoredStream, TicketStore } from "../../ports/TicketStore.js"
import type { Timers } from "../../ports/Timers.js"
import * as TicketQuery from "../../query/TicketQuery.js"
import * as Ticket from "../../ticket/Ticket.js"
import type { PublicId, TicketId, WorkspaceId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"

/**
 * How much of the suite to run, every default filled in.
 */
export interface Settings {
  readonly numRuns: number
  readonly propertyRuns: number
  readonly maxCommands: number
  readonly seed: number | undefined
  readonly path: string | undefined
  readonly writers: number
  readonly commandsPerWriter: number
  readonly timeout: number
}

/** The fast-check parameters of a property other than the model-based run. */
export const propertyParams = (settings: Settings) => ({
  numRuns: settings.propertyRuns,
  ...(settings.seed === undefined ? {} : { seed: settings.seed })
})

export type Store = TicketStore["Service"]

/**
 * Runs `f` on a store built afresh from the layer, released at the end; a failure lists the store
 * calls `f` made.
 */
export const withStore = <A, E, E2>(
  layer: Layer.Layer<TicketStore | Timers | Outbox, E>,
  f: (store: Store) => Effect.Effect<A, E2>
): Promise<A> =>
  Fixtures.withBuiltPorts(layer, (ports) => {
    const recorder = StoreCalls.record(ports.tickets)
    return StoreCalls.explained(recorder, "this test", () => Effect.runPromise(f(recorder.store)))
  })

/**
 * The ports with their ticket store recording its calls, for a test that drives the store
 * through a `Helpdesk` (failures then list the store calls, see `StoreCalls.explained`).
 */
export const recorded = (
  ports: Fixtures.Ports
): { readonly ports: Fixtures.Ports; readonly recorder: StoreCalls.Recorder } => {
  const recorder = StoreCalls.record(ports.tickets)
  return { ports: { ...ports, tickets: recorder.store }, recorder }
}

/** Whether a store holds a public number for a ticket (or none for `undefined`) in a workspace. */
export const expectResolves = async (
  store: Store,
  ws: WorkspaceId,
  publicId: number,
  ticketId: TicketId | undefined
) => {
  const found = await Effect.runPromise(store.resolve(ws, publicId as PublicId))
  expect(Option.getOrUndefined(found), `resolve(${ws}, ${publicId})`).toBe(ticketId)
}

/**
 * Whether a store declares it cannot answer `query`: a search on a store whose
 * `capabilities.search` is `"none"`.
 */
export const refuses = (store: Store, query: TicketQuery.TicketQuery): boolean =>
  query.search !== undefined && store.capabilities.search === "none"

/** Checks that an error is the `Unsupported` a search on a store without search must be. */
export const expectNoSearch = (error: unknown, operation: string, label: string): void => {
  expect(error, `${label}: a search on a store whose capabilities.search is "none"`).toMatchObject({
    _tag: "Unsupported",
    capability: "search",
    operation
  })
}

/**
 * Checks every page of `query` (`limit` items each) against the reference's answer over
 * `known`; on a store that declares it cannot answer the query, that it fails with
 * `Unsupported` instead. Returns the items the store gave.
 */
export const expectAnswer = async (
  store: Store,
  ws: WorkspaceId,
  query: TicketQuery.TicketQuery,
  limit: number,
  known: ReadonlyArray<Known>
): Promise<ReadonlyArray<TicketQuery.TicketSummary>> => {
  const label = `query(${ws}, ${Fixtures.show({ ...query, limit })})`
  if (refuses(store, query)) {
    expectNoSearch(await Effect.runPromise(Fixtures.failureOf(store.query(ws, { ...query, limit }))), "query", label)
    return []
  }
  const expected = referenceItems(query, known)
  const pages = await Effect.runPromise(
    allPages(store, ws, { ...query, limit }, Math.ceil(expected.length / limit) + 1)
  )
  expectPages(pages, expected, limit, label)
  return pages.flatMap((page) => page.items)
}

/** Reads a stream and checks that its version is its length and that `load` is its fold. */
export const readStream = (store: Store, ticketId: TicketId): Effect.Effect<StoredStream, unknown> =>
  Effect.tap(store.read(ticketId), (stream) =>
    Effect.map(store.load(ticketId), (loaded) => {
      expect(stream.version, `version of ${ticketId} vs its events`).toBe(stream.events.length)
      expect(loaded.version, `loaded version of ${ticketId}`).toBe(stream.version)
      expect(loaded.state, `loaded state of ${ticketId} vs the fold of its events`).toEqual(Ticket.fold(stream.events))
    })
  )

/** Reads all pages of a query, following `nextCursor`; stops a store whose cursors never end. */
export const allPages = (
  store: Store,
  ws: WorkspaceId,
  query: TicketQuery.TicketQuery,
  bound: number
): Effect.Effect<ReadonlyArray<TicketQuery.TicketPage>, unknown> =>
  pagesOf((cursor) => store.query(ws, cursor === undefined ? query : { ...query, cursor }), bound)

/** Every page a page source gives, following `nextCursor`, at most `bound + 1` of them. */
export const pagesOf = <E>(
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
export const expectPages = (
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
export interface Known {
  readonly ticket: Ticket.Ticket
  readonly slaDueAt: DateTime.Utc | undefined
}

/** Every item of a query's answer, in order, as `TicketQuery.run` gives it over `known`. */
export const referenceItems = (
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

/** Sequential ids (`tkt_1`) with a part only this run uses after their kind's prefix (`tkt_ws-1.1`): stream ids are global to a store. */
export const prefixedIds = (prefix: string): Effect.Effect<IdGenerator["Service"]> =>
  Effect.map(
    Effect.gen(function* () {
      return yield* IdGenerator
    }).pipe(Effect.provide(layerSequential)),
    (inner) => IdGenerator.of({ next: (kind) => Effect.map(inner.next(kind), (id) => id.replace("_", `_${prefix}`)) })
  )
