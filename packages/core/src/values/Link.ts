/**
 * Typed links between tickets. Every kind has an inverse, and a link is recorded on both
 * tickets (in one atomic append), so either side shows it and the two always agree. A link on
 * ticket T `{ kind, ticketId: X }` reads "X is T's <kind>": `{ kind: "parent", ticketId: X }`
 * means X is T's parent, and X records `{ kind: "child", ticketId: T }`.
 */
import { Schema } from "effect"
import { TicketId } from "./Ids.js"

/**
 * The kinds of link, each paired with its inverse in `inverse`:
 * - `follow_up_of` / `followed_up_by`: a ticket opened because its requester wrote on a closed one;
 * - `duplicate_of` / `duplicated_by`: the same issue reported twice (a ticket duplicates at most one);
 * - `parent` / `child`: a task broken down (one parent at most, never a cycle);
 * - `related` / `related`: worth reading together;
 * - `problem` / `incident`: many customers' incidents caused by one problem (an incident has at
 *   most one problem, and a problem is not itself an incident);
 * - `split_from` / `split_into`: messages moved out of a ticket into a new one.
 *
 * @category models
 * @since 0.1.0
 */
export const LinkKind = Schema.Literals([
  "follow_up_of",
  "followed_up_by",
  "duplicate_of",
  "duplicated_by",
  "parent",
  "child",
  "related",
  "problem",
  "incident",
  "split_from",
  "split_into"
])
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
  followed_up_by: "follow_up_of",
  duplicate_of: "duplicated_by",
  duplicated_by: "duplicate_of",
  parent: "child",
  child: "parent",
  related: "related",
  problem: "incident",
  incident: "problem",
  split_from: "split_into",
  split_into: "split_from"
}

/**
 * The kind the other ticket records for the same link.
 *
 * @category combinators
 * @since 0.1.0
 */
export const inverse = (kind: LinkKind): LinkKind => inverses[kind]

/**
 * The kinds people set by hand; follow-up and split links are recorded by the `Helpdesk` only.
 *
 * @category models
 * @since 0.1.0
 */
export const ManualLinkKind = LinkKind.pick([
  "duplicate_of",
  "duplicated_by",
  "parent",
  "child",
  "related",
  "problem",
  "incident"
])
/** @category models @since 0.1.0 */
export type ManualLinkKind = typeof ManualLinkKind.Type

/**
 * Whether two links are the same (same kind, same ticket).
 *
 * @category predicates
 * @since 0.1.0
 */
export const equals = (a: Link, b: Link): boolean => a.kind === b.kind && a.ticketId === b.ticketId

/**
 * The tickets a ticket links to with a kind, in the order the links were made.
 *
 * @category combinators
 * @since 0.1.0
 */
export const targets = (links: ReadonlyArray<Link>, kind: LinkKind): ReadonlyArray<TicketId> =>
  links.flatMap((l) => (l.kind === kind ? [l.ticketId] : []))
