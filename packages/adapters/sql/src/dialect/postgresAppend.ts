/**
 * PostgreSQL's one-statement append: a simple append (a snapshot the process holds, texts that
 * only grow) as data-modifying CTEs, one round trip, atomic on its own. Every write selects from
 * `t`, the row's update guarded by the expected version, so when another writer got there first
 * nothing at all is written; the events take their positions from the counter, as transactions
 * do. Part of the `postgres` record (`SqlDialect.oneStatement`).
 */
import { sql } from "kysely"
import type { OneStatement } from "./Dialect.js"

/**
 * The whole append as one statement. Only the parts with rows to write are in it: an empty part
 * still costs the server its planning and start-up, and a priority change needs only the row and
 * the event. Its arrays are one parameter each whatever their length, but one value PostgreSQL
 * must hold in memory at once (at most 1 GB): past `maxRows` rows (a long list of events, say)
 * the append goes through the transaction, statement by statement, instead.
 *
 * @category constructors
 * @since 0.1.0
 */
export const oneStatement: OneStatement = {
  maxRows: 1_000,
  append: async (db, append) => {
    const { row, expectedVersion, texts, events } = append
    const parts = [
      sql`t as (
update tickets set version = ${row.version}, subject = ${row.subject}, requester = ${row.requester},
  organization = ${row.organization}, channel = ${row.channel}, priority = ${row.priority},
  priority_rank = ${row.priority_rank}, type = ${row.type}, status = ${row.status}, category = ${row.category},
  group_id = ${row.group_id}, assignee = ${row.assignee}, created_at = ${row.created_at},
  updated_at = ${row.updated_at}, summary = ${row.summary},
  sla_due_at = case when cast(${append.keepSla} as boolean) then tickets.sla_due_at else cast(${row.sla_due_at} as bigint) end
where id = ${row.id} and version = ${expectedVersion}
returning id, workspace_id
)`,
      // The events' positions from the counter (`eventPositions.ts`), only once the row update
      // went through: its row lock, held until this statement commits, orders the commits.
      sql`p as (
update event_positions set last = last + ${events.length} where id = 1 and exists (select 1 from t) returning last
)`,
      sql`e as (
insert into events (position, workspace_id, stream_id, version, type, data, at)
select p.last - ${events.length} + x.i, t.workspace_id, t.id, x.version, x.type, x.data, x.at from t, p,
  unnest(cast(${events.map((e) => e.version)} as integer[]), cast(${events.map((e) => e.type)} as text[]),
    cast(${events.map((e) => e.data)} as text[]), cast(${events.map((e) => e.at)} as bigint[]))
    with ordinality as x(version, type, data, at, i)
)`
    ]
    if (texts.length > 0)
      parts.push(sql`x as (
insert into ticket_texts (workspace_id, ticket_id, n, data, words, visibility)
select t.workspace_id, t.id, x.n, x.data, x.words, x.visibility from t,
  unnest(cast(${texts.map((r) => r.n)} as integer[]), cast(${texts.map((r) => r.data)} as text[]),
    cast(${texts.map((r) => r.words)} as text[]), cast(${texts.map((r) => r.visibility)} as text[])) as x(n, data, words, visibility)
)`)
    if (append.tagsRemoved.length > 0)
      parts.push(sql`d as (
delete from ticket_tags where ticket_id = (select id from t) and tag = any(cast(${append.tagsRemoved} as text[]))
)`)
    if (append.tagsAdded.length > 0)
      parts.push(sql`a as (
insert into ticket_tags (workspace_id, ticket_id, tag)
select t.workspace_id, t.id, x.tag from t, unnest(cast(${append.tagsAdded} as text[])) as x(tag) on conflict do nothing
)`)
    if (append.emailIds.length > 0)
      parts.push(sql`m as (
insert into email_message_ids (workspace_id, message_id, ticket_id)
select t.workspace_id, x.id, t.id from t, unnest(cast(${append.emailIds} as text[])) as x(id) on conflict do nothing
)`)
    if (append.timers.length > 0)
      parts.push(sql`tm as (
insert into timers (id, workspace_id, ticket_id, purpose, due_at, available_at)
select x.id, x.workspace_id, x.ticket_id, x.purpose, x.due_at, 0 from t,
  unnest(cast(${append.timers.map((r) => r.id)} as text[]), cast(${append.timers.map((r) => r.workspace_id)} as text[]),
    cast(${append.timers.map((r) => r.ticket_id)} as text[]), cast(${append.timers.map((r) => r.purpose)} as text[]),
    cast(${append.timers.map((r) => r.due_at)} as bigint[])) as x(id, workspace_id, ticket_id, purpose, due_at)
on conflict (id) do nothing
)`)
    if (append.outbox.length > 0)
      parts.push(sql`o as (
insert into outbox (id, workspace_id, ticket_id, channel, payload, created_at, available_at, attempts)
select x.id, x.workspace_id, x.ticket_id, x.channel, x.payload, x.created_at, 0, 0 from t,
  unnest(cast(${append.outbox.map((r) => r.id)} as text[]), cast(${append.outbox.map((r) => r.workspace_id)} as text[]),
    cast(${append.outbox.map((r) => r.ticket_id)} as text[]), cast(${append.outbox.map((r) => r.channel)} as text[]),
    cast(${append.outbox.map((r) => r.payload)} as text[]), cast(${append.outbox.map((r) => r.created_at)} as bigint[]))
  as x(id, workspace_id, ticket_id, channel, payload, created_at)
on conflict (id) do nothing
)`)
    if (append.sla !== undefined)
      parts.push(sql`s as (
insert into ticket_sla (ticket_id, version, value)
select t.id, ${append.sla.version}, ${append.sla.value} from t
on conflict (ticket_id) do update set version = excluded.version, value = excluded.value
)`)
    const result = await sql<{ readonly n: number }>`with ${sql.join(parts, sql`, `)}
select count(*) as n from t`.execute(db)
    return Number(result.rows[0]?.n ?? 0) === 1
  }
}
