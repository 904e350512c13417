/**
 * The public-number sequence of a workspace on SQL: one atomic step per number
 * (`SqlDialect.nextInSequence`) that skips numbers a ticket already holds (chosen by hand), as
 * the memory store does. It stops at `Limits.publicIdMax`, which the 32-bit columns hold: once
 * that number is handed out, it hands out none. Not exported from the package.
 */
import { Limits } from "@tessera/core"
import type { Kysely } from "kysely"
import type { Database } from "../Database.js"
import type { SqlDialect } from "../dialect/Dialect.js"

/**
 * The next free number of the workspace keyed `ws`, starting at `first`; `undefined` when the
 * sequence has handed out `Limits.publicIdMax` already.
 *
 * @category combinators
 * @since 0.1.0
 */
export const next = async (
  db: Kysely<Database>,
  dialect: SqlDialect,
  ws: string,
  first: number
): Promise<number | undefined> => {
  for (;;) {
    const candidate = await dialect.nextInSequence(db, ws, first, Limits.publicIdMax)
    if (candidate === undefined) return undefined
    const taken = await db
      .selectFrom("tickets")
      .select("id")
      .where("workspace_id", "=", ws)
      .where("public_id", "=", candidate)
      .executeTakeFirst()
    if (taken === undefined) return candidate
  }
}
