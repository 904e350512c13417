/**
 * Event builders for SLA tests: a ticket's log written as it would be stored.
 */
import { DateTime } from "effect"
import type { Ids, Priority, Status, Ticket } from "../../src/index.js"
import { TicketEvent } from "../../src/index.js"

type Category = Status.StatusCategory

export const ticketId = "tkt_69369" as Ids.TicketId
const jane = { _tag: "contact", id: "jane" as Ids.ContactId } as const
const mary = { _tag: "agent", id: "mary" as Ids.AgentId } as const

let counter = 0
const message = (
  at: DateTime.Utc,
  author: typeof jane | typeof mary,
  text: string,
  visibility: "public" | "internal"
) => ({
  id: `msg_${++counter}` as Ids.MessageId,
  visibility,
  author,
  channel: "email" as const,
  at,
  text,
  attachments: []
})

const instant = (iso: string) => DateTime.makeUnsafe(iso)

export const opened = (
  iso: string,
  options: {
    readonly priority?: Priority.Priority
    readonly by?: "contact" | "agent"
    readonly category?: Category
  } = {}
) => {
  const at = instant(iso)
  const author = options.by === "agent" ? mary : jane
  return new TicketEvent.TicketOpened({
    ticketId,
    at,
    by: author,
    workspaceId: "acme" as Ids.WorkspaceId,
    publicId: 69369 as Ids.PublicId,
    subject: "Invoice charged twice",
    requester: jane.id,
    channel: "email",
    priority: options.priority ?? "normal",
    status: (options.category ?? "new") as Ticket.Ticket["status"],
    category: options.category ?? "new",
    tags: [],
    customFields: {},
    message: message(at, author, "I was charged twice for November.", "public")
  })
}

export const agentReply = (iso: string) =>
  new TicketEvent.ReplyAdded({
    ticketId,
    at: instant(iso),
    by: mary,
    message: message(instant(iso), mary, "On it.", "public")
  })

export const requesterReply = (iso: string) =>
  new TicketEvent.ReplyAdded({
    ticketId,
    at: instant(iso),
    by: jane,
    message: message(instant(iso), jane, "Any news?", "public")
  })

export const note = (iso: string) =>
  new TicketEvent.NoteAdded({
    ticketId,
    at: instant(iso),
    by: mary,
    message: message(instant(iso), mary, "Checking.", "internal")
  })

export const status = (iso: string, from: Category, to: Category) =>
  new TicketEvent.StatusChanged({
    ticketId,
    at: instant(iso),
    by: mary,
    from: from as Ticket.Ticket["status"],
    to: to as Ticket.Ticket["status"],
    fromCategory: from,
    toCategory: to
  })

export const priority = (iso: string, from: Priority.Priority, to: Priority.Priority) =>
  new TicketEvent.PriorityChanged({ ticketId, at: instant(iso), by: mary, from, to })
