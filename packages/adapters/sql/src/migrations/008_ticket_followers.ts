/**
 * The contacts following each ticket (issue 18), beside its row as its tags are: a customer's
 * queue holds the tickets they follow (a CC), and finding those takes the index on (workspace,
 * contact) instead of reading every summary. Existing tickets get their followers from the
 * summary their row holds, read once here page by page.
 */
import type { Kysely } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

/** Tickets read per step of the backfill. */
const page = 500

interface Summary {
  readonly followers?: ReadonlyArray<{ readonly _tag?: unknown; readonly id?: unknown }>
}

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  const { id: ticketIdType, ref } = dialect.ddl
  await db.schema
    .createTable("ticket_followers")
    .addColumn("workspace_id", ref, (c) => c.notNull())
    .addColumn("ticket_id", ticketIdType, (c) => c.notNull())
    .addColumn("contact_id", ref, (c) => c.notNull())
    .addPrimaryKeyConstraint("ticket_followers_pk", ["ticket_id", "contact_id"])
    .execute()
  await db.schema
    .createIndex("ticket_followers_by_contact")
    .on("ticket_followers")
    .columns(["workspace_id", "contact_id", "ticket_id"])
    .execute()

  // The summaries hold the values as given; the table holds them as the store keys them.
  const tickets = db as unknown as Kysely<{
    tickets: { id: string; workspace_id: string; summary: string }
    ticket_followers: { workspace_id: string; ticket_id: string; contact_id: string }
  }>
  let after: string | undefined
  for (;;) {
    const rows = await tickets
      .selectFrom("tickets")
      .select(["id", "workspace_id", "summary"])
      .$if(after !== undefined, (q) => q.where("id", ">", after as string))
      .orderBy("id")
      .limit(page)
      .execute()
    const followers = rows.flatMap((row) =>
      ((JSON.parse(row.summary) as Summary).followers ?? [])
        .filter((f) => f._tag === "contact" && typeof f.id === "string")
        .map((f) => ({ workspace_id: row.workspace_id, ticket_id: row.id, contact_id: dialect.key(f.id as string) }))
    )
    if (followers.length > 0) await tickets.insertInto("ticket_followers").values(followers).execute()
    const last = rows[rows.length - 1]
    if (last === undefined || rows.length < page) break
    after = last.id
  }
}
