/**
 * Event positions in commit order (issue 14): where transactions overlap, a position taken at
 * insert may commit after a larger one, and a reader of "events after P" would never see it. On
 * such databases (`SqlDialect.positions`) a one-row counter now hands positions out as the last
 * statement of each append, continuing after the positions already taken; elsewhere (SQLite)
 * nothing changes.
 */
import type { Kysely } from "kysely"
import type { SqlDialect } from "../dialect/Dialect.js"

export const up = async (db: Kysely<unknown>, dialect: SqlDialect): Promise<void> => {
  await dialect.positions?.create(db)
}
