/**
 * Arbitraries of ticket events, built through their schema classes (whose constructors validate,
 * so every event is well formed), and of event sequences that need not make sense (a reply before
 * the opening, a second opening), which is what `evolve` must take. Part of `Arbitraries`.
 */
import * as fc from "fast-check"
import * as E from "../../ticket/TicketEvent.js"
import type { TicketId } from "../../values/Ids.js"
import { optional } from "./base.js"
import {
  complexity,
  envelope,
  language,
  movedMessage,
  notificationOutcome,
  notificationTemplate,
  rating,
  ratingComment,
  recipients,
  slaMilestone,
  surveyId
} from "./eventParts.js"
import {
  agentId,
  channel,
  contactId,
  customFields,
  dateTime,
  fieldKey,
  fieldValue,
  follower,
  groupId,
  link,
  message,
  messageId,
  organizationId,
  priority,
  publicId,
  statusCategory,
  statusId,
  supportLevel,
  tag,
  ticketId,
  ticketType,
  workspaceId
} from "./Values.js"

/**
 * A `TicketOpened`. Its status and category are drawn independently, so they may disagree.
 *
 * @category testing
 * @since 0.1.0
 */
export const ticketOpened = (id: fc.Arbitrary<TicketId> = ticketId): fc.Arbitrary<E.TicketOpened> =>
  fc
    .record(
      {
        ...envelope(id),
        workspaceId,
        publicId,
        subject: fc.oneof(fc.constantFrom("VPN drops every hour", "Invoice 4471 is wrong", ""), fc.string()),
        requester: contactId,
        organization: organizationId,
        channel,
        priority,
        type: ticketType,
        status: statusId,
        category: statusCategory,
        group: groupId,
        assignee: agentId,
        tags: fc.array(tag, { maxLength: 4 }),
        customFields,
        message: message("public"),
        followUpOf: ticketId
      },
      {
        requiredKeys: [
          "ticketId",
          "at",
          "by",
          "workspaceId",
          "publicId",
          "subject",
          "requester",
          "channel",
          "priority",
          "status",
          "category",
          "tags",
          "customFields",
          "message"
        ],
        ...optional
      }
    )
    .map((fields) => new E.TicketOpened(fields))

/** The handles a note mentions, as `Mention.parse` records them. */
const mentions = fc.uniqueArray(fc.stringMatching(/^[a-z0-9](?:[a-z0-9._-]{0,10}[a-z0-9])?$/), {
  minLength: 1,
  maxLength: 3
})

/**
 * Events for a ticket id, one arbitrary per kind of event (all but `TicketOpened`).
 *
 * @category testing
 * @since 0.1.0
 */
export const laterEvents = (id: fc.Arbitrary<TicketId> = ticketId) => {
  const base = envelope(id)
  const required = ["ticketId", "at", "by"] as const
  return {
    ReplyAdded: fc.record({ ...base, message: message("public") }, optional).map((fields) => new E.ReplyAdded(fields)),
    NoteAdded: fc
      .record(
        { ...base, message: message("internal"), mentions },
        // Notes mention someone or not: `mentions` is absent from some.
        { requiredKeys: [...required, "message"], noNullPrototype: true }
      )
      .map((fields) => new E.NoteAdded(fields)),
    StatusChanged: fc
      .record(
        { ...base, from: statusId, to: statusId, fromCategory: statusCategory, toCategory: statusCategory },
        optional
      )
      .map((fields) => new E.StatusChanged(fields)),
    AssigneeChanged: fc
      .record({ ...base, from: agentId, to: agentId }, { requiredKeys: [...required], ...optional })
      .map((fields) => new E.AssigneeChanged(fields)),
    GroupChanged: fc
      .record({ ...base, from: groupId, to: groupId }, { requiredKeys: [...required], ...optional })
      .map((fields) => new E.GroupChanged(fields)),
    PriorityChanged: fc
      .record({ ...base, from: priority, to: priority }, optional)
      .map((fields) => new E.PriorityChanged(fields)),
    TypeChanged: fc
      .record({ ...base, from: ticketType, to: ticketType }, { requiredKeys: [...required, "to"], ...optional })
      .map((fields) => new E.TypeChanged(fields)),
    Escalated: fc
      .record(
        { ...base, from: supportLevel, to: supportLevel, reason: fc.constantFrom("needs tier 2", "outage", "") },
        optional
      )
      .map((fields) => new E.Escalated(fields)),
    CustomFieldChanged: fc
      .record(
        { ...base, key: fieldKey, from: fieldValue, to: fieldValue },
        { requiredKeys: [...required, "key"], ...optional }
      )
      .map((fields) => new E.CustomFieldChanged(fields)),
    TagsChanged: fc
      .record({ ...base, added: fc.array(tag, { maxLength: 3 }), removed: fc.array(tag, { maxLength: 3 }) }, optional)
      .map((fields) => new E.TagsChanged(fields)),
    FollowerAdded: fc.record({ ...base, follower }, optional).map((fields) => new E.FollowerAdded(fields)),
    FollowerRemoved: fc.record({ ...base, follower }, optional).map((fields) => new E.FollowerRemoved(fields)),
    LinkAdded: fc.record({ ...base, link }, optional).map((fields) => new E.LinkAdded(fields)),
    LinkRemoved: fc.record({ ...base, link }, optional).map((fields) => new E.LinkRemoved(fields)),
    NotificationRequested: fc
      .record({ ...base, template: notificationTemplate, to: recipients }, optional)
      .map((fields) => new E.NotificationRequested(fields)),
    MergedIn: fc
      .record(
        {
          ...base,
          source: ticketId,
          sourcePublicId: publicId,
          sourceStatus: statusId,
          sourceCategory: statusCategory,
          messages: fc.array(movedMessage, { maxLength: 3 }),
          followers: fc.array(follower, { maxLength: 2 }),
          tags: fc.array(tag, { maxLength: 3 }),
          links: fc.array(link, { maxLength: 2 }),
          priority: fc.record({ from: priority, to: priority })
        },
        {
          requiredKeys: [
            ...required,
            "source",
            "sourcePublicId",
            "sourceStatus",
            "sourceCategory",
            "messages",
            "followers",
            "tags",
            "links"
          ],
          ...optional
        }
      )
      .map((fields) => new E.MergedIn(fields)),
    MergedInto: fc
      .record(
        {
          ...base,
          target: ticketId,
          targetPublicId: publicId,
          from: statusId,
          fromCategory: statusCategory,
          to: statusId
        },
        optional
      )
      .map((fields) => new E.MergedInto(fields)),
    MergeUndone: fc
      .record(
        {
          ...base,
          source: ticketId,
          messageIds: fc.array(messageId, { maxLength: 3 }),
          followers: fc.array(follower, { maxLength: 2 }),
          tags: fc.array(tag, { maxLength: 3 }),
          links: fc.array(link, { maxLength: 2 }),
          priority: fc.record({ from: priority, to: priority })
        },
        { requiredKeys: [...required, "source", "messageIds", "followers", "tags", "links"], ...optional }
      )
      .map((fields) => new E.MergeUndone(fields)),
    Unmerged: fc
      .record({ ...base, target: ticketId, from: statusId, to: statusId, toCategory: statusCategory }, optional)
      .map((fields) => new E.Unmerged(fields)),
    MessagesSplitOff: fc
      .record(
        { ...base, to: ticketId, toPublicId: publicId, messageIds: fc.array(messageId, { maxLength: 3 }) },
        optional
      )
      .map((fields) => new E.MessagesSplitOff(fields)),
    SplitReceived: fc
      .record({ ...base, from: ticketId, messages: fc.array(movedMessage, { maxLength: 3 }) }, optional)
      .map((fields) => new E.SplitReceived(fields)),
    SlaWarningReached: fc
      .record({ ...base, ...slaMilestone }, optional)
      .map((fields) => new E.SlaWarningReached(fields)),
    SlaBreached: fc.record({ ...base, ...slaMilestone }, optional).map((fields) => new E.SlaBreached(fields)),
    RulesFailed: fc
      .record(
        {
          ...base,
          reason: fc.constantFrom(...E.RulesFailedReason.literals),
          rules: fc.array(
            fc.record({ id: fc.constantFrom("up", "down", "vip.route-2"), version: fc.integer({ min: 1, max: 9 }) }),
            { maxLength: 3 }
          ),
          passes: fc.integer({ min: 1, max: 10 }),
          detail: fc.oneof(fc.constantFrom("", "the rules still changed the ticket on pass 10 of 10"), fc.string())
        },
        optional
      )
      .map((fields) => new E.RulesFailed(fields)),
    NotificationDelivered: fc
      .record({ ...base, ...notificationOutcome, deliveredAt: dateTime }, optional)
      .map((fields) => new E.NotificationDelivered(fields)),
    NotificationFailed: fc
      .record(
        {
          ...base,
          ...notificationOutcome,
          failedAt: dateTime,
          error: fc.oneof(fc.constantFrom("", "550 5.1.1 unknown user"), fc.string({ maxLength: 500 }))
        },
        optional
      )
      .map((fields) => new E.NotificationFailed(fields)),
    ComplexityChanged: fc
      .record({ ...base, from: complexity, to: complexity }, { requiredKeys: [...required, "to"], ...optional })
      .map((fields) => new E.ComplexityChanged(fields)),
    SatisfactionRated: fc
      .record(
        { ...base, survey: surveyId, rating, comment: ratingComment, previous: rating },
        { requiredKeys: [...required, "survey", "rating"], ...optional }
      )
      .map((fields) => new E.SatisfactionRated(fields)),
    ProblemSolvedAnnounced: fc
      .record({ ...base, problem: ticketId, problemPublicId: publicId, language }, optional)
      .map((fields) => new E.ProblemSolvedAnnounced(fields))
  } satisfies { readonly [K in Exclude<E.TicketEvent["_tag"], "TicketOpened">]: fc.Arbitrary<E.TicketEvent> }
}

/**
 * Any event but `TicketOpened`.
 *
 * @category testing
 * @since 0.1.0
 */
export const laterEvent = (id: fc.Arbitrary<TicketId> = ticketId): fc.Arbitrary<E.TicketEvent> =>
  fc.oneof(...Object.values(laterEvents(id)))

/**
 * Any event, `TicketOpened` included.
 *
 * @category testing
 * @since 0.1.0
 */
export const event = (id: fc.Arbitrary<TicketId> = ticketId): fc.Arbitrary<E.TicketEvent> =>
  fc.oneof({ weight: 1, arbitrary: ticketOpened(id) }, { weight: 6, arbitrary: laterEvent(id) })

/**
 * A stream that opens at some point: events that come before any opening (and do nothing), the
 * opening, then any events at all.
 *
 * @category testing
 * @since 0.1.0
 */
export const openedStream: fc.Arbitrary<{
  readonly before: ReadonlyArray<E.TicketEvent>
  readonly opened: E.TicketOpened
  readonly after: ReadonlyArray<E.TicketEvent>
}> = fc.record(
  {
    before: fc.array(laterEvent(), { maxLength: 4 }),
    opened: ticketOpened(),
    after: fc.array(event(), { maxLength: 30 })
  },
  optional
)

/**
 * A sequence of events that may make no sense: events before the opening, several openings,
 * events of other tickets, statuses no workflow declares. Half of them open a ticket first.
 *
 * @category testing
 * @since 0.1.0
 */
export const events: fc.Arbitrary<ReadonlyArray<E.TicketEvent>> = fc.oneof(
  fc.array(event(), { maxLength: 40 }),
  openedStream.map(({ before, opened, after }) => [...before, opened, ...after])
)
