/**
 * What the Promise facade answers with: the JSON shape of each model (dates as ISO strings,
 * absent values as `undefined`) and the one encoder for each, so that every method of
 * `createHelpdesk` returns the same shape for the same thing.
 */
import { Schema } from "effect"
import * as Directory from "../directory/Directory.js"
import * as Conversation from "../helpdesk/Conversation.js"
import * as TicketQuery from "../query/TicketQuery.js"
import * as Status from "../ticket/Status.js"
import type * as Ticket from "../ticket/Ticket.js"
import * as TicketEvent from "../ticket/TicketEvent.js"
import type { FieldDefinition } from "../values/CustomField.js"
import type { TicketRef } from "../values/Ids.js"
import type * as Message from "../values/Message.js"

/**
 * A ticket as the facade returns it: `Ticket.Ticket` encoded (dates as ISO strings) without its
 * `messages`, so that an answer's size does not grow with the conversation. Instead it carries
 * `messageCount` and `recentMessages`, the last `Conversation.recentCount` (5) messages, oldest
 * first (after a reply, the reply is the last one unless trigger rules added messages after
 * it); `messages` reads the whole conversation, page by page.
 *
 * @category models
 * @since 0.1.0
 */
export type TicketJson = typeof Conversation.Overview.Encoded

/**
 * One message of a conversation, encoded (`at` as an ISO string).
 *
 * @category models
 * @since 0.1.0
 */
export type MessageJson = typeof Message.Message.Encoded

/**
 * One page of a conversation (see `HelpdeskClient.messages`), and the cursor of the next page
 * (`undefined` on the last one).
 *
 * @category models
 * @since 0.1.0
 */
export type MessagePageJson = typeof Conversation.Page.Encoded

/**
 * What `messages` reads: `limit` messages (1 to 500, default 50) from the first on (`asc`, the
 * default) or from the latest back (`desc`), after the page whose `nextCursor` is `cursor`.
 *
 * @category models
 * @since 0.1.0
 */
export type MessagePageInput = typeof Conversation.PageRequest.Encoded

/**
 * An event of a ticket's history, encoded (`_tag`, `at` as an ISO string, `by`, ...).
 *
 * @category models
 * @since 0.1.0
 */
export type TicketEventJson = typeof TicketEvent.TicketEvent.Encoded

/**
 * A ticket without its conversation, as queries return it.
 *
 * @category models
 * @since 0.1.0
 */
export type TicketSummaryJson = typeof TicketQuery.TicketSummary.Encoded

/**
 * One page of a query, and the cursor of the next page (`undefined` on the last one).
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketPageJson {
  readonly items: ReadonlyArray<TicketSummaryJson>
  readonly nextCursor: string | undefined
}

/**
 * A contact, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export type ContactJson = typeof Directory.Contact.Encoded

/**
 * An organization, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export type OrganizationJson = typeof Directory.Organization.Encoded

/**
 * An agent, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export type AgentJson = typeof Directory.Agent.Encoded

/**
 * A group, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export type GroupJson = typeof Directory.Group.Encoded

/**
 * A ticket reference: its public number (`69369`) or its internal id.
 *
 * @category models
 * @since 0.1.0
 */
export type TicketRefInput = typeof TicketRef.Encoded

/**
 * A workflow as written in the options (see `Status.Workflow`).
 *
 * @category models
 * @since 0.1.0
 */
export type WorkflowJson = typeof Status.Workflow.Encoded

/**
 * A custom field declaration as written in the options (see `CustomField.FieldDefinition`).
 *
 * @category models
 * @since 0.1.0
 */
export type FieldDefinitionJson = typeof FieldDefinition.Encoded

const encodeOverview = Schema.encodeSync(Conversation.Overview)
/** @internal */
export const encodeMessagePage = Schema.encodeSync(Conversation.Page)

/**
 * A ticket as the facade returns it (`TicketJson`): the one encoder every method that answers
 * with a ticket uses.
 *
 * @category constructors
 * @since 0.1.0
 */
export const toTicketJson = (ticket: Ticket.Ticket): TicketJson => encodeOverview(Conversation.overview(ticket))

/** @internal */
export const encodeEvent = Schema.encodeSync(TicketEvent.TicketEvent)
/** @internal */
export const encodeSummary = Schema.encodeSync(TicketQuery.TicketSummary)
/** @internal */
export const encodeContact = Schema.encodeSync(Directory.Contact)
/** @internal */
export const encodeOrganization = Schema.encodeSync(Directory.Organization)
/** @internal */
export const encodeAgent = Schema.encodeSync(Directory.Agent)
/** @internal */
export const encodeGroup = Schema.encodeSync(Directory.Group)
/** @internal */
export const encodeWorkflow = Schema.encodeSync(Status.Workflow)
/** @internal */
export const encodeHistory = (events: ReadonlyArray<TicketEvent.TicketEvent>) => events.map((e) => encodeEvent(e))
/** @internal */
export const encodePage = (page: TicketQuery.TicketPage): TicketPageJson => ({
  items: page.items.map((t) => encodeSummary(t)),
  nextCursor: page.nextCursor
})
