/**
 * Dead letters in the outbox (issue 17): each message keeps the error of its last failed attempt
 * (`last_error`), and one parked for good has the time it died (`dead_at`). A dead letter's
 * `available_at` is set past any time a claim asks for (`Outbox.DeadLetterReady`), so the claim's
 * range on `outbox_ready` (channel, available_at <= now) stops before dead rows and never reads
 * them; `outbox_dead` finds a workspace's dead letters for operators.
 */
import type { Kysely } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  // One column per statement: SQLite adds one at a time.
  await db.schema.alterTable("outbox").addColumn("last_error", dialect.ddl.text).execute()
  await db.schema.alterTable("outbox").addColumn("dead_at", "bigint").execute()
  await db.schema.createIndex("outbox_dead").on("outbox").columns(["workspace_id", "dead_at"]).execute()
}
