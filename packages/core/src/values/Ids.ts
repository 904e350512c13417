/**
 * Identifiers of the ticketing domain, as branded schemas. A ticket has two ids: an internal
 * `TicketId` (opaque, from the `IdGenerator` port) that names its event stream, and a short
 * `PublicId` (69369) that people quote, unique per workspace.
 */
import { Schema } from "effect"
import { publicIdMax } from "./Limits.js"

const OpaqueId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/))

/**
 * A workspace (tenant): every ticket, contact and agent belongs to exactly one.
 *
 * @category models
 * @since 0.1.0
 */
export const WorkspaceId = OpaqueId.pipe(Schema.brand("WorkspaceId"))
/** @category models @since 0.1.0 */
export type WorkspaceId = typeof WorkspaceId.Type

/**
 * The internal id of a ticket; also the id of its event stream.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketId = OpaqueId.pipe(Schema.brand("TicketId"))
/** @category models @since 0.1.0 */
export type TicketId = typeof TicketId.Type

/**
 * The short number people quote ("ticket 69369"); unique per workspace. At most
 * `Limits.publicIdMax`, which every store's column holds.
 *
 * @category models
 * @since 0.1.0
 */
export const PublicId = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: publicIdMax })).pipe(
  Schema.brand("PublicId")
)
/** @category models @since 0.1.0 */
export type PublicId = typeof PublicId.Type

/**
 * The id of one message (public reply or internal note) in a ticket's conversation.
 *
 * @category models
 * @since 0.1.0
 */
export const MessageId = OpaqueId.pipe(Schema.brand("MessageId"))
/** @category models @since 0.1.0 */
export type MessageId = typeof MessageId.Type

/**
 * A contact: a person who asks for help (Jane Sharpe).
 *
 * @category models
 * @since 0.1.0
 */
export const ContactId = OpaqueId.pipe(Schema.brand("ContactId"))
/** @category models @since 0.1.0 */
export type ContactId = typeof ContactId.Type

/**
 * A customer organization that contacts belong to.
 *
 * @category models
 * @since 0.1.0
 */
export const OrganizationId = OpaqueId.pipe(Schema.brand("OrganizationId"))
/** @category models @since 0.1.0 */
export type OrganizationId = typeof OrganizationId.Type

/**
 * An agent: a member of the support team (Mary).
 *
 * @category models
 * @since 0.1.0
 */
export const AgentId = OpaqueId.pipe(Schema.brand("AgentId"))
/** @category models @since 0.1.0 */
export type AgentId = typeof AgentId.Type

/**
 * A group of agents that tickets are routed to (billing, tier 2).
 *
 * @category models
 * @since 0.1.0
 */
export const GroupId = OpaqueId.pipe(Schema.brand("GroupId"))
/** @category models @since 0.1.0 */
export type GroupId = typeof GroupId.Type

/**
 * A ticket reference as callers write it: a public number (69369) or an internal id.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketRef = Schema.Union([PublicId, TicketId])
/** @category models @since 0.1.0 */
export type TicketRef = typeof TicketRef.Type
