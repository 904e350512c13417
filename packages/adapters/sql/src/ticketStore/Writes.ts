/**
 * The statements of an append: a plan written in the current transaction (the projection row
 * guarded by the expected version, texts, tags, email ids, the timers and outbox rows, and last
 * the events, at positions in commit order), or the whole of a simple append as one statement where the dialect has one
 * (`SqlDialect.oneStatement`). Multi-row writes go through `Chunks`; deciding what to write, and
 * whether to, is `AppendPlan`'s and `Append`'s.
 */
import { StoreError } from "@tessera/core"
import type { InsertQueryBuilder, InsertResult, Kysely } from "kysely"
import type { Database } from "../Database.js"
import type { Plan } from "./AppendPlan.js"
import { RaceLost, Refused, type Shared, type TicketRow } from "./Shared.js"

/** An insert of rows into `T`, turned into another (`on conflict ...`), as the shape `conflict` names. */
interface Conflict<T extends keyof Database & string> {
  readonly name: string
  readonly onConflict: (
    query: InsertQueryBuilder<Database, T, InsertResult>
  ) => InsertQueryBuilder<Database, T, InsertResult>
}

/**
 * The writers of plans, on the store's client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared) => {
  const { dialect, inChunks, statements } = shared

  /**
   * `rows` (every one with the columns of the first) inserted into `table` by one statement,
   * compiled once per table, columns, row count and `conflict` handling.
   */
  const insertRows = <T extends keyof Database & string>(
    trx: Kysely<Database>,
    table: T,
    rows: ReadonlyArray<object>,
    conflict?: Conflict<T>
  ) => {
    const columns = Object.keys(rows[0] ?? {})
    const values: Array<unknown> = []
    for (const row of rows) for (const column of columns) values.push((row as Record<string, unknown>)[column])
    return statements.execute(
      trx,
      `insert ${table} (${columns.join(",")}) ${rows.length} ${conflict?.name ?? ""}`,
      (on, $) => {
        const query = on
          .insertInto(table)
          .values(
            rows.map((_, i) => Object.fromEntries(columns.map((c, j) => [c, $(i * columns.length + j)]))) as never
          )
        return conflict === undefined ? query : conflict.onConflict(query)
      },
      values
    )
  }

  const ignore = <T extends keyof Database & string>(
    name: string,
    keys?: Parameters<typeof dialect.insertOrIgnore<T>>[1]
  ): Conflict<T> => ({ name, onConflict: (query) => dialect.insertOrIgnore(query, keys) })
  const ignoreAny = ignore("ignore")
  const ignoreId = ignore<"timers" | "outbox">("ignore id", ["id"])

  /**
   * The dialect's own columns of text `n` of ticket `num` (SQLite: its full-text rowid, see the
   * migration). Unreachable: every append holds a ticket to `Limits.messagesPerTicket`
   * messages, far fewer than `texts.perTicket`; past it, the store's own limit, the append is
   * refused with `ValueTooLarge`.
   */
  const textColumns = (num: number, n: number): { readonly key?: number } => {
    const { perTicket, columns } = dialect.texts
    if (n > perTicket)
      throw new Refused(
        new StoreError.ValueTooLarge({
          operation: "append",
          reason: `a ticket holds at most ${perTicket} texts on ${dialect.title}`
        })
      )
    return columns(num, n)
  }

  /** The contacts that start or stop following the ticket (`ticket_followers`). */
  const writeFollowers = async (trx: Kysely<Database>, plan: Plan, row: TicketRow) => {
    await inChunks(plan.followersRemoved, (slice) =>
      trx.deleteFrom("ticket_followers").where("ticket_id", "=", row.id).where("contact_id", "in", slice).execute()
    )
    await inChunks(
      plan.followersAdded.map((contact_id) => ({ workspace_id: row.workspace_id, ticket_id: row.id, contact_id })),
      (slice) => insertRows(trx, "ticket_followers", slice, ignoreAny)
    )
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
      // Only the columns that differ from the row as this process wrote it (a new object: a
      // `delete` would leave `changes` slow to read from then on).
      const changed: Record<string, unknown> = {}
      if (priorRow === undefined) Object.assign(changed, changes)
      else
        for (const column of Object.keys(changes) as Array<keyof TicketRow>) {
          if (changes[column] !== priorRow[column]) changed[column] = changes[column]
        }
      const set = changed as Partial<TicketRow>
      // Without the read, the row lock comes first here too (as `for update` takes it on
      // the other path), so two writers never wait on each other's events in a cycle.
      const updated = await dialect.tickets.update(trx, row.id, expectedVersion, set, statements)
      if (updated === undefined) throw new RaceLost()
      num = updated
    }
    if (row === undefined || plan.texts === undefined) return
    if (!known) num = await dialect.tickets.upsert(trx, row, changes, statements)
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
        ...textColumns(num, t.n),
        workspace_id: row.workspace_id,
        ticket_id: row.id,
        n: t.n,
        data: t.data,
        words: t.words,
        visibility: t.visibility
      })),
      (slice) => insertRows(trx, "ticket_texts", slice)
    )
    if (dialect.texts.index !== undefined) await dialect.texts.index(trx, row.id, texts.rows)
    if (plan.followersRemoved.length > 0 || plan.followersAdded.length > 0) await writeFollowers(trx, plan, row)
    // Most appends change no tags and no email ids: nothing to wait for then.
    if (plan.tagsRemoved.length === 0 && plan.tagsAdded.length === 0 && plan.emailIds.length === 0) return
    await inChunks(plan.tagsRemoved, (slice) =>
      statements.execute(
        trx,
        `delete ticket_tags ${slice.length}`,
        (on, $) =>
          on
            .deleteFrom("ticket_tags")
            .where("ticket_id", "=", $<string>(0))
            .where(
              "tag",
              "in",
              slice.map((_, i) => $<string>(i + 1))
            ),
        [row.id, ...slice]
      )
    )
    await inChunks(
      plan.tagsAdded.map((tag) => ({ workspace_id: row.workspace_id, ticket_id: row.id, tag })),
      (slice) => insertRows(trx, "ticket_tags", slice, ignoreAny)
    )
    // No `ignore`: an id its workspace already holds violates the table's key, which fails the
    // append (`EmailMessageRecorded`), also when another transaction inserted it first.
    await inChunks(
      plan.emailIds.map((message_id) => ({ workspace_id: row.workspace_id, message_id, ticket_id: row.id })),
      (slice) => insertRows(trx, "email_message_ids", slice)
    )
  }

  /**
   * The events of a transaction's plans, in plan order, as its last statements: where the dialect
   * keeps a counter (`SqlDialect.positions`), their positions are taken from it right before, so
   * that its row lock orders the commits of concurrent appends as their positions go; elsewhere
   * the database numbers them as they are inserted.
   */
  const writeEvents = async (trx: Kysely<Database>, plans: ReadonlyArray<Plan>) => {
    const rows = plans.flatMap((plan) =>
      plan.events.map((e) => ({ workspace_id: plan.workspace, stream_id: plan.id, ...e }))
    )
    if (rows.length === 0) return
    const first = await dialect.positions?.take(trx, rows.length)
    await inChunks(first === undefined ? rows : rows.map((row, i) => ({ position: first + i, ...row })), (slice) =>
      insertRows(trx, "events", slice)
    )
  }

  /**
   * Timers and outbox rows, and the SLA fold kept beside the snapshot: written with the events,
   * whether or not the stream holds a ticket.
   */
  const writeEffects = async (trx: Kysely<Database>, plan: Plan) => {
    if (plan.timers.length > 0) await inChunks(plan.timers, (slice) => insertRows(trx, "timers", slice, ignoreId))
    if (plan.outbox.length > 0) await inChunks(plan.outbox, (slice) => insertRows(trx, "outbox", slice, ignoreId))
    if (plan.sla !== undefined) {
      const { version, value } = plan.sla
      await statements.execute(
        trx,
        "upsert ticket_sla",
        (on, $) =>
          dialect.upsert(
            on.insertInto("ticket_sla").values({ ticket_id: $(0), version: $(1), value: $(2) }),
            ["ticket_id"],
            { version: $(1), value: $(2) }
          ),
        [plan.id, version, value]
      )
    }
  }

  /**
   * A simple append (a known snapshot, texts that only grow) as one statement where the dialect
   * has one (`SqlDialect.oneStatement`) and the append is within its rows: whether the row was
   * at the expected version (nothing is written when not), or `undefined` when the append must
   * go through the transaction instead.
   */
  const appendInOneStatement = (
    db: Kysely<Database>,
    plan: Plan,
    row: TicketRow,
    expectedVersion: number,
    rows: number
  ): Promise<boolean> | undefined => {
    const { oneStatement } = dialect
    if (oneStatement === undefined || rows > oneStatement.maxRows) return undefined
    // Followers change seldom: such an append takes the transaction, which writes them.
    if (plan.followersAdded.length > 0 || plan.followersRemoved.length > 0) return undefined
    return oneStatement.append(
      db,
      {
        row,
        expectedVersion,
        keepSla: plan.keepSla,
        events: plan.events,
        texts: plan.texts?.rows ?? [],
        tagsAdded: plan.tagsAdded,
        tagsRemoved: plan.tagsRemoved,
        emailIds: plan.emailIds,
        timers: plan.timers,
        outbox: plan.outbox,
        sla: plan.sla
      },
      statements
    )
  }

  return { writePlan, writeEvents, writeEffects, appendInOneStatement }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type Writes = ReturnType<typeof make>
