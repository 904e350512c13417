/**
 * The unit of work for several tickets at once (links, merges, undos, splits): read the tickets a
 * decision may need, decide on all of them, and append every change in one `appendAll`, asserting
 * the version of every ticket read, so the decision never rests on stale state. The relations
 * themselves are decided in `links/Relations`; the operations that call this are in
 * `RelationOperations` (and `Automations`, for the links rules ask for).
 */
import { Effect } from "effect"
import { InvalidLink } from "../links/LinkError.js"
import * as Relations from "../links/Relations.js"
import * as StoreCapabilities from "../ports/StoreCapabilities.js"
import { VersionConflict } from "../ports/StoreError.js"
import type { AppendRequest } from "../ports/TicketStore.js"
import type { DecideContext } from "../ticket/decide.js"
import * as Ticket from "../ticket/Ticket.js"
import { TicketNotFound } from "../ticket/TicketError.js"
import type * as Actor from "../values/Actor.js"
import type { TicketId, TicketRef } from "../values/Ids.js"
import { type Deps, decideContext } from "./Deps.js"
import type * as DirectoryChecks from "./DirectoryChecks.js"
import { type HelpdeskError, isConflict, type Op } from "./HelpdeskError.js"
import * as Retry from "./Retry.js"
import type * as StateCache from "./StateCache.js"

/**
 * A ticket a decision on several starts from: `whole` reads everything it is linked to (a merge
 * source), otherwise only what could close a cycle (its parent, what it duplicates).
 *
 * @category models
 * @since 0.1.0
 */
export interface Root {
  readonly id: TicketId
  readonly ref: TicketRef
  readonly whole: boolean
}

/**
 * A caller's `expectedVersion`, checked against the ticket as read for the decision.
 *
 * @category combinators
 * @since 0.1.0
 */
export const versionIs = (graph: Relations.Graph, ticketId: TicketId, expected: number | undefined): Op<void> => {
  const ticket = graph.get(ticketId)
  const actual = ticket?.version ?? 0
  return expected === undefined || expected === actual
    ? Effect.void
    : Effect.fail(
        new VersionConflict({
          ticketId,
          ...(ticket === undefined ? {} : { publicId: ticket.publicId }),
          expected,
          actual
        })
      )
}

/**
 * The several-ticket unit of work of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, checks: DirectoryChecks.DirectoryChecks) => {
  const { ws, store, states, effects, maxAttempts } = deps
  /**
   * How many tickets one link, merge or split may read (its roots and what they reach): one
   * fewer than the store's batch may hold, so a split's new ticket always fits in its batch.
   */
  const maxRead = StoreCapabilities.ticketsPerRelation(store.capabilities)

  /**
   * Reads `roots` fresh from the store, and what a decision on them may need
   * (`Relations.reach`): a root that is missing or in another workspace is `TicketNotFound`;
   * a linked ticket that is, is left out.
   */
  const gather = (roots: ReadonlyArray<Root>): Op<Map<TicketId, StateCache.Known>> =>
    Effect.gen(function* () {
      const read = new Map<TicketId, StateCache.Known>()
      const queue: Array<{ readonly id: TicketId; readonly ref?: TicketRef; readonly whole: boolean }> = [...roots]
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if (read.has(next.id)) continue
        if (read.size >= maxRead) {
          const root = roots[0]?.id ?? next.id
          return yield* new InvalidLink({ ticketId: root, otherId: next.id, kind: "any", reason: "too_deep" })
        }
        const loaded = yield* store.load(next.id)
        if (loaded.state === undefined || loaded.state.workspaceId !== ws) {
          if (next.ref !== undefined) return yield* new TicketNotFound({ ticketId: next.ref })
          continue
        }
        read.set(next.id, { state: loaded.state, version: loaded.version })
        for (const id of Relations.reach(loaded.state, next.whole)) queue.push({ id, whole: false })
      }
      return read
    })

  /**
   * Decides on several tickets and appends every change in one `appendAll`, with the version of
   * every ticket read (changed or not), so the decision never rests on stale state; on a
   * concurrent write, reads and decides again (`Retry`). Returns the new states of the tickets
   * that changed (and of those read, unchanged).
   */
  const executeMany = (
    actor: Actor.Actor,
    roots: ReadonlyArray<Root>,
    decideAll: (graph: Relations.Graph, ctx: DecideContext) => Op<ReadonlyArray<Relations.Change>>
  ): Op<ReadonlyMap<TicketId, Ticket.Ticket>> =>
    Effect.gen(function* () {
      yield* checks.checkActor(actor)
      const once = Effect.gen(function* () {
        const read = yield* gather(roots)
        const graph = new Map(Array.from(read, ([id, known]) => [id, known.state] as const))
        const changes = yield* decideAll(graph, yield* decideContext(deps, actor))
        const changed = new Map(changes.map((c) => [c.ticketId, c.events] as const))
        const batch: Array<AppendRequest> = []
        const after = new Map<TicketId, Ticket.Ticket>(graph)
        for (const [ticketId, known] of read) {
          const events = changed.get(ticketId) ?? []
          if (events.length === 0) {
            batch.push({ ticketId, expectedVersion: known.version, events })
            continue
          }
          const next = Ticket.fold(events, known.state) as Ticket.Ticket
          after.set(ticketId, next)
          batch.push({
            ticketId,
            expectedVersion: known.version,
            events,
            effects: yield* effects.effectsFor(known.state, next, ticketId, events)
          })
        }
        for (const { ticketId, events } of changes) {
          if (read.has(ticketId)) continue
          const next = Ticket.fold(events) as Ticket.Ticket
          after.set(ticketId, next)
          batch.push({
            ticketId,
            expectedVersion: 0,
            events,
            effects: yield* effects.effectsFor(undefined, next, ticketId, events)
          })
        }
        if (changes.length === 0) return after
        yield* appendAll(batch, after)
        return after
      })
      return yield* Retry.run(once, maxAttempts)
    })

  /**
   * Appends a batch of decided changes in one `appendAll`; the cache follows, each ticket's new
   * state (from `after`) remembered on success, every ticket of the batch forgotten on failure.
   * A batch that lost the race to another writer asks for another attempt (`Retry.again`).
   */
  const appendAll = (
    batch: ReadonlyArray<AppendRequest>,
    after: ReadonlyMap<TicketId, Ticket.Ticket>
  ): Effect.Effect<void, HelpdeskError | Retry.Again<VersionConflict>> =>
    Effect.flatMap(
      Effect.result(store.appendAll(batch)),
      (appended): Effect.Effect<void, HelpdeskError | Retry.Again<VersionConflict>> => {
        if (appended._tag === "Success") {
          batch.forEach((request, i) => {
            const state = after.get(request.ticketId)
            const version = appended.success[i]
            if (state !== undefined && version !== undefined) states.remember(request.ticketId, { state, version })
          })
          return Effect.void
        }
        for (const request of batch) states.forget(request.ticketId)
        const error = appended.failure
        return isConflict(error) ? Retry.again(error) : Effect.fail(error)
      }
    )

  return { gather, executeMany, appendAll }
}

/**
 * The several-ticket unit of work of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type Batch = ReturnType<typeof make>
