/**
 * How the help desk finds, reads and writes one ticket's stream, keeping the state cache in
 * step: a load remembers what it read, a successful append remembers the state it left, a failed
 * one (or a ticket of another workspace) is forgotten. Public numbers lead through chains of
 * merges here; deciding what to append is `UnitOfWork`'s business.
 */
import { Effect, Option } from "effect"
import * as Relations from "../links/Relations.js"
import type { LoadedStream } from "../ports/EventStore.js"
import * as Ticket from "../ticket/Ticket.js"
import { TicketNotFound } from "../ticket/TicketError.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { PublicId, TicketId, TicketRef } from "../values/Ids.js"
import { TicketRef as TicketRefSchema } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import type * as StateCache from "./StateCache.js"

/**
 * The stream access of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = ({ ws, store, states, effects }: Deps) => {
  /** The ticket that holds a public number (or the id given): exactly that ticket. */
  const holder = (ref: TicketRef): Op<TicketId> =>
    typeof ref === "number"
      ? Effect.flatMap(store.resolve(ws, ref as PublicId), (o) =>
          Option.isSome(o) ? Effect.succeed(o.value) : Effect.fail(new TicketNotFound({ ticketId: ref }))
        )
      : Effect.succeed(ref)

  /**
   * The ticket a reference leads to: an id names its ticket; a public number of a ticket merged
   * into another leads to that other ticket (to the end of a chain of merges), and `via` is then
   * the merged ticket the number belongs to.
   */
  const follow = (ref: TicketRef): Op<{ readonly id: TicketId; readonly via?: Ticket.Ticket }> =>
    typeof ref === "number"
      ? Effect.gen(function* () {
          const held = yield* holder(ref)
          const first = states.recall(held) ?? (yield* load(held, ref))
          let current = first
          for (let hops = 0; current.state.mergedInto !== undefined && hops < Relations.maxDepth; hops++) {
            const next = current.state.mergedInto
            current = states.recall(next) ?? (yield* load(next))
          }
          return current === first ? { id: held } : { id: current.state.id, via: first.state }
        })
      : Effect.succeed({ id: ref })

  const resolve = (ref: TicketRef): Op<TicketId> => Effect.map(follow(ref), ({ id }) => id)

  /** A stream's state, if it is a ticket of this workspace: another's looks exactly like a missing one. */
  const inWorkspace = (state: Ticket.State, ref: TicketRef): Op<Ticket.Ticket> =>
    state === undefined || state.workspaceId !== ws
      ? Effect.fail(new TicketNotFound({ ticketId: ref }))
      : Effect.succeed(state)

  /** Reads the ticket fresh from the store, and remembers it. */
  const load = (ticketId: TicketId, ref: TicketRef = ticketId): Op<StateCache.Known> =>
    Effect.flatMap(store.load(ticketId), (loaded) => remembered(ticketId, ref, loaded))

  /** A loaded stream as this workspace's ticket, remembered; another's is forgotten and not found. */
  const remembered = (ticketId: TicketId, ref: TicketRef, loaded: LoadedStream): Op<StateCache.Known> =>
    Effect.map(
      Effect.tapError(inWorkspace(loaded.state, ref), () => Effect.sync(() => states.forget(ticketId))),
      (state) => {
        const entry = { state, version: loaded.version }
        states.remember(ticketId, entry)
        return entry
      }
    )

  /**
   * The ticket's state if the store holds a newer version than `version` (and then remembered
   * as `load` does), `undefined` if it still holds that one: one read either way.
   */
  const loadNewer = (ticketId: TicketId, ref: TicketRef, version: number): Op<StateCache.Known | undefined> =>
    Effect.flatMapEager(store.loadIfChanged(ticketId, version), (loaded) =>
      loaded === undefined ? Effect.succeed(undefined) : remembered(ticketId, ref, loaded)
    )

  /** A ticket reference as a caller gives it, decoded and followed. */
  const resolveRef = (raw: typeof TicketRefSchema.Encoded) =>
    Effect.flatMap(decode(TicketRefSchema, "ticket")(raw), (ref) => Effect.map(resolve(ref), (id) => ({ id, ref })))

  /**
   * Appends decided events with their effects; the new state on success. The cache follows:
   * the new state on success, nothing on failure (the stream is no longer known).
   */
  const appendDecided = (
    state: Ticket.State,
    version: number,
    ticketId: TicketId,
    events: ReadonlyArray<TicketEvent>
  ) => {
    const next = Ticket.fold(events, state) as Ticket.Ticket
    // What the append writes besides its events is worked out first: a failure there (the
    // directory unreachable, say) fails the command, it is not the append's.
    return Effect.mapEager(effects.effectsFor(state, next, ticketId, events), (written) =>
      Effect.mapBoth(store.append(ticketId, version, events, written), {
        onFailure: (error) => {
          states.forget(ticketId)
          return error
        },
        onSuccess: (appended) => {
          states.remember(ticketId, { state: next, version: appended })
          return next
        }
      })
    )
  }

  return { holder, follow, resolve, inWorkspace, load, loadNewer, resolveRef, appendDecided }
}

/**
 * The stream access of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type Streams = ReturnType<typeof make>
