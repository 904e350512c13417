/**
 * Events the SQL store's own tests write straight to the store: a ticket opened by its requester
 * Jane by email, with the fields a test chooses (the rest as every such test had them).
 */
import { Actor, type Ids, type Tag, type Ticket, TicketEvent } from "@tessera/core"
import type { DateTime } from "effect"

/** What a test chooses of a `TicketOpened`. */
export interface Opening {
  readonly ticketId: string
  readonly workspaceId: string
  readonly publicId: number
  readonly at: DateTime.Utc
  readonly subject: string
  readonly text: string
  readonly tags?: ReadonlyArray<string>
  readonly group?: string
  /** The email the first message came in (its Message-ID, no references). */
  readonly emailMessageId?: string
}

/** An open ticket of `opening`, its first message (`<ticketId>.m0`) public and by Jane. */
export const opened = (opening: Opening): TicketEvent.TicketOpened =>
  new TicketEvent.TicketOpened({
    ticketId: opening.ticketId as Ids.TicketId,
    at: opening.at,
    by: Actor.contact("jane"),
    workspaceId: opening.workspaceId as Ids.WorkspaceId,
    publicId: opening.publicId as Ids.PublicId,
    subject: opening.subject,
    requester: "jane" as Ids.ContactId,
    channel: "email",
    priority: "normal",
    status: "open" as Ticket.Ticket["status"],
    category: "open",
    ...(opening.group === undefined ? {} : { group: opening.group as Ids.GroupId }),
    tags: (opening.tags ?? []) as ReadonlyArray<Tag.Tag>,
    customFields: {},
    message: {
      id: `${opening.ticketId}.m0` as Ids.MessageId,
      visibility: "public",
      author: Actor.contact("jane"),
      channel: "email",
      at: opening.at,
      text: opening.text,
      attachments: [],
      ...(opening.emailMessageId === undefined ? {} : { email: { messageId: opening.emailMessageId, references: [] } })
    }
  })
