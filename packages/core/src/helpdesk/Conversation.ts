/**
 * A ticket's conversation read a part at a time, for answers whose size must not grow with it:
 * the overview (the ticket without its messages, their count and the last few), and pages of
 * messages behind cursors bound to their ticket. It only reads a list of messages it is given;
 * which messages a reader may see (the requester's public view, say) is decided before.
 */
import { DateTime, Effect, Schema } from "effect"
import * as Cursor from "../internal/cursor.js"
import { InvalidCursor } from "../ports/StoreError.js"
import { Ticket } from "../ticket/Ticket.js"
import { MessageId, TicketId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import { Message } from "../values/Message.js"
import { decode, type InvalidInput } from "./Input.js"

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
  // A cursor carries up to 50 message ids (see `CursorPayload`): up to about 9,000 characters.
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(12_000))),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: Limits.messagesPerPage }))),
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

// t: the ticket, d: the direction, m: the last message read, a: its time (ms), s: the messages
// read so far with exactly that time (the last `sameTimeKept`), so that a page can go on where the
// last one ended even when its last message has left the ticket since (a split moved it).
const CursorPayload = Schema.fromJsonString(
  Schema.Struct({
    t: TicketId,
    d: Schema.Literals(["asc", "desc"]),
    m: MessageId,
    a: Schema.Finite,
    s: Schema.Array(MessageId).check(Schema.isMaxLength(50))
  })
)
type CursorPayload = typeof CursorPayload.Type

/** How many messages of one millisecond a cursor remembers as read. */
const sameTimeKept = 50

const millisOf = (message: Message): number => DateTime.toEpochMillis(message.at)

/** The cursor after a page: its last message, and what was read at that message's time. */
const encodeCursor = (
  ticketId: TicketId,
  direction: "asc" | "desc",
  after: CursorPayload | undefined,
  items: ReadonlyArray<Message>,
  last: Message
): string => {
  const a = millisOf(last)
  const sameTime = [
    ...(after !== undefined && after.a === a ? after.s : []),
    ...items.filter((m) => millisOf(m) === a).map((m) => m.id)
  ]
  return Cursor.encode(CursorPayload)({ t: ticketId, d: direction, m: last.id, a, s: sameTime.slice(-sameTimeKept) })
}

const decodeCursor = (cursor: string, ticketId: TicketId, direction: "asc" | "desc") =>
  Effect.flatMap(Cursor.decode(CursorPayload, cursor), (payload) =>
    // A cursor reads on only the ticket and in the direction it was issued for.
    payload.t === ticketId && payload.d === direction
      ? Effect.succeed(payload)
      : Effect.fail(new InvalidCursor({ cursor }))
  )

/**
 * The messages a page may still show, in time order: after the cursor's last message while it
 * is still there; else (a split moved it) those later than its time, or of the same time and not
 * read yet (`asc`), and the mirror image for `desc`.
 */
const unread = (
  messages: ReadonlyArray<Message>,
  after: CursorPayload | undefined,
  direction: "asc" | "desc"
): ReadonlyArray<Message> => {
  if (after === undefined) return messages
  const last = messages.findIndex((m) => m.id === after.m)
  if (last >= 0) return direction === "asc" ? messages.slice(last + 1) : messages.slice(0, last)
  const read = new Set<string>(after.s)
  return messages.filter((m) => {
    const at = millisOf(m)
    if (at === after.a) return !read.has(m.id)
    return direction === "asc" ? at > after.a : at < after.a
  })
}

/**
 * One page of `messages`, the conversation of ticket `ticketId` in time order (as
 * `Ticket.messages` holds it, or a view of it). A cursor is refused with `InvalidCursor` unless
 * it was issued for this ticket and this direction, so it cannot be turned into a read of
 * another ticket. A page goes on from the last message the previous page ended with; if that
 * message has left the ticket since (a split moved it), from its time, leaving out the messages
 * of that same millisecond the earlier pages already showed (up to 50 of them).
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
    const rest = unread(messages, after, direction)
    const items = direction === "asc" ? rest.slice(0, limit) : rest.slice(-limit).reverse()
    const last = items[items.length - 1]
    return {
      items,
      nextCursor:
        rest.length > limit && last !== undefined ? encodeCursor(ticketId, direction, after, items, last) : undefined
    }
  })

/**
 * A page of the conversation of the ticket `ticket` reads (the agents' view, or a requester's):
 * the request decoded first (`InvalidInput`), then `page`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const read = <E, R>(
  ticket: Effect.Effect<Ticket, E, R>,
  request: typeof PageRequest.Encoded = {}
): Effect.Effect<Page, E | InvalidInput | InvalidCursor, R> =>
  Effect.gen(function* () {
    const decoded = yield* decode(PageRequest, "messages")(request)
    const { id, messages } = yield* ticket
    return yield* page(id, messages, decoded)
  })
