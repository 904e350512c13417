/**
 * PostgreSQL's one-statement append: a simple append (a snapshot the process holds, texts that
 * only grow) as data-modifying CTEs, one round trip, atomic on its own. Every write selects from
 * `t`, the row's update guarded by the expected version, so when another writer got there first
 * nothing at all is written; the events take their positions from the counter, as transactions
 * do. Part of the `postgres` record (`SqlDialect.oneStatement`).
 */
import { type RawBuilder, sql } from "kysely"
import type { OneStatement } from "./Dialect.js"

/**
 * One CTE of the statement: the values it binds, and its SQL with `v(i)` where value `i` goes
 * (built only when the statement's shape is compiled).
 */
interface Part {
  readonly name: string
  readonly values: ReadonlyArray<unknown>
  readonly text: (v: <T>(index: number) => T) => RawBuilder<unknown>
}

const part = (name: string, values: ReadonlyArray<unknown>, text: Part["text"]): Part => ({ name, values, text })

/**
 * The whole append as one statement. Only the parts with rows to write are in it: an empty part
 * still costs the server its planning and start-up, and a priority change needs only the row and
 * the event. Its arrays are one parameter each whatever their length, but one value PostgreSQL
 * must hold in memory at once (at most 1 GB): past `maxRows` rows (a long list of events, say)
 * the append goes through the transaction, statement by statement, instead. Each combination of
 * parts is one shape, compiled once.
 *
 * @category constructors
 * @since 0.1.0
 */
export const oneStatement: OneStatement = {
  maxRows: 1_000,
  append: async (db, append, statements) => {
    const { row, expectedVersion, texts, events, timers, outbox } = append
    const parts = [
      part(
        "t",
        [
          row.version,
          row.subject,
          row.requester,
          row.organization,
          row.channel,
          row.priority,
          row.priority_rank,
          row.type,
          row.status,
          row.category,
          row.group_id,
          row.assignee,
          row.created_at,
          row.updated_at,
          row.summary,
          append.keepSla,
          row.sla_due_at,
          row.id,
          expectedVersion
        ],
        (v) => sql`t as (
update tickets set version = ${v(0)}, subject = ${v(1)}, requester = ${v(2)},
  organization = ${v(3)}, channel = ${v(4)}, priority = ${v(5)},
  priority_rank = ${v(6)}, type = ${v(7)}, status = ${v(8)}, category = ${v(9)},
  group_id = ${v(10)}, assignee = ${v(11)}, created_at = ${v(12)},
  updated_at = ${v(13)}, summary = ${v(14)},
  sla_due_at = case when cast(${v(15)} as boolean) then tickets.sla_due_at else cast(${v(16)} as bigint) end
where id = ${v(17)} and version = ${v(18)}
returning id, workspace_id
)`
      ),
      // The events' positions from the counter (`eventPositions.ts`), only once the row update
      // went through: its row lock, held until this statement commits, orders the commits.
      part(
        "p",
        [events.length],
        (v) => sql`p as (
update event_positions set last = last + ${v(0)} where id = 1 and exists (select 1 from t) returning last
)`
      ),
      part(
        "e",
        [
          events.length,
          events.map((e) => e.version),
          events.map((e) => e.type),
          events.map((e) => e.data),
          events.map((e) => e.at)
        ],
        (v) => sql`e as (
insert into events (position, workspace_id, stream_id, version, type, data, at)
select p.last - ${v(0)} + x.i, t.workspace_id, t.id, x.version, x.type, x.data, x.at from t, p,
  unnest(cast(${v(1)} as integer[]), cast(${v(2)} as text[]),
    cast(${v(3)} as text[]), cast(${v(4)} as bigint[]))
    with ordinality as x(version, type, data, at, i)
)`
      )
    ]
    if (texts.length > 0)
      parts.push(
        part(
          "x",
          [texts.map((r) => r.n), texts.map((r) => r.data), texts.map((r) => r.words), texts.map((r) => r.visibility)],
          (v) => sql`x as (
insert into ticket_texts (workspace_id, ticket_id, n, data, words, visibility)
select t.workspace_id, t.id, x.n, x.data, x.words, x.visibility from t,
  unnest(cast(${v(0)} as integer[]), cast(${v(1)} as text[]),
    cast(${v(2)} as text[]), cast(${v(3)} as text[])) as x(n, data, words, visibility)
)`
        )
      )
    if (append.tagsRemoved.length > 0)
      parts.push(
        part(
          "d",
          [append.tagsRemoved],
          (v) => sql`d as (
delete from ticket_tags where ticket_id = (select id from t) and tag = any(cast(${v(0)} as text[]))
)`
        )
      )
    if (append.tagsAdded.length > 0)
      parts.push(
        part(
          "a",
          [append.tagsAdded],
          (v) => sql`a as (
insert into ticket_tags (workspace_id, ticket_id, tag)
select t.workspace_id, t.id, x.tag from t, unnest(cast(${v(0)} as text[])) as x(tag) on conflict do nothing
)`
        )
      )
    // No `on conflict`: an email id the workspace holds fails the whole statement (its key).
    if (append.emailIds.length > 0)
      parts.push(
        part(
          "m",
          [append.emailIds],
          (v) => sql`m as (
insert into email_message_ids (workspace_id, message_id, ticket_id)
select t.workspace_id, x.id, t.id from t, unnest(cast(${v(0)} as text[])) as x(id)
)`
        )
      )
    if (timers.length > 0)
      parts.push(
        part(
          "tm",
          [
            timers.map((r) => r.id),
            timers.map((r) => r.workspace_id),
            timers.map((r) => r.ticket_id),
            timers.map((r) => r.purpose),
            timers.map((r) => r.due_at)
          ],
          (v) => sql`tm as (
insert into timers (id, workspace_id, ticket_id, purpose, due_at, available_at)
select x.id, x.workspace_id, x.ticket_id, x.purpose, x.due_at, 0 from t,
  unnest(cast(${v(0)} as text[]), cast(${v(1)} as text[]),
    cast(${v(2)} as text[]), cast(${v(3)} as text[]),
    cast(${v(4)} as bigint[])) as x(id, workspace_id, ticket_id, purpose, due_at)
on conflict (id) do nothing
)`
        )
      )
    if (outbox.length > 0)
      parts.push(
        part(
          "o",
          [
            outbox.map((r) => r.id),
            outbox.map((r) => r.workspace_id),
            outbox.map((r) => r.ticket_id),
            outbox.map((r) => r.channel),
            outbox.map((r) => r.payload),
            outbox.map((r) => r.created_at)
          ],
          (v) => sql`o as (
insert into outbox (id, workspace_id, ticket_id, channel, payload, created_at, available_at, attempts)
select x.id, x.workspace_id, x.ticket_id, x.channel, x.payload, x.created_at, 0, 0 from t,
  unnest(cast(${v(0)} as text[]), cast(${v(1)} as text[]),
    cast(${v(2)} as text[]), cast(${v(3)} as text[]),
    cast(${v(4)} as text[]), cast(${v(5)} as bigint[]))
  as x(id, workspace_id, ticket_id, channel, payload, created_at)
on conflict (id) do nothing
)`
        )
      )
    if (append.sla !== undefined)
      parts.push(
        part(
          "s",
          [append.sla.version, append.sla.value],
          (v) => sql`s as (
insert into ticket_sla (ticket_id, version, value)
select t.id, ${v(0)}, ${v(1)} from t
on conflict (ticket_id) do update set version = excluded.version, value = excluded.value
)`
        )
      )
    const result = await statements.execute<{ readonly n: number }>(
      db,
      `one-statement append ${parts.map((p) => p.name).join(",")}`,
      (_, $) => {
        let first = 0
        const ctes = parts.map((p) => {
          const offset = first
          first += p.values.length
          return p.text((index) => $(offset + index))
        })
        return sql<{ readonly n: number }>`with ${sql.join(ctes, sql`, `)}
select count(*) as n from t`
      },
      parts.flatMap((p) => p.values)
    )
    return Number(result.rows[0]?.n ?? 0) === 1
  }
}
