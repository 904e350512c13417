/**
 * Sanitised HTML on the way out of a store: the messages of a ticket's state and of its events,
 * with `Message.withStoredHtml` applied. The decider sanitises every message it records, so this
 * matters for messages stored before it did (#16); it costs a hash per HTML body already
 * sanitised and nothing per message without HTML, and it returns the very same object when nothing
 * changes. The `Helpdesk` applies it to every read; a reader of a store's feed can too.
 */
import { type Message, withStoredHtml } from "../values/Message.js"
import type { Ticket } from "./Ticket.js"
import * as E from "./TicketEvent.js"

const messagesOf = (messages: ReadonlyArray<Message>): ReadonlyArray<Message> => {
  let changed: Array<Message> | undefined
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message
    const safe = withStoredHtml(message)
    if (safe !== message) {
      changed ??= messages.slice()
      changed[i] = safe
    }
  }
  return changed ?? messages
}

/**
 * The event with the HTML of the messages it carries sanitised; the same event when that changes
 * nothing (always, for an event carrying no message).
 *
 * @category combinators
 * @since 0.1.0
 */
export const sanitizeEvent = (event: E.TicketEvent): E.TicketEvent => {
  switch (event._tag) {
    case "TicketOpened":
    case "ReplyAdded":
    case "NoteAdded": {
      const message = withStoredHtml(event.message)
      if (message === event.message) return event
      return event._tag === "TicketOpened"
        ? new E.TicketOpened({ ...event, message })
        : event._tag === "ReplyAdded"
          ? new E.ReplyAdded({ ...event, message })
          : new E.NoteAdded({ ...event, message })
    }
    case "MergedIn":
    case "SplitReceived": {
      const messages = messagesOf(event.messages)
      if (messages === event.messages) return event
      return event._tag === "MergedIn"
        ? new E.MergedIn({ ...event, messages })
        : new E.SplitReceived({ ...event, messages })
    }
    default:
      return event
  }
}

/**
 * The events with `sanitizeEvent` applied; the same array when that changes nothing.
 *
 * @category combinators
 * @since 0.1.0
 */
export const sanitizeEvents = (events: ReadonlyArray<E.TicketEvent>): ReadonlyArray<E.TicketEvent> => {
  let changed: Array<E.TicketEvent> | undefined
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as E.TicketEvent
    const safe = sanitizeEvent(event)
    if (safe !== event) {
      changed ??= events.slice()
      changed[i] = safe
    }
  }
  return changed ?? events
}

/**
 * The ticket with the HTML of its messages sanitised; the same ticket when that changes nothing.
 *
 * @category combinators
 * @since 0.1.0
 */
export const sanitizeTicket = <T extends Ticket | undefined>(ticket: T): T => {
  if (ticket === undefined) return ticket
  const messages = messagesOf(ticket.messages)
  return messages === ticket.messages ? ticket : { ...ticket, messages }
}
