/**
 * fast-check arbitraries for the ticketing domain: ids, priorities, channels, messy tags, message
 * bodies, actors, commands and events. Events and commands are built through their schema
 * classes, whose constructors validate, so every generated value is well formed; sequences of
 * events need not make sense (a reply before the opening, a second opening, another ticket's
 * events), which is what `evolve` must take. Pools of ids are small on purpose, so that generated
 * values collide the way real ones do.
 */
import { DateTime } from "effect"
import * as fc from "fast-check"
import * as SlaPolicy from "../sla/SlaPolicy.js"
import { StatusCategory, type StatusId } from "../ticket/Status.js"
import * as C from "../ticket/TicketCommand.js"
import * as E from "../ticket/TicketEvent.js"
import type { Actor, AgentActor, ContactActor, SystemActor } from "../values/Actor.js"
import { Channel } from "../values/Channel.js"
import type { FieldKey, FieldValue } from "../values/CustomField.js"
import type {
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
import { type Link, LinkKind } from "../values/Link.js"
import type { Attachment, Body, EmailIds, Message, Visibility } from "../values/Message.js"
import * as Priority from "../values/Priority.js"
import * as Tag from "../values/Tag.js"
import { type SupportLevel, TicketType } from "../values/TicketType.js"

const optional = { noNullPrototype: true } as const

/** Mostly ids from a small pool (so they collide), sometimes any id the schema accepts. */
const opaqueId = (pool: ReadonlyArray<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,23}$/) }
  )

// -- levels and enumerations ----------------------------------------------------------------------

/**
 * A priority level.
 *
 * @category testing
 * @since 0.1.0
 */
export const priority: fc.Arbitrary<Priority.Priority> = fc.constantFrom(...Priority.levels)

/**
 * A channel.
 *
 * @category testing
 * @since 0.1.0
 */
export const channel: fc.Arbitrary<Channel> = fc.constantFrom(...Channel.literals)

/**
 * A ticket type.
 *
 * @category testing
 * @since 0.1.0
 */
export const ticketType: fc.Arbitrary<TicketType> = fc.constantFrom(...TicketType.literals)

/**
 * A support level.
 *
 * @category testing
 * @since 0.1.0
 */
export const supportLevel: fc.Arbitrary<SupportLevel> = fc.constantFrom(1, 2, 3)

/**
 * A status category.
 *
 * @category testing
 * @since 0.1.0
 */
export const statusCategory: fc.Arbitrary<StatusCategory> = fc.constantFrom(...StatusCategory.literals)

/**
 * A status id: mostly the default statuses and a custom `awaiting_vendor`, sometimes any id the
 * schema accepts (which no workflow declares).
 *
 * @category testing
 * @since 0.1.0
 */
export const statusId: fc.Arbitrary<StatusId> = fc
  .oneof(
    { weight: 5, arbitrary: fc.constantFrom(...StatusCategory.literals, "awaiting_vendor") },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/) }
  )
  .map((s) => s as StatusId)

// -- ids --------------------------------------------------------------------------------------------

/** @category testing @since 0.1.0 */
export const workspaceId: fc.Arbitrary<WorkspaceId> = opaqueId(["acme", "globex"]).map((s) => s as WorkspaceId)
/** @category testing @since 0.1.0 */
export const ticketId: fc.Arbitrary<TicketId> = opaqueId(["tkt_1", "tkt_2", "tkt_3"]).map((s) => s as TicketId)
/** @category testing @since 0.1.0 */
export const messageId: fc.Arbitrary<MessageId> = opaqueId(["msg_1", "msg_2", "msg_3"]).map((s) => s as MessageId)
/** @category testing @since 0.1.0 */
export const contactId: fc.Arbitrary<ContactId> = opaqueId(["jane", "omar", "lee"]).map((s) => s as ContactId)
/** @category testing @since 0.1.0 */
export const agentId: fc.Arbitrary<AgentId> = opaqueId(["mary", "sam", "ivan"]).map((s) => s as AgentId)
/** @category testing @since 0.1.0 */
export const groupId: fc.Arbitrary<GroupId> = opaqueId(["billing", "tier2", "constructor"]).map((s) => s as GroupId)
/** @category testing @since 0.1.0 */
export const organizationId: fc.Arbitrary<OrganizationId> = opaqueId(["acme", "initech"]).map(
  (s) => s as OrganizationId
)

/**
 * A public ticket number, small mostly (so numbers collide), up to the largest one allowed.
 *
 * @category testing
 * @since 0.1.0
 */
export const publicId: fc.Arbitrary<PublicId> = fc
  .oneof(
    { weight: 9, arbitrary: fc.integer({ min: 1, max: 50 }) },
    { weight: 1, arbitrary: fc.constantFrom(69369, Limits.publicIdMax) }
  )
  .map((n) => n as PublicId)

/**
 * An instant between 1970 and 2200, with millisecond precision (what events store).
 *
 * @category testing
 * @since 0.1.0
 */
export const dateTime: fc.Arbitrary<DateTime.Utc> = fc
  .integer({ min: 0, max: Date.UTC(2200, 0, 1) })
  .map((millis) => DateTime.makeUnsafe(millis))

// -- tags ---------------------------------------------------------------------------------------

/** The fields of an SLA warning or breach. */
const slaMilestone = {
  metric: fc.constantFrom(...SlaPolicy.metrics),
  instance: fc.integer({ min: 1, max: 5 }),
  policy: fc.constantFrom("standard", "premium"),
  reachedAt: dateTime
}

/**
 * A tag as people type it: case, inner and outer spaces, commas, underscores, accents, scripts
 * without case, emoji, lone surrogates, overlong ones, and some that normalise to nothing.
 *
 * @category testing
 * @since 0.1.0
 */
export const rawTag: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "billing",
      "Billing",
      " billing ",
      "BILLING",
      "vpn issue",
      "VPN  Issue",
      "vpn_issue",
      "vpn,issue",
      "Été",
      "été",
      "İstanbul",
      "Straße",
      "日本語",
      "🎉 launch",
      "tab\tseparated",
      "new\nline",
      "__urgent__",
      "",
      "   ",
      ",",
      "x".repeat(150)
    )
  },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.mixedCase(fc.string({ maxLength: 16 })) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) }
)

/**
 * A normalised, non-empty tag.
 *
 * @category testing
 * @since 0.1.0
 */
export const tag: fc.Arbitrary<Tag.Tag> = rawTag
  .map((raw) => Tag.normalize(raw))
  .filter((t) => t.length > 0)
  .map((t) => t as Tag.Tag)

// -- custom fields ---------------------------------------------------------------------------------

/**
 * A custom field key: the ones the examples declare, or any key the schema accepts.
 *
 * @category testing
 * @since 0.1.0
 */
export const fieldKey: fc.Arbitrary<FieldKey> = fc
  .oneof(
    // `constructor` is a valid key that Object.prototype has too: lookups must use own keys.
    { weight: 3, arbitrary: fc.constantFrom("plan", "order_number", "vip", "due_date", "constructor") },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/) }
  )
  .map((k) => k as FieldKey)

/**
 * A custom field value: text, a finite number or a boolean. No `-0`: values are JSON scalars and
 * JSON has no negative zero, so a store gives back `0` (which `===` equals).
 *
 * @category testing
 * @since 0.1.0
 */
export const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constantFrom("free", "pro", "enterprise", "2026-03-09", ""),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean()
)

/**
 * A record of custom field values.
 *
 * @category testing
 * @since 0.1.0
 */
export const customFields: fc.Arbitrary<Record<FieldKey, FieldValue>> = fc.dictionary(fieldKey, fieldValue, {
  maxKeys: 3,
  noNullPrototype: true
})

// -- messages ----------------------------------------------------------------------------------

/**
 * The text of a message: plain, accented, emoji, markup, whitespace only or empty (which
 * `decide` refuses), long, and arbitrary UTF-16 (lone surrogates included).
 *
 * @category testing
 * @since 0.1.0
 */
export const messageText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "Hi, the VPN drops every hour since Monday.",
      "Merci ! Ça marche 👍",
      "<b>not html</b> & more",
      "Re: Re: [#69369] invoice",
      "",
      "   ",
      "\n\t"
    )
  },
  { weight: 2, arbitrary: fc.lorem({ maxCount: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.constant("long line ".repeat(300)) }
)

const emailMessageId = fc.stringMatching(/^<[a-z0-9.]{1,12}@example\.com>$/)

/**
 * The email ids of a message.
 *
 * @category testing
 * @since 0.1.0
 */
export const emailIds: fc.Arbitrary<EmailIds> = fc.record(
  {
    messageId: emailMessageId,
    inReplyTo: emailMessageId,
    references: fc.array(emailMessageId, { maxLength: 3 })
  },
  { requiredKeys: ["messageId", "references"], ...optional }
)

/**
 * Metadata of an attachment.
 *
 * @category testing
 * @since 0.1.0
 */
export const attachment: fc.Arbitrary<Attachment> = fc.record(
  {
    fileName: fc.oneof(
      fc.constantFrom("invoice.pdf", "screenshot.png", "löwe.txt"),
      fc.string({ minLength: 1, maxLength: 40 })
    ),
    contentType: fc.constantFrom("application/pdf", "image/png", "text/plain", "message/rfc822"),
    size: fc.nat(),
    location: fc.constantFrom("s3://tessera/a1", "https://files.example.com/a1"),
    contentId: fc.constantFrom("img1@example.com", "logo")
  },
  { requiredKeys: ["fileName", "contentType", "size"], ...optional }
)

/**
 * A message body: text, and sometimes HTML, attachments and email ids.
 *
 * @category testing
 * @since 0.1.0
 */
export const body: fc.Arbitrary<Body> = fc.record(
  {
    text: messageText,
    html: fc.constantFrom("<p>Hi</p>", "", "<p>Ça <b>marche</b></p>"),
    attachments: fc.array(attachment, { maxLength: 2 }),
    email: emailIds
  },
  { requiredKeys: ["text", "attachments"], ...optional }
)

// -- actors ----------------------------------------------------------------------------------

/** @category testing @since 0.1.0 */
export const agentActor: fc.Arbitrary<AgentActor> = agentId.map((id) => ({ _tag: "agent" as const, id }))
/** @category testing @since 0.1.0 */
export const contactActor: fc.Arbitrary<ContactActor> = contactId.map((id) => ({ _tag: "contact" as const, id }))
/** @category testing @since 0.1.0 */
export const systemActor: fc.Arbitrary<SystemActor> = fc
  .constantFrom("close-solved", "rule:vip", "intake", "follow-up")
  .map((reason) => ({ _tag: "system" as const, reason }))

/**
 * Anyone who can act: an agent, a contact or the system.
 *
 * @category testing
 * @since 0.1.0
 */
export const actor: fc.Arbitrary<Actor> = fc.oneof(agentActor, contactActor, systemActor)

/**
 * Someone who can follow a ticket: an agent or a contact.
 *
 * @category testing
 * @since 0.1.0
 */
export const follower: fc.Arbitrary<E.Follower> = fc.oneof(agentActor, contactActor)

/**
 * One message of a conversation; its visibility is random unless given.
 *
 * @category testing
 * @since 0.1.0
 */
export const message = (visibility?: Visibility): fc.Arbitrary<Message> =>
  fc
    .tuple(
      messageId,
      visibility === undefined ? fc.constantFrom<Visibility>("public", "internal") : fc.constant(visibility),
      actor,
      channel,
      dateTime,
      body
    )
    .map(([id, visibility, author, channel, at, body]) => ({ id, visibility, author, channel, at, ...body }))

const origin = fc.record({ ticketId, publicId })

/** A message that a merge or split moved here, with its origin. */
const movedMessage: fc.Arbitrary<Message> = fc.tuple(message(), origin).map(([m, origin]) => ({ ...m, origin }))

/**
 * A link to another ticket.
 *
 * @category testing
 * @since 0.1.0
 */
export const link: fc.Arbitrary<Link> = fc.record(
  { kind: fc.constantFrom<LinkKind>(...LinkKind.literals), ticketId },
  optional
)

const notificationTemplate = fc.constantFrom("ticket_escalated", "reminder")
const recipients = fc.uniqueArray(fc.constantFrom("requester", "assignee", "agent:mary", "ops@example.com"), {
  minLength: 1,
  maxLength: 3
})

// -- events ----------------------------------------------------------------------------------

const envelope = (id: fc.Arbitrary<TicketId>) => ({ ticketId: id, at: dateTime, by: actor })

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
    NoteAdded: fc.record({ ...base, message: message("internal") }, optional).map((fields) => new E.NoteAdded(fields)),
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
      .map((fields) => new E.RulesFailed(fields))
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

// -- commands ----------------------------------------------------------------------------------

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
      .map((fields) => new C.RecordSla(fields))
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

// -- hostile input -------------------------------------------------------------------------------

/**
 * Fragments that break naive quoting: SQL string and identifier quotes, comments, statement
 * separators and injections, `LIKE` wildcards and escapes, placeholders, the query syntax of
 * SQLite FTS5 and PostgreSQL `tsquery`, and unicode a byte-minded store gets wrong (combining
 * marks, ligatures, case mappings that change length, right-to-left text and controls, emoji
 * sequences). No NUL: no text column holds one.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileFragments: ReadonlyArray<string> = [
  "'",
  "''",
  '"',
  "`",
  ";",
  "--",
  "/*",
  "*/",
  "%",
  "_",
  "\\",
  "\\'",
  "\\%",
  "' OR 1=1 --",
  "' OR '1'='1",
  '" OR ""="',
  "'); DROP TABLE tickets; --",
  "); DROP TABLE tickets; --",
  "1; DELETE FROM events",
  "$1",
  "?",
  ":name",
  "%s",
  "NULL",
  "*",
  "^",
  '"vpn"',
  "vpn*",
  "NEAR(vpn drops)",
  "AND",
  "OR",
  "NOT",
  "-vpn",
  "+vpn",
  "vpn:*",
  "&",
  "|",
  "!",
  "<->",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  "Ça",
  "É",
  "e\u0301",
  "ﬁx",
  "İ",
  "ß",
  "日本語",
  "עברית",
  "مرحبا",
  "\u202E",
  "\u200B",
  "\uFEFF",
  "👍",
  "👍🏽",
  "👨‍👩‍👧",
  "🇫🇷",
  "\u0301",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
  " ",
  "\t",
  "\n",
  "\r\n"
]

/** At most `max` UTF-16 units of `text`, cut between code points. */
const cutTo = (text: string, max: number): string => {
  let out = ""
  for (const c of text) {
    if (out.length + c.length > max) break
    out += c
  }
  return out
}

/**
 * Hostile text of at most `maxLength` UTF-16 units: fragments, words a store holds, and random
 * graphemes, run together or spaced.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...hostileFragments) },
          { weight: 2, arbitrary: fc.constantFrom("vpn", "drops", "invoice", "table", "tickets", "merci", "ça") },
          { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) }
        ),
        { maxLength: 8 }
      ),
      fc.constantFrom("", " ", "  ")
    )
    .map(([parts, separator]) => cutTo(parts.join(separator).replaceAll("\u0000", ""), maxLength))

/**
 * Hostile text of exactly `length` UTF-16 units (a schema's maximum, or just under it): hostile
 * fragments repeated, padded with quotes.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileTextOfLength = (length: number): fc.Arbitrary<string> =>
  hostileText(40).map((seed) => {
    const unit = seed.length > 0 ? seed : "' OR 1=1 --"
    const cut = cutTo(unit.repeat(Math.ceil(length / unit.length) + 1), length)
    return cut + "'".repeat(length - cut.length)
  })

/**
 * A hostile string for a free-text filter of at most `maxLength` units: short ones mostly,
 * sometimes one at the maximum or just under it.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileString = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileText(maxLength) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(maxLength, maxLength - 1, maxLength - 2).chain((n) => hostileTextOfLength(n))
    }
  )

/**
 * An id the schemas accept (`[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}`) that is awkward all the same:
 * comment and wildcard look-alikes, case twins, the longest allowed.
 *
 * @category testing
 * @since 0.1.0
 */
export const edgyId: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "a--b",
      "x--",
      "a.b:c",
      "Q_1",
      "a__",
      "0",
      "A",
      "mary",
      "MARY",
      "Mary",
      "jane",
      "a".repeat(128),
      "z-".repeat(64),
      "1e3",
      "0x1F",
      "null",
      "NULL",
      "true"
    )
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/) }
)
