/**
 * The port for ticket storage, composed of parts an adapter author can read one at a time:
 * `EventStore` (streams, appends and their effects), `EventFeed` (every committed event in commit
 * order), `PublicNumbers` (each workspace's ticket numbers), `TicketIndex` (queues and search)
 * and `StoreCapabilities` (what this back end can do). An adapter builds it together with the
 * `Timers` and the `Outbox` that its appends write to in the same transaction (`Adapter`,
 * provided by `layerOf`). The conformance suite in `@tessera/core/testing` holds every adapter to
 * the in-memory reference; docs/adapters.md walks through writing one.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import type { EventFeed } from "./EventFeed.js"
import type { EventStore } from "./EventStore.js"
import { Outbox } from "./Outbox.js"
import type { PublicNumbers } from "./PublicNumbers.js"
import type { StoreCapabilities } from "./StoreCapabilities.js"
import type { TicketIndex } from "./TicketIndex.js"
import { Timers } from "./Timers.js"

export type { CommittedEvent, ReadAllOptions } from "./EventFeed.js"
export type { AppendEffects, AppendError, AppendRequest, LoadedStream, StoredSla, StoredStream } from "./EventStore.js"
export type { SearchSupport, StoreCapabilities } from "./StoreCapabilities.js"

/**
 * What a ticket store provides: every part of the port, and its capabilities.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shape extends EventStore, EventFeed, PublicNumbers, TicketIndex {
  readonly capabilities: StoreCapabilities
}

/**
 * The ticket store port, as the `Helpdesk` uses it.
 *
 * @category services
 * @since 0.1.0
 */
export class TicketStore extends Context.Service<TicketStore, Shape>()("@tessera/core/TicketStore") {}

/**
 * What a store adapter builds: the ticket store, and the timers and outbox its appends write to
 * (`AppendEffects`). The three share one database and one transaction per append, so they come
 * from one store: a `Timers` built apart from its `TicketStore` would never see the timers the
 * appends schedule.
 *
 * @category models
 * @since 0.1.0
 */
export interface Adapter {
  readonly tickets: Shape
  readonly timers: Timers["Service"]
  readonly outbox: Outbox["Service"]
}

/**
 * The services a store layer provides: the ticket store with its timers and outbox.
 *
 * @category models
 * @since 0.1.0
 */
export type Services = TicketStore | Timers | Outbox

/**
 * The layer of a store adapter: the three services of the one store `adapter` builds.
 *
 * @example
 * export const layer = (options: Options) => TicketStore.layerOf(make(options))
 *
 * @category layers
 * @since 0.1.0
 */
export const layerOf = <E, R>(
  adapter: Effect.Effect<Adapter, E, R>
): Layer.Layer<Services, E, Exclude<R, Scope.Scope>> =>
  Layer.effectContext(
    Effect.map(adapter, (store) =>
      Context.make(TicketStore, store.tickets).pipe(
        Context.add(Timers, store.timers),
        Context.add(Outbox, store.outbox)
      )
    )
  )
