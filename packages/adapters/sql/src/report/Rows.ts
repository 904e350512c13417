/**
 * How a ticket's `TicketMetrics` are kept in the reporting tables (migration 006): the tables as
 * kysely sees them, the rows of one ticket, and the dimensions as data (which column or side
 * table holds each of `Report.Dimension`), so that a new dimension is one entry here and one
 * column in a migration. Business time from the epoch (`businessClock`) lets SQL count a
 * backlog's business age by subtraction.
 */
import { type Report, Satisfaction, TicketMetrics } from "@tessera/core"

/** Epoch milliseconds (a `bigint` column). */
type Millis = number

/** @category models @since 0.1.0 */
export interface ReportTicketsTable {
  ticket_id: string
  workspace_id: string
  created_at: Millis
  created_business: Millis
  channel: string | null
  type: string | null
  group_id: string | null
  assignee: string | null
  organization: string | null
  priority: string | null
  complexity: string | null
  created_hour: string | null
  solved_at: Millis | null
  done_since: Millis | null
  first_reply_calendar: Millis | null
  first_reply_business: Millis | null
  full_resolution_calendar: Millis | null
  full_resolution_business: Millis | null
  requester_wait_calendar: Millis
  requester_wait_business: Millis
  agent_work_calendar: Millis
  agent_work_business: Millis
  replies: number
  reopens: number
}

/** @category models @since 0.1.0 */
export interface ReportTagsTable {
  workspace_id: string
  ticket_id: string
  tag: string
}

/** @category models @since 0.1.0 */
export interface ReportNextRepliesTable {
  workspace_id: string
  ticket_id: string
  n: number
  calendar: Millis
  business: Millis
}

/** @category models @since 0.1.0 */
export interface ReportSlaTable {
  workspace_id: string
  ticket_id: string
  policy: string
  metric: string
  warnings: number
  breaches: number
}

/** @category models @since 0.1.0 */
export interface ReportDoneTable {
  workspace_id: string
  ticket_id: string
  n: number
  since: Millis
  until: Millis
}

/** @category models @since 0.1.0 */
export interface ReportRatingsTable {
  workspace_id: string
  ticket_id: string
  survey: string
  /** `csat` or `nps`. */
  kind: string
  /** `Satisfaction.verdict` of the rating: `good`, `neutral` or `bad`. */
  verdict: string
  at: Millis
}

/** @category models @since 0.1.0 */
export interface ReportStatesTable {
  ticket_id: string
  workspace_id: string
  /** `TicketMetrics` as JSON. */
  state: string
}

/** @category models @since 0.1.0 */
export interface ReportCheckpointsTable {
  name: string
  position: Millis
}

/**
 * The reporting tables (migration `006_report_metrics`).
 *
 * @category models
 * @since 0.1.0
 */
export interface ReportTables {
  report_tickets: ReportTicketsTable
  report_tags: ReportTagsTable
  report_next_replies: ReportNextRepliesTable
  report_sla: ReportSlaTable
  report_done: ReportDoneTable
  report_ratings: ReportRatingsTable
  report_states: ReportStatesTable
  report_checkpoints: ReportCheckpointsTable
}

/** The tables holding a ticket's rows, rewritten together. */
export const ticketTables = [
  "report_tickets",
  "report_states",
  "report_tags",
  "report_next_replies",
  "report_sla",
  "report_done",
  "report_ratings"
] as const

/**
 * Where a dimension's key is: a column of `report_tickets` (with the value a ticket's metrics
 * give it), or the `tag` column of a side table for a dimension a ticket has several values of.
 *
 * @category models
 * @since 0.1.0
 */
export type DimensionColumn =
  | {
      readonly _tag: "column"
      readonly column: keyof ReportTicketsTable & string
      readonly of: (metrics: TicketMetrics.TicketMetrics) => string | null
    }
  | { readonly _tag: "side"; readonly table: "report_tags"; readonly column: "tag" }

/** The one key `Report.keysOf` gives a single-valued dimension. */
const single =
  (dimension: Report.Dimension) =>
  (metrics: TicketMetrics.TicketMetrics): string | null => {
    const hour = metrics.createdHour
    if (dimension === "hour") return hour === null ? null : String(hour).padStart(2, "0")
    const value = metrics[dimension as Exclude<Report.Dimension, "tag" | "hour">]
    return value ?? null
  }

const column = (dimension: Report.Dimension, name: keyof ReportTicketsTable & string): DimensionColumn => ({
  _tag: "column",
  column: name,
  of: single(dimension)
})

/**
 * Every dimension's place in the tables. Adding a dimension to `Report.Dimension` adds an entry
 * here (the compiler asks for it) and a column in a migration.
 *
 * @category models
 * @since 0.1.0
 */
export const dimensionColumns: Readonly<Record<Report.Dimension, DimensionColumn>> = {
  channel: column("channel", "channel"),
  tag: { _tag: "side", table: "report_tags", column: "tag" },
  type: column("type", "type"),
  complexity: column("complexity", "complexity"),
  group: column("group", "group_id"),
  assignee: column("assignee", "assignee"),
  organization: column("organization", "organization"),
  priority: column("priority", "priority"),
  hour: column("hour", "created_hour")
}

const DAY = 86_400_000

/**
 * Business milliseconds from the epoch to an instant (negative before it) in the options'
 * calendar: the instant itself without a calendar. `clock(b) - clock(a)` is the business time
 * in `[a, b)`, as `TicketMetrics.spanBetween` counts it. Each day's count from the epoch is
 * computed once and kept, so a clock costs about one day's count per call.
 *
 * @category constructors
 * @since 0.1.0
 */
export const businessClock = (options: TicketMetrics.Options): ((instant: number) => number) => {
  if (options.calendar === undefined) return (instant) => instant
  const days = new Map<number, number>()
  const fromEpoch = (instant: number) =>
    instant >= 0
      ? TicketMetrics.spanBetween(options, 0, instant).business
      : -TicketMetrics.spanBetween(options, instant, 0).business
  return (instant) => {
    const start = Math.floor(instant / DAY) * DAY
    let base = days.get(start)
    if (base === undefined) {
      if (days.size > 100_000) days.clear()
      base = fromEpoch(start)
      days.set(start, base)
    }
    return base + TicketMetrics.spanBetween(options, start, instant).business
  }
}

/**
 * A ticket's rows in the reporting tables, ids and keys as stored (`key`); `undefined` before its
 * opening (no row).
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketRows {
  readonly ticket: ReportTicketsTable
  readonly state: ReportStatesTable
  readonly tags: ReadonlyArray<ReportTagsTable>
  readonly nextReplies: ReadonlyArray<ReportNextRepliesTable>
  readonly sla: ReadonlyArray<ReportSlaTable>
  readonly done: ReadonlyArray<ReportDoneTable>
  readonly ratings: ReadonlyArray<ReportRatingsTable>
}

/**
 * The rows of a ticket's metrics in a workspace.
 *
 * @category constructors
 * @since 0.1.0
 */
export const rowsOf = (
  workspace: string,
  ticketId: string,
  metrics: TicketMetrics.TicketMetrics,
  clock: (instant: number) => number,
  key: (value: string) => string
): TicketRows | undefined => {
  const createdAt = metrics.createdAt
  if (createdAt === null) return undefined
  const orNull = (value: string | null) => (value === null ? null : key(value))
  const current = metrics.done[metrics.done.length - 1]
  const ticket: ReportTicketsTable = {
    ticket_id: ticketId,
    workspace_id: workspace,
    created_at: createdAt,
    created_business: clock(createdAt),
    channel: null,
    type: null,
    group_id: null,
    assignee: null,
    organization: null,
    priority: null,
    complexity: null,
    created_hour: null,
    solved_at: metrics.solvedAt,
    done_since: current !== undefined && current[1] === null ? current[0] : null,
    first_reply_calendar: metrics.firstReply?.calendar ?? null,
    first_reply_business: metrics.firstReply?.business ?? null,
    full_resolution_calendar: metrics.fullResolution?.calendar ?? null,
    full_resolution_business: metrics.fullResolution?.business ?? null,
    requester_wait_calendar: metrics.requesterWait.calendar,
    requester_wait_business: metrics.requesterWait.business,
    agent_work_calendar: metrics.agentWork.calendar,
    agent_work_business: metrics.agentWork.business,
    replies: metrics.replies,
    reopens: metrics.reopens
  }
  const columns = ticket as unknown as Record<string, unknown>
  for (const place of Object.values(dimensionColumns)) {
    if (place._tag === "column") columns[place.column] = orNull(place.of(metrics))
  }
  const base = { workspace_id: workspace, ticket_id: ticketId }
  return {
    ticket,
    state: { ...base, state: JSON.stringify(metrics) },
    tags: [...new Set(metrics.tags)].map((tag) => ({ ...base, tag: key(tag) })),
    nextReplies: metrics.nextReplies.map((span, n) => ({
      ...base,
      n,
      calendar: span.calendar,
      business: span.business
    })),
    sla: metrics.sla.map((r) => ({
      ...base,
      policy: key(r.policy),
      metric: r.metric,
      warnings: r.warnings,
      breaches: r.breaches
    })),
    done: metrics.done.flatMap(([since, until], n) => (until === null ? [] : [{ ...base, n, since, until }])),
    ratings: (metrics.ratings ?? []).map((r) => ({
      ...base,
      survey: key(r.survey),
      kind: r.rating.kind,
      verdict: Satisfaction.verdict(r.rating),
      at: r.at
    }))
  }
}
