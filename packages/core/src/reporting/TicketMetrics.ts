/**
 * A ticket's reporting metrics (reply times, resolution, wait and work time, reopens, SLA
 * milestones, the dimensions it is reported under) as a pure fold over its events, in calendar
 * time and in the business time of a `BusinessCalendar`. The fold is incremental (`empty`,
 * `step`, `fromEvents`) and its state is plain JSON (`TicketMetricsJson`), so a projection or a
 * store can keep it up to date event by event; aggregating many tickets is `Report`'s business.
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Option, Schema } from "effect"
import * as BusinessCalendar from "../sla/BusinessCalendar.js"
import { StatusCategory } from "../ticket/Status.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import { Channel } from "../values/Channel.js"
import { Complexity } from "../values/Complexity.js"
import { AgentId, GroupId, OrganizationId, PublicId, TicketId } from "../values/Ids.js"
import { Priority } from "../values/Priority.js"
import { Rating, SurveyId } from "../values/Satisfaction.js"
import { Metric } from "../values/SlaMetric.js"
import { Tag } from "../values/Tag.js"
import { TicketType } from "../values/TicketType.js"

/**
 * A length of time counted two ways, in milliseconds: around the clock (`calendar`) and in the
 * opening hours of the business calendar (`business`).
 *
 * @category models
 * @since 0.1.0
 */
export const Span = Schema.Struct({
  calendar: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  business: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
})
/** @category models @since 0.1.0 */
export type Span = typeof Span.Type

/**
 * The SLA milestones recorded on a ticket for one policy and metric: how many instances reached
 * their warning (`SlaWarningReached`) and how many were breached (`SlaBreached`).
 *
 * @category models
 * @since 0.1.0
 */
export const SlaRecord = Schema.Struct({
  policy: Schema.String,
  metric: Metric,
  warnings: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  breaches: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
})
/** @category models @since 0.1.0 */
export type SlaRecord = typeof SlaRecord.Type

const Millis = Schema.Finite
const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * A survey's rating as reports count it: the latest answer to the survey, and when it was given
 * (epoch milliseconds).
 *
 * @category models
 * @since 0.1.0
 */
export const RatingRecord = Schema.Struct({ survey: SurveyId, rating: Rating, at: Millis })
/** @category models @since 0.1.0 */
export type RatingRecord = typeof RatingRecord.Type

/**
 * A ticket's metrics after some of its events (instants in epoch milliseconds). `null` means
 * "not (yet) known": no ticket before its `TicketOpened`, no first reply before the first public
 * agent reply, no resolution while unsolved.
 *
 * Definitions (after Zendesk's, and the SLA metrics of `SlaMetric`):
 * - `firstReply`: from the opening to the first public agent reply, for a ticket the requester
 *   opened with a public message; `null` for tickets an agent opened (as Zendesk does).
 * - `nextReplies`: one per wait after the first, from the oldest unanswered public requester
 *   message (a contact's) to the next public agent reply; consecutive requester messages make
 *   one wait, and a wait that the ticket's solving ends without a reply is dropped.
 * - `fullResolution`: from the opening to the last solve, while solved or closed (a reopened
 *   ticket has none until it is solved again).
 * - `requesterWait`: time spent in the `new`, `open` and `on_hold` status categories (the
 *   requester waits on the team or on a third party; not in `pending`, where the team waits on
 *   the requester, nor once solved). `agentWork`: time in `new` and `open` only. Both count
 *   finished status periods, so they are final while the ticket is solved (`solvedAt` set).
 * - `replies`: public agent replies (internal notes, system messages and the opening message
 *   are not replies). `oneTouch` (see `isOneTouch`): solved with exactly one.
 * - `reopens`: moves from solved (or closed) back to an unsolved category by a status change.
 * - `merged`: closed by a merge into another ticket, which is no solve and no reopen.
 * - Dimensions (`channel`, `type`, `group`, `assignee`, `organization`, `priority`, `tags`,
 *   `complexity`) are the ticket's at its last event; `createdHour` is the hour of day (0-23) of
 *   its opening in the options' time zone.
 * - `ratings`: the latest rating of each survey answered (`SatisfactionRated`), with its time.
 *   `complexity` and `ratings` are absent until the ticket has one (and in metrics kept before
 *   they existed, which still decode).
 *
 * Messages a merge or a split brought from another ticket were answered (or not) there and do
 * not count here. Time never runs back: an event stamped before the one folded last counts as
 * happening at the same instant, so no duration is ever negative.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketMetrics = Schema.Struct({
  /** The shape's version. */
  v: Schema.Literal(1),
  ticketId: Schema.NullOr(TicketId),
  publicId: Schema.NullOr(PublicId),
  createdAt: Schema.NullOr(Millis),
  createdHour: Schema.NullOr(Schema.Int),
  /** The instant of the last event folded; time never moves back. */
  at: Schema.NullOr(Millis),
  channel: Schema.NullOr(Channel),
  type: Schema.NullOr(TicketType),
  group: Schema.NullOr(GroupId),
  assignee: Schema.NullOr(AgentId),
  organization: Schema.NullOr(OrganizationId),
  priority: Schema.NullOr(Priority),
  tags: Schema.Array(Tag),
  category: Schema.NullOr(StatusCategory),
  /** When the current status category began. */
  categorySince: Schema.NullOr(Millis),
  /** The start of the wait for an agent's reply now running, if one is. */
  waitingSince: Schema.NullOr(Millis),
  /** Whether that wait is the one for the first reply. */
  waitingForFirst: Schema.Boolean,
  firstReply: Schema.NullOr(Span),
  nextReplies: Schema.Array(Span),
  replies: Count,
  /** The last solve, while the ticket is solved or closed through a solve. */
  solvedAt: Schema.NullOr(Millis),
  fullResolution: Schema.NullOr(Span),
  solves: Count,
  reopens: Count,
  requesterWait: Span,
  agentWork: Span,
  merged: Schema.Boolean,
  /** The periods spent solved or closed, `[from, to)`; `to` is `null` for the current one. */
  done: Schema.Array(Schema.Tuple([Millis, Schema.NullOr(Millis)])),
  /** SLA milestones, sorted by policy then metric. */
  sla: Schema.Array(SlaRecord),
  complexity: Schema.optionalKey(Complexity),
  /** The latest rating of each survey, in the order the surveys were first answered. */
  ratings: Schema.optionalKey(Schema.Array(RatingRecord))
})
/** @category models @since 0.1.0 */
export type TicketMetrics = typeof TicketMetrics.Type

/**
 * The metrics as JSON text, for a store or a cache to keep between events.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketMetricsJson = Schema.fromJsonString(TicketMetrics)

/**
 * How time is counted: the business calendar (open around the clock when absent, so business
 * time equals calendar time) and the zone of `createdHour` (the calendar's zone when it was
 * built from hours, else UTC, when absent).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly calendar?: BusinessCalendar.BusinessCalendar
  readonly timeZone?: DateTime.TimeZone
}

const zero: Span = { calendar: 0, business: 0 }

/**
 * The metrics before any event: no ticket yet.
 *
 * @category constructors
 * @since 0.1.0
 */
export const empty: TicketMetrics = {
  v: 1,
  ticketId: null,
  publicId: null,
  createdAt: null,
  createdHour: null,
  at: null,
  channel: null,
  type: null,
  group: null,
  assignee: null,
  organization: null,
  priority: null,
  tags: [],
  category: null,
  categorySince: null,
  waitingSince: null,
  waitingForFirst: false,
  firstReply: null,
  nextReplies: [],
  replies: 0,
  solvedAt: null,
  fullResolution: null,
  solves: 0,
  reopens: 0,
  requesterWait: zero,
  agentWork: zero,
  merged: false,
  done: [],
  sla: []
}

/**
 * The time in `[from, to)` (milliseconds), around the clock and in the calendar's opening hours.
 * Instants the calendar cannot count (before year 1000 or from 9999) count no business time.
 *
 * @category combinators
 * @since 0.1.0
 */
export const spanBetween = (options: Options, from: number, to: number): Span => {
  if (!(to > from)) return zero
  if (options.calendar === undefined) return { calendar: to - from, business: to - from }
  const calendar = options.calendar
  const business = Option.flatMap(Option.all([DateTime.make(from), DateTime.make(to)]), ([a, b]) =>
    Option.getSuccess(BusinessCalendar.businessTimeBetween(calendar, a, b))
  )
  return { calendar: to - from, business: Option.match(business, { onNone: () => 0, onSome: Duration.toMillis }) }
}

const plus = (a: Span, b: Span): Span =>
  b.calendar === 0 && b.business === 0 ? a : { calendar: a.calendar + b.calendar, business: a.business + b.business }

/**
 * The zone `createdHour` is read in: `options.timeZone`, else the calendar's own zone when it was
 * built from hours, else UTC.
 */
const zoneOf = (options: Options): DateTime.TimeZone | undefined => {
  if (options.timeZone !== undefined) return options.timeZone
  const definition = options.calendar?.definition
  return definition?._tag === "Hours"
    ? Option.getOrUndefined(DateTime.zoneMakeNamed(definition.spec.timeZone))
    : undefined
}

/** The hour of day (0-23) of an event's instant in a zone (UTC when absent). */
const hourOf = (millis: number, zone: DateTime.TimeZone | undefined): number => {
  const utc = DateTime.makeUnsafe(millis)
  return zone === undefined ? DateTime.toParts(utc).hour : DateTime.toParts(DateTime.setZone(utc, zone)).hour
}

/** Solved and closed: the categories that take a ticket out of the backlog. */
const isDone = (category: StatusCategory | null): boolean => category === "solved" || category === "closed"
/** The requester waits on the team (or a third party) in these; the team waits on them in `pending`. */
const requesterWaits = (category: StatusCategory | null): boolean =>
  category === "new" || category === "open" || category === "on_hold"
const agentWorks = (category: StatusCategory | null): boolean => category === "new" || category === "open"

type Move = "status" | "merge" | "unmerge"

/** Ends the current status period at `t` and starts one in `to`. */
const moveTo = (metrics: TicketMetrics, to: StatusCategory, t: number, move: Move, options: Options): TicketMetrics => {
  const from = metrics.category
  const period = spanBetween(options, metrics.categorySince ?? t, t)
  let next: TicketMetrics = {
    ...metrics,
    category: to,
    categorySince: t,
    requesterWait: requesterWaits(from) ? plus(metrics.requesterWait, period) : metrics.requesterWait,
    agentWork: agentWorks(from) ? plus(metrics.agentWork, period) : metrics.agentWork
  }
  if (!isDone(from) && isDone(to)) {
    next = { ...next, done: [...next.done, [t, null]] }
    if (move === "status") {
      next = {
        ...next,
        solves: next.solves + 1,
        solvedAt: t,
        fullResolution: spanBetween(options, next.createdAt ?? t, t),
        // Solving answers the requester: a next-reply wait ends without a reply.
        ...(next.waitingForFirst ? {} : { waitingSince: null })
      }
    }
  } else if (isDone(from) && !isDone(to)) {
    const done = next.done.slice()
    const last = done[done.length - 1]
    if (last !== undefined && last[1] === null) done[done.length - 1] = [last[0], t]
    next = { ...next, done, solvedAt: null, fullResolution: null, reopens: next.reopens + (move === "status" ? 1 : 0) }
  }
  if (move === "merge") next = { ...next, merged: true }
  if (move === "unmerge") next = { ...next, merged: false }
  return next
}

const recordMilestone = (
  sla: ReadonlyArray<SlaRecord>,
  policy: string,
  metric: Metric,
  kind: "warnings" | "breaches"
): ReadonlyArray<SlaRecord> => {
  const index = sla.findIndex((r) => r.policy === policy && r.metric === metric)
  if (index >= 0) {
    const record = sla[index] as SlaRecord
    return sla.map((r, i) => (i === index ? { ...record, [kind]: record[kind] + 1 } : r))
  }
  const added: SlaRecord = {
    policy,
    metric,
    warnings: kind === "warnings" ? 1 : 0,
    breaches: kind === "breaches" ? 1 : 0
  }
  return [...sla, added].sort((a, b) =>
    a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0
  )
}

const opened = (event: Extract<TicketEvent, { _tag: "TicketOpened" }>, options: Options): TicketMetrics => {
  const t = event.at.epochMilliseconds
  const fromRequester = event.message.visibility === "public" && event.message.author._tag === "contact"
  const done = isDone(event.category)
  return {
    ...empty,
    ticketId: event.ticketId,
    publicId: event.publicId,
    createdAt: t,
    createdHour: hourOf(t, zoneOf(options)),
    at: t,
    channel: event.channel,
    type: event.type ?? null,
    group: event.group ?? null,
    assignee: event.assignee ?? null,
    organization: event.organization ?? null,
    priority: event.priority,
    tags: event.tags,
    category: event.category,
    categorySince: t,
    waitingSince: fromRequester ? t : null,
    waitingForFirst: fromRequester,
    // A ticket opened as solved (a call handled on the spot) is solved at once.
    ...(done ? { solves: 1, solvedAt: t, fullResolution: zero, done: [[t, null]] } : {})
  }
}

/**
 * Folds one event into the metrics. Total: events before the opening, and a second opening,
 * change nothing; an event stamped earlier than the last counts at the last one's instant.
 *
 * @category combinators
 * @since 0.1.0
 */
export const step = (metrics: TicketMetrics, event: TicketEvent, options: Options = {}): TicketMetrics => {
  if (metrics.createdAt === null) return event._tag === "TicketOpened" ? opened(event, options) : metrics
  const t = Math.max(metrics.at ?? event.at.epochMilliseconds, event.at.epochMilliseconds)
  const current: TicketMetrics = t === metrics.at ? metrics : { ...metrics, at: t }
  switch (event._tag) {
    case "ReplyAdded": {
      const message = event.message
      if (message.visibility !== "public") return current
      if (message.author._tag === "agent") {
        const replied = { ...current, replies: current.replies + 1, waitingSince: null, waitingForFirst: false }
        if (current.waitingSince === null) return replied
        const wait = spanBetween(options, current.waitingSince, t)
        return current.waitingForFirst
          ? { ...replied, firstReply: current.firstReply ?? wait }
          : { ...replied, nextReplies: [...current.nextReplies, wait] }
      }
      if (message.author._tag === "contact" && current.waitingSince === null && current.category !== "closed") {
        return { ...current, waitingSince: t, waitingForFirst: false }
      }
      return current
    }
    case "StatusChanged":
      return moveTo(current, event.toCategory, t, "status", options)
    case "MergedInto":
      return moveTo(current, "closed", t, "merge", options)
    case "Unmerged":
      return moveTo(current, event.toCategory, t, "unmerge", options)
    case "AssigneeChanged":
      return { ...current, assignee: event.to ?? null }
    case "GroupChanged":
      return { ...current, group: event.to ?? null }
    case "PriorityChanged":
      return { ...current, priority: event.to }
    case "TypeChanged":
      return { ...current, type: event.to }
    case "ComplexityChanged":
      return { ...current, complexity: event.to }
    case "SatisfactionRated": {
      const record: RatingRecord = { survey: event.survey, rating: event.rating, at: t }
      const ratings = current.ratings ?? []
      return {
        ...current,
        ratings: ratings.some((r) => r.survey === event.survey)
          ? ratings.map((r) => (r.survey === event.survey ? record : r))
          : [...ratings, record]
      }
    }
    case "TagsChanged": {
      const kept = current.tags.filter((tag) => !event.removed.includes(tag))
      return { ...current, tags: [...kept, ...event.added.filter((tag) => !kept.includes(tag))] }
    }
    case "MergedIn":
      return { ...current, tags: [...current.tags, ...event.tags.filter((tag) => !current.tags.includes(tag))] }
    case "MergeUndone":
      return { ...current, tags: current.tags.filter((tag) => !event.tags.includes(tag)) }
    case "SlaWarningReached":
      return { ...current, sla: recordMilestone(current.sla, event.policy, event.metric, "warnings") }
    case "SlaBreached":
      return { ...current, sla: recordMilestone(current.sla, event.policy, event.metric, "breaches") }
    default:
      // Notes, followers, links, custom fields, escalations, notifications, failed rules and any
      // event added later: no metric reads them.
      return current
  }
}

/**
 * Folds a ticket's events, in stream order, from `empty`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromEvents = (events: Iterable<TicketEvent>, options: Options = {}): TicketMetrics => {
  let metrics = empty
  for (const event of events) metrics = step(metrics, event, options)
  return metrics
}

/**
 * Whether the ticket is solved (not merged away) with exactly one public agent reply.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isOneTouch = (metrics: TicketMetrics): boolean => metrics.solvedAt !== null && metrics.replies === 1

/**
 * Whether the ticket is solved or closed at an instant (milliseconds), as it stood after every
 * event stamped before that instant: a ticket solved exactly at `instant` is not solved yet, one
 * reopened exactly then still is (so a period `[from, to)` sees what happened inside it).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isDoneAt = (metrics: TicketMetrics, instant: number): boolean =>
  metrics.done.some(([from, to]) => from < instant && (to === null || to >= instant))

/**
 * Whether the ticket is in the backlog at an instant: opened before it and neither solved nor
 * closed then (`isDoneAt`).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isBacklogAt = (metrics: TicketMetrics, instant: number): boolean =>
  metrics.createdAt !== null && metrics.createdAt < instant && !isDoneAt(metrics, instant)
