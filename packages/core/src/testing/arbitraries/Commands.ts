/**
 * Arbitraries of ticket commands, one per kind of command, built through their schema classes.
 * Part of `Arbitraries`.
 */
import * as fc from "fast-check"
import * as C from "../../ticket/TicketCommand.js"
import type { TicketId } from "../../values/Ids.js"
import { optional } from "./base.js"
import {
  complexity,
  language,
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
  body,
  channel,
  contactId,
  customFields,
  dateTime,
  fieldKey,
  fieldValue,
  follower,
  groupId,
  link,
  messageId,
  organizationId,
  priority,
  publicId,
  rawTag,
  statusId,
  supportLevel,
  ticketId,
  ticketType,
  workspaceId
} from "./Values.js"

/**
 * Commands for a ticket id, one arbitrary per kind of command.
 *
 * @category testing
 * @since 0.1.0
 */
export const commands = (id: fc.Arbitrary<TicketId> = ticketId) => {
  const reason = fc.oneof(fc.constantFrom("needs tier 2", "outage"), fc.string({ minLength: 1, maxLength: 40 }))
  return {
    OpenTicket: fc
      .record(
        {
          ticketId: id,
          workspaceId,
          publicId,
          messageId,
          subject: fc.oneof(fc.constantFrom("VPN drops every hour", ""), fc.string({ maxLength: 60 })),
          requester: contactId,
          organization: organizationId,
          channel,
          priority,
          type: ticketType,
          status: statusId,
          group: groupId,
          assignee: agentId,
          tags: fc.array(rawTag, { maxLength: 4 }),
          customFields,
          body,
          followUpOf: ticketId
        },
        {
          requiredKeys: [
            "ticketId",
            "workspaceId",
            "publicId",
            "messageId",
            "subject",
            "requester",
            "channel",
            "tags",
            "customFields",
            "body"
          ],
          ...optional
        }
      )
      .map((fields) => new C.OpenTicket(fields)),
    AddReply: fc.record({ ticketId: id, messageId, channel, body }, optional).map((fields) => new C.AddReply(fields)),
    AddNote: fc.record({ ticketId: id, messageId, channel, body }, optional).map((fields) => new C.AddNote(fields)),
    ChangeStatus: fc.record({ ticketId: id, to: statusId }, optional).map((fields) => new C.ChangeStatus(fields)),
    Assign: fc
      .record(
        { ticketId: id, assignee: fc.option(agentId, { nil: null }), group: fc.option(groupId, { nil: null }) },
        { requiredKeys: ["ticketId"], ...optional }
      )
      .map((fields) => new C.Assign(fields)),
    SetPriority: fc.record({ ticketId: id, priority }, optional).map((fields) => new C.SetPriority(fields)),
    SetType: fc.record({ ticketId: id, type: ticketType }, optional).map((fields) => new C.SetType(fields)),
    Escalate: fc
      .record({ ticketId: id, to: supportLevel, reason }, { requiredKeys: ["ticketId", "reason"], ...optional })
      .map((fields) => new C.Escalate(fields)),
    SetCustomField: fc
      .record({ ticketId: id, key: fieldKey, value: fc.option(fieldValue, { nil: null }) }, optional)
      .map((fields) => new C.SetCustomField(fields)),
    ChangeTags: fc
      .record(
        { ticketId: id, add: fc.array(rawTag, { maxLength: 3 }), remove: fc.array(rawTag, { maxLength: 3 }) },
        optional
      )
      .map((fields) => new C.ChangeTags(fields)),
    AddFollower: fc.record({ ticketId: id, follower }, optional).map((fields) => new C.AddFollower(fields)),
    RemoveFollower: fc.record({ ticketId: id, follower }, optional).map((fields) => new C.RemoveFollower(fields)),
    AddLink: fc.record({ ticketId: id, link }, optional).map((fields) => new C.AddLink(fields)),
    Notify: fc
      .record({ ticketId: id, template: notificationTemplate, to: recipients }, optional)
      .map((fields) => new C.Notify(fields)),
    CloseSolved: fc.record({ ticketId: id }, optional).map((fields) => new C.CloseSolved(fields)),
    RecordSla: fc
      .record(
        {
          ticketId: id,
          milestones: fc.array(fc.record({ kind: fc.constantFrom("warning", "breach"), ...slaMilestone }), {
            maxLength: 3
          })
        },
        optional
      )
      .map((fields) => new C.RecordSla(fields)),
    RecordNotifications: fc
      .record(
        {
          ticketId: id,
          outcomes: fc.array(
            fc.record(
              {
                kind: fc.constantFrom("delivered", "failed"),
                ...notificationOutcome,
                reachedAt: dateTime,
                error: fc.constantFrom("timeout", "550 5.1.1 unknown user")
              },
              {
                ...optional,
                requiredKeys: ["kind", "notification", "attempt", "template", "channel", "to", "reachedAt"]
              }
            ),
            { maxLength: 3 }
          )
        },
        optional
      )
      .map((fields) => new C.RecordNotifications(fields)),
    SetComplexity: fc.record({ ticketId: id, complexity }, optional).map((fields) => new C.SetComplexity(fields)),
    RateSatisfaction: fc
      .record(
        { ticketId: id, survey: surveyId, rating, comment: ratingComment },
        { requiredKeys: ["ticketId", "survey", "rating"], ...optional }
      )
      .map((fields) => new C.RateSatisfaction(fields)),
    AnnounceProblemSolved: fc
      .record({ ticketId: id, problem: ticketId, problemPublicId: publicId, language }, optional)
      .map((fields) => new C.AnnounceProblemSolved(fields))
  } satisfies { readonly [K in C.TicketCommand["_tag"]]: fc.Arbitrary<C.TicketCommand> }
}

/**
 * Any command.
 *
 * @category testing
 * @since 0.1.0
 */
export const command = (id: fc.Arbitrary<TicketId> = ticketId): fc.Arbitrary<C.TicketCommand> =>
  fc.oneof(...Object.values(commands(id)))
