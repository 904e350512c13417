/**
 * A ticket's state and `evolve`, the fold of its events. The state is a plain, readonly value
 * described by a Schema (so it can be encoded to JSON for APIs); `evolve` is total: it never
 * fails, and an event that does not apply (anything before `TicketOpened`) leaves the state as
 * it is. Deciding what may happen is `decide`'s job.
 */
import { DateTime, Schema } from "effect"
import type * as Actor from "../values/Actor.js"
import { Channel } from "../values/Channel.js"
import { Complexity } from "../values/Complexity.js"
import { FieldKey, FieldValue } from "../values/CustomField.js"
import { AgentId, ContactId, GroupId, OrganizationId, PublicId, TicketId, WorkspaceId } from "../values/Ids.js"
import { Link } from "../values/Link.js"
import { isPublic, Message } from "../values/Message.js"
import { Priority } from "../values/Priority.js"
import { Comment, Rating, SurveyId, type Verdict, verdict } from "../values/Satisfaction.js"
import { Tag } from "../values/Tag.js"
import { SupportLevel, TicketType } from "../values/TicketType.js"
import { StatusCategory, StatusId } from "./Status.js"
import { Follower, MergeRecord, type TicketEvent } from "./TicketEvent.js"

/**
 * A survey's current rating on a ticket (the latest answer to it).
 *
 * @category models
 * @since 0.1.0
 */
export const SurveyRating = Schema.Struct({
  survey: SurveyId,
  rating: Rating,
  comment: Schema.optionalKey(Comment),
  at: Schema.DateTimeUtcFromString
})
/** @category models @since 0.1.0 */
export type SurveyRating = typeof SurveyRating.Type

/**
 * The current state of a ticket.
 *
 * @category models
 * @since 0.1.0
 */
export const Ticket = Schema.Struct({
  id: TicketId,
  workspaceId: WorkspaceId,
  publicId: PublicId,
  /** Number of events in the stream: the version to pass as `expectedVersion`. */
  version: Schema.Int,
  subject: Schema.String,
  /**
   * The text of the public message the ticket opened with (the requester's first message, in
   * their words); empty when it opened with an internal note (a split of notes only). Always
   * public text: requesters and every `list` summary see it.
   */
  description: Schema.String,
  requester: ContactId,
  organization: Schema.optionalKey(OrganizationId),
  channel: Channel,
  priority: Priority,
  type: Schema.optionalKey(TicketType),
  status: StatusId,
  category: StatusCategory,
  group: Schema.optionalKey(GroupId),
  assignee: Schema.optionalKey(AgentId),
  supportLevel: SupportLevel,
  tags: Schema.Array(Tag),
  customFields: Schema.Record(FieldKey, FieldValue),
  followers: Schema.Array(Follower),
  messages: Schema.Array(Message),
  links: Schema.Array(Link),
  createdAt: Schema.DateTimeUtcFromString,
  updatedAt: Schema.DateTimeUtcFromString,
  statusChangedAt: Schema.DateTimeUtcFromString,
  /** When the ticket last entered the solved category (absent once reopened). */
  solvedAt: Schema.optionalKey(Schema.DateTimeUtcFromString),
  closedAt: Schema.optionalKey(Schema.DateTimeUtcFromString),
  firstAgentReplyAt: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** The ticket this one was merged into (it is then closed; its number leads there). */
  mergedInto: Schema.optionalKey(TicketId),
  /** The merges into this ticket not undone, oldest first: what each brought. */
  mergedFrom: Schema.optionalKey(Schema.Array(MergeRecord)),
  /** How much work it is, once an agent or a rule said. */
  complexity: Schema.optionalKey(Complexity),
  /** The current rating of each survey answered, in the order they were first answered. */
  ratings: Schema.optionalKey(Schema.Array(SurveyRating)),
  /** The problems whose solving this incident's requester was told of (`ProblemSolvedAnnounced`). */
  announcedProblems: Schema.optionalKey(Schema.Array(TicketId))
})
/** @category models @since 0.1.0 */
export type Ticket = typeof Ticket.Type

/**
 * A ticket's state before and after its first event: `undefined` until it is opened.
 *
 * @category models
 * @since 0.1.0
 */
export type State = Ticket | undefined

/**
 * The empty state a stream starts from.
 *
 * @category constructors
 * @since 0.1.0
 */
export const initial: State = undefined

/** `value` without `key`: itself when it has no such key (states are never changed in place). */
const withoutKey = <T extends object, K extends keyof T>(value: T, key: K): T => {
  if (!Object.hasOwn(value, key)) return value
  const { [key]: _removed, ...rest } = value
  return rest as T
}

const setOptional = <T extends object, K extends keyof T>(value: T, key: K, next: T[K] | undefined): T =>
  next === undefined ? withoutKey(value, key) : { ...value, [key]: next }

/**
 * The public messages of a list, once computed, kept with the list (and carried to the list
 * with one more message): a requester's view of a long conversation then costs a copy after
 * each new message instead of a scan of the whole conversation (issue 13). Invisible: every
 * answer is the filter of the list.
 */
const publicOf = new WeakMap<ReadonlyArray<Message>, ReadonlyArray<Message>>()

const publicMessages = (messages: ReadonlyArray<Message>): ReadonlyArray<Message> => {
  const known = publicOf.get(messages)
  if (known !== undefined) return known
  const found = messages.filter(isPublic)
  publicOf.set(messages, found)
  return found
}

/**
 * A list with one more message. `concat` copies a long list in one block where a spread
 * iterates it, several times faster on a ticket of thousands of messages (issue 13).
 */
const withOneMore = (messages: ReadonlyArray<Message>, message: Message): ReadonlyArray<Message> => {
  const more = messages.concat([message])
  const known = publicOf.get(messages)
  if (known !== undefined) publicOf.set(more, isPublic(message) ? known.concat([message]) : known)
  return more
}

const touch = (ticket: Ticket, at: DateTime.Utc): Ticket => ({
  ...ticket,
  version: ticket.version + 1,
  updatedAt: DateTime.max(ticket.updatedAt, at) as DateTime.Utc
})

const sameFollower = (a: Follower, b: Follower) => a._tag === b._tag && a.id === b.id

const sameLink = (a: Link, b: Link) => a.kind === b.kind && a.ticketId === b.ticketId

/** Messages in time order; equal times keep their order (the earlier written first). */
const byTime = (messages: ReadonlyArray<Message>): ReadonlyArray<Message> =>
  messages
    .map((m, i) => [m, i] as const)
    .sort(([a, i], [b, j]) => a.at.epochMilliseconds - b.at.epochMilliseconds || i - j)
    .map(([m]) => m)

const addAll = <A>(current: ReadonlyArray<A>, added: ReadonlyArray<A>, same: (a: A, b: A) => boolean) => {
  const all = [...current]
  for (const a of added) if (!all.some((b) => same(a, b))) all.push(a)
  return all
}

/**
 * Applies one event to a state. Total: never throws, never fails.
 *
 * @category combinators
 * @since 0.1.0
 */
export const evolve = (state: State, event: TicketEvent): State => {
  if (event._tag === "TicketOpened") {
    // A second opening cannot happen through `decide`; count it, change nothing.
    if (state !== undefined) return { ...state, version: state.version + 1 }
    const ticket: Ticket = {
      id: event.ticketId,
      workspaceId: event.workspaceId,
      publicId: event.publicId,
      version: 1,
      subject: event.subject,
      // A description is public text: a ticket opened with a note (a split) has none (#12).
      description: event.message.visibility === "public" ? event.message.text : "",
      requester: event.requester,
      channel: event.channel,
      priority: event.priority,
      status: event.status,
      category: event.category,
      supportLevel: 1,
      tags: event.tags,
      customFields: event.customFields,
      followers: [],
      messages: [event.message],
      links: event.followUpOf === undefined ? [] : [{ kind: "follow_up_of", ticketId: event.followUpOf }],
      createdAt: event.at,
      updatedAt: event.at,
      statusChangedAt: event.at
    }
    let out = setOptional(ticket, "organization", event.organization)
    out = setOptional(out, "type", event.type)
    out = setOptional(out, "group", event.group)
    out = setOptional(out, "assignee", event.assignee)
    // A ticket opened as solved (a phone call handled on the spot) starts its close delay now.
    return event.category === "solved" ? { ...out, solvedAt: event.at } : out
  }
  if (state === undefined) return state
  // SLA milestones, failed rules and notification outcomes are records about the ticket, not
  // changes to it: it is not "updated".
  if (
    event._tag === "SlaWarningReached" ||
    event._tag === "SlaBreached" ||
    event._tag === "NotificationRequested" ||
    event._tag === "RulesFailed" ||
    event._tag === "NotificationDelivered" ||
    event._tag === "NotificationFailed"
  )
    return { ...state, version: state.version + 1 }
  if (event._tag === "ProblemSolvedAnnounced") {
    const announced = state.announcedProblems ?? []
    return {
      ...state,
      version: state.version + 1,
      announcedProblems: announced.includes(event.problem) ? announced : [...announced, event.problem]
    }
  }
  const ticket = touch(state, event.at)
  switch (event._tag) {
    case "ReplyAdded": {
      const firstAgentReply =
        ticket.firstAgentReplyAt === undefined && event.message.author._tag === "agent" ? event.at : undefined
      const withMessage = { ...ticket, messages: withOneMore(ticket.messages, event.message) }
      return firstAgentReply === undefined ? withMessage : { ...withMessage, firstAgentReplyAt: firstAgentReply }
    }
    case "NoteAdded":
      return { ...ticket, messages: withOneMore(ticket.messages, event.message) }
    case "StatusChanged": {
      const moved: Ticket = { ...ticket, status: event.to, category: event.toCategory, statusChangedAt: event.at }
      const solved = event.toCategory === "solved" ? { ...moved, solvedAt: event.at } : withoutKey(moved, "solvedAt")
      return event.toCategory === "closed" ? { ...solved, closedAt: event.at } : solved
    }
    case "AssigneeChanged":
      return setOptional(ticket, "assignee", event.to)
    case "GroupChanged":
      return setOptional(ticket, "group", event.to)
    case "PriorityChanged":
      return { ...ticket, priority: event.to }
    case "TypeChanged":
      return { ...ticket, type: event.to }
    case "ComplexityChanged":
      return { ...ticket, complexity: event.to }
    case "SatisfactionRated": {
      const rated: SurveyRating = {
        survey: event.survey,
        rating: event.rating,
        at: event.at,
        ...(event.comment === undefined ? {} : { comment: event.comment })
      }
      const ratings = ticket.ratings ?? []
      return {
        ...ticket,
        ratings: ratings.some((r) => r.survey === event.survey)
          ? ratings.map((r) => (r.survey === event.survey ? rated : r))
          : [...ratings, rated]
      }
    }
    case "Escalated":
      return { ...ticket, supportLevel: event.to }
    case "CustomFieldChanged":
      return {
        ...ticket,
        customFields:
          event.to === undefined
            ? withoutKey(ticket.customFields, event.key)
            : { ...ticket.customFields, [event.key]: event.to }
      }
    case "TagsChanged": {
      // Rules add tags one at a time to tickets of up to `Limits.tagsPerTicket` tags: one copy of
      // the list per change, and no scan of it per tag when nothing is removed.
      const kept = event.removed.length === 0 ? ticket.tags : ticket.tags.filter((t) => !event.removed.includes(t))
      const added = event.added.filter((t) => !ticket.tags.includes(t))
      return { ...ticket, tags: added.length === 0 && kept === ticket.tags ? kept : [...kept, ...added] }
    }
    case "FollowerAdded":
      return ticket.followers.some((f) => sameFollower(f, event.follower))
        ? ticket
        : { ...ticket, followers: [...ticket.followers, event.follower] }
    case "FollowerRemoved":
      return { ...ticket, followers: ticket.followers.filter((f) => !sameFollower(f, event.follower)) }
    case "LinkAdded":
      return ticket.links.some((l) => sameLink(l, event.link))
        ? ticket
        : { ...ticket, links: [...ticket.links, event.link] }
    case "LinkRemoved":
      return { ...ticket, links: ticket.links.filter((l) => !sameLink(l, event.link)) }
    case "MergedIn": {
      const known = new Set(ticket.messages.map((m) => m.id))
      const incoming = event.messages.filter((m) => !known.has(m.id))
      const record: MergeRecord = {
        source: event.source,
        sourcePublicId: event.sourcePublicId,
        mergedAt: event.at,
        messageIds: incoming.map((m) => m.id),
        followers: event.followers,
        tags: event.tags,
        links: event.links,
        ...(event.priority === undefined ? {} : { priority: event.priority }),
        sourceStatus: event.sourceStatus,
        sourceCategory: event.sourceCategory
      }
      return {
        ...ticket,
        messages: byTime([...ticket.messages, ...incoming]),
        followers: addAll(ticket.followers, event.followers, sameFollower),
        tags: addAll(ticket.tags, event.tags, (a, b) => a === b),
        links: addAll(ticket.links, event.links, sameLink),
        priority: event.priority?.to ?? ticket.priority,
        mergedFrom: [...(ticket.mergedFrom ?? []), record]
      }
    }
    case "MergeUndone": {
      const gone = new Set<string>(event.messageIds)
      const left = (ticket.mergedFrom ?? []).filter((r) => r.source !== event.source)
      const undone: Ticket = {
        ...ticket,
        messages: ticket.messages.filter((m) => !gone.has(m.id)),
        followers: ticket.followers.filter((f) => !event.followers.some((g) => sameFollower(f, g))),
        tags: ticket.tags.filter((t) => !event.tags.includes(t)),
        links: ticket.links.filter((l) => !event.links.some((k) => sameLink(l, k))),
        priority: event.priority?.to ?? ticket.priority
      }
      return setOptional(undone, "mergedFrom", left.length === 0 ? undefined : left)
    }
    case "MergedInto": {
      const closed: Ticket = {
        ...ticket,
        status: event.to,
        category: "closed",
        statusChangedAt: event.at,
        closedAt: event.at,
        mergedInto: event.target
      }
      return withoutKey(closed, "solvedAt")
    }
    case "Unmerged": {
      const reopened: Ticket = { ...ticket, status: event.to, category: event.toCategory, statusChangedAt: event.at }
      const open = withoutKey(withoutKey(reopened, "mergedInto"), "closedAt")
      return event.toCategory === "solved" ? { ...open, solvedAt: event.at } : open
    }
    case "MessagesSplitOff": {
      const gone = new Set<string>(event.messageIds)
      return { ...ticket, messages: ticket.messages.filter((m) => !gone.has(m.id)) }
    }
    case "SplitReceived": {
      const known = new Set(ticket.messages.map((m) => m.id))
      return { ...ticket, messages: byTime([...ticket.messages, ...event.messages.filter((m) => !known.has(m.id))]) }
    }
  }
}

/**
 * Whether `evolve` leaves the messages a ticket already has where they are: the event adds
 * messages at the end, or none. After such events the earlier messages are the start of the new
 * list; merges and splits may remove or reorder them. A store that keeps messages apart (the SQL
 * store's texts) then writes only the new ones without comparing the whole conversation.
 *
 * @category predicates
 * @since 0.1.0
 */
export const keepsEarlierMessages = (event: TicketEvent): boolean => {
  switch (event._tag) {
    case "MergedIn":
    case "MergeUndone":
    case "MessagesSplitOff":
    case "SplitReceived":
      return false
    case "TicketOpened":
    case "ReplyAdded":
    case "NoteAdded":
    case "StatusChanged":
    case "AssigneeChanged":
    case "GroupChanged":
    case "PriorityChanged":
    case "TypeChanged":
    case "Escalated":
    case "CustomFieldChanged":
    case "TagsChanged":
    case "FollowerAdded":
    case "FollowerRemoved":
    case "LinkAdded":
    case "LinkRemoved":
    case "MergedInto":
    case "Unmerged":
    case "NotificationRequested":
    case "SlaWarningReached":
    case "SlaBreached":
    case "RulesFailed":
    case "NotificationDelivered":
    case "NotificationFailed":
    case "ComplexityChanged":
    case "SatisfactionRated":
    case "ProblemSolvedAnnounced":
      return true
  }
}

/**
 * Folds a stream of events into a state.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fold = (events: Iterable<TicketEvent>, from: State = initial): State => {
  let state = from
  for (const event of events) state = evolve(state, event)
  return state
}

/**
 * Whether the requester (or another contact) is the author.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isRequester = (ticket: Ticket, actor: Actor.Actor): boolean =>
  actor._tag === "contact" && actor.id === ticket.requester

/**
 * The public view of a ticket for its requester: internal notes removed, and so are their ids
 * from the records of merges. Nothing else of the ticket holds a note's text (its `description`
 * is public text).
 *
 * @category combinators
 * @since 0.1.0
 */
export const publicView = (ticket: Ticket): Ticket => {
  const messages = publicMessages(ticket.messages)
  if (ticket.mergedFrom === undefined) return { ...ticket, messages }
  const internal = new Set<string>(ticket.messages.filter((m) => !isPublic(m)).map((m) => m.id))
  if (internal.size === 0) return { ...ticket, messages }
  return {
    ...ticket,
    messages,
    mergedFrom: ticket.mergedFrom.map((r) => ({ ...r, messageIds: r.messageIds.filter((id) => !internal.has(id)) }))
  }
}

/**
 * The view of a ticket an actor gets back from a command: contacts (requesters, CCs) get the
 * public view, agents and the system the whole ticket.
 *
 * @category combinators
 * @since 0.1.0
 */
export const viewFor = (actor: Actor.Actor, ticket: Ticket): Ticket =>
  actor._tag === "contact" ? publicView(ticket) : ticket

/**
 * What the ticket's latest rating says (`Satisfaction.verdict`), if it has one: what rules read
 * as the `satisfaction` field.
 *
 * @category combinators
 * @since 0.1.0
 */
export const satisfaction = (ticket: Ticket): Verdict | undefined => {
  let latest: SurveyRating | undefined
  for (const r of ticket.ratings ?? []) {
    if (latest === undefined || r.at.epochMilliseconds >= latest.at.epochMilliseconds) latest = r
  }
  return latest === undefined ? undefined : verdict(latest.rating)
}
