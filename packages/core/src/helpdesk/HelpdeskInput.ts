/**
 * The inputs of the `Helpdesk`'s operations, as Schemas: what an application (or a JSON API in
 * front of it) sends. They are decoded strictly before anything else happens, so a malformed
 * call fails with `InvalidInput` listing every problem with its path.
 */
import { DateTime, Effect, Option, Schema, SchemaIssue, SchemaTransformation } from "effect"
import { Email, Language, Tier, TimeZone } from "../directory/Directory.js"
import { boundedArray, boundedRecord } from "../internal/bounded.js"
import type { TicketQuery } from "../query/TicketQuery.js"
import * as Report from "../reporting/Report.js"
import { StatusId, Workflow } from "../ticket/Status.js"
import { Follower } from "../ticket/TicketEvent.js"
import { Actor } from "../values/Actor.js"
import { Channel } from "../values/Channel.js"
import { Complexity } from "../values/Complexity.js"
import { FieldDefinition, FieldKey } from "../values/CustomField.js"
import {
  AgentId,
  ContactId,
  GroupId,
  MessageId,
  OrganizationId,
  PublicId,
  TicketRef,
  WorkspaceId
} from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import { ManualLinkKind } from "../values/Link.js"
import { Attachments, EmailIds } from "../values/Message.js"
import { Priority } from "../values/Priority.js"
import { Comment, Rating } from "../values/Satisfaction.js"
import { SupportLevel, TicketType } from "../values/TicketType.js"
import type { PageRequest } from "./Conversation.js"

/**
 * A `Helpdesk`'s configuration: its workspace, workflow and custom fields (at most
 * `Limits.customFieldsPerWorkspace`).
 *
 * @category models
 * @since 0.1.0
 */
export const Config = Schema.Struct({
  workspaceId: WorkspaceId,
  workflow: Schema.optionalKey(Workflow),
  customFields: Schema.optionalKey(boundedArray(FieldDefinition, Limits.customFieldsPerWorkspace)),
  /**
   * How many times a command is decided again after a concurrent write (default 50). Within one
   * `Helpdesk` instance, commands on the same ticket run one at a time, in arrival order
   * (`TicketLocks`): they wait for each other instead of conflicting, so however many writers of
   * one process share a hot ticket, none of them uses up its attempts. Only writers elsewhere
   * (other processes, other instances on the same store) can make a command decide again; each
   * instance has at most one command in flight per ticket, and a command without
   * `expectedVersion` fails with `VersionConflict` only after losing to them `maxAttempts` times
   * in a row. A command with `expectedVersion` is never decided again. Between attempts it waits
   * a little, in real time: from 1 ms, doubling, jittered, at most 50 ms (the `Retry` policy).
   */
  maxAttempts: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))),
  /**
   * How many tickets each `Helpdesk` instance remembers (default 1000; 0 turns it off): the
   * folded state and version of the tickets it most recently loaded or wrote, least recently
   * used forgotten first. A command on a remembered ticket is decided without reading the
   * store. The cache is per instance and never shared, and it is safe when several processes
   * write the same tickets: appends are optimistic, so a stale entry costs one version
   * conflict and a fresh reload, never a lost update; and a command that would do nothing
   * or be refused on a remembered state is decided again on fresh state before it answers.
   */
  stateCacheSize: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  /**
   * Whether solving a problem ticket solves its incidents too (default true), as each incident's
   * own command by the system; an incident that cannot move to solved (closed, or a workflow
   * that forbids it) stays as it is.
   */
  solveIncidents: Schema.optionalKey(Schema.Boolean),
  /**
   * How long (ms) an actor found in the directory (an active agent, a contact) counts as found
   * for this instance's next commands (default 1000; 0 reads the directory every time). Saving the
   * agent or contact through this instance forgets it at once; on other instances, an agent
   * deactivated elsewhere may still act for up to this long.
   */
  actorCheckMillis: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60_000 })))
})
/** @category models @since 0.1.0 */
export type Config = typeof Config.Type

const text = Schema.String.check(Schema.isMaxLength(Limits.textLength))

/** A subject: at most `Limits.subjectLength` characters, and more than spaces. */
const subject = Schema.String.check(
  Schema.isPattern(/\S/, { message: "Expected a subject with a character other than spaces" }),
  Schema.isMaxLength(Limits.subjectLength)
)

/**
 * A message's body: text, HTML, attachments, each optional here. A body with none of them (or
 * only whitespace and HTML that sanitises to nothing) is refused by the command with
 * `EmptyMessage`, the same for `open`, `reply` and `note`.
 */
const body = {
  text: Schema.optionalKey(text),
  html: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(Limits.htmlLength))),
  attachments: Schema.optionalKey(Attachments),
  email: Schema.optionalKey(EmailIds)
}

/** Raw tags as callers write them: at most `Limits.tagsPerTicket`, each of `Limits.tagLength`. */
const rawTags = boundedArray(Schema.String.check(Schema.isMaxLength(Limits.tagLength)), Limits.tagsPerTicket)

/** A custom field's value as an input gives it: a text at most `Limits.fieldValueLength` long. */
const fieldValue = Schema.Union([
  Schema.String.check(Schema.isMaxLength(Limits.fieldValueLength)),
  Schema.Finite,
  Schema.Boolean
])

/** A name (or a directory list's value), at most `Limits.nameLength` characters. */
const name = Schema.String.check(Schema.isMaxLength(Limits.nameLength))

/** A directory record's list: at most `Limits.directoryListLength` entries. */
const directoryList = <S extends Schema.Top>(item: S) => boundedArray(item, Limits.directoryListLength)

const onTicket = {
  ticket: TicketRef,
  by: Actor,
  /** When given, the command is refused with `VersionConflict` unless the ticket is at this version. */
  expectedVersion: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)))
}

/**
 * Who asks: an existing contact by id, or by email (created when unknown).
 *
 * @category models
 * @since 0.1.0
 */
export const RequesterInput = Schema.Union([
  Schema.Struct({ id: ContactId }),
  Schema.Struct({ email: Email, name: Schema.optionalKey(name) })
])
/** @category models @since 0.1.0 */
export type RequesterInput = typeof RequesterInput.Type

/**
 * Open a ticket. `by` defaults to the requester; an agent may open on a customer's behalf.
 *
 * @category models
 * @since 0.1.0
 */
export const OpenInput = Schema.Struct({
  requester: RequesterInput,
  by: Schema.optionalKey(Actor),
  subject,
  ...body,
  channel: Channel,
  priority: Schema.optionalKey(Priority),
  type: Schema.optionalKey(TicketType),
  status: Schema.optionalKey(StatusId),
  group: Schema.optionalKey(GroupId),
  assignee: Schema.optionalKey(AgentId),
  tags: Schema.optionalKey(rawTags),
  customFields: Schema.optionalKey(boundedRecord(FieldKey, fieldValue, Limits.customFieldsPerWorkspace)),
  /** A number chosen by hand (for imports); by default the workspace's sequence gives one. */
  publicId: Schema.optionalKey(PublicId)
})
/** @category models @since 0.1.0 */
export interface OpenInput extends Schema.Codec.Encoded<typeof OpenInput> {}

/**
 * A public reply or an internal note.
 *
 * @category models
 * @since 0.1.0
 */
export const MessageInput = Schema.Struct({ ...onTicket, ...body, channel: Schema.optionalKey(Channel) })
/** @category models @since 0.1.0 */
export interface MessageInput extends Schema.Codec.Encoded<typeof MessageInput> {}

/** @category models @since 0.1.0 */
export const StatusInput = Schema.Struct({ ...onTicket, status: StatusId })
/** @category models @since 0.1.0 */
export interface StatusInput extends Schema.Codec.Encoded<typeof StatusInput> {}

/** @category models @since 0.1.0 */
export const AssignInput = Schema.Struct({
  ...onTicket,
  assignee: Schema.optionalKey(Schema.NullOr(AgentId)),
  group: Schema.optionalKey(Schema.NullOr(GroupId))
})
/** @category models @since 0.1.0 */
export interface AssignInput extends Schema.Codec.Encoded<typeof AssignInput> {}

/** @category models @since 0.1.0 */
export const PriorityInput = Schema.Struct({ ...onTicket, priority: Priority })
/** @category models @since 0.1.0 */
export interface PriorityInput extends Schema.Codec.Encoded<typeof PriorityInput> {}

/** @category models @since 0.1.0 */
export const TypeInput = Schema.Struct({ ...onTicket, type: TicketType })
/** @category models @since 0.1.0 */
export interface TypeInput extends Schema.Codec.Encoded<typeof TypeInput> {}

/** @category models @since 0.1.0 */
export const ComplexityInput = Schema.Struct({ ...onTicket, complexity: Complexity })
/** @category models @since 0.1.0 */
export interface ComplexityInput extends Schema.Codec.Encoded<typeof ComplexityInput> {}

/**
 * A customer's answer to a satisfaction survey: the token of their survey link (checked by the
 * help desk's `Options.surveys`), the rating and an optional comment. The token says who rates
 * which ticket; there is no `by`.
 *
 * @category models
 * @since 0.1.0
 */
export const RateInput = Schema.Struct({
  token: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(4096)),
  rating: Rating,
  comment: Schema.optionalKey(Comment)
})
/** @category models @since 0.1.0 */
export interface RateInput extends Schema.Codec.Encoded<typeof RateInput> {}

/**
 * The most incidents one `openProblem` call links.
 *
 * @category models
 * @since 0.1.0
 */
export const incidentsPerProblem = 1000

/**
 * Open a problem ticket for some incidents (a recurring problem's tickets, say) and link them to
 * it. `requester` defaults to the first incident's, who then sees the problem ticket (its opening
 * text is public) as theirs: give your team's own contact (`{ email: "billing@acme.test" }`) to
 * keep it internal. `channel` defaults to `web`.
 *
 * @category models
 * @since 0.1.0
 */
export const ProblemInput = Schema.Struct({
  by: Actor,
  incidents: boundedArray(TicketRef, incidentsPerProblem).check(Schema.isMinLength(1)),
  subject,
  ...body,
  requester: Schema.optionalKey(RequesterInput),
  channel: Schema.optionalKey(Channel),
  priority: Schema.optionalKey(Priority),
  group: Schema.optionalKey(GroupId),
  assignee: Schema.optionalKey(AgentId),
  tags: Schema.optionalKey(rawTags)
})
/** @category models @since 0.1.0 */
export interface ProblemInput extends Schema.Codec.Encoded<typeof ProblemInput> {}

/** @category models @since 0.1.0 */
export const EscalateInput = Schema.Struct({
  ...onTicket,
  to: Schema.optionalKey(SupportLevel),
  reason: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(Limits.reasonLength))
})
/** @category models @since 0.1.0 */
export interface EscalateInput extends Schema.Codec.Encoded<typeof EscalateInput> {}

/** @category models @since 0.1.0 */
export const CustomFieldInput = Schema.Struct({ ...onTicket, key: FieldKey, value: Schema.NullOr(fieldValue) })
/** @category models @since 0.1.0 */
export interface CustomFieldInput extends Schema.Codec.Encoded<typeof CustomFieldInput> {}

/**
 * Add and remove tags: each list at most `Limits.tagsPerTicket` tags of `Limits.tagLength`.
 *
 * @category models
 * @since 0.1.0
 */
export const TagsInput = Schema.Struct({
  ...onTicket,
  add: Schema.optionalKey(rawTags),
  remove: Schema.optionalKey(rawTags)
})
/** @category models @since 0.1.0 */
export interface TagsInput extends Schema.Codec.Encoded<typeof TagsInput> {}

/** @category models @since 0.1.0 */
export const FollowerInput = Schema.Struct({ ...onTicket, follower: Follower })
/** @category models @since 0.1.0 */
export interface FollowerInput extends Schema.Codec.Encoded<typeof FollowerInput> {}

/**
 * Link a ticket to another: `to` is `ticket`'s `kind` (`{ kind: "parent", to: 1 }`: ticket 1 is
 * the parent). Recorded on both tickets.
 *
 * @category models
 * @since 0.1.0
 */
export const LinkInput = Schema.Struct({ ...onTicket, to: TicketRef, kind: ManualLinkKind })
/** @category models @since 0.1.0 */
export interface LinkInput extends Schema.Codec.Encoded<typeof LinkInput> {}

/**
 * Merge `sources` into `target` (at most 50 at once).
 *
 * @category models
 * @since 0.1.0
 */
export const MergeInput = Schema.Struct({
  target: TicketRef,
  sources: Schema.Array(TicketRef).check(Schema.isMinLength(1), Schema.isMaxLength(Limits.sourcesPerMerge)),
  by: Actor
})
/** @category models @since 0.1.0 */
export interface MergeInput extends Schema.Codec.Encoded<typeof MergeInput> {}

/**
 * Undo the merge of `source` into `target`.
 *
 * @category models
 * @since 0.1.0
 */
export const UndoMergeInput = Schema.Struct({ target: TicketRef, source: TicketRef, by: Actor })
/** @category models @since 0.1.0 */
export interface UndoMergeInput extends Schema.Codec.Encoded<typeof UndoMergeInput> {}

/**
 * Move chosen messages of a ticket into a new ticket (its subject defaults to the ticket's): at
 * most `Limits.messagesPerSplit` of them.
 *
 * @category models
 * @since 0.1.0
 */
export const SplitInput = Schema.Struct({
  ...onTicket,
  messages: boundedArray(MessageId, Limits.messagesPerSplit).check(Schema.isMinLength(1)),
  subject: Schema.optionalKey(subject)
})
/** @category models @since 0.1.0 */
export interface SplitInput extends Schema.Codec.Encoded<typeof SplitInput> {}

/**
 * Ask for tickets that are likely the same issue as `ticket` (see `Duplicates.suggest`).
 *
 * @category models
 * @since 0.1.0
 */
export const DuplicatesInput = Schema.Struct({
  ticket: TicketRef,
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: Limits.suggestionsPerRequest }))),
  /** How far apart in time two reports may be (default 14). */
  windowDays: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 365 })))
})
/** @category models @since 0.1.0 */
export interface DuplicatesInput extends Schema.Codec.Encoded<typeof DuplicatesInput> {}

/**
 * A contact to create (no `id`) or replace. Its lists hold at most `Limits.directoryListLength`
 * entries each.
 *
 * @category models
 * @since 0.1.0
 */
export const ContactInput = Schema.Struct({
  id: Schema.optionalKey(ContactId),
  name,
  emails: Schema.optionalKey(directoryList(Email)),
  phones: Schema.optionalKey(directoryList(name)),
  externalIds: Schema.optionalKey(boundedRecord(name, name, Limits.directoryListLength)),
  organization: Schema.optionalKey(OrganizationId),
  tier: Schema.optionalKey(Tier),
  language: Schema.optionalKey(Language),
  timeZone: Schema.optionalKey(TimeZone)
})
/** @category models @since 0.1.0 */
export interface ContactInput extends Schema.Codec.Encoded<typeof ContactInput> {}

/** @category models @since 0.1.0 */
export const OrganizationInput = Schema.Struct({
  id: Schema.optionalKey(OrganizationId),
  name,
  domains: Schema.optionalKey(directoryList(name)),
  tier: Schema.optionalKey(Tier),
  sharedTickets: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export interface OrganizationInput extends Schema.Codec.Encoded<typeof OrganizationInput> {}

/** @category models @since 0.1.0 */
export const AgentInput = Schema.Struct({
  id: Schema.optionalKey(AgentId),
  name,
  email: Email,
  groups: Schema.optionalKey(directoryList(GroupId)),
  skills: Schema.optionalKey(directoryList(name)),
  active: Schema.optionalKey(Schema.Boolean),
  /** `light`, `agent` (the default) or `admin` (see `Directory.AgentRole`). */
  role: Schema.optionalKey(Schema.Literals(["light", "agent", "admin"])),
  /** `all` (the default) or `groups`: only the tickets of the agent's groups and their own. */
  scope: Schema.optionalKey(Schema.Literals(["all", "groups"]))
})
/** @category models @since 0.1.0 */
export interface AgentInput extends Schema.Codec.Encoded<typeof AgentInput> {}

/** @category models @since 0.1.0 */
export const GroupInput = Schema.Struct({
  id: Schema.optionalKey(GroupId),
  name,
  /** Whether only members (and admins) see the group's tickets. */
  restricted: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export interface GroupInput extends Schema.Codec.Encoded<typeof GroupInput> {}

/**
 * A query for `list`, as callers write it (see `TicketQuery.TicketQuery`): filters, search, sort,
 * page size and cursor, each optional.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketQueryInput extends Schema.Codec.Encoded<typeof TicketQuery> {}

/**
 * What `messages` reads (see `Conversation.PageRequest`): `limit` messages (1 to 500, default
 * 50) from the first on (`asc`, the default) or from the latest back (`desc`), after the page
 * whose `nextCursor` is `cursor`.
 *
 * @category models
 * @since 0.1.0
 */
export interface MessagePageInput extends Schema.Codec.Encoded<typeof PageRequest> {}

/** An instant as callers give it: an ISO 8601 string or a `Date`; anything else is one problem. */
const Instant = Schema.Union([Schema.String, Schema.Date]).pipe(
  Schema.decodeTo(
    Schema.DateTimeUtc,
    SchemaTransformation.transformEffect<DateTime.Utc, string | Date>({
      decode: (input, options) =>
        Option.match(DateTime.make(input), {
          onNone: () =>
            Effect.fail(
              new SchemaIssue.InvalidValue(
                { message: "Expected an ISO 8601 date-time string or a valid Date" },
                input,
                options
              )
            ),
          onSome: (instant) => Effect.succeed(DateTime.toUtc(instant))
        }),
      encode: (utc) => Effect.succeed(DateTime.formatIso(utc))
    })
  )
)

/**
 * What `report` reports on (see `Report.make`): the tickets of the period `[from, to)` (each an
 * ISO 8601 string or a `Date`), broken down by the dimensions in `by`, with business time counted
 * in the configured SLA calendar named `calendar` (see `Reports.calendarOf` for the default).
 *
 * @category models
 * @since 0.1.0
 */
export const ReportInput = Schema.Struct({
  from: Instant,
  to: Instant,
  by: Schema.optionalKey(Schema.Array(Schema.Literals(Report.dimensions))),
  calendar: Schema.optionalKey(Schema.String)
})
/** @category models @since 0.1.0 */
export interface ReportInput extends Schema.Codec.Encoded<typeof ReportInput> {}
