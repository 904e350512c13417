/**
 * The commands a ticket accepts: what someone asks to happen. `decide` turns a command into
 * events or a typed refusal. Commands carry ids the `Helpdesk` fills in (ticket, public number,
 * message ids from the `IdGenerator` port); the actor and `now` travel in the decide context.
 */
import { Schema } from "effect"
import { boundedArray } from "../internal/bounded.js"
import { Channel } from "../values/Channel.js"
import { Complexity } from "../values/Complexity.js"
import { FieldKey, FieldValue } from "../values/CustomField.js"
import {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import { Link } from "../values/Link.js"
import { Body } from "../values/Message.js"
import { Priority } from "../values/Priority.js"
import { Comment, Rating, SurveyId } from "../values/Satisfaction.js"
import { Metric } from "../values/SlaMetric.js"
import { SupportLevel, TicketType } from "../values/TicketType.js"
import { StatusId } from "./Status.js"
import { Follower } from "./TicketEvent.js"

/** Raw tags: at most `Limits.tagsPerTicket` of `Limits.tagLength` characters. */
const rawTags = boundedArray(Schema.String.check(Schema.isMaxLength(Limits.tagLength)), Limits.tagsPerTicket)

/**
 * Open a ticket, from any channel, with its first message.
 *
 * @category commands
 * @since 0.1.0
 */
export class OpenTicket extends Schema.TaggedClass<OpenTicket>()("OpenTicket", {
  ticketId: TicketId,
  workspaceId: WorkspaceId,
  publicId: PublicId,
  messageId: MessageId,
  subject: Schema.String.check(Schema.isMaxLength(1000)),
  requester: ContactId,
  organization: Schema.optionalKey(OrganizationId),
  channel: Channel,
  priority: Schema.optionalKey(Priority),
  type: Schema.optionalKey(TicketType),
  status: Schema.optionalKey(StatusId),
  group: Schema.optionalKey(GroupId),
  assignee: Schema.optionalKey(AgentId),
  tags: rawTags,
  customFields: Schema.Record(FieldKey, FieldValue),
  body: Body,
  followUpOf: Schema.optionalKey(TicketId)
}) {}

/**
 * Add a public reply: from an agent (to the requester) or from the requester.
 *
 * @category commands
 * @since 0.1.0
 */
export class AddReply extends Schema.TaggedClass<AddReply>()("AddReply", {
  ticketId: TicketId,
  messageId: MessageId,
  channel: Channel,
  body: Body
}) {}

/**
 * Add an internal note: agents only, never shown to the requester.
 *
 * @category commands
 * @since 0.1.0
 */
export class AddNote extends Schema.TaggedClass<AddNote>()("AddNote", {
  ticketId: TicketId,
  messageId: MessageId,
  channel: Channel,
  body: Body
}) {}

/**
 * Move the ticket to another status of the workflow.
 *
 * @category commands
 * @since 0.1.0
 */
export class ChangeStatus extends Schema.TaggedClass<ChangeStatus>()("ChangeStatus", {
  ticketId: TicketId,
  to: StatusId
}) {}

/**
 * Assign to an agent and/or a group; `null` unassigns, an absent key leaves it as it is.
 *
 * @category commands
 * @since 0.1.0
 */
export class Assign extends Schema.TaggedClass<Assign>()("Assign", {
  ticketId: TicketId,
  assignee: Schema.optionalKey(Schema.NullOr(AgentId)),
  group: Schema.optionalKey(Schema.NullOr(GroupId))
}) {}

/**
 * Set the priority.
 *
 * @category commands
 * @since 0.1.0
 */
export class SetPriority extends Schema.TaggedClass<SetPriority>()("SetPriority", {
  ticketId: TicketId,
  priority: Priority
}) {}

/**
 * Set the type.
 *
 * @category commands
 * @since 0.1.0
 */
export class SetType extends Schema.TaggedClass<SetType>()("SetType", {
  ticketId: TicketId,
  type: TicketType
}) {}

/**
 * Set the complexity (agents and rules).
 *
 * @category commands
 * @since 0.1.0
 */
export class SetComplexity extends Schema.TaggedClass<SetComplexity>()("SetComplexity", {
  ticketId: TicketId,
  complexity: Complexity
}) {}

/**
 * Record a satisfaction rating (CSAT or NPS) for a survey: the requester's (or a contact's on
 * the ticket) answer, which the `Helpdesk` takes from a verified survey link. One rating per
 * survey; answering the same survey again changes it, and the log keeps both.
 *
 * @category commands
 * @since 0.1.0
 */
export class RateSatisfaction extends Schema.TaggedClass<RateSatisfaction>()("RateSatisfaction", {
  ticketId: TicketId,
  survey: SurveyId,
  rating: Rating,
  comment: Schema.optionalKey(Comment)
}) {}

/**
 * Tell an incident's requester that its problem is solved (the system, when the problem is
 * solved): once per incident and problem, in the requester's `language`.
 *
 * @category commands
 * @since 0.1.0
 */
export class AnnounceProblemSolved extends Schema.TaggedClass<AnnounceProblemSolved>()("AnnounceProblemSolved", {
  ticketId: TicketId,
  problem: TicketId,
  problemPublicId: PublicId,
  language: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(35))
}) {}

/**
 * Escalate to a higher support level (the next one unless `to` says which), with a reason.
 *
 * @category commands
 * @since 0.1.0
 */
export class Escalate extends Schema.TaggedClass<Escalate>()("Escalate", {
  ticketId: TicketId,
  to: Schema.optionalKey(SupportLevel),
  reason: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2000))
}) {}

/**
 * Set a custom field declared by the workspace; `null` clears it.
 *
 * @category commands
 * @since 0.1.0
 */
export class SetCustomField extends Schema.TaggedClass<SetCustomField>()("SetCustomField", {
  ticketId: TicketId,
  key: FieldKey,
  value: Schema.NullOr(FieldValue)
}) {}

/**
 * Add and remove tags (raw tags are normalised).
 *
 * @category commands
 * @since 0.1.0
 */
export class ChangeTags extends Schema.TaggedClass<ChangeTags>()("ChangeTags", {
  ticketId: TicketId,
  add: rawTags,
  remove: rawTags
}) {}

/**
 * Start following the ticket.
 *
 * @category commands
 * @since 0.1.0
 */
export class AddFollower extends Schema.TaggedClass<AddFollower>()("AddFollower", {
  ticketId: TicketId,
  follower: Follower
}) {}

/**
 * Stop following the ticket.
 *
 * @category commands
 * @since 0.1.0
 */
export class RemoveFollower extends Schema.TaggedClass<RemoveFollower>()("RemoveFollower", {
  ticketId: TicketId,
  follower: Follower
}) {}

/**
 * Record a link to another ticket.
 *
 * @category commands
 * @since 0.1.0
 */
export class AddLink extends Schema.TaggedClass<AddLink>()("AddLink", {
  ticketId: TicketId,
  link: Link
}) {}

/**
 * Ask for a notification from a template (staff and rules only); see `NotificationRequested`.
 *
 * @category commands
 * @since 0.1.0
 */
export class Notify extends Schema.TaggedClass<Notify>()("Notify", {
  ticketId: TicketId,
  template: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  to: Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320))).check(Schema.isMinLength(1))
}) {}

/**
 * The time-driven close of a solved ticket, once the workflow's delay has passed.
 *
 * @category commands
 * @since 0.1.0
 */
export class CloseSolved extends Schema.TaggedClass<CloseSolved>()("CloseSolved", {
  ticketId: TicketId
}) {}

/**
 * Records SLA warnings and breaches the `Helpdesk` found due (from `Sla.slaState` and the log,
 * which it checked for milestones already recorded). Only the system records them.
 *
 * @category commands
 * @since 0.1.0
 */
export class RecordSla extends Schema.TaggedClass<RecordSla>()("RecordSla", {
  ticketId: TicketId,
  milestones: Schema.Array(
    Schema.Struct({
      kind: Schema.Literals(["warning", "breach"]),
      metric: Metric,
      instance: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
      policy: Schema.String,
      reachedAt: Schema.DateTimeUtc
    })
  )
}) {}

/**
 * Records what became of notifications the outbox worker handled: each outcome is recorded as
 * `NotificationDelivered` or `NotificationFailed`. The `Helpdesk` leaves out outcomes already in
 * the log (`recordNotification`), so a redelivery records nothing twice. Only the system records
 * them, on closed tickets too.
 *
 * @category commands
 * @since 0.1.0
 */
export class RecordNotifications extends Schema.TaggedClass<RecordNotifications>()("RecordNotifications", {
  ticketId: TicketId,
  outcomes: Schema.Array(
    Schema.Struct({
      kind: Schema.Literals(["delivered", "failed"]),
      notification: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
      attempt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
      template: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
      channel: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
      to: Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320))).check(
        Schema.isMaxLength(100)
      ),
      reachedAt: Schema.DateTimeUtc,
      error: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(500)))
    })
  )
}) {}

/**
 * Every ticket command.
 *
 * @category commands
 * @since 0.1.0
 */
export const TicketCommand = Schema.Union([
  OpenTicket,
  AddReply,
  AddNote,
  ChangeStatus,
  Assign,
  SetPriority,
  SetType,
  Escalate,
  SetCustomField,
  ChangeTags,
  AddFollower,
  RemoveFollower,
  AddLink,
  Notify,
  CloseSolved,
  RecordSla,
  RecordNotifications,
  SetComplexity,
  RateSatisfaction,
  AnnounceProblemSolved
])
/** @category commands @since 0.1.0 */
export type TicketCommand = typeof TicketCommand.Type
