/**
 * The public-number sequence of a workspace on SQL: one upsert per number, atomic on both
 * databases, that skips numbers a ticket already holds (chosen by hand), as the memory store does.
 * It stops at `Limits.publicIdMax`, which PostgreSQL's 32-bit columns hold: once that number is
 * handed out, it hands out none. Not exported from the package.
 */
import { Limits } from "@tessera/core"
import type { Kysely } from "kysely"
import type { Database } from "../Database.js"

/**
 * The next free number of the workspace keyed `ws`, starting at `first`; `undefined` when the
 * sequence has handed out `Limits.publicIdMax` already.
 *
 * @category combinators
 * @since 0.1.0
 */
export const next = async (db: Kysely<Database>, ws: string, first: number): Promise<number | undefined> => {
  for (;;) {
    const row = await db
      .insertInto("public_id_sequences")
      .values({ workspace_id: ws, last_value: first })
      .onConflict((oc) =>
        oc
          .column("workspace_id")
          .doUpdateSet({
            last_value: (eb) =>
              eb
                .case()
                .when(eb("public_id_sequences.last_value", "<", first))
                .then(first)
                .else(eb("public_id_sequences.last_value", "+", 1))
                .end()
          })
          // At the largest number the row is left alone, and no row comes back.
          .where("public_id_sequences.last_value", "<", Limits.publicIdMax)
      )
      .returning("last_value")
      .executeTakeFirst()
    if (row === undefined) return undefined
    const candidate = Number(row.last_value)
    const taken = await db
      .selectFrom("tickets")
      .select("id")
      .where("workspace_id", "=", ws)
      .where("public_id", "=", candidate)
      .executeTakeFirst()
    if (taken === undefined) return candidate
  }
}
