/**
 * What a requester may call, apart from how it is done: the inputs of the requester side and its
 * operations. `Requester` implements them for one contact; they live here so that the `Helpdesk`
 * service (`forRequester`) can name them without importing their implementation, which itself
 * calls the `Helpdesk`.
 */
import type { Effect } from "effect"
import { Schema } from "effect"
import * as TicketQuery from "../query/TicketQuery.js"
import type * as Ticket from "../ticket/Ticket.js"
import type * as E from "../ticket/TicketEvent.js"
import type { ContactId, TicketRef } from "../values/Ids.js"
import type * as Conversation from "./Conversation.js"
import type { HelpdeskError } from "./HelpdeskError.js"
import * as In from "./HelpdeskInput.js"

type Op<A> = Effect.Effect<A, HelpdeskError>

const {
  requester: _requester,
  by: _openedBy,
  status: _status,
  group: _group,
  assignee: _assignee,
  publicId: _publicId,
  ...openFields
} = In.OpenInput.fields

/**
 * What a requester opens a ticket with: `Helpdesk` `open`'s input without who (the contact is the
 * requester and the actor) and without what only agents choose (status, group, assignee, number).
 *
 * @category models
 * @since 0.1.0
 */
export const OpenInput = Schema.Struct(openFields)
/** @category models @since 0.1.0 */
export interface OpenInput extends Schema.Codec.Encoded<typeof OpenInput> {}

const { by: _repliedBy, ...replyFields } = In.MessageInput.fields

/**
 * What a requester replies with: `Helpdesk` `reply`'s input without `by` (the contact).
 *
 * @category models
 * @since 0.1.0
 */
export const ReplyInput = Schema.Struct(replyFields)
/** @category models @since 0.1.0 */
export interface ReplyInput extends Schema.Codec.Encoded<typeof ReplyInput> {}

const { requester: _listedFor, searchIn: _searchIn, ...queryFields } = TicketQuery.TicketQuery.fields

/**
 * A requester's query: a `TicketQuery` without `requester` (always the contact) and `searchIn`
 * (always `public`).
 *
 * @category models
 * @since 0.1.0
 */
export const ListQuery = Schema.Struct(queryFields)
/** @category models @since 0.1.0 */
export interface ListQuery extends Schema.Codec.Encoded<typeof ListQuery> {}

/**
 * The operations a requester has, acting as one contact.
 *
 * @category models
 * @since 0.1.0
 */
export interface RequesterService {
  /** The contact every operation acts as. */
  readonly contact: ContactId
  /** Opens a ticket as the contact (requester and author); returns its public view. */
  readonly open: (input: OpenInput) => Op<Ticket.Ticket>
  /**
   * Replies on one of the contact's tickets; returns its public view, or that of the follow-up
   * ticket a reply on a closed ticket opens.
   */
  readonly reply: (input: ReplyInput) => Op<Ticket.Ticket>
  /** One of the contact's tickets, in its public view (a merged ticket's number leads on, as in `Helpdesk`). */
  readonly get: (ticket: typeof TicketRef.Encoded) => Op<Ticket.Ticket>
  /** The conversation of one of the contact's tickets, page by page: its public messages only. */
  readonly messages: (ticket: typeof TicketRef.Encoded, page?: In.MessagePageInput) => Op<Conversation.Page>
  /** The public events of one of the contact's tickets (see `publicEvents`). */
  readonly history: (ticket: typeof TicketRef.Encoded) => Op<ReadonlyArray<E.TicketEvent>>
  /**
   * A page of the tickets the contact requested, and of their organization's when it shares its
   * tickets (`Organization.sharedTickets`); `search` matches the subject and public replies only,
   * and the summaries leave out the SLA due time (agents' business).
   */
  readonly list: (query?: ListQuery) => Op<TicketQuery.TicketPage>
}
