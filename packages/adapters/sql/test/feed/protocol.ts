/**
 * What the feed-order test's parent and its writer processes share: the events writers append
 * (an opening, a note, a batch entry that breaks the tag limit so that its transaction rolls
 * back) and the JSON lines a writer prints (decoded by the parent with these Schemas).
 */
import { Actor, type Ids, Limits, TicketEvent } from "@tessera/core"
import { DateTime, Schema } from "effect"

const at = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
const system = Actor.system("feed-order")

/** A ticket of the test, opened with public number `n`. */
export const opening = (workspaceId: string, ticketId: string, n: number) =>
  new TicketEvent.TicketOpened({
    ticketId: ticketId as Ids.TicketId,
    at,
    by: system,
    workspaceId: workspaceId as Ids.WorkspaceId,
    publicId: n as Ids.PublicId,
    subject: `Feed order ${n}`,
    requester: "feed-requester" as Ids.ContactId,
    channel: "web",
    priority: "normal",
    status: "new" as TicketEvent.TicketOpened["status"],
    category: "new",
    tags: [],
    customFields: {},
    message: {
      id: `${ticketId}.m0` as Ids.MessageId,
      visibility: "public",
      author: Actor.contact("feed-requester"),
      channel: "web",
      at,
      text: "Opening message",
      attachments: []
    }
  })

/** An internal note whose text and message id are unique to the writer's attempt. */
export const note = (ticketId: string, text: string) =>
  new TicketEvent.NoteAdded({
    ticketId: ticketId as Ids.TicketId,
    at,
    by: system,
    message: {
      id: `${ticketId}.${text}` as Ids.MessageId,
      visibility: "internal",
      author: system,
      channel: "web",
      at,
      text,
      attachments: []
    }
  })

/** One tag more than a ticket may hold: the append fails with `LimitExceeded`, inside its transaction. */
export const tagBomb = (ticketId: string) =>
  new TicketEvent.TagsChanged({
    ticketId: ticketId as Ids.TicketId,
    at,
    by: system,
    added: Array.from(
      { length: Limits.tagsPerTicket + 1 },
      (_, i) => `t${i}` as TicketEvent.TagsChanged["added"][number]
    ),
    removed: []
  })

export const WriterReady = Schema.Struct({ type: Schema.Literal("ready"), index: Schema.Int })

/** What a writer did in one round: the events it was told committed (stream, version), and the rest. */
export const WriterRound = Schema.Struct({
  type: Schema.Literal("round"),
  index: Schema.Int,
  round: Schema.Int,
  committed: Schema.Array(Schema.Tuple([Schema.String, Schema.Int])),
  appends: Schema.Int,
  /** Appends refused with `VersionConflict` (another writer went first). */
  conflicts: Schema.Int,
  /** Batches refused with `LimitExceeded` after writing their first entry: rolled back. */
  rolledBack: Schema.Int,
  /** Any other failure, as `tag: message` (none expected). */
  errors: Schema.Array(Schema.String)
})
export type WriterRound = typeof WriterRound.Type

export const WriterMessage = Schema.Union([WriterReady, WriterRound])
export type WriterMessage = typeof WriterMessage.Type

export const decodeWriterLine = Schema.decodeUnknownSync(Schema.fromJsonString(WriterMessage))
export const encodeWriterMessage = Schema.encodeSync(Schema.fromJsonString(WriterMessage))
