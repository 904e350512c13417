/**
 * What a requester sees of a ticket's history: the public events, with internal messages (and
 * their ids) taken out of the events that carry several. The requester side (`Requester`) and the
 * access policy (`Access`) both filter histories with it.
 */
import * as E from "../ticket/TicketEvent.js"
import { isPublic, type Message } from "../values/Message.js"

/**
 * The event types a requester sees: an allow-list, so that a type added later (internal
 * records such as rule failures or SLA milestones) stays hidden until someone decides
 * otherwise. Left out: notes, escalations (an agent's reason), links (they name other
 * customers' tickets), notification requests and SLA milestones.
 */
const publicTypes: ReadonlySet<E.TicketEvent["_tag"]> = new Set<E.TicketEvent["_tag"]>([
  "TicketOpened",
  "ReplyAdded",
  "StatusChanged",
  "AssigneeChanged",
  "GroupChanged",
  "PriorityChanged",
  "TypeChanged",
  "CustomFieldChanged",
  "TagsChanged",
  "FollowerAdded",
  "FollowerRemoved",
  "MergedIn",
  "MergedInto",
  "MergeUndone",
  "Unmerged",
  "MessagesSplitOff",
  "SplitReceived"
])

/**
 * The message a requester sees in the opening of a ticket opened with a note (a split of notes
 * only): an empty public one, by whoever opened the ticket, with none of the note's own data
 * (not its id, author or time), so nothing says a note is there.
 */
const openingPlaceholder = (event: E.TicketOpened): Message => ({
  id: "opening" as Message["id"],
  visibility: "public",
  author: event.by,
  channel: event.channel,
  at: event.at,
  text: "",
  attachments: []
})

/**
 * The events of a ticket's history a requester sees: those of the public types, with internal
 * messages (and their ids) removed from events that carry several. A ticket opened with a note
 * (a split of notes only) keeps its opening event, with an empty public message in place of the
 * note (id `opening`), which carries nothing of the note.
 *
 * @category combinators
 * @since 0.1.0
 */
export const publicEvents = (events: ReadonlyArray<E.TicketEvent>): ReadonlyArray<E.TicketEvent> => {
  const publicIds = new Set<string>()
  for (const event of events) {
    const messages =
      event._tag === "TicketOpened" || event._tag === "ReplyAdded"
        ? [event.message]
        : event._tag === "MergedIn" || event._tag === "SplitReceived"
          ? event.messages
          : []
    for (const m of messages) if (isPublic(m)) publicIds.add(m.id)
  }
  const known = (ids: ReadonlyArray<E.MergeUndone["messageIds"][number]>) => ids.filter((id) => publicIds.has(id))
  return events.flatMap((event): ReadonlyArray<E.TicketEvent> => {
    if (!publicTypes.has(event._tag)) return []
    switch (event._tag) {
      case "TicketOpened":
        return isPublic(event.message)
          ? [event]
          : [new E.TicketOpened({ ...event, message: openingPlaceholder(event) })]
      case "ReplyAdded":
        return isPublic(event.message) ? [event] : []
      case "MergedIn":
        return [new E.MergedIn({ ...event, messages: event.messages.filter(isPublic) })]
      case "SplitReceived":
        return [new E.SplitReceived({ ...event, messages: event.messages.filter(isPublic) })]
      case "MergeUndone":
        return [new E.MergeUndone({ ...event, messageIds: known(event.messageIds) })]
      case "MessagesSplitOff":
        return [new E.MessagesSplitOff({ ...event, messageIds: known(event.messageIds) })]
      default:
        return [event]
    }
  })
}
