/**
 * The events of a ticket's stream: the only truth about a ticket. Each records when (`at`, from
 * Effect's `Clock`), who (`by`) and a schema version `v`; stored events of an older version must
 * keep decoding, so a new version adds a decoder here instead of changing an old shape.
 */
import { Effect, Schema } from "effect"
import { boundedArray } from "../internal/bounded.js"
import { Actor, AgentActor, ContactActor } from "../values/Actor.js"
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
import { Link } from "../values/Link.js"
import * as Mention from "../values/Mention.js"
import { Message } from "../values/Message.js"
import { Priority } from "../values/Priority.js"
import { Comment, Rating, SurveyId } from "../values/Satisfaction.js"
import { Metric } from "../values/SlaMetric.js"
import { Tag } from "../values/Tag.js"
import { SupportLevel, TicketType } from "../values/TicketType.js"
import { StatusCategory, StatusId } from "./Status.js"

/**
 * Who follows a ticket (gets its updates): an agent or a contact.
 *
 * @category models
 * @since 0.1.0
 */
export const Follower = Schema.Union([AgentActor, ContactActor])
/** @category models @since 0.1.0 */
export type Follower = typeof Follower.Type

/**
 * The rule (id and version) on whose behalf an event was recorded, when a rule caused it.
 *
 * @category models
 * @since 0.1.0
 */
export const RuleRef = Schema.Struct({
  id: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(100)),
  version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
})
/** @category models @since 0.1.0 */
export type RuleRef = typeof RuleRef.Type

const envelope = {
  /** Schema version of the event's shape. */
  v: Schema.Literal(1).pipe(Schema.withConstructorDefault(Effect.succeed(1 as const))),
  ticketId: TicketId,
  at: Schema.DateTimeUtcFromString,
  by: Actor,
  /** The rule that caused the event, if one did. */
  rule: Schema.optionalKey(RuleRef)
}

/**
 * A ticket was created, from any channel, with its first message.
 *
 * @category events
 * @since 0.1.0
 */
export class TicketOpened extends Schema.TaggedClass<TicketOpened>()("TicketOpened", {
  ...envelope,
  workspaceId: WorkspaceId,
  publicId: PublicId,
  subject: Schema.String,
  requester: ContactId,
  organization: Schema.optionalKey(OrganizationId),
  channel: Channel,
  priority: Priority,
  type: Schema.optionalKey(TicketType),
  status: StatusId,
  category: StatusCategory,
  group: Schema.optionalKey(GroupId),
  assignee: Schema.optionalKey(AgentId),
  tags: Schema.Array(Tag),
  customFields: Schema.Record(FieldKey, FieldValue),
  message: Message,
  followUpOf: Schema.optionalKey(TicketId)
}) {}

/**
 * A public reply, visible to the requester, was added.
 *
 * @category events
 * @since 0.1.0
 */
export class ReplyAdded extends Schema.TaggedClass<ReplyAdded>()("ReplyAdded", {
  ...envelope,
  message: Message
}) {}

/**
 * An internal note, visible to agents only, was added. `mentions`: the handles its text mentions
 * (`Mention.parse`; `@mary` is `mary`), when an agent or a rule wrote it and it mentions anyone;
 * absent otherwise, and on notes recorded before mentions were.
 *
 * @category events
 * @since 0.1.0
 */
export class NoteAdded extends Schema.TaggedClass<NoteAdded>()("NoteAdded", {
  ...envelope,
  message: Message,
  mentions: Schema.optionalKey(boundedArray(Mention.Handle, Mention.maxMentions))
}) {}

/**
 * The status moved; categories are recorded as they were, so a later workflow change cannot
 * rewrite history.
 *
 * @category events
 * @since 0.1.0
 */
export class StatusChanged extends Schema.TaggedClass<StatusChanged>()("StatusChanged", {
  ...envelope,
  from: StatusId,
  to: StatusId,
  fromCategory: StatusCategory,
  toCategory: StatusCategory
}) {}

/**
 * The assignee changed (absent means unassigned).
 *
 * @category events
 * @since 0.1.0
 */
export class AssigneeChanged extends Schema.TaggedClass<AssigneeChanged>()("AssigneeChanged", {
  ...envelope,
  from: Schema.optionalKey(AgentId),
  to: Schema.optionalKey(AgentId)
}) {}

/**
 * The group changed (absent means no group).
 *
 * @category events
 * @since 0.1.0
 */
export class GroupChanged extends Schema.TaggedClass<GroupChanged>()("GroupChanged", {
  ...envelope,
  from: Schema.optionalKey(GroupId),
  to: Schema.optionalKey(GroupId)
}) {}

/**
 * The priority changed.
 *
 * @category events
 * @since 0.1.0
 */
export class PriorityChanged extends Schema.TaggedClass<PriorityChanged>()("PriorityChanged", {
  ...envelope,
  from: Priority,
  to: Priority
}) {}

/**
 * The type changed.
 *
 * @category events
 * @since 0.1.0
 */
export class TypeChanged extends Schema.TaggedClass<TypeChanged>()("TypeChanged", {
  ...envelope,
  from: Schema.optionalKey(TicketType),
  to: TicketType
}) {}

/**
 * The complexity changed (`from` absent: it had none).
 *
 * @category events
 * @since 0.1.0
 */
export class ComplexityChanged extends Schema.TaggedClass<ComplexityChanged>()("ComplexityChanged", {
  ...envelope,
  from: Schema.optionalKey(Complexity),
  to: Complexity
}) {}

/**
 * A customer answered a satisfaction survey (`by`: the contact who rated). `previous`: the
 * rating this one replaces, when the same survey was answered before (the log keeps every
 * answer; reports count the latest per survey).
 *
 * @category events
 * @since 0.1.0
 */
export class SatisfactionRated extends Schema.TaggedClass<SatisfactionRated>()("SatisfactionRated", {
  ...envelope,
  survey: SurveyId,
  rating: Rating,
  comment: Schema.optionalKey(Comment),
  previous: Schema.optionalKey(Rating)
}) {}

/**
 * The incident's requester was told that its problem (`problem`) is solved: a notification
 * (template `problem_solved`, to the requester, in `language`) went to the outbox with this
 * event. Recorded once per incident and problem; a record about the ticket, which it does not
 * update.
 *
 * @category events
 * @since 0.1.0
 */
export class ProblemSolvedAnnounced extends Schema.TaggedClass<ProblemSolvedAnnounced>()("ProblemSolvedAnnounced", {
  ...envelope,
  problem: TicketId,
  problemPublicId: PublicId,
  language: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(35))
}) {}

/**
 * The ticket was escalated to a higher support level, with the reason.
 *
 * @category events
 * @since 0.1.0
 */
export class Escalated extends Schema.TaggedClass<Escalated>()("Escalated", {
  ...envelope,
  from: SupportLevel,
  to: SupportLevel,
  reason: Schema.String
}) {}

/**
 * A custom field was set (`to` present) or cleared (`to` absent).
 *
 * @category events
 * @since 0.1.0
 */
export class CustomFieldChanged extends Schema.TaggedClass<CustomFieldChanged>()("CustomFieldChanged", {
  ...envelope,
  key: FieldKey,
  from: Schema.optionalKey(FieldValue),
  to: Schema.optionalKey(FieldValue)
}) {}

/**
 * Tags were added and/or removed.
 *
 * @category events
 * @since 0.1.0
 */
export class TagsChanged extends Schema.TaggedClass<TagsChanged>()("TagsChanged", {
  ...envelope,
  added: Schema.Array(Tag),
  removed: Schema.Array(Tag)
}) {}

/**
 * Someone started following the ticket.
 *
 * @category events
 * @since 0.1.0
 */
export class FollowerAdded extends Schema.TaggedClass<FollowerAdded>()("FollowerAdded", {
  ...envelope,
  follower: Follower
}) {}

/**
 * Someone stopped following the ticket.
 *
 * @category events
 * @since 0.1.0
 */
export class FollowerRemoved extends Schema.TaggedClass<FollowerRemoved>()("FollowerRemoved", {
  ...envelope,
  follower: Follower
}) {}

/**
 * A link to another ticket was recorded on this one.
 *
 * @category events
 * @since 0.1.0
 */
export class LinkAdded extends Schema.TaggedClass<LinkAdded>()("LinkAdded", {
  ...envelope,
  link: Link
}) {}

/**
 * A link to another ticket was removed from this one.
 *
 * @category events
 * @since 0.1.0
 */
export class LinkRemoved extends Schema.TaggedClass<LinkRemoved>()("LinkRemoved", {
  ...envelope,
  link: Link
}) {}

/**
 * A merge's record on the target, from which it can be undone: what the source brought that the
 * target did not already have.
 *
 * @category models
 * @since 0.1.0
 */
export const MergeRecord = Schema.Struct({
  source: TicketId,
  sourcePublicId: PublicId,
  /** When the merge happened. */
  mergedAt: Schema.DateTimeUtcFromString,
  messageIds: Schema.Array(MessageId),
  followers: Schema.Array(Follower),
  tags: Schema.Array(Tag),
  links: Schema.Array(Link),
  /** The target's priority change, when the merge raised it. */
  priority: Schema.optionalKey(Schema.Struct({ from: Priority, to: Priority })),
  /** The source's status before the merge closed it: an undo restores it. */
  sourceStatus: StatusId,
  sourceCategory: StatusCategory
})
/** @category models @since 0.1.0 */
export type MergeRecord = typeof MergeRecord.Type

/**
 * Another ticket was merged into this one: its messages (each keeping its author, channel, time
 * and origin, placed in time order), its requester and followers as followers, its tags and its
 * links (re-pointed here), and its priority when higher.
 *
 * @category events
 * @since 0.1.0
 */
export class MergedIn extends Schema.TaggedClass<MergedIn>()("MergedIn", {
  ...envelope,
  source: TicketId,
  sourcePublicId: PublicId,
  sourceStatus: StatusId,
  sourceCategory: StatusCategory,
  messages: Schema.Array(Message),
  followers: Schema.Array(Follower),
  tags: Schema.Array(Tag),
  links: Schema.Array(Link),
  priority: Schema.optionalKey(Schema.Struct({ from: Priority, to: Priority }))
}) {}

/**
 * This ticket was merged into another: it is closed, points to the target, and stays readable.
 * The status it had is kept for an undo.
 *
 * @category events
 * @since 0.1.0
 */
export class MergedInto extends Schema.TaggedClass<MergedInto>()("MergedInto", {
  ...envelope,
  target: TicketId,
  targetPublicId: PublicId,
  from: StatusId,
  fromCategory: StatusCategory,
  to: StatusId
}) {}

/**
 * A merge into this ticket was undone: what the source brought leaves again (what was added
 * here since stays).
 *
 * @category events
 * @since 0.1.0
 */
export class MergeUndone extends Schema.TaggedClass<MergeUndone>()("MergeUndone", {
  ...envelope,
  source: TicketId,
  messageIds: Schema.Array(MessageId),
  followers: Schema.Array(Follower),
  tags: Schema.Array(Tag),
  links: Schema.Array(Link),
  priority: Schema.optionalKey(Schema.Struct({ from: Priority, to: Priority }))
}) {}

/**
 * The merge of this ticket into `target` was undone: it is back in the status it had.
 *
 * @category events
 * @since 0.1.0
 */
export class Unmerged extends Schema.TaggedClass<Unmerged>()("Unmerged", {
  ...envelope,
  target: TicketId,
  from: StatusId,
  to: StatusId,
  toCategory: StatusCategory
}) {}

/**
 * Messages of this ticket moved to a new ticket (`to`), which a split opened.
 *
 * @category events
 * @since 0.1.0
 */
export class MessagesSplitOff extends Schema.TaggedClass<MessagesSplitOff>()("MessagesSplitOff", {
  ...envelope,
  to: TicketId,
  toPublicId: PublicId,
  messageIds: Schema.Array(MessageId)
}) {}

/**
 * The messages a split moved here after the first (which opened the ticket), in time order.
 *
 * @category events
 * @since 0.1.0
 */
export class SplitReceived extends Schema.TaggedClass<SplitReceived>()("SplitReceived", {
  ...envelope,
  from: TicketId,
  messages: Schema.Array(Message)
}) {}

/**
 * A notification was asked for (by a rule, say): the `Helpdesk` writes it to the outbox in the
 * same append, on the `notification` channel, for a deliverer to send from `template` to `to`.
 *
 * @category events
 * @since 0.1.0
 */
export class NotificationRequested extends Schema.TaggedClass<NotificationRequested>()("NotificationRequested", {
  ...envelope,
  template: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  /** Roles on the ticket (`requester`, `assignee`, `group`, `followers`), `agent:<id>` or addresses. */
  to: Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320))),
  /** The language to write in, when the request says (a problem's outreach, in the requester's). */
  language: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(35)))
}) {}

const notificationOutcome = {
  ...envelope,
  /** The outbox message the notification went out from (its id, `notification:<ticket>:<version>`). */
  notification: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)),
  /** The delivery attempt this outcome came from (1 for the first). */
  attempt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  template: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  /** The channel(s) it went over (`email`, `webhook`; several joined with `,`). */
  channel: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  /** Who it went to: addresses, or endpoint names for integrations. */
  to: Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320))).check(Schema.isMaxLength(100))
}

/**
 * A notification was delivered: every delivery of its outbox message was accepted, the last at
 * `deliveredAt` (what an agent reads as "acknowledgement sent at 11:16"). Recorded by the system,
 * once per notification and attempt; a record about the ticket, which it does not update.
 *
 * @category events
 * @since 0.1.0
 */
export class NotificationDelivered extends Schema.TaggedClass<NotificationDelivered>()("NotificationDelivered", {
  ...notificationOutcome,
  deliveredAt: Schema.DateTimeUtcFromString
}) {}

/**
 * A notification was given up on (its outbox message became a dead letter) at `failedAt`, with
 * the error of its last attempt. Recorded by the system, once per notification, attempt and
 * error; a record about the ticket, which it does not update.
 *
 * @category events
 * @since 0.1.0
 */
export class NotificationFailed extends Schema.TaggedClass<NotificationFailed>()("NotificationFailed", {
  ...notificationOutcome,
  failedAt: Schema.DateTimeUtcFromString,
  error: Schema.String.check(Schema.isMaxLength(500))
}) {}

const slaMilestone = {
  ...envelope,
  metric: Metric,
  /** The metric's instance (1 for the first reply, 2 for the second wait for a next reply, ...). */
  instance: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** The id of the SLA policy whose target it was. */
  policy: Schema.String,
  /** When the warning or the breach happened; `at` is when it was recorded (a timer may fire late). */
  reachedAt: Schema.DateTimeUtcFromString
}

/**
 * An SLA metric instance reached its warning time. Recorded once per instance.
 *
 * @category events
 * @since 0.1.0
 */
export class SlaWarningReached extends Schema.TaggedClass<SlaWarningReached>()("SlaWarningReached", slaMilestone) {}

/**
 * An SLA metric instance ran past its target. Recorded once per instance.
 *
 * @category events
 * @since 0.1.0
 */
export class SlaBreached extends Schema.TaggedClass<SlaBreached>()("SlaBreached", slaMilestone) {}

/**
 * Why the trigger rules of a unit of work failed: `loop` (they still changed the ticket on the
 * last pass allowed), `action_failed` (a rule's action failed), `limit` (their events would have
 * made the unit larger than `Limits.eventsPerAppend`).
 *
 * @category models
 * @since 0.1.0
 */
export const RulesFailedReason = Schema.Literals(["loop", "action_failed", "limit"])
/** @category models @since 0.1.0 */
export type RulesFailedReason = typeof RulesFailedReason.Type

/**
 * The trigger rules of a unit of work failed and their changes were dropped; the command's own
 * events were written, with this one after them, so a customer's message is never lost to a bad
 * rule set and an admin can see what went wrong. `rules`: those that fired on the last pass (a
 * loop, in rule order, at most 100) or the rule that failed. A record about the ticket, like an
 * SLA milestone: it does not update it.
 *
 * @category events
 * @since 0.1.0
 */
export class RulesFailed extends Schema.TaggedClass<RulesFailed>()("RulesFailed", {
  ...envelope,
  reason: RulesFailedReason,
  rules: Schema.Array(RuleRef).check(Schema.isMaxLength(100)),
  /** The passes over the rules the unit of work took, the failing one included. */
  passes: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  /** A short description for the admin (the error of a failed action, say). */
  detail: Schema.String.check(Schema.isMaxLength(500))
}) {}

/**
 * Every ticket event.
 *
 * @category events
 * @since 0.1.0
 */
export const TicketEvent = Schema.Union([
  TicketOpened,
  ReplyAdded,
  NoteAdded,
  StatusChanged,
  AssigneeChanged,
  GroupChanged,
  PriorityChanged,
  TypeChanged,
  Escalated,
  CustomFieldChanged,
  TagsChanged,
  FollowerAdded,
  FollowerRemoved,
  LinkAdded,
  LinkRemoved,
  MergedIn,
  MergedInto,
  MergeUndone,
  Unmerged,
  MessagesSplitOff,
  SplitReceived,
  NotificationRequested,
  SlaWarningReached,
  SlaBreached,
  RulesFailed,
  NotificationDelivered,
  NotificationFailed,
  ComplexityChanged,
  SatisfactionRated,
  ProblemSolvedAnnounced
])
/** @category events @since 0.1.0 */
export type TicketEvent = typeof TicketEvent.Type

/**
 * The JSON codec stores use: an event to and from its JSON text.
 *
 * @category events
 * @since 0.1.0
 */
export const TicketEventJson = Schema.fromJsonString(TicketEvent)
