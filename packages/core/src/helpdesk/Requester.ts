/**
 * The requester's side of a help desk: what a customer portal calls. `make` builds it from a
 * `Helpdesk` for one contact; every operation acts as that contact and returns only what a
 * requester may see: tickets in their public view, public events, searches over public text.
 * A ticket that is not the contact's looks exactly like a missing one. Knowing who the contact is
 * (signing in) is the application's business, not this module's.
 */
import { Effect } from "effect"
import type * as TicketQuery from "../query/TicketQuery.js"
import * as Ticket from "../ticket/Ticket.js"
import { TicketNotFound } from "../ticket/TicketError.js"
import * as E from "../ticket/TicketEvent.js"
import type { ContactId } from "../values/Ids.js"
import { TicketRef } from "../values/Ids.js"
import { isPublic, type Message } from "../values/Message.js"
import * as Conversation from "./Conversation.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import { ListQuery, OpenInput, ReplyInput, type RequesterService } from "./RequesterService.js"
import { Helpdesk, type Service as HelpdeskService } from "./Service.js"

export { ListQuery, OpenInput, ReplyInput } from "./RequesterService.js"

/**
 * The operations a requester has, acting as one contact.
 *
 * @category models
 * @since 0.1.0
 */
export type Service = RequesterService

/**
 * Whether a contact may see a ticket: they requested it, or follow it (a CC, or the requester of
 * a ticket merged into it), the same contacts `decide` lets reply.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isVisibleTo = (ticket: Ticket.Ticket, contact: ContactId): boolean =>
  ticket.requester === contact || ticket.followers.some((f) => f._tag === "contact" && f.id === contact)

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

/** A summary as a requester sees it: without the SLA due time. */
const publicSummary = (summary: TicketQuery.TicketSummary): TicketQuery.TicketSummary => {
  const { slaDueAt: _slaDueAt, ...rest } = summary
  return rest
}

/**
 * The requester-facing operations of a help desk, acting as `contact`.
 *
 * @example
 * ```ts
 * const jane = Requester.make(helpdesk, "jane" as ContactId)
 * const ticket = yield* jane.open({ subject: "Charged twice", text: "My card...", channel: "web" })
 * const mine = yield* jane.list({ search: "charged" })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (helpdesk: HelpdeskService, contact: ContactId): Service => {
  const actor = { _tag: "contact", id: contact } as const

  /** The ticket a reference leads to, if the contact may see it; else exactly what a missing one gives. */
  const visible = (raw: typeof TicketRef.Encoded): Op<{ readonly ref: TicketRef; readonly ticket: Ticket.Ticket }> =>
    Effect.gen(function* () {
      const ref = yield* decode(TicketRef, "ticket")(raw)
      const ticket = yield* helpdesk.get(ref)
      if (!isVisibleTo(ticket, contact)) return yield* new TicketNotFound({ ticketId: ref })
      return { ref, ticket }
    })

  return {
    contact,
    open: (raw) =>
      Effect.gen(function* () {
        yield* decode(OpenInput, "open")(raw)
        const opened = yield* helpdesk.open({ ...raw, requester: { id: contact }, by: actor })
        return Ticket.publicView(opened)
      }),
    reply: (raw) =>
      Effect.gen(function* () {
        yield* decode(ReplyInput, "reply")(raw)
        const { ref } = yield* visible(raw.ticket)
        const replied = yield* Effect.catchTag(
          helpdesk.reply({ ...raw, by: actor }),
          // Where the reply lands (a merge target) is not the contact's after all: as if missing.
          "NotPermitted",
          () => Effect.fail(new TicketNotFound({ ticketId: ref }))
        )
        return Ticket.publicView(replied)
      }),
    get: (raw) => Effect.map(visible(raw), ({ ticket }) => Ticket.publicView(ticket)),
    // Pages of the public view: a note is on no page.
    messages: (raw, page) =>
      Conversation.read(
        Effect.map(visible(raw), ({ ticket }) => Ticket.publicView(ticket)),
        page
      ),
    history: (raw) =>
      Effect.gen(function* () {
        const { ref } = yield* visible(raw)
        return publicEvents(yield* helpdesk.history(ref))
      }),
    list: (raw = {}) =>
      Effect.gen(function* () {
        yield* decode(ListQuery, "query")(raw)
        const page = yield* helpdesk.list({ ...raw, requester: contact, searchIn: "public" })
        return { items: page.items.map(publicSummary), nextCursor: page.nextCursor }
      })
  }
}

/**
 * The requester-facing operations of the `Helpdesk` in context, acting as `contact`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const forContact = (contact: ContactId): Effect.Effect<Service, never, Helpdesk> =>
  Effect.gen(function* () {
    return make(yield* Helpdesk, contact)
  })
