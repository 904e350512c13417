/**
 * Public-only search (issue 12): each text of a ticket says who may read it (`visibility`: the
 * subject and public replies `public`, internal notes `internal`), so a requester's search can
 * leave notes out. Existing rows are backfilled from the message JSON they hold. It also clears
 * the description of tickets that opened with an internal note (splits before issue 12 did),
 * which is what folding their events gives now (`Ticket.evolve`).
 */
import { type Kysely, sql } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  const { ddl } = dialect
  await db.schema
    .alterTable("ticket_texts")
    .addColumn("visibility", ddl.key, (c) => c.notNull().defaultTo("public"))
    .execute()
  const visibility = ddl.jsonText("data", ["visibility"])
  await sql`update ticket_texts set visibility = 'internal' where n > 0 and ${visibility} = 'internal'`.execute(db)
  const openedWithNote = sql`${ddl.jsonText("data", ["message", "visibility"])} = 'internal'`
  const cleared = ddl.jsonWithText("summary", ["description"], "")
  await sql`update tickets set summary = ${cleared} where id in (select stream_id from events where type = 'TicketOpened' and ${openedWithNote})`.execute(
    db
  )
}
