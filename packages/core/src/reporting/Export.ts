/**
 * Reports and per-ticket metrics as CSV and JSON, for spreadsheets and other tools. CSV follows
 * RFC 4180 (CRLF line ends, fields with a comma, a quote or a line break quoted, quotes doubled),
 * and a cell a spreadsheet would run as a formula is neutralised with a leading `'` (OWASP's
 * advice against CSV injection), whatever field it comes from: tags, group and agent ids are
 * chosen by users. Reading CSV back, and choosing columns, is left to the caller.
 *
 * @since 0.1.0
 */
import { DateTime, Option } from "effect"
import type * as Report from "./Report.js"
import type * as TicketMetrics from "./TicketMetrics.js"

/** The characters a spreadsheet may read as the start of a formula (OWASP). */
const triggers = new Set(["=", "+", "-", "@", "\t", "\r"])

/**
 * Whether a spreadsheet could run a cell as a formula: it starts with `=`, `+`, `-`, `@`, a tab
 * or a carriage return, or with one of those after leading whitespace or quote characters.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isFormulaLike = (cell: string): boolean => {
  const first = cell.charAt(0)
  if (triggers.has(first)) return true
  const rest = cell.replace(/^[\s"']+/u, "")
  return rest !== cell && triggers.has(rest.charAt(0))
}

/**
 * A cell made inert: prefixed with `'` when `isFormulaLike`, as it was otherwise.
 *
 * @category combinators
 * @since 0.1.0
 */
export const neutralize = (cell: string): string => (isFormulaLike(cell) ? `'${cell}` : cell)

/**
 * One CSV field: neutralised (`neutralize`), then quoted per RFC 4180 when it holds a comma, a
 * double quote, a carriage return or a line feed.
 *
 * @category combinators
 * @since 0.1.0
 */
export const field = (value: string | number | boolean | null): string => {
  if (value === null) return ""
  const cell = neutralize(String(value))
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell
}

/**
 * A CSV document from a header and rows: fields as `field` writes them, records ended by CRLF.
 *
 * @category constructors
 * @since 0.1.0
 */
export const csv = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>>
): string => [header, ...rows].map((row) => `${row.map(field).join(",")}\r\n`).join("")

/** An instant as ISO text; `null` for none, or for milliseconds no date has (metrics from garbage). */
const iso = (millis: number | null): string | null =>
  millis === null ? null : Option.getOrNull(Option.map(DateTime.make(millis), DateTime.formatIso))

const timeMetrics = ["firstReply", "nextReply", "fullResolution", "requesterWait", "agentWork"] as const
const statFields = ["count", "average", "median", "p90"] as const

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * The columns of `reportCsv`, in order.
 *
 * @category models
 * @since 0.1.0
 */
export const reportColumns: ReadonlyArray<string> = [
  "dimension",
  "key",
  "period_from",
  "period_to",
  "created",
  "solved",
  ...timeMetrics.flatMap((metric) =>
    (["calendar", "business"] as const).flatMap((clock) =>
      statFields.map((stat) => `${snake(metric)}_${clock}_${stat}${stat === "count" ? "" : "_ms"}`)
    )
  ),
  ...statFields.map((stat) => `replies_${stat}`),
  "one_touch",
  "one_touch_rate",
  "reopened",
  "reopened_rate",
  "reopens",
  "backlog",
  ...statFields.map((stat) => `backlog_age_calendar_${stat}${stat === "count" ? "" : "_ms"}`),
  ...statFields.map((stat) => `backlog_age_business_${stat}${stat === "count" ? "" : "_ms"}`),
  "backlog_lt_1d",
  "backlog_1d_3d",
  "backlog_3d_7d",
  "backlog_7d_30d",
  "backlog_ge_30d",
  "csat_responses",
  "csat_satisfied",
  "csat_neutral",
  "csat_dissatisfied",
  "csat_score",
  "nps_responses",
  "nps_promoters",
  "nps_passives",
  "nps_detractors",
  "nps_score"
]

const summaryCells = (summary: Report.Summary): Array<string | number | null> => [
  summary.created,
  summary.solved,
  ...timeMetrics.flatMap((metric) =>
    (["calendar", "business"] as const).flatMap((clock) => statFields.map((stat) => summary[metric][clock][stat]))
  ),
  ...statFields.map((stat) => summary.replies[stat]),
  summary.oneTouch.count,
  summary.oneTouch.rate,
  summary.reopened.count,
  summary.reopened.rate,
  summary.reopens,
  summary.backlog.tickets,
  ...statFields.map((stat) => summary.backlog.age.calendar[stat]),
  ...statFields.map((stat) => summary.backlog.age.business[stat]),
  ...summary.backlog.buckets.map((bucket) => bucket.count),
  summary.csat.responses,
  summary.csat.satisfied,
  summary.csat.neutral,
  summary.csat.dissatisfied,
  summary.csat.score,
  summary.nps.responses,
  summary.nps.promoters,
  summary.nps.passives,
  summary.nps.detractors,
  summary.nps.score
]

/** The report's summaries: the whole (`all`, no key), then each breakdown's rows. */
const summaries = (
  report: Pick<Report.Report, "summary" | "breakdowns">
): Array<readonly [string, string | null, Report.Summary]> => [
  ["all", null, report.summary],
  ...report.breakdowns.flatMap((b) => b.rows.map((row) => [b.dimension, row.key, row.summary] as const))
]

/**
 * A report as CSV: one record for the whole (`dimension` `all`) and one per breakdown row, with
 * `reportColumns` (times in milliseconds; empty cells where there is no value). SLA compliance,
 * whose policies and metrics vary, is `slaCsv`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const reportCsv = (report: Report.Report | ReportJson): string => {
  const from = isoOf(report.period.from)
  const to = isoOf(report.period.to)
  return csv(
    reportColumns,
    summaries(report).map(([dimension, key, summary]) => [dimension, key, from, to, ...summaryCells(summary)])
  )
}

/**
 * A report's SLA compliance as CSV: one record per summary (as in `reportCsv`), policy and metric.
 *
 * @category constructors
 * @since 0.1.0
 */
export const slaCsv = (report: Report.Report | ReportJson): string =>
  csv(
    ["dimension", "key", "policy", "metric", "tickets", "warned", "breached", "compliance"],
    summaries(report).flatMap(([dimension, key, summary]) =>
      summary.sla.map((s) => [dimension, key, s.policy, s.metric, s.tickets, s.warned, s.breached, s.compliance])
    )
  )

/**
 * The columns of `ticketsCsv`, in order.
 *
 * @category models
 * @since 0.1.0
 */
export const ticketColumns: ReadonlyArray<string> = [
  "ticket_id",
  "public_id",
  "created_at",
  "created_hour",
  "channel",
  "type",
  "group",
  "assignee",
  "organization",
  "priority",
  "tags",
  "status_category",
  "solved_at",
  "first_reply_calendar_ms",
  "first_reply_business_ms",
  "next_replies",
  "next_reply_calendar_total_ms",
  "next_reply_business_total_ms",
  "full_resolution_calendar_ms",
  "full_resolution_business_ms",
  "requester_wait_calendar_ms",
  "requester_wait_business_ms",
  "agent_work_calendar_ms",
  "agent_work_business_ms",
  "replies",
  "one_touch",
  "solves",
  "reopens",
  "merged",
  "sla_breaches",
  "sla_warnings"
]

/**
 * Per-ticket metrics as CSV, one record per ticket with `ticketColumns` (tags separated by
 * spaces; SLA milestones as `policy/metric` counts, `standard/first_reply:1`, separated by spaces).
 *
 * @category constructors
 * @since 0.1.0
 */
export const ticketsCsv = (tickets: Iterable<TicketMetrics.TicketMetrics>): string =>
  csv(
    ticketColumns,
    [...tickets].map((m) => [
      m.ticketId,
      m.publicId,
      iso(m.createdAt),
      m.createdHour,
      m.channel,
      m.type,
      m.group,
      m.assignee,
      m.organization,
      m.priority,
      m.tags.join(" "),
      m.category,
      iso(m.solvedAt),
      m.firstReply?.calendar ?? null,
      m.firstReply?.business ?? null,
      m.nextReplies.length,
      m.nextReplies.reduce((total, s) => total + s.calendar, 0),
      m.nextReplies.reduce((total, s) => total + s.business, 0),
      m.fullResolution?.calendar ?? null,
      m.fullResolution?.business ?? null,
      m.requesterWait.calendar,
      m.requesterWait.business,
      m.agentWork.calendar,
      m.agentWork.business,
      m.replies,
      m.solvedAt !== null && m.replies === 1,
      m.solves,
      m.reopens,
      m.merged,
      milestones(m, "breaches"),
      milestones(m, "warnings")
    ])
  )

const milestones = (m: TicketMetrics.TicketMetrics, kind: "breaches" | "warnings"): string =>
  m.sla
    .filter((s) => s[kind] > 0)
    .map((s) => `${s.policy}/${s.metric}:${s[kind]}`)
    .join(" ")

/**
 * A report as plain data: the same structure with the period's instants as ISO strings (what the
 * Promise client's `report` resolves with). `reportCsv`, `slaCsv` and `reportJson` take it as
 * they take a `Report.Report`.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReportJson extends Omit<Report.Report, "period"> {
  readonly period: { readonly from: string; readonly to: string }
}

/** An instant of a report's period as an ISO string, whichever form the report holds it in. */
const isoOf = (instant: DateTime.Utc | string): string =>
  typeof instant === "string" ? instant : DateTime.formatIso(instant)

/**
 * A report as plain data (`ReportJson`): instants as ISO strings, times in milliseconds.
 *
 * @category constructors
 * @since 0.1.0
 */
export const reportData = (report: Report.Report | ReportJson): ReportJson => ({
  ...report,
  period: { from: isoOf(report.period.from), to: isoOf(report.period.to) }
})

/**
 * A report as JSON: the same structure, instants as ISO strings, times in milliseconds. JSON
 * needs no neutralising: nothing evaluates it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const reportJson = (report: Report.Report | ReportJson): string => JSON.stringify(reportData(report))

/**
 * Per-ticket metrics as JSON: an array of `TicketMetrics` (instants in epoch milliseconds, as the
 * metrics hold them).
 *
 * @category constructors
 * @since 0.1.0
 */
export const ticketsJson = (tickets: Iterable<TicketMetrics.TicketMetrics>): string => JSON.stringify([...tickets])
