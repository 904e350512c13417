/**
 * Reports over many tickets' metrics for a period `[from, to)`: volumes, the distribution of each
 * time metric, one-touch and reopen rates, SLA compliance, the backlog at `to` and its age, CSAT
 * and NPS, as a whole and broken down by channel, tag, type, complexity, group, assignee,
 * organization, priority or hour of day. A `Projection` keeps every ticket's `TicketMetrics` in memory from the store's ordered
 * event feed, for small apps and tests; large workspaces aggregate in SQL with the same rules.
 *
 * @since 0.1.0
 */
import { type DateTime, Effect } from "effect"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import * as Satisfaction from "../values/Satisfaction.js"
import type { Metric } from "../values/SlaMetric.js"
import * as TicketMetrics from "./TicketMetrics.js"

/**
 * The period a report covers: `[from, to)`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Period {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
}

/**
 * What a report can be broken down by: a ticket's value at its last event (`tag`: each of its
 * tags; `hour`: the hour of day it was opened, `"00"` to `"23"`).
 *
 * @category models
 * @since 0.1.0
 */
export type Dimension =
  | "channel"
  | "tag"
  | "type"
  | "complexity"
  | "group"
  | "assignee"
  | "organization"
  | "priority"
  | "hour"

/**
 * Every dimension, in the order reports list them.
 *
 * @category models
 * @since 0.1.0
 */
export const dimensions: ReadonlyArray<Dimension> = [
  "channel",
  "tag",
  "type",
  "complexity",
  "group",
  "assignee",
  "organization",
  "priority",
  "hour"
]

/**
 * The distribution of some values: how many, their average (rounded to a whole number), median
 * and 90th percentile, `null` without values. Percentiles are nearest-rank (the smallest value
 * with at least that share of the values at or below it, PostgreSQL's `percentile_disc`), so
 * every path computing them gives the same numbers.
 *
 * @category models
 * @since 0.1.0
 */
export interface Stats {
  readonly count: number
  readonly average: number | null
  readonly median: number | null
  readonly p90: number | null
}

/**
 * A time metric's distribution in milliseconds, around the clock and in business time.
 *
 * @category models
 * @since 0.1.0
 */
export interface TimeStats {
  readonly calendar: Stats
  readonly business: Stats
}

/**
 * A count and its share of a whole (`null` when the whole is zero).
 *
 * @category models
 * @since 0.1.0
 */
export interface Rate {
  readonly count: number
  readonly rate: number | null
}

/**
 * SLA compliance for one policy and metric over the tickets opened in the period: `tickets`
 * opened, those with a warning or a breach recorded, and `compliance`, the share with no breach
 * recorded. A ticket no policy covered records nothing, so it counts as compliant: compare
 * `breached` with `warned` for the tickets that were at risk.
 *
 * @category models
 * @since 0.1.0
 */
export interface SlaCompliance {
  readonly policy: string
  readonly metric: Metric
  readonly tickets: number
  readonly warned: number
  readonly breached: number
  readonly compliance: number | null
}

/**
 * The backlog's age buckets: less than a day, 1 to 3 days, 3 to 7, 7 to 30, 30 days or more
 * (calendar time since the opening).
 *
 * @category models
 * @since 0.1.0
 */
export const ageBuckets = [
  { label: "lt_1d", below: 86_400_000 },
  { label: "1d_3d", below: 3 * 86_400_000 },
  { label: "3d_7d", below: 7 * 86_400_000 },
  { label: "7d_30d", below: 30 * 86_400_000 },
  { label: "ge_30d", below: Number.POSITIVE_INFINITY }
] as const

/**
 * The tickets unsolved at the period's end (opened before `to`, neither solved nor closed then),
 * their age at `to` and how many fall in each of `ageBuckets`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Backlog {
  readonly tickets: number
  readonly age: TimeStats
  readonly buckets: ReadonlyArray<{ readonly label: string; readonly count: number }>
}

/**
 * CSAT over the surveys answered in the period (each survey's latest CSAT rating, counted when it
 * was given in the period): `responses`, how many are `satisfied` (good, 4 or 5), `neutral` (3)
 * and `dissatisfied` (bad, 1 or 2), and `score`, the satisfied share (`null` without responses).
 *
 * @category models
 * @since 0.1.0
 */
export interface Csat {
  readonly responses: number
  readonly satisfied: number
  readonly neutral: number
  readonly dissatisfied: number
  readonly score: number | null
}

/**
 * NPS over the surveys answered in the period (each survey's latest NPS rating given in it):
 * `promoters` (9-10), `passives` (7-8), `detractors` (0-6) and `score`, the share of promoters
 * minus that of detractors, in points from -100 to 100, rounded (`null` without responses).
 *
 * @category models
 * @since 0.1.0
 */
export interface Nps {
  readonly responses: number
  readonly promoters: number
  readonly passives: number
  readonly detractors: number
  readonly score: number | null
}

/**
 * The numbers of a set of tickets over a period. `created` counts the tickets opened in it, and
 * `firstReply` and `sla` are over those; `solved` counts the tickets whose last solve falls in it
 * (a ticket solved in the period and reopened since is not solved), and the other time metrics,
 * `replies` (per ticket), `oneTouch` and `reopened` (tickets reopened at least once; `reopens`
 * counts every reopening) are over those, since they are final once a ticket is solved. `csat`
 * and `nps` count the ratings given in the period, whenever the ticket was opened or solved.
 *
 * @category models
 * @since 0.1.0
 */
export interface Summary {
  readonly created: number
  readonly solved: number
  readonly firstReply: TimeStats
  readonly nextReply: TimeStats
  readonly fullResolution: TimeStats
  readonly requesterWait: TimeStats
  readonly agentWork: TimeStats
  readonly replies: Stats
  readonly oneTouch: Rate
  readonly reopened: Rate
  readonly reopens: number
  readonly sla: ReadonlyArray<SlaCompliance>
  readonly backlog: Backlog
  readonly csat: Csat
  readonly nps: Nps
}

/**
 * One value of a dimension (`null`: tickets without one, such as unassigned tickets) and the
 * summary of its tickets.
 *
 * @category models
 * @since 0.1.0
 */
export interface Row {
  readonly key: string | null
  readonly summary: Summary
}

/**
 * A report: the period, the summary of every ticket, and one breakdown per dimension asked for,
 * its rows sorted by key (`null` last). A breakdown holds the tickets opened in the period,
 * solved in it, in the backlog at its end, or rated in it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly period: Period
  readonly summary: Summary
  readonly breakdowns: ReadonlyArray<{ readonly dimension: Dimension; readonly rows: ReadonlyArray<Row> }>
}

/**
 * The nearest-rank percentile (`0 < p <= 1`) of values sorted ascending; `null` when empty.
 *
 * @category combinators
 * @since 0.1.0
 */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number | null =>
  sorted.length === 0 ? null : (sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number)

/**
 * The `Stats` of some values.
 *
 * @category constructors
 * @since 0.1.0
 */
export const stats = (values: ReadonlyArray<number>): Stats => {
  const sorted = [...values].sort((a, b) => a - b)
  const sum = sorted.reduce((total, n) => total + n, 0)
  return {
    count: sorted.length,
    average: sorted.length === 0 ? null : Math.round(sum / sorted.length),
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9)
  }
}

const timeStats = (spans: ReadonlyArray<TicketMetrics.Span>): TimeStats => ({
  calendar: stats(spans.map((s) => s.calendar)),
  business: stats(spans.map((s) => s.business))
})

const rate = (count: number, whole: number): Rate => ({ count, rate: whole === 0 ? null : count / whole })

/** The label of the first age bucket an age (milliseconds) is below. */
const bucketOf = (age: number): string => ageBuckets.find((bucket) => age < bucket.below)?.label ?? "ge_30d"

const within = (instant: number | null, from: number, to: number): boolean =>
  instant !== null && from <= instant && instant < to

/** Whether a ticket has a rating given in `[from, to)`. */
const ratedWithin = (m: TicketMetrics.TicketMetrics, from: number, to: number): boolean =>
  (m.ratings ?? []).some((r) => within(r.at, from, to))

/**
 * CSAT and NPS of the ratings some tickets were given in `[from, to)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const satisfaction = (
  tickets: Iterable<TicketMetrics.TicketMetrics>,
  period: Period
): { readonly csat: Csat; readonly nps: Nps } => {
  const from = period.from.epochMilliseconds
  const to = period.to.epochMilliseconds
  const csat = { good: 0, neutral: 0, bad: 0 }
  const nps = { good: 0, neutral: 0, bad: 0 }
  for (const m of tickets) {
    for (const r of m.ratings ?? []) {
      if (!within(r.at, from, to)) continue
      const counts = r.rating.kind === "csat" ? csat : nps
      counts[Satisfaction.verdict(r.rating)]++
    }
  }
  return scores(csat, nps)
}

/**
 * How many ratings of one kind were good, neutral and bad (`Satisfaction.verdict`).
 *
 * @category models
 * @since 0.1.0
 */
export interface Verdicts {
  readonly good: number
  readonly neutral: number
  readonly bad: number
}

/**
 * CSAT and NPS from the counts of verdicts: CSAT's score is the share of good ratings, NPS's is
 * promoters minus detractors in percent of the answers, rounded; `null` without answers. SQL
 * reports count the verdicts in the database and score them here, as the projection does.
 *
 * @category constructors
 * @since 0.1.0
 */
export const scores = (csat: Verdicts, nps: Verdicts): { readonly csat: Csat; readonly nps: Nps } => {
  const csatResponses = csat.good + csat.neutral + csat.bad
  const npsResponses = nps.good + nps.neutral + nps.bad
  return {
    csat: {
      responses: csatResponses,
      satisfied: csat.good,
      neutral: csat.neutral,
      dissatisfied: csat.bad,
      score: csatResponses === 0 ? null : csat.good / csatResponses
    },
    nps: {
      responses: npsResponses,
      promoters: nps.good,
      passives: nps.neutral,
      detractors: nps.bad,
      // + 0: a score of exactly zero is 0, not -0.
      score: npsResponses === 0 ? null : Math.round((100 * (nps.good - nps.bad)) / npsResponses) + 0
    }
  }
}

/**
 * The summary of some tickets over a period; `options` gives the calendar the backlog's business
 * age is counted in (as for the metrics themselves).
 *
 * @category constructors
 * @since 0.1.0
 */
export const summarize = (
  tickets: Iterable<TicketMetrics.TicketMetrics>,
  period: Period,
  options: TicketMetrics.Options = {}
): Summary => {
  const from = period.from.epochMilliseconds
  const to = period.to.epochMilliseconds
  const created: Array<TicketMetrics.TicketMetrics> = []
  const solved: Array<TicketMetrics.TicketMetrics> = []
  const backlog: Array<TicketMetrics.TicketMetrics> = []
  const all: Array<TicketMetrics.TicketMetrics> = []
  for (const m of tickets) {
    all.push(m)
    if (within(m.createdAt, from, to)) created.push(m)
    if (within(m.solvedAt, from, to)) solved.push(m)
    if (TicketMetrics.isBacklogAt(m, to)) backlog.push(m)
  }
  const sla = new Map<string, { policy: string; metric: Metric; warned: number; breached: number }>()
  for (const m of created) {
    for (const record of m.sla) {
      const key = `${record.policy}\u0000${record.metric}`
      const entry = sla.get(key) ?? { policy: record.policy, metric: record.metric, warned: 0, breached: 0 }
      sla.set(key, {
        ...entry,
        warned: entry.warned + (record.warnings > 0 ? 1 : 0),
        breached: entry.breached + (record.breaches > 0 ? 1 : 0)
      })
    }
  }
  const ages = backlog.map((m) => TicketMetrics.spanBetween(options, m.createdAt ?? to, to))
  const { csat, nps } = satisfaction(all, period)
  return {
    created: created.length,
    solved: solved.length,
    firstReply: timeStats(created.flatMap((m) => (m.firstReply === null ? [] : [m.firstReply]))),
    nextReply: timeStats(solved.flatMap((m) => m.nextReplies)),
    fullResolution: timeStats(solved.flatMap((m) => (m.fullResolution === null ? [] : [m.fullResolution]))),
    requesterWait: timeStats(solved.map((m) => m.requesterWait)),
    agentWork: timeStats(solved.map((m) => m.agentWork)),
    replies: stats(solved.map((m) => m.replies)),
    oneTouch: rate(solved.filter(TicketMetrics.isOneTouch).length, solved.length),
    reopened: rate(solved.filter((m) => m.reopens > 0).length, solved.length),
    reopens: solved.reduce((total, m) => total + m.reopens, 0),
    sla: [...sla.values()]
      .sort((a, b) =>
        a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0
      )
      .map((entry) => ({
        ...entry,
        tickets: created.length,
        compliance: created.length === 0 ? null : (created.length - entry.breached) / created.length
      })),
    backlog: {
      tickets: backlog.length,
      age: timeStats(ages),
      buckets: ageBuckets.map((bucket) => ({
        label: bucket.label,
        count: ages.filter((a) => bucketOf(a.calendar) === bucket.label).length
      }))
    },
    csat,
    nps
  }
}

/**
 * The keys a ticket is reported under for a dimension (`null` for none; a ticket with several
 * tags is under each).
 *
 * @category combinators
 * @since 0.1.0
 */
export const keysOf = (metrics: TicketMetrics.TicketMetrics, dimension: Dimension): ReadonlyArray<string | null> => {
  switch (dimension) {
    case "tag":
      return metrics.tags.length === 0 ? [null] : metrics.tags
    case "hour":
      return [metrics.createdHour === null ? null : String(metrics.createdHour).padStart(2, "0")]
    case "complexity":
      return [metrics.complexity ?? null]
    default:
      return [metrics[dimension]]
  }
}

const compareKeys = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1

/**
 * The report of some tickets' metrics over a period, broken down by the dimensions asked for.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  tickets: Iterable<TicketMetrics.TicketMetrics>,
  period: Period,
  by: ReadonlyArray<Dimension> = [],
  options: TicketMetrics.Options = {}
): Report => {
  const all = [...tickets].filter((m) => m.createdAt !== null)
  const from = period.from.epochMilliseconds
  const to = period.to.epochMilliseconds
  const relevant = all.filter(
    (m) =>
      within(m.createdAt, from, to) ||
      within(m.solvedAt, from, to) ||
      TicketMetrics.isBacklogAt(m, to) ||
      ratedWithin(m, from, to)
  )
  const breakdowns = by.map((dimension) => {
    const groups = new Map<string | null, Array<TicketMetrics.TicketMetrics>>()
    for (const m of relevant) {
      for (const key of new Set(keysOf(m, dimension))) {
        const group = groups.get(key)
        if (group === undefined) groups.set(key, [m])
        else group.push(m)
      }
    }
    const rows = [...groups.entries()]
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([key, members]) => ({ key, summary: summarize(members, period, options) }))
    return { dimension, rows }
  })
  return { period, summary: summarize(relevant, period, options), breakdowns }
}

/**
 * An event as the store's ordered feed gives it (`EventFeed.CommittedEvent` has this shape).
 *
 * @category models
 * @since 0.1.0
 */
export interface FeedEvent {
  readonly position: number
  readonly workspaceId?: WorkspaceId | undefined
  readonly ticketId: TicketId
  readonly event: TicketEvent
}

/**
 * The part of a store's feed a projection reads (`EventFeed.readAll`; a `TicketStore` is one).
 *
 * @category models
 * @since 0.1.0
 */
export interface Feed<E> {
  /** The committed events after position `after`, in position order, at most `limit` of them. */
  readonly readAll: (
    after: number,
    limit: number,
    options?: { readonly workspaceId?: WorkspaceId }
  ) => Effect.Effect<ReadonlyArray<FeedEvent>, E>
}

/**
 * Options of a projection: how time is counted (`TicketMetrics.Options`), and the one workspace
 * it follows, if only one.
 *
 * @category models
 * @since 0.1.0
 */
export interface ProjectionOptions extends TicketMetrics.Options {
  readonly workspaceId?: WorkspaceId
}

/**
 * Every ticket's metrics kept in memory from the feed, event by event: `apply` folds an event
 * later than the last position seen and ignores the others (a redelivery), `catchUp` reads the
 * feed from that position until it is drained, and `report` aggregates what it holds.
 *
 * @category models
 * @since 0.1.0
 */
export interface Projection {
  /** The last feed position applied (0 before any). */
  readonly position: () => number
  /** Folds one event of the feed; `false` when it was at or before `position` and ignored. */
  readonly apply: (committed: FeedEvent) => boolean
  /** Reads the feed after `position`, `batch` events at a time, until no more; the events applied. */
  readonly catchUp: <E>(feed: Feed<E>, batch?: number) => Effect.Effect<number, E>
  /** One ticket's metrics. */
  readonly metrics: (ticketId: TicketId) => TicketMetrics.TicketMetrics | undefined
  /** Every ticket's metrics. */
  readonly tickets: () => ReadonlyArray<TicketMetrics.TicketMetrics>
  /** The report over a period, broken down by the dimensions asked for. */
  readonly report: (period: Period, by?: ReadonlyArray<Dimension>) => Report
}

/**
 * An empty projection.
 *
 * @example
 * ```ts
 * const projection = Report.makeProjection({ calendar })
 * yield* projection.catchUp(yield* TicketStore.TicketStore)
 * projection.report({ from, to }, ["group", "channel"])
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeProjection = (options: ProjectionOptions = {}): Projection => {
  const byTicket = new Map<TicketId, TicketMetrics.TicketMetrics>()
  let position = 0
  const apply = (committed: FeedEvent): boolean => {
    if (committed.position <= position) return false
    position = committed.position
    if (options.workspaceId !== undefined && committed.workspaceId !== options.workspaceId) return true
    const before = byTicket.get(committed.ticketId) ?? TicketMetrics.empty
    const after = TicketMetrics.step(before, committed.event, options)
    if (after !== before) byTicket.set(committed.ticketId, after)
    return true
  }
  const catchUp = <E>(feed: Feed<E>, batch = 1000): Effect.Effect<number, E> =>
    Effect.gen(function* () {
      let applied = 0
      for (;;) {
        const page = yield* feed.readAll(
          position,
          Math.max(1, Math.floor(batch)),
          options.workspaceId === undefined ? undefined : { workspaceId: options.workspaceId }
        )
        if (page.length === 0) return applied
        for (const committed of page) if (apply(committed)) applied++
      }
    })
  return {
    position: () => position,
    apply,
    catchUp,
    metrics: (ticketId) => byTicket.get(ticketId),
    tickets: () => [...byTicket.values()],
    report: (period, by = []) => make(byTicket.values(), period, by, options)
  }
}
