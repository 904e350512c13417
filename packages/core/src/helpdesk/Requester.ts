/**
 * The requester's side of a help desk: what a customer portal calls. `make` builds it from a
 * `Helpdesk` for one contact; every operation acts as that contact and returns only what a
 * requester may see: tickets in their public view, public events, searches over public text.
 * A ticket that is not the contact's looks exactly like a missing one. Knowing who the contact is
 * (signing in) is the application's business, not this module's.
 */
import { Effect } from "effect"
import type * as Ticket from "../ticket/Ticket.js"
import { TicketNotFound } from "../ticket/TicketError.js"
import type { ContactId } from "../values/Ids.js"
import { TicketRef } from "../values/Ids.js"
import * as Access from "./Access.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import { ListQuery, OpenInput, ReplyInput, type RequesterService } from "./RequesterService.js"
import { Helpdesk, type Service as HelpdeskService } from "./Service.js"

export { publicEvents } from "./RequesterEvents.js"
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
  // The contact's reads are the access policy's for a customer (see `Access`).
  const scoped = helpdesk.as(actor)

  /** The ticket a reference leads to, if the contact may see it; else exactly what a missing one gives. */
  const visible = (raw: typeof TicketRef.Encoded): Op<{ readonly ref: TicketRef; readonly ticket: Ticket.Ticket }> =>
    Effect.gen(function* () {
      const ref = yield* decode(TicketRef, "ticket")(raw)
      return { ref, ticket: yield* scoped.get(ref) }
    })

  return {
    contact,
    open: (raw) =>
      Effect.gen(function* () {
        yield* decode(OpenInput, "open")(raw)
        const opened = yield* helpdesk.open({ ...raw, requester: { id: contact }, by: actor })
        return Access.customerView(opened, helpdesk.config.customFields)
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
        return Access.customerView(replied, helpdesk.config.customFields)
      }),
    // The public view: a note is on no page, in no event, in no search.
    get: (raw) => Effect.map(visible(raw), ({ ticket }) => ticket),
    messages: (raw, page) => scoped.messages(raw, page),
    history: (raw) => scoped.history(raw),
    list: (raw = {}) => Effect.flatMap(decode(ListQuery, "query")(raw), () => scoped.list(raw))
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
