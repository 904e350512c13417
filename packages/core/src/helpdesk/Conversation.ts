/**
 * A ticket's conversation read a part at a time, for answers whose size must not grow with it:
 * the overview (the ticket without its messages, their count and the last few), and pages of
 * messages behind cursors bound to their ticket. It only reads a list of messages it is given;
 * which messages a reader may see (the requester's public view, say) is decided before.
 */
import { DateTime, Effect, Schema } from "effect"
import * as Cursor from "../internal/cursor.js"
import { InvalidCursor } from "../ports/StoreError.js"
import { MessageId, TicketId } from "../ticket/Ids.js"
import { Message } from "../ticket/Message.js"
import { Ticket } from "../ticket/Ticket.js"

/**
 * How many of the latest messages an overview carries.
 *
 * @category models
 * @since 0.1.0
 */
export const recentCount = 5

const { messages: _messages, ...withoutMessages } = Ticket.fields

/**
 * A ticket without its conversation, plus how many messages it holds and the last
 * `recentCount` of them, oldest first: what a command's answer needs, at a size that does not
 * grow with the conversation.
 *
 * @category models
 * @since 0.1.0
 */
export const Overview = Schema.Struct({
  ...withoutMessages,
  messageCount: Schema.Int,
  recentMessages: Schema.Array(Message)
})
/** @category models @since 0.1.0 */
export type Overview = typeof Overview.Type

/**
 * The overview of a ticket: everything but `messages`, their count, and the last `recentCount`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const overview = (ticket: Ticket): Overview => {
  const { messages, ...rest } = ticket
  return { ...rest, messageCount: messages.length, recentMessages: messages.slice(-recentCount) }
}

/**
 * Page size when the request does not say.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultLimit = 50

/**
 * A request for one page of a conversation: `asc` (the default) reads from the first message
 * on, `desc` from the latest back; `cursor` is the previous page's `nextCursor`.
 *
 * @category models
 * @since 0.1.0
 */
export const PageRequest = Schema.Struct({
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1000))),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 500 }))),
  direction: Schema.optionalKey(Schema.Literals(["asc", "desc"]))
})
/** @category models @since 0.1.0 */
export type PageRequest = typeof PageRequest.Type

/**
 * One page of a conversation, in the request's direction, and the cursor of the next page
 * (`undefined` on the last one).
 *
 * @category models
 * @since 0.1.0
 */
export const Page = Schema.Struct({
  items: Schema.Array(Message),
  nextCursor: Schema.UndefinedOr(Schema.String)
})
/** @category models @since 0.1.0 */
export type Page = typeof Page.Type

// t: the ticket, m: the last message read, a: its time (ms), d: the direction.
const CursorPayload = Schema.fromJsonString(
  Schema.Struct({
    t: TicketId,
    m: MessageId,
    a: Schema.Finite,
    d: Schema.Literals(["asc", "desc"])
  })
)

const encodeCursor = (ticketId: TicketId, last: Message, direction: "asc" | "desc"): string =>
  Cursor.encode(CursorPayload)({ t: ticketId, m: last.id, a: DateTime.toEpochMillis(last.at), d: direction })

const decodeCursor = (cursor: string, ticketId: TicketId, direction: "asc" | "desc") =>
  Effect.flatMap(Cursor.decode(CursorPayload, cursor), (payload) =>
    // A cursor reads on only the ticket and in the direction it was issued for.
    payload.t === ticketId && payload.d === direction
      ? Effect.succeed(payload)
      : Effect.fail(new InvalidCursor({ cursor }))
  )

/**
 * One page of `messages`, the conversation of ticket `ticketId` in time order (as
 * `Ticket.messages` holds it, or a view of it). A cursor is refused with `InvalidCursor` unless
 * it was issued for this ticket and this direction, so it cannot be turned into a read of
 * another ticket. A page goes on from the last message the previous page ended with; if that
 * message has left the ticket since (a split moved it), from its time: with the first message
 * written after it (`asc`), or the last written before it (`desc`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const page = (
  ticketId: TicketId,
  messages: ReadonlyArray<Message>,
  request: PageRequest = {}
): Effect.Effect<Page, InvalidCursor> =>
  Effect.gen(function* () {
    const direction = request.direction ?? "asc"
    const limit = request.limit ?? defaultLimit
    const after = request.cursor === undefined ? undefined : yield* decodeCursor(request.cursor, ticketId, direction)
    if (direction === "asc") {
      let from = 0
      if (after !== undefined) {
        const at = messages.findIndex((m) => m.id === after.m)
        const later = messages.findIndex((m) => DateTime.toEpochMillis(m.at) > after.a)
        from = at >= 0 ? at + 1 : later >= 0 ? later : messages.length
      }
      const items = messages.slice(from, from + limit)
      const last = items[items.length - 1]
      return {
        items,
        nextCursor:
          from + limit < messages.length && last !== undefined ? encodeCursor(ticketId, last, direction) : undefined
      }
    }
    let to = messages.length
    if (after !== undefined) {
      const at = messages.findIndex((m) => m.id === after.m)
      const later = messages.findIndex((m) => DateTime.toEpochMillis(m.at) >= after.a)
      to = at >= 0 ? at : later >= 0 ? later : messages.length
    }
    const from = Math.max(0, to - limit)
    const items = messages.slice(from, to).reverse()
    const last = items[items.length - 1]
    return {
      items,
      nextCursor: from > 0 && last !== undefined ? encodeCursor(ticketId, last, direction) : undefined
    }
  })
