/**
 * The in-memory `TicketStore`: the reference implementation of the port, written for clarity.
 * Events are kept encoded (JSON), as a durable store keeps them, so that what round-trips here
 * round-trips everywhere. Each operation runs as one synchronous step, which makes it atomic.
 */
import { Effect, Layer, Option, Schema } from "effect"
import { CorruptEvent, PublicIdTaken, VersionConflict } from "../ports/StoreError.js"
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
  readonly encoded: Array<string>
  state: Ticket.State
}

const encodeEvent = Schema.encodeSync(TicketEventJson)
const decodeEvent = Schema.decodeUnknownEffect(TicketEventJson)

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
        Effect.gen(function* () {
          const stream = streams.get(ticketId)
          if (stream === undefined) return { events: [], version: 0 }
          const encoded = [...stream.encoded]
          const events: Array<TicketEvent> = []
          for (const [index, text] of encoded.entries()) {
            const event = yield* Effect.mapError(
              decodeEvent(text),
              (error) => new CorruptEvent({ streamId: ticketId, version: index + 1, issue: error.message })
            )
            events.push(event)
          }
          return { events, version: encoded.length }
        }),

      append: (ticketId, expectedVersion, events) =>
        Effect.suspend((): Effect.Effect<number, VersionConflict | PublicIdTaken> => {
          const stream = streams.get(ticketId) ?? { encoded: [], state: Ticket.initial }
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
          const encoded = events.map((e) => encodeEvent(e))
          for (const event of events) {
            if (event._tag === "TicketOpened") numbersOf(event.workspaceId).set(event.publicId, ticketId)
          }
          stream.encoded.push(...encoded)
          stream.state = Ticket.fold(events, stream.state)
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
