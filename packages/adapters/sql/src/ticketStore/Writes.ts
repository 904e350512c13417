/**
 * The statements of an append: a plan written in the current transaction (the projection row
 * guarded by the expected version, events, texts, tags, email ids, then the timers and outbox
 * rows), or on PostgreSQL the whole of a simple append as one statement. Multi-row writes go
 * through `Chunks`; deciding what to write, and whether to, is `AppendPlan`'s and `Append`'s.
 */
import { StoreError } from "@tessera/core"
import { type Kysely, sql } from "kysely"
import type { Database } from "../Database.js"
import type { Plan } from "./AppendPlan.js"
import { RaceLost, Refused, type Shared, type TicketRow, textSpan } from "./Shared.js"

/**
 * The writers of plans, on the store's client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { db, pg, inChunks } = shared

  /**
   * The full-text rowid of a text on SQLite (see the migration). Unreachable: every append holds
   * a ticket to `Limits.messagesPerTicket` messages, far fewer than `textSpan`; past it, the
   * store's own limit, the append is refused with `ValueTooLarge`.
   */
  const textKey = (num: number, n: number): number => {
    if (n >= textSpan)
      throw new Refused(
        new StoreError.ValueTooLarge({
          operation: "append",
          reason: `a ticket holds at most ${textSpan - 1} texts on SQLite`
        })
      )
    return num * textSpan + n
  }

  /**
   * Writes a plan in the current transaction. `known`: the prior state is this process's own
   * snapshot at `expectedVersion`, not read in this transaction, so the row's update is the
   * version check.
   */
  const writePlan = async (trx: Kysely<Database>, plan: Plan, expectedVersion: number, known: boolean) => {
    const { row, priorRow } = plan
    const { id: _id, sla_due_at: _sla, ...unchanged } = row ?? { id: "", sla_due_at: null }
    const changes: Partial<TicketRow> = plan.keepSla ? unchanged : { ...unchanged, sla_due_at: row?.sla_due_at ?? null }
    let num = 0
    if (known && row !== undefined) {
      if (priorRow !== undefined) {
        for (const column of Object.keys(changes) as Array<keyof TicketRow>) {
          if (changes[column] === priorRow[column]) delete changes[column]
        }
      }
      // Without the read, the row lock comes first here too (as `for update` takes it on
      // the other path), so two writers never wait on each other's events in a cycle.
      const updated = await trx
        .updateTable("tickets")
        .set(changes)
        .where("id", "=", row.id)
        .where("version", "=", expectedVersion)
        .$if(!pg, (q) => q.returning("num"))
        .executeTakeFirst()
      if (pg ? Number((updated as { numUpdatedRows?: bigint }).numUpdatedRows ?? 0) === 0 : updated === undefined) {
        throw new RaceLost()
      }
      num = pg ? 0 : Number((updated as { num?: number }).num)
    }
    await inChunks(
      plan.events.map((e) => ({ workspace_id: plan.workspace, stream_id: plan.id, ...e })),
      (slice) => trx.insertInto("events").values(slice).execute()
    )
    if (row === undefined || plan.texts === undefined) return
    if (!known) {
      const inserted = await trx
        .insertInto("tickets")
        .values(pg ? row : { ...row, num: sql<number>`(select coalesce(max(num), 0) + 1 from tickets)` })
        .onConflict((oc) => oc.column("id").doUpdateSet(changes))
        .$if(!pg, (q) => q.returning("num"))
        .executeTakeFirst()
      num = pg ? 0 : Number((inserted as { num?: number }).num)
    }
    const { texts } = plan
    if (texts.deleteSubject || texts.deleteMessages) {
      await trx
        .deleteFrom("ticket_texts")
        .where("ticket_id", "=", row.id)
        .where("n", texts.deleteMessages && texts.deleteSubject ? ">=" : texts.deleteMessages ? ">" : "=", 0)
        .execute()
    }
    await inChunks(
      texts.rows.map((t) => ({
        ...(pg ? {} : { key: textKey(num, t.n) }),
        workspace_id: row.workspace_id,
        ticket_id: row.id,
        ...t
      })),
      (slice) => trx.insertInto("ticket_texts").values(slice).execute()
    )
    await inChunks(plan.tagsRemoved, (slice) =>
      trx.deleteFrom("ticket_tags").where("ticket_id", "=", row.id).where("tag", "in", slice).execute()
    )
    await inChunks(
      plan.tagsAdded.map((tag) => ({ workspace_id: row.workspace_id, ticket_id: row.id, tag })),
      (slice) =>
        trx
          .insertInto("ticket_tags")
          .values(slice)
          .onConflict((oc) => oc.doNothing())
          .execute()
    )
    await inChunks(
      plan.emailIds.map((message_id) => ({ workspace_id: row.workspace_id, message_id, ticket_id: row.id })),
      (slice) =>
        trx
          .insertInto("email_message_ids")
          .values(slice)
          .onConflict((oc) => oc.doNothing())
          .execute()
    )
  }

  /**
   * Timers and outbox rows, and the SLA fold kept beside the snapshot: written with the events,
   * whether or not the stream holds a ticket.
   */
  const writeEffects = async (trx: Kysely<Database>, plan: Plan) => {
    await inChunks(plan.timers, (slice) =>
      trx
        .insertInto("timers")
        .values(slice)
        .onConflict((oc) => oc.column("id").doNothing())
        .execute()
    )
    await inChunks(plan.outbox, (slice) =>
      trx
        .insertInto("outbox")
        .values(slice)
        .onConflict((oc) => oc.column("id").doNothing())
        .execute()
    )
    if (plan.sla !== undefined) {
      const { version, value } = plan.sla
      await trx
        .insertInto("ticket_sla")
        .values({ ticket_id: plan.id, version, value })
        .onConflict((oc) => oc.column("ticket_id").doUpdateSet({ version, value }))
        .execute()
    }
  }

  /**
   * Most rows the one-statement append writes. Its arrays are one parameter each whatever their
   * length, but one value PostgreSQL must hold in memory at once (at most 1 GB): a larger append
   * (a long list of events, say) goes through the transaction, statement by statement, instead.
   */
  const oneStatementRows = 1_000

  /**
   * PostgreSQL, a known snapshot and texts that only grow: the whole append as one statement
   * (one round trip, atomic on its own). Every write selects from `t`, the row's update guarded
   * by the expected version, so when another writer got there first nothing at all is written.
   * Only the parts with rows to write are in the statement: an empty part still costs the
   * server its planning and start-up, and a priority change needs only the row and the event.
   */
  const appendInOneStatement = async (plan: Plan, row: TicketRow, expectedVersion: number): Promise<boolean> => {
    const texts = plan.texts?.rows ?? []
    const parts = [
      sql`t as (
update tickets set version = ${row.version}, subject = ${row.subject}, requester = ${row.requester},
  organization = ${row.organization}, channel = ${row.channel}, priority = ${row.priority},
  priority_rank = ${row.priority_rank}, type = ${row.type}, status = ${row.status}, category = ${row.category},
  group_id = ${row.group_id}, assignee = ${row.assignee}, created_at = ${row.created_at},
  updated_at = ${row.updated_at}, summary = ${row.summary},
  sla_due_at = case when cast(${plan.keepSla} as boolean) then tickets.sla_due_at else cast(${row.sla_due_at} as bigint) end
where id = ${row.id} and version = ${expectedVersion}
returning id, workspace_id
)`,
      sql`e as (
insert into events (workspace_id, stream_id, version, type, data, at)
select t.workspace_id, t.id, x.version, x.type, x.data, x.at from t,
  unnest(cast(${plan.events.map((e) => e.version)} as integer[]), cast(${plan.events.map((e) => e.type)} as text[]),
    cast(${plan.events.map((e) => e.data)} as text[]), cast(${plan.events.map((e) => e.at)} as bigint[])) as x(version, type, data, at)
)`
    ]
    if (texts.length > 0)
      parts.push(sql`x as (
insert into ticket_texts (workspace_id, ticket_id, n, data, words, visibility)
select t.workspace_id, t.id, x.n, x.data, x.words, x.visibility from t,
  unnest(cast(${texts.map((r) => r.n)} as integer[]), cast(${texts.map((r) => r.data)} as text[]),
    cast(${texts.map((r) => r.words)} as text[]), cast(${texts.map((r) => r.visibility)} as text[])) as x(n, data, words, visibility)
)`)
    if (plan.tagsRemoved.length > 0)
      parts.push(sql`d as (
delete from ticket_tags where ticket_id = (select id from t) and tag = any(cast(${plan.tagsRemoved} as text[]))
)`)
    if (plan.tagsAdded.length > 0)
      parts.push(sql`a as (
insert into ticket_tags (workspace_id, ticket_id, tag)
select t.workspace_id, t.id, x.tag from t, unnest(cast(${plan.tagsAdded} as text[])) as x(tag) on conflict do nothing
)`)
    if (plan.emailIds.length > 0)
      parts.push(sql`m as (
insert into email_message_ids (workspace_id, message_id, ticket_id)
select t.workspace_id, x.id, t.id from t, unnest(cast(${plan.emailIds} as text[])) as x(id) on conflict do nothing
)`)
    if (plan.timers.length > 0)
      parts.push(sql`tm as (
insert into timers (id, workspace_id, ticket_id, purpose, due_at, available_at)
select x.id, x.workspace_id, x.ticket_id, x.purpose, x.due_at, 0 from t,
  unnest(cast(${plan.timers.map((r) => r.id)} as text[]), cast(${plan.timers.map((r) => r.workspace_id)} as text[]),
    cast(${plan.timers.map((r) => r.ticket_id)} as text[]), cast(${plan.timers.map((r) => r.purpose)} as text[]),
    cast(${plan.timers.map((r) => r.due_at)} as bigint[])) as x(id, workspace_id, ticket_id, purpose, due_at)
on conflict (id) do nothing
)`)
    if (plan.outbox.length > 0)
      parts.push(sql`o as (
insert into outbox (id, workspace_id, ticket_id, channel, payload, created_at, available_at, attempts)
select x.id, x.workspace_id, x.ticket_id, x.channel, x.payload, x.created_at, 0, 0 from t,
  unnest(cast(${plan.outbox.map((r) => r.id)} as text[]), cast(${plan.outbox.map((r) => r.workspace_id)} as text[]),
    cast(${plan.outbox.map((r) => r.ticket_id)} as text[]), cast(${plan.outbox.map((r) => r.channel)} as text[]),
    cast(${plan.outbox.map((r) => r.payload)} as text[]), cast(${plan.outbox.map((r) => r.created_at)} as bigint[]))
  as x(id, workspace_id, ticket_id, channel, payload, created_at)
on conflict (id) do nothing
)`)
    if (plan.sla !== undefined)
      parts.push(sql`s as (
insert into ticket_sla (ticket_id, version, value)
select t.id, ${plan.sla.version}, ${plan.sla.value} from t
on conflict (ticket_id) do update set version = excluded.version, value = excluded.value
)`)
    const result = await sql<{ readonly n: number }>`with ${sql.join(parts, sql`, `)}
select count(*) as n from t`.execute(db)
    return Number(result.rows[0]?.n ?? 0) === 1
  }

  return { writePlan, writeEffects, oneStatementRows, appendInOneStatement }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type Writes = ReturnType<typeof make>
