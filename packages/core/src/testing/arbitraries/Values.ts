/**
 * Arbitraries of the domain's values: levels and enumerations, ids, instants, messy tags, custom
 * fields, message bodies and messages, actors and links. Part of `Arbitraries`, which re-exports
 * it; events and commands built from these values are in `Events` and `Commands`.
 */
import { DateTime } from "effect"
import * as fc from "fast-check"
import { StatusCategory, type StatusId } from "../../ticket/Status.js"
import type * as E from "../../ticket/TicketEvent.js"
import type { Actor, AgentActor, ContactActor, SystemActor } from "../../values/Actor.js"
import { Channel } from "../../values/Channel.js"
import type { FieldKey, FieldValue } from "../../values/CustomField.js"
import type {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketId,
  WorkspaceId
} from "../../values/Ids.js"
import * as Limits from "../../values/Limits.js"
import { type Link, LinkKind } from "../../values/Link.js"
import type { Attachment, Body, EmailIds, Message, Visibility } from "../../values/Message.js"
import * as Priority from "../../values/Priority.js"
import * as Tag from "../../values/Tag.js"
import { type SupportLevel, TicketType } from "../../values/TicketType.js"
import { opaqueId, optional } from "./base.js"

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
    references: fc.array(emailMessageId, { maxLength: 3 }),
    automated: fc.boolean()
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
