/**
 * The SLA fold beside each ticket's snapshot (issue 13): `ticket_sla` holds, per ticket, the
 * value the help desk wrote with its last append that gave one (`AppendEffects.sla`, opaque JSON)
 * and the version that append ended on, so that a process that never saw the ticket does not
 * replay its log. Existing tickets have none: the help desk replays each once, then keeps it.
 */
import type { Kysely } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  await db.schema
    .createTable("ticket_sla")
    // The same type (and collation) as `tickets.id`, which it is looked up by.
    .addColumn("ticket_id", dialect.ddl.id, (c) => c.primaryKey())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("value", dialect.ddl.text, (c) => c.notNull())
    .execute()
}
