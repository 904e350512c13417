// The hand-written SQL the reporting bench compares `SqlReport.report` with: the same numbers for
// a month by group and channel, from the same tables, written for these two dimensions by hand.
// SQLite: one statement, conditional aggregates in one pass per grouping and window functions
// for the percentiles. PostgreSQL: GROUPING SETS with `percentile_disc` and FILTER.

const DAY = 86_400_000
const buckets = [DAY, 3 * DAY, 7 * DAY, 30 * DAY]

/** The distributions: name, value expression, the set it is over. */
const distributions = [
  ["firstReply.calendar", "first_reply_calendar", "c"],
  ["firstReply.business", "first_reply_business", "c"],
  ["fullResolution.calendar", "full_resolution_calendar", "s"],
  ["fullResolution.business", "full_resolution_business", "s"],
  ["requesterWait.calendar", "requester_wait_calendar", "s"],
  ["requesterWait.business", "requester_wait_business", "s"],
  ["agentWork.calendar", "agent_work_calendar", "s"],
  ["agentWork.business", "agent_work_business", "s"],
  ["replies", "replies", "s"],
  ["backlog.calendar", "(:to - created_at)", "b"],
  ["backlog.business", "(:bto - created_business)", "b"]
] as const

const rel = `select ticket_id, group_id, channel, created_at, created_business, replies, reopens,
    first_reply_calendar, first_reply_business, full_resolution_calendar, full_resolution_business,
    requester_wait_calendar, requester_wait_business, agent_work_calendar, agent_work_business,
    case when created_at >= :from and created_at < :to then 1 else 0 end as c,
    case when solved_at >= :from and solved_at < :to then 1 else 0 end as s,
    case when created_at < :to and (done_since is null or done_since >= :to) and not exists (select 1 from report_done o where o.ticket_id = report_tickets.ticket_id and o.since < :to and o.until >= :to) then 1 else 0 end as b
  from report_tickets
  where workspace_id = :w and ((created_at >= :from and created_at < :to) or (solved_at >= :from and solved_at < :to)
    or (created_at < :to and (done_since is null or done_since >= :to) and not exists (select 1 from report_done o where o.ticket_id = report_tickets.ticket_id and o.since < :to and o.until >= :to)))`

const groupings = [
  [0, "null"],
  [1, "group_id"],
  [2, "channel"]
] as const

/** SQLite: counts and sums in one pass per grouping, percentiles by row number. */
export const sqlite = (): string => {
  const aggregates = [
    "sum(c) as created",
    "sum(s) as solved",
    "sum(case when s = 1 and replies = 1 then 1 else 0 end) as one_touch",
    "sum(case when s = 1 and reopens > 0 then 1 else 0 end) as reopened",
    "sum(case when s = 1 then reopens else 0 end) as reopens",
    "sum(b) as backlog",
    ...buckets.map(
      (below, i) => `sum(case when b = 1 and :to - created_at < ${below} then 1 else 0 end) as bucket${i}`
    ),
    ...distributions.flatMap(([, value, set], i) => [
      `sum(case when ${set} = 1 then ${value} end) as sum${i}`,
      `count(case when ${set} = 1 then ${value} end) as n${i}`
    ])
  ].join(", ")
  const counts = groupings
    .map(([d, k]) => `select ${d} as d, ${k} as k, ${aggregates} from rel${k === "null" ? "" : ` group by ${k}`}`)
    .join(" union all ")
  const ranked = (value: string, set: string, from = "rel", key = (k: string) => k) =>
    groupings
      .map(
        ([d, k]) =>
          `select ${d} as d, ${key(k)} as k, ${value} as v, row_number() over (${k === "null" ? "" : `partition by ${key(k)} `}order by ${value}) as rn, count(*) over (${k === "null" ? "" : `partition by ${key(k)}`}) as n from ${from} where ${set} = 1 and ${value} is not null`
      )
      .join(" union all ")
  const percentiles = [
    ...distributions.map(([name, value, set]) => [name, ranked(value, set)] as const),
    [
      "nextReply.calendar",
      ranked("nr.calendar", "rel.s", "rel join report_next_replies nr on nr.ticket_id = rel.ticket_id", (k) =>
        k === "null" ? k : `rel.${k}`
      )
    ] as const,
    [
      "nextReply.business",
      ranked("nr.business", "rel.s", "rel join report_next_replies nr on nr.ticket_id = rel.ticket_id", (k) =>
        k === "null" ? k : `rel.${k}`
      )
    ] as const
  ]
    .map(
      ([name, inner]) =>
        `select '${name}' as m, d, k, count(*) as n, sum(v) as total, min(case when rn = (n + 1) / 2 then v end) as median, min(case when rn = (9 * n + 9) / 10 then v end) as p90 from (${inner}) group by d, k`
    )
    .join(" union all ")
  const sla = groupings
    .map(
      ([d, k]) =>
        `select 'sla' as m, ${d} as d, ${k === "null" ? k : `rel.${k}`} as k, sl.policy, sl.metric, sum(case when sl.warnings > 0 then 1 else 0 end) as warned, sum(case when sl.breaches > 0 then 1 else 0 end) as breached from rel join report_sla sl on sl.ticket_id = rel.ticket_id where rel.c = 1 group by ${k === "null" ? "" : `rel.${k}, `}sl.policy, sl.metric`
    )
    .join(" union all ")
  return `with rel as materialized (${rel}) select 'counts' as part, * from (${counts}) full_counts;
with rel as materialized (${rel}) ${percentiles};
with rel as materialized (${rel}) ${sla}`
}

/** PostgreSQL: GROUPING SETS, `percentile_disc` within group, FILTER. */
export const postgres = (): string => {
  const aggregates = [
    "count(*) filter (where c = 1) as created",
    "count(*) filter (where s = 1) as solved",
    "count(*) filter (where s = 1 and replies = 1) as one_touch",
    "count(*) filter (where s = 1 and reopens > 0) as reopened",
    "sum(reopens) filter (where s = 1) as reopens",
    "count(*) filter (where b = 1) as backlog",
    ...buckets.map((below, i) => `count(*) filter (where b = 1 and :to - created_at < ${below}) as bucket${i}`),
    ...distributions.flatMap(([, value, set], i) => [
      `count(${value}) filter (where ${set} = 1) as n${i}`,
      `sum(${value}) filter (where ${set} = 1) as sum${i}`,
      `percentile_disc(0.5) within group (order by ${value}) filter (where ${set} = 1) as median${i}`,
      `percentile_disc(0.9) within group (order by ${value}) filter (where ${set} = 1) as p90${i}`
    ])
  ].join(", ")
  const next = ["calendar", "business"].flatMap((c) => [
    `count(nr.${c}) as n_${c}`,
    `sum(nr.${c}) as sum_${c}`,
    `percentile_disc(0.5) within group (order by nr.${c}) as median_${c}`,
    `percentile_disc(0.9) within group (order by nr.${c}) as p90_${c}`
  ])
  return `with rel as materialized (${rel}) select grouping(group_id) as g, grouping(channel) as h, group_id, channel, ${aggregates} from rel group by grouping sets ((), (group_id), (channel));
with rel as materialized (${rel}) select grouping(rel.group_id) as g, grouping(rel.channel) as h, rel.group_id, rel.channel, ${next.join(", ")} from rel join report_next_replies nr on nr.ticket_id = rel.ticket_id where rel.s = 1 group by grouping sets ((), (rel.group_id), (rel.channel));
with rel as materialized (${rel}) select grouping(rel.group_id) as g, grouping(rel.channel) as h, rel.group_id, rel.channel, sl.policy, sl.metric, count(*) filter (where sl.warnings > 0) as warned, count(*) filter (where sl.breaches > 0) as breached from rel join report_sla sl on sl.ticket_id = rel.ticket_id where rel.c = 1 group by grouping sets ((sl.policy, sl.metric), (rel.group_id, sl.policy, sl.metric), (rel.channel, sl.policy, sl.metric))`
}

/** The statements of `sql` with named parameters filled in (numbers and a quoted workspace). */
export const bind = (
  text: string,
  values: { readonly w: string; readonly from: number; readonly to: number; readonly bto: number }
) =>
  text
    .replaceAll(":w", `'${values.w.replaceAll("'", "''")}'`)
    .replaceAll(":from", String(values.from))
    .replaceAll(":bto", String(values.bto))
    .replaceAll(":to", String(values.to))
    .split(";\n")
