/**
 * What the Promise facade answers with: the JSON shape of each model (dates as ISO strings,
 * absent values as `undefined`) and the one encoder for each, so that every method of
 * `createHelpdesk` returns the same shape for the same thing.
 */
import { DateTime, Schema } from "effect"
import * as Directory from "../directory/Directory.js"
import * as Conversation from "../helpdesk/Conversation.js"
import * as TicketQuery from "../query/TicketQuery.js"
import type * as Sla from "../sla/Sla.js"
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
export interface TicketJson extends Schema.Codec.Encoded<typeof Conversation.Overview> {}

/**
 * One message of a conversation, encoded (`at` as an ISO string).
 *
 * @category models
 * @since 0.1.0
 */
export interface MessageJson extends Schema.Codec.Encoded<typeof Message.Message> {}

/**
 * One page of a conversation (see `HelpdeskClient.messages`), and the cursor of the next page
 * (`undefined` on the last one).
 *
 * @category models
 * @since 0.1.0
 */
export interface MessagePageJson extends Schema.Codec.Encoded<typeof Conversation.Page> {}

/**
 * An event of a ticket's history, encoded (`_tag`, `at` as an ISO string, `by`, ...).
 *
 * @category models
 * @since 0.1.0
 */
export type TicketEventJson = {
  readonly [T in EventTag]: Extract<typeof TicketEvent.TicketEvent.Encoded, { readonly _tag: T }>
}[EventTag]

type EventTag = TicketEvent.TicketEvent["_tag"]

/**
 * A ticket without its conversation, as queries return it.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketSummaryJson extends Schema.Codec.Encoded<typeof TicketQuery.TicketSummary> {}

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
export interface ContactJson extends Schema.Codec.Encoded<typeof Directory.Contact> {}

/**
 * An organization, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export interface OrganizationJson extends Schema.Codec.Encoded<typeof Directory.Organization> {}

/**
 * An agent, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export interface AgentJson extends Schema.Codec.Encoded<typeof Directory.Agent> {}

/**
 * A group, as the facade returns it.
 *
 * @category models
 * @since 0.1.0
 */
export interface GroupJson extends Schema.Codec.Encoded<typeof Directory.Group> {}

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
export interface WorkflowJson extends Schema.Codec.Encoded<typeof Status.Workflow> {}

/**
 * A custom field declaration as written in the options (see `CustomField.FieldDefinition`).
 *
 * @category models
 * @since 0.1.0
 */
export interface FieldDefinitionJson extends Schema.Codec.Encoded<typeof FieldDefinition> {}

/**
 * The configuration a help desk runs with, as `HelpdeskClient.config` gives it.
 *
 * @category models
 * @since 0.1.0
 */
export interface ConfigJson {
  readonly workspaceId: string
  readonly workflow: WorkflowJson
  readonly customFields: ReadonlyArray<FieldDefinitionJson>
}

/**
 * An interval of time with ISO strings (`to` absent while it lasts).
 *
 * @category models
 * @since 0.1.0
 */
export interface IntervalJson {
  readonly from: string
  readonly to?: string
}

/**
 * Why an SLA due time is what it is (`Sla.Explanation`), with ISO strings for instants: the
 * target and its policy, the opening hours counted, the holidays skipped, the pauses, and the
 * same in sentences (`lines`).
 *
 * @category models
 * @since 0.1.0
 */
export interface ExplanationJson {
  readonly metric: Sla.Explanation["metric"]
  readonly instance: number
  readonly policy: { readonly id: string; readonly name: string }
  readonly target: Sla.Explanation["target"]
  readonly calendar?: string
  readonly dueAt?: string
  readonly breachedAt?: string
  readonly openingHours: ReadonlyArray<{ readonly start: string; readonly end: string }>
  readonly holidays: ReadonlyArray<{ readonly date: string; readonly name?: string; readonly timeZone: string }>
  readonly pauses: ReadonlyArray<IntervalJson>
  readonly lines: ReadonlyArray<string>
}

const iso = DateTime.formatIso

/** @internal */
export const encodeExplanation = (e: Sla.Explanation): ExplanationJson => ({
  metric: e.metric,
  instance: e.instance,
  policy: e.policy,
  target: e.target,
  ...(e.calendar === undefined ? {} : { calendar: e.calendar }),
  ...(e.dueAt === undefined ? {} : { dueAt: iso(e.dueAt) }),
  ...(e.breachedAt === undefined ? {} : { breachedAt: iso(e.breachedAt) }),
  openingHours: e.openingHours.map((o) => ({ start: iso(o.start), end: iso(o.end) })),
  holidays: e.holidays,
  pauses: e.pauses.map((p) => ({ from: iso(p.from), ...(p.to === undefined ? {} : { to: iso(p.to) }) })),
  lines: e.lines
})

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
