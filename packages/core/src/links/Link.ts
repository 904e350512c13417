/**
 * Typed links between tickets. Every kind has an inverse, and a link is recorded on both
 * tickets, so either side can show it. This version knows follow-ups (a new ticket opened
 * because a requester wrote on a closed one); duplicates, parent/child, problem/incident and
 * related links build on the same shape.
 */
import { Schema } from "effect"
import { TicketId } from "../ticket/Ids.js"

/**
 * The kinds of link, each paired with its inverse in `inverse`.
 *
 * @category models
 * @since 0.1.0
 */
export const LinkKind = Schema.Literals(["follow_up_of", "followed_up_by"])
/** @category models @since 0.1.0 */
export type LinkKind = typeof LinkKind.Type

/**
 * A link from the ticket that holds it to `ticketId`.
 *
 * @category models
 * @since 0.1.0
 */
export const Link = Schema.Struct({ kind: LinkKind, ticketId: TicketId })
/** @category models @since 0.1.0 */
export type Link = typeof Link.Type

const inverses: Record<LinkKind, LinkKind> = {
  follow_up_of: "followed_up_by",
  followed_up_by: "follow_up_of"
}

/**
 * The kind the other ticket records for the same link.
 *
 * @category combinators
 * @since 0.1.0
 */
export const inverse = (kind: LinkKind): LinkKind => inverses[kind]
