/**
 * Events and tickets the `Limits` suite writes straight to a store: openings with many tags,
 * replies and notes with their own email ids, and tickets of tens of thousands of messages
 * written in a few large appends, as a split or a merge would write them.
 */
import { DateTime, Effect } from "effect"
import type { StatusId } from "../../ticket/Status.js"
import * as E from "../../ticket/TicketEvent.js"
import * as Actor from "../../values/Actor.js"
import type { ContactId, MessageId, PublicId, TicketId, WorkspaceId } from "../../values/Ids.js"
import type { Message } from "../../values/Message.js"
import type { Tag } from "../../values/Tag.js"
import * as Fixtures from "./fixtures.js"

const { mary, startAt } = Fixtures

/** `n` seconds after the suite's start. */
export const secondsLater = (seconds: number) => DateTime.add(startAt, { seconds })

const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

/** Jane's ticket opened with `tags`. */
export const openedWith = (ws: WorkspaceId, ticketId: TicketId, publicId: number, tags: ReadonlyArray<Tag> = []) =>
  new E.TicketOpened({
    ticketId,
    at: startAt,
    by: Actor.contact("jane"),
    workspaceId: ws,
    publicId: publicId as PublicId,
    subject: "Limits",
    requester: "jane" as ContactId,
    channel: "email",
    priority: "normal",
    status: "new" as StatusId,
    category: "new",
    tags,
    customFields: {},
    message: messageOf(ticketId, 0, "opening words")
  })

/** A public reply by Mary, `i` seconds after the start, with its own email id. */
export const messageOf = (ticketId: TicketId, i: number, text = `message number ${i}`): Message => ({
  id: `${ticketId}.m${i}` as MessageId,
  visibility: "public",
  author: mary,
  channel: "email",
  at: secondsLater(i),
  text,
  attachments: [],
  email: { messageId: `<${i}.${ticketId}@limits.test>`, references: [] }
})

/** Mary's note, `i` seconds after the start. */
export const noteOf = (ticketId: TicketId, i: number) =>
  new E.NoteAdded({
    ticketId,
    at: secondsLater(i),
    by: mary,
    message: { ...messageOf(ticketId, i), visibility: "internal" }
  })

/** Mary's change of tags. */
export const tagsChanged = (ticketId: TicketId, added: ReadonlyArray<Tag>, removed: ReadonlyArray<Tag>) =>
  new E.TagsChanged({ ticketId, at: secondsLater(1), by: mary, added, removed })

/**
 * A ticket holding `count` messages (the opening's included), written as few large appends: each
 * brings up to 10,000 messages in one event, as a split or a merge would.
 */
export const ticketWithMessages = async (
  ports: Fixtures.Ports,
  ws: WorkspaceId,
  ticketId: TicketId,
  count: number,
  text = messageOf
) => {
  let version = await Effect.runPromise(ports.tickets.append(ticketId, 0, [openedWith(ws, ticketId, 1)]))
  for (let from = 1; from < count; from += 10_000) {
    const messages = range(Math.min(10_000, count - from)).map((i) => text(ticketId, from + i))
    const received = new E.SplitReceived({ ticketId, at: secondsLater(from), by: mary, from: ticketId, messages })
    version = await Effect.runPromise(ports.tickets.append(ticketId, version, [received]))
  }
  return version
}
