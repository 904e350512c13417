/**
 * The in-memory `TicketStore`: the reference implementation of the port, written for clarity.
 * Events are encoded to JSON and decoded back at append time, as a durable store would see
 * them, so that what round-trips here round-trips everywhere; the folded state is kept as a
 * snapshot for `load`. Each operation runs as one synchronous step, which makes it atomic.
 */
import { Effect, Layer, Option, Schema } from "effect"
import { PublicIdTaken, VersionConflict } from "../ports/StoreError.js"
import { TicketStore } from "../ports/TicketStore.js"
import * as TicketQuery from "../query/TicketQuery.js"
import type { PublicId, TicketId, WorkspaceId } from "../ticket/Ids.js"
import * as Ticket from "../ticket/Ticket.js"
import { type TicketEvent, TicketEventJson } from "../ticket/TicketEvent.js"

/**
 * Options of the in-memory store.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The first public number handed out in each workspace (default 1). */
  readonly firstPublicId?: number
}

interface Stream {
  /** The events as a durable store keeps them (JSON), and as they decode back from it. */
  readonly encoded: Array<string>
  readonly decoded: Array<TicketEvent>
  state: Ticket.State
}

const encodeEvent = Schema.encodeSync(TicketEventJson)
const decodeEvent = Schema.decodeUnknownSync(TicketEventJson)

/**
 * Builds an in-memory ticket store.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<TicketStore["Service"]> =>
  Effect.sync(() => {
    const first = options.firstPublicId ?? 1
    const streams = new Map<TicketId, Stream>()
    const publicIds = new Map<WorkspaceId, Map<number, TicketId>>()
    const sequences = new Map<WorkspaceId, number>()
    const numbersOf = (ws: WorkspaceId) => {
      let numbers = publicIds.get(ws)
      if (numbers === undefined) {
        numbers = new Map()
        publicIds.set(ws, numbers)
      }
      return numbers
    }

    return TicketStore.of({
      capabilities: { durable: false, multiProcess: false },

      read: (ticketId) =>
        Effect.sync(() => {
          const stream = streams.get(ticketId)
          return stream === undefined
            ? { events: [], version: 0 }
            : { events: [...stream.decoded], version: stream.decoded.length }
        }),

      load: (ticketId) =>
        Effect.sync(() => {
          const stream = streams.get(ticketId)
          return stream === undefined
            ? { state: Ticket.initial, version: 0 }
            : { state: stream.state, version: stream.decoded.length }
        }),

      append: (ticketId, expectedVersion, events) =>
        Effect.suspend((): Effect.Effect<number, VersionConflict | PublicIdTaken> => {
          const stream = streams.get(ticketId) ?? { encoded: [], decoded: [], state: Ticket.initial }
          if (stream.encoded.length !== expectedVersion) {
            return Effect.fail(
              new VersionConflict({ streamId: ticketId, expected: expectedVersion, actual: stream.encoded.length })
            )
          }
          for (const event of events) {
            if (event._tag === "TicketOpened" && numbersOf(event.workspaceId).has(event.publicId)) {
              return Effect.fail(new PublicIdTaken({ workspaceId: event.workspaceId, publicId: event.publicId }))
            }
          }
          // What is kept is what the codec gives back, so a shape that does not round-trip
          // fails here, at the append, as it would in a durable store.
          const encoded = events.map((e) => encodeEvent(e))
          const decoded = encoded.map((text) => decodeEvent(text))
          for (const event of events) {
            if (event._tag === "TicketOpened") numbersOf(event.workspaceId).set(event.publicId, ticketId)
          }
          stream.encoded.push(...encoded)
          stream.decoded.push(...decoded)
          stream.state = Ticket.fold(decoded, stream.state)
          streams.set(ticketId, stream)
          return Effect.succeed(stream.encoded.length)
        }),

      nextPublicId: (ws) =>
        Effect.sync(() => {
          const used = numbersOf(ws)
          let next = Math.max(sequences.get(ws) ?? first - 1, first - 1) + 1
          while (used.has(next)) next++
          sequences.set(ws, next)
          return next as PublicId
        }),

      resolve: (ws, publicId) => Effect.sync(() => Option.fromNullishOr(publicIds.get(ws)?.get(publicId))),

      query: (ws, query) =>
        TicketQuery.run(
          query,
          Array.from(streams.values()).flatMap(({ state }) =>
            state !== undefined && state.workspaceId === ws ? [TicketQuery.summarize(state)] : []
          )
        )
    })
  })

/**
 * The in-memory ticket store as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<TicketStore> => Layer.effect(TicketStore, make(options))
