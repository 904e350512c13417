/**
 * The people around tickets: contacts (customers) and their organizations, agents and the
 * groups they work in. These are records, not event streams: a ticket refers to them by id and
 * the `Helpdesk` checks those references before a command is decided.
 */
import { DateTime, Option, Schema } from "effect"
import { AgentId, ContactId, GroupId, OrganizationId, WorkspaceId } from "../values/Ids.js"
import { Tier } from "../values/Tier.js"

/**
 * An email address, stored lowercase.
 *
 * @category models
 * @since 0.1.0
 */
export const Email = Schema.String.check(
  Schema.isMaxLength(254),
  // Control characters (NUL above all) are never part of an address, and PostgreSQL text cannot hold NUL.
  Schema.isPattern(/^\P{Cc}*$/u, { message: "Expected an email address without control characters" }),
  Schema.isPattern(/^[^@\s<>(),;:"[\]]+@[^@\s<>(),;:"[\]]+\.[^@\s<>(),;:"[\]]+$/, {
    message: "Expected an email address"
  })
).pipe(Schema.brand("Email"))
/** @category models @since 0.1.0 */
export type Email = typeof Email.Type

export { Tier } from "../values/Tier.js"

/**
 * A language tag (BCP 47: `en`, `fr`, `pt-BR`, `zh-Hant-TW`): the language mail to a person is
 * written in.
 *
 * @category models
 * @since 0.1.0
 */
export const Language = Schema.String.check(
  Schema.isMaxLength(35),
  Schema.isPattern(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, { message: "Expected a language tag such as en or pt-BR" })
)
/** @category models @since 0.1.0 */
export type Language = typeof Language.Type

// Names already checked: a contact read back from a store is decoded on every read, and building
// the zone (an Intl formatter) costs more than the rest of its decoding.
const knownZones = new Set<string>()
const isZone = (name: string): boolean => {
  if (knownZones.has(name)) return true
  if (Option.isNone(DateTime.zoneMakeNamed(name))) return false
  if (knownZones.size < 1_000) knownZones.add(name)
  return true
}

/**
 * An IANA time zone name (`Europe/Paris`, `America/New_York`, `UTC`): the zone dates in mail to a
 * person are written in.
 *
 * @category models
 * @since 0.1.0
 */
export const TimeZone = Schema.String.check(
  Schema.isMaxLength(64),
  Schema.makeFilter((name: string) =>
    isZone(name) ? undefined : `Expected an IANA time zone such as Europe/Paris, got ${JSON.stringify(name)}`
  )
)
/** @category models @since 0.1.0 */
export type TimeZone = typeof TimeZone.Type

/**
 * A customer organization; when `sharedTickets` is on, its members see each other's tickets.
 *
 * @category models
 * @since 0.1.0
 */
export const Organization = Schema.Struct({
  id: OrganizationId,
  workspaceId: WorkspaceId,
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(255)),
  domains: Schema.Array(Schema.String),
  tier: Schema.optionalKey(Tier),
  sharedTickets: Schema.Boolean
})
/** @category models @since 0.1.0 */
export type Organization = typeof Organization.Type

/**
 * A contact: someone who asks for help (a requester) or is copied on a ticket.
 *
 * @category models
 * @since 0.1.0
 */
export const Contact = Schema.Struct({
  id: ContactId,
  workspaceId: WorkspaceId,
  name: Schema.String.check(Schema.isMaxLength(255)),
  emails: Schema.Array(Email),
  phones: Schema.Array(
    Schema.String.check(
      Schema.isPattern(/^\+?[0-9 ().-]{3,32}$/, {
        message: "Expected a phone number of 3 to 32 digits, spaces, '(', ')', '.' or '-', with an optional leading '+'"
      })
    )
  ),
  /** Ids of the same person in other systems (CRM, billing): `{ billing: "CUS-4471" }`. */
  externalIds: Schema.Record(Schema.String, Schema.String),
  organization: Schema.optionalKey(OrganizationId),
  tier: Schema.optionalKey(Tier),
  /** The language mail to this contact is written in (notifications pick their template by it). */
  language: Schema.optionalKey(Language),
  /** The time zone dates in mail to this contact are written in. */
  timeZone: Schema.optionalKey(TimeZone)
})
/** @category models @since 0.1.0 */
export type Contact = typeof Contact.Type

/**
 * A member of the support team.
 *
 * @category models
 * @since 0.1.0
 */
export const Agent = Schema.Struct({
  id: AgentId,
  workspaceId: WorkspaceId,
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(255)),
  email: Email,
  groups: Schema.Array(GroupId),
  skills: Schema.Array(Schema.String),
  /** Deactivated agents keep their history but cannot be assigned. */
  active: Schema.Boolean,
  /**
   * What the agent may do (see `AgentRole`); absent is `agent`, what every agent could do
   * before roles existed.
   */
  role: Schema.optionalKey(Schema.Literals(["light", "agent", "admin"])),
  /**
   * Which tickets the agent sees: `all` (absent: every ticket but those of restricted groups
   * they are not in) or `groups` (only the tickets of their groups, and those assigned to them).
   */
  scope: Schema.optionalKey(Schema.Literals(["all", "groups"]))
})
/** @category models @since 0.1.0 */
export type Agent = typeof Agent.Type

/**
 * A group of agents that tickets are routed to.
 *
 * @category models
 * @since 0.1.0
 */
export const Group = Schema.Struct({
  id: GroupId,
  workspaceId: WorkspaceId,
  name: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(255)),
  /**
   * Whether the group's tickets (account, billing) are seen only by its members and admins,
   * whatever the other agents' scope.
   */
  restricted: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export type Group = typeof Group.Type

/**
 * What an agent may do: a `light` agent reads the tickets in their scope and adds internal notes,
 * nothing else; an `agent` works tickets; an `admin` also sees the tickets of restricted groups.
 *
 * @category models
 * @since 0.1.0
 */
export type AgentRole = NonNullable<Agent["role"]>

/**
 * Normalises an email address for lookups: trimmed and lowercase.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalizeEmail = (raw: string): string => raw.trim().toLowerCase()
