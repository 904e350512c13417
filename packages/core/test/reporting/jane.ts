/**
 * Jane's ticket 69369 from the brief, as its stream would hold it: opened by email at 11:15 on
 * Thursday 1 May 2025 (London), answered by Mary, pending, answered again after the bank holiday,
 * solved, reopened by Jane, on hold with the billing team, solved again and closed. Times are
 * written in UTC (London is UTC+1 in May); the calendar is London's Mon-Fri 09:00-17:00 with the
 * Early May bank holiday (Monday 5 May) off.
 */
import { DateTime, Result } from "effect"
import type { Ids, Message, SlaMetric, Status } from "../../src/index.js"
import { BusinessCalendar, TicketEvent } from "../../src/index.js"

const weekday = ["09:00-17:00"]
const built = BusinessCalendar.make({
  timeZone: "Europe/London",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday },
  holidays: [{ date: "2025-05-05", name: "Early May bank holiday" }]
})
if (Result.isFailure(built)) throw new Error(built.failure.message)
export const london = built.success

export const ticketId = "tkt_69369" as Ids.TicketId
export const jane = { _tag: "contact", id: "jane" as Ids.ContactId } as const
export const mary = { _tag: "agent", id: "mary" as Ids.AgentId } as const
const system = { _tag: "system", reason: "close-solved" } as const

let counter = 0
const message = (iso: string, author: typeof jane | typeof mary, visibility: Message.Visibility) => ({
  id: `msg_${++counter}` as Ids.MessageId,
  visibility,
  author,
  channel: "email" as const,
  at: DateTime.makeUnsafe(iso),
  text: author._tag === "agent" ? "Mary here." : "Jane here.",
  attachments: []
})

const envelope = (iso: string, by: TicketEvent.TicketEvent["by"]) => ({ ticketId, at: DateTime.makeUnsafe(iso), by })

export const reply = (iso: string, author: typeof jane | typeof mary) =>
  new TicketEvent.ReplyAdded({ ...envelope(iso, author), message: message(iso, author, "public") })

export const status = (
  iso: string,
  from: Status.StatusCategory,
  to: Status.StatusCategory,
  by = mary as TicketEvent.TicketEvent["by"]
) =>
  new TicketEvent.StatusChanged({
    ...envelope(iso, by),
    from: from as Status.StatusId,
    to: to as Status.StatusId,
    fromCategory: from,
    toCategory: to
  })

const milestone = (iso: string, kind: "warning" | "breach", metric: SlaMetric.Metric, instance: number) => {
  const fields = {
    ...envelope(iso, { _tag: "system", reason: "sla" } as const),
    metric,
    instance,
    policy: "standard",
    reachedAt: DateTime.makeUnsafe(iso)
  }
  return kind === "warning" ? new TicketEvent.SlaWarningReached(fields) : new TicketEvent.SlaBreached(fields)
}

export const opened = (iso: string) =>
  new TicketEvent.TicketOpened({
    ...envelope(iso, jane),
    workspaceId: "acme" as Ids.WorkspaceId,
    publicId: 69369 as Ids.PublicId,
    subject: "Over-charged for my subscription",
    requester: jane.id,
    organization: "sharpe-ltd" as Ids.OrganizationId,
    channel: "email",
    priority: "normal",
    type: "account",
    status: "new" as Status.StatusId,
    category: "new",
    tags: ["billing" as never],
    customFields: {},
    message: message(iso, jane, "public")
  })

/** The whole stream, in order. */
export const history: ReadonlyArray<TicketEvent.TicketEvent> = [
  opened("2025-05-01T10:15:00Z"), // Thu 11:15
  new TicketEvent.AssigneeChanged({ ...envelope("2025-05-01T10:40:00Z", mary), to: mary.id }),
  new TicketEvent.GroupChanged({ ...envelope("2025-05-01T10:40:00Z", mary), to: "billing" as Ids.GroupId }),
  status("2025-05-01T10:40:00Z", "new", "open"), // Thu 11:40
  reply("2025-05-01T13:15:00Z", mary), // Thu 14:15: first reply
  status("2025-05-01T13:20:00Z", "open", "pending"), // waiting on Jane's card details
  reply("2025-05-02T15:30:00Z", jane), // Fri 16:30
  status("2025-05-02T15:30:00Z", "pending", "open"),
  milestone("2025-05-06T08:30:00Z", "breach", "next_reply", 1),
  reply("2025-05-06T09:00:00Z", mary), // Tue 10:00, after the bank holiday
  new TicketEvent.NoteAdded({
    ...envelope("2025-05-06T09:05:00Z", mary),
    message: message("2025-05-06T09:05:00Z", mary, "internal")
  }),
  status("2025-05-06T09:10:00Z", "open", "solved"), // Tue 10:10: first solve
  reply("2025-05-07T08:30:00Z", jane), // Wed 09:30: "still charged twice"
  status("2025-05-07T08:30:00Z", "solved", "open", jane), // reopened
  reply("2025-05-07T14:30:00Z", mary), // Wed 15:30
  status("2025-05-07T14:45:00Z", "open", "on_hold"), // waiting on the billing team
  milestone("2025-05-08T09:30:00Z", "warning", "resolution", 2),
  status("2025-05-08T10:00:00Z", "on_hold", "open"), // Thu 11:00
  reply("2025-05-08T11:00:00Z", mary), // Thu 12:00: refund confirmed
  status("2025-05-08T11:05:00Z", "open", "solved"), // Thu 12:05: solved again
  status("2025-05-12T11:05:00Z", "solved", "closed", system)
]

const minutes = (n: number) => n * 60_000

/** The metrics worked out by hand (see the test for the arithmetic). */
export const expected = {
  createdHour: 11,
  firstReply: { calendar: minutes(180), business: minutes(180) },
  nextReplies: [
    // Fri 16:30 -> Tue 10:00: 89 h 30 around the clock; Fri 16:30-17:00 + Tue 09:00-10:00 in business hours.
    { calendar: minutes(89 * 60 + 30), business: minutes(90) },
    // Wed 09:30 -> 15:30.
    { calendar: minutes(360), business: minutes(360) }
  ],
  // Thu 1 May 11:15 -> Thu 8 May 12:05; business: 5:45 + 8 (Fri) + 8 (Tue) + 8 (Wed) + 3:05 (Thu).
  fullResolution: { calendar: minutes(168 * 60 + 50), business: minutes(32 * 60 + 50) },
  // new 0:25, open 2:40, open Fri 16:30 -> Tue 10:10 89:40, open Wed 6:15, on hold 19:15, open 1:05.
  // Business: 0:25 + 2:40 + (0:30 + 1:10) + 6:15 + (1:15 + 2:00) + 1:05.
  requesterWait: { calendar: minutes(119 * 60 + 20), business: minutes(15 * 60 + 20) },
  // The same without the on-hold period (19:15; 3:15 in business hours).
  agentWork: { calendar: minutes(100 * 60 + 5), business: minutes(12 * 60 + 5) },
  replies: 4,
  solves: 2,
  reopens: 1
}
