/**
 * The ticket store as a `Helpdesk` reads it: every state, stream and feed page it loads comes
 * back with the HTML of its messages sanitised (`TicketHtml`). Commands record only sanitised
 * HTML, so this is for what older versions stored as callers sent it (#16); one wrapper keeps
 * every read path (tickets, conversations, history, requester views, merges and splits that copy
 * messages) from handing such HTML out.
 */
import { Effect } from "effect"
import type { LoadedStream } from "../ports/EventStore.js"
import type { TicketStore } from "../ports/TicketStore.js"
import * as TicketHtml from "../ticket/TicketHtml.js"

const loaded = (stream: LoadedStream): LoadedStream => {
  const state = TicketHtml.sanitizeTicket(stream.state)
  return state === stream.state ? stream : { ...stream, state }
}

/**
 * The store with its reads sanitising HTML; writes and everything else pass through.
 *
 * @category constructors
 * @since 0.1.0
 */
export const wrap = (store: TicketStore["Service"]): TicketStore["Service"] => ({
  ...store,
  read: (ticketId) =>
    Effect.map(store.read(ticketId), (stream) => {
      const events = TicketHtml.sanitizeEvents(stream.events)
      return events === stream.events ? stream : { ...stream, events }
    }),
  load: (ticketId) => Effect.map(store.load(ticketId), loaded),
  loadMany: (ticketIds) => Effect.map(store.loadMany(ticketIds), (streams) => streams.map(loaded)),
  loadIfChanged: (ticketId, version) =>
    Effect.map(store.loadIfChanged(ticketId, version), (stream) => (stream === undefined ? undefined : loaded(stream))),
  readAll: (after, limit, options) =>
    Effect.map(store.readAll(after, limit, options), (committed) =>
      committed.map((entry) => {
        const event = TicketHtml.sanitizeEvent(entry.event)
        return event === entry.event ? entry : { ...entry, event }
      })
    )
})
