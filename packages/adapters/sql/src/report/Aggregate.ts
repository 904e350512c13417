/**
 * A period report (`Report.Report`, the same shape and numbers as core's projection) aggregated
 * in SQL over the reporting tables: one statement gathers the tickets the report holds (opened or
 * solved in the period, or in the backlog at its end, each found by its index; and those rated
 * in the period) once per dimension asked for, and computes every count, sum and nearest-rank
 * percentile over them, and the CSAT/NPS verdicts of the ratings given in the period. Where the
 * dialect has an ordered-set aggregate, the counts and distributions are one grouped pass with a
 * filter per metric; elsewhere each is its own part, with percentiles as row numbers in windows.
 * The rows are then assembled into summaries here. Dimensions come from `Rows.dimensionColumns`.
 */
import { Report } from "@tessera/core"
import { type Kysely, type RawBuilder, sql } from "kysely"
import type { ReportSql } from "../dialect/reports.js"
import { dimensionColumns, type ReportTables } from "./Rows.js"

/** One output row: what (`m`), for which dimension (`d`, 0 for all) and key, and its numbers. */
interface OutRow {
  readonly m: string
  readonly d: number | string
  readonly k: string | null
  readonly p: string | null
  readonly q: string | null
  readonly n: number | string | null
  readonly total: number | string | null
  readonly median: number | string | null
  readonly p90: number | string | null
}

/** A distribution measured in SQL: `[metric, value column, set the metric is over]`. */
const distributions: ReadonlyArray<readonly [string, string, "c" | "s"]> = [
  ["firstReply.calendar", "first_reply_calendar", "c"],
  ["firstReply.business", "first_reply_business", "c"],
  ["fullResolution.calendar", "full_resolution_calendar", "s"],
  ["fullResolution.business", "full_resolution_business", "s"],
  ["requesterWait.calendar", "requester_wait_calendar", "s"],
  ["requesterWait.business", "requester_wait_business", "s"],
  ["agentWork.calendar", "agent_work_calendar", "s"],
  ["agentWork.business", "agent_work_business", "s"],
  ["replies", "replies", "s"]
]

/** The columns every ticket of the report carries through `mem`. */
const carried = [
  ...new Set([
    "ticket_id",
    "created_at",
    "created_business",
    "replies",
    "reopens",
    ...distributions.map(([, column]) => column)
  ])
]

/**
 * Where the database has an ordered-set aggregate: every count, distribution and backlog bucket
 * over `mem` in one grouped pass (an aggregate with a `filter` each), unfolded into the rows the
 * parts would have given, one per metric with any member. Each part its own pass reads the
 * report's tickets once per metric, about twenty times.
 */
const folded = (
  percentile: NonNullable<ReportSql["percentile"]>,
  counted: ReadonlyArray<readonly [string, RawBuilder<unknown>, RawBuilder<unknown>?]>,
  ranked: ReadonlyArray<readonly [string, RawBuilder<unknown>, RawBuilder<unknown>]>,
  bucket: RawBuilder<unknown>,
  none: RawBuilder<unknown>
): RawBuilder<unknown> => {
  const items: Array<{
    readonly metric: string
    readonly n: RawBuilder<unknown>
    readonly total: RawBuilder<unknown>
    readonly median: RawBuilder<unknown>
    readonly p90: RawBuilder<unknown>
  }> = []
  for (const [metric, where, total] of counted) {
    items.push({
      metric,
      n: sql`count(*) filter (where ${where})`,
      total: total === undefined ? none : sql`sum(${total}) filter (where ${where})`,
      median: none,
      p90: none
    })
  }
  for (const [metric, value, where] of ranked) {
    items.push({
      metric,
      n: sql`count(*) filter (where ${where})`,
      total: sql`sum(${value}) filter (where ${where})`,
      median: sql`${percentile(value, 0.5)} filter (where ${where})`,
      p90: sql`${percentile(value, 0.9)} filter (where ${where})`
    })
  }
  for (const { label } of Report.ageBuckets) {
    items.push({
      metric: label,
      n: sql`count(*) filter (where mem.b = 1 and ${bucket} = ${sql.lit(label)})`,
      total: none,
      median: none,
      p90: none
    })
  }
  const column = (i: number, part: string) => sql.ref(`a.${part}${i}`)
  const aggregates = sql.join(
    items.flatMap((item, i) => [
      sql`${item.n} as ${sql.ref(`n${i}`)}`,
      sql`${item.total} as ${sql.ref(`t${i}`)}`,
      sql`${item.median} as ${sql.ref(`m${i}`)}`,
      sql`${item.p90} as ${sql.ref(`p${i}`)}`
    ])
  )
  const values = sql.join(
    items.map(
      (item, i) =>
        sql`(${sql.lit(item.metric)}, ${column(i, "n")}, ${column(i, "t")}, ${column(i, "m")}, ${column(i, "p")})`
    )
  )
  return sql`select v.m, a.d, a.k, null as p, null as q, v.n, v.total, v.median, v.p90 from (select mem.d, mem.k, ${aggregates} from mem group by mem.d, mem.k) a cross join lateral (values ${values}) as v(m, n, total, median, p90) where v.n > 0`
}

/**
 * The statement of a report over `[from, to)` in a workspace (stored key), `clockTo` being the
 * business clock at `to`.
 */
export const statement = (
  dialect: ReportSql,
  workspace: string,
  from: number,
  to: number,
  clockTo: number,
  by: ReadonlyArray<Report.Dimension>
): RawBuilder<OutRow> => {
  const created = sql`r.created_at >= ${from} and r.created_at < ${to}`
  const solved = sql`r.solved_at >= ${from} and r.solved_at < ${to}`
  const backlog = sql`r.created_at < ${to} and (r.done_since is null or r.done_since >= ${to}) and not exists (select 1 from report_done o where o.ticket_id = r.ticket_id and o.since < ${to} and o.until >= ${to})`
  // The period's rated tickets as one set, looked up by each ticket (not a subquery run per ticket).
  const rated = sql`r.ticket_id in (select rt.ticket_id from report_ratings rt where rt.at >= ${from} and rt.at < ${to})`
  const flag = (condition: RawBuilder<unknown>) => sql`case when ${condition} then 1 else 0 end`
  // The tickets' columns each aggregate reads, and the dimensions' columns asked for.
  const dimensionNames = by.flatMap((d) => {
    const place = dimensionColumns[d]
    return place._tag === "column" ? [place.column] : []
  })
  const names = [...new Set([...carried, ...dimensionNames])]
  const columns = sql.join(names.map((c) => sql.ref(`r.${c}`)))
  // The tickets opened, solved or waiting (each an index's range), and apart from them those
  // rated in the period: one condition with the rated ones in it would be a scan of every ticket.
  const select = sql`select ${columns}, ${flag(created)} as c, ${flag(solved)} as s, ${flag(backlog)} as b from report_tickets r where r.workspace_id = ${workspace}`
  const rel = sql`${select} and ((${created}) or (${solved}) or (${backlog})) union all ${select} and ${rated} and ${flag(created)} = 0 and ${flag(solved)} = 0 and ${flag(backlog)} = 0`
  const relColumns = sql.join([...carried, "c", "s", "b"].map((c) => sql.ref(`rel.${c}`)))
  const branches = [sql`select 0 as d, null as k, ${relColumns} from rel`]
  by.forEach((dimension, i) => {
    const place = dimensionColumns[dimension]
    branches.push(
      place._tag === "column"
        ? sql`select ${sql.lit(i + 1)} as d, ${sql.ref(`rel.${place.column}`)} as k, ${relColumns} from rel`
        : sql`select ${sql.lit(i + 1)} as d, x.${sql.ref(place.column)} as k, ${relColumns} from rel left join ${sql.table(place.table)} x on x.ticket_id = rel.ticket_id`
    )
  })
  const mem = sql.join(branches, sql` union all `)

  const rank = (value: RawBuilder<unknown>, from: RawBuilder<unknown>, metric: string) => {
    const percentile = dialect.percentile
    if (percentile !== undefined) {
      const v = sql.ref("x.v")
      return sql`select ${sql.lit(metric)} as m, x.d, x.k, null as p, null as q, count(*) as n, sum(${v}) as total, ${percentile(v, 0.5)} as median, ${percentile(v, 0.9)} as p90 from (select mem.d, mem.k, ${value} as v ${from}) x group by x.d, x.k`
    }
    const cnt = sql.ref("x.cnt")
    return sql`select ${sql.lit(metric)} as m, x.d, x.k, null as p, null as q, count(*) as n, sum(x.v) as total, min(case when x.rn = ${dialect.intDiv(sql`${cnt} + 1`, 2)} then x.v end) as median, min(case when x.rn = ${dialect.intDiv(sql`9 * ${cnt} + 9`, 10)} then x.v end) as p90 from (select mem.d, mem.k, ${value} as v, row_number() over (partition by mem.d, mem.k order by ${value}) as rn, count(*) over (partition by mem.d, mem.k) as cnt ${from}) x group by x.d, x.k`
  }
  const none = dialect.nullNumber
  const count = (metric: string, where: RawBuilder<unknown>, total?: RawBuilder<unknown>) =>
    sql`select ${sql.lit(metric)} as m, mem.d, mem.k, null as p, null as q, count(*) as n, ${total === undefined ? none : sql`sum(${total})`} as total, ${none} as median, ${none} as p90 from mem where ${where} group by mem.d, mem.k`

  const ageCalendar = sql`${to} - mem.created_at`
  const ageBusiness = sql`${clockTo} - mem.created_business`
  const bucket = sql`case ${sql.join(
    Report.ageBuckets
      .filter((b) => Number.isFinite(b.below))
      .map((b) => sql`when ${ageCalendar} < ${sql.lit(b.below)} then ${sql.lit(b.label)}`),
    sql` `
  )} else ${sql.lit(Report.ageBuckets[Report.ageBuckets.length - 1]?.label ?? "")} end`
  const counted: ReadonlyArray<readonly [string, RawBuilder<unknown>, RawBuilder<unknown>?]> = [
    ["members", sql`1 = 1`],
    ["created", sql`mem.c = 1`],
    ["solved", sql`mem.s = 1`, sql`mem.reopens`],
    ["oneTouch", sql`mem.s = 1 and mem.replies = 1`],
    ["reopened", sql`mem.s = 1 and mem.reopens > 0`]
  ]
  const ranked: ReadonlyArray<readonly [string, RawBuilder<unknown>, RawBuilder<unknown>]> = [
    ...distributions.map(([metric, column, over]) => {
      const value = sql.ref(`mem.${column}`)
      return [metric, value, sql`mem.${sql.ref(over)} = 1 and ${value} is not null`] as const
    }),
    ["backlog.calendar", ageCalendar, sql`mem.b = 1`],
    ["backlog.business", ageBusiness, sql`mem.b = 1`]
  ]
  const parts: Array<RawBuilder<unknown>> =
    dialect.percentile === undefined
      ? [
          ...counted.map(([metric, where, total]) => count(metric, where, total)),
          ...ranked.map(([metric, value, where]) => rank(value, sql`from mem where ${where}`, metric)),
          // Grouped outside: PostgreSQL cannot match a GROUP BY expression holding parameters.
          sql`select y.m, y.d, y.k, null as p, null as q, count(*) as n, ${none} as total, ${none} as median, ${none} as p90 from (select ${bucket} as m, mem.d, mem.k from mem where mem.b = 1) y group by y.m, y.d, y.k`
        ]
      : [folded(dialect.percentile, counted, ranked, bucket, none)]
  const next = sql`from mem join report_next_replies nr on nr.ticket_id = mem.ticket_id where mem.s = 1`
  parts.push(rank(sql.ref("nr.calendar"), next, "nextReply.calendar"))
  parts.push(rank(sql.ref("nr.business"), next, "nextReply.business"))
  parts.push(
    sql`select 'sla' as m, mem.d, mem.k, sl.policy as p, sl.metric as q, sum(case when sl.warnings > 0 then 1 else 0 end) as n, sum(case when sl.breaches > 0 then 1 else 0 end) as total, ${none} as median, ${none} as p90 from mem join report_sla sl on sl.ticket_id = mem.ticket_id where mem.c = 1 group by mem.d, mem.k, sl.policy, sl.metric`
  )
  parts.push(
    sql`select 'rating' as m, mem.d, mem.k, rt.kind as p, rt.verdict as q, count(*) as n, ${none} as total, ${none} as median, ${none} as p90 from mem join report_ratings rt on rt.ticket_id = mem.ticket_id where rt.at >= ${from} and rt.at < ${to} group by mem.d, mem.k, rt.kind, rt.verdict`
  )
  return sql<OutRow>`with rel as ${dialect.materialized} (${rel}), mem as ${dialect.materialized} (${mem}) ${sql.join(parts, sql` union all `)}`
}

const num = (value: number | string | null): number | null => (value === null ? null : Number(value))

interface Partial {
  readonly numbers: Map<string, { n: number; total: number | null; median: number | null; p90: number | null }>
  readonly sla: Map<string, { policy: string; metric: string; warned: number; breached: number }>
  /** Ratings given in the period, by kind (`csat`, `nps`) and verdict. */
  readonly ratings: { readonly csat: Verdicts; readonly nps: Verdicts }
}

type Verdicts = { good: number; neutral: number; bad: number }

const emptyPartial = (): Partial => ({
  numbers: new Map(),
  sla: new Map(),
  ratings: { csat: { good: 0, neutral: 0, bad: 0 }, nps: { good: 0, neutral: 0, bad: 0 } }
})

const statsOf = (partial: Partial, metric: string): Report.Stats => {
  const found = partial.numbers.get(metric)
  if (found === undefined || found.n === 0) return { count: 0, average: null, median: null, p90: null }
  return {
    count: found.n,
    average: Math.round((found.total ?? 0) / found.n),
    median: found.median,
    p90: found.p90
  }
}

const timeStatsOf = (partial: Partial, metric: string): Report.TimeStats => ({
  calendar: statsOf(partial, `${metric}.calendar`),
  business: statsOf(partial, `${metric}.business`)
})

const countOf = (partial: Partial, metric: string): number => partial.numbers.get(metric)?.n ?? 0

const rate = (count: number, whole: number): Report.Rate => ({ count, rate: whole === 0 ? null : count / whole })

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const summaryOf = (partial: Partial): Report.Summary => {
  const created = countOf(partial, "created")
  const solved = countOf(partial, "solved")
  return {
    created,
    solved,
    firstReply: timeStatsOf(partial, "firstReply"),
    nextReply: timeStatsOf(partial, "nextReply"),
    fullResolution: timeStatsOf(partial, "fullResolution"),
    requesterWait: timeStatsOf(partial, "requesterWait"),
    agentWork: timeStatsOf(partial, "agentWork"),
    replies: statsOf(partial, "replies"),
    oneTouch: rate(countOf(partial, "oneTouch"), solved),
    reopened: rate(countOf(partial, "reopened"), solved),
    reopens: partial.numbers.get("solved")?.total ?? 0,
    sla: [...partial.sla.values()]
      .sort((a, b) => compare(a.policy, b.policy) || compare(a.metric, b.metric))
      .map((entry) => ({
        policy: entry.policy,
        metric: entry.metric as Report.SlaCompliance["metric"],
        tickets: created,
        warned: entry.warned,
        breached: entry.breached,
        compliance: created === 0 ? null : (created - entry.breached) / created
      })),
    backlog: {
      tickets: countOf(partial, "backlog.calendar"),
      age: timeStatsOf(partial, "backlog"),
      buckets: Report.ageBuckets.map((bucket) => ({ label: bucket.label, count: countOf(partial, bucket.label) }))
    },
    ...Report.scores(partial.ratings.csat, partial.ratings.nps)
  }
}

const compareKeys = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1

/**
 * The report from the statement's rows (`unkey` undoes the stored keys).
 */
export const assemble = (
  rows: ReadonlyArray<OutRow>,
  period: Report.Period,
  by: ReadonlyArray<Report.Dimension>,
  unkey: (value: string) => string
): Report.Report => {
  const partials = by.map(() => new Map<string | null, Partial>())
  const whole = emptyPartial()
  for (const row of rows) {
    const d = Number(row.d)
    let partial = whole
    if (d > 0) {
      const keys = partials[d - 1]
      if (keys === undefined) continue
      const k = row.k === null ? null : unkey(String(row.k))
      partial = keys.get(k) ?? emptyPartial()
      keys.set(k, partial)
    }
    if (row.m === "rating") {
      const kind = row.p === "nps" ? partial.ratings.nps : partial.ratings.csat
      const verdict = row.q === "good" || row.q === "neutral" || row.q === "bad" ? row.q : undefined
      if (verdict !== undefined) kind[verdict] += num(row.n) ?? 0
    } else if (row.m === "sla") {
      const policy = unkey(String(row.p))
      const metric = String(row.q)
      partial.sla.set(`${policy}\u0000${metric}`, {
        policy,
        metric,
        warned: num(row.n) ?? 0,
        breached: num(row.total) ?? 0
      })
    } else {
      partial.numbers.set(row.m, {
        n: num(row.n) ?? 0,
        total: num(row.total),
        median: num(row.median),
        p90: num(row.p90)
      })
    }
  }
  return {
    period,
    summary: summaryOf(whole),
    breakdowns: by.map((dimension, i) => ({
      dimension,
      rows: [...(partials[i] ?? new Map<string | null, Partial>()).entries()]
        .sort(([a], [b]) => compareKeys(a, b))
        .map(([key, partial]) => ({ key, summary: summaryOf(partial) }))
    }))
  }
}

/**
 * Runs the report's statement on a client.
 */
export const run = async (
  db: Kysely<ReportTables>,
  dialect: ReportSql,
  workspace: string,
  period: Report.Period,
  clockTo: number,
  by: ReadonlyArray<Report.Dimension>
): Promise<ReadonlyArray<OutRow>> => {
  const query = statement(dialect, workspace, period.from.epochMilliseconds, period.to.epochMilliseconds, clockTo, by)
  return (await query.execute(db)).rows
}
