/**
 * The statements SQLite and PostgreSQL write alike, with `ON CONFLICT` and `RETURNING`:
 * insert-or-ignore, upsert, the public-number sequence as one upsert that returns its value, and
 * a claim as one `update ... where id in (select ...) returning`. A dialect without them (MySQL)
 * writes its own; these are the parts of the `SqlDialect` records of the two.
 */
import type { InsertQueryBuilder, InsertResult, Kysely, Selectable, Updateable } from "kysely"
import type { Database } from "../Database.js"
import type { Claim, Claimed, ClaimTable, SqlDialect } from "./Dialect.js"

/**
 * `on conflict [(columns)] do nothing`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const insertOrIgnore: SqlDialect["insertOrIgnore"] = <T extends keyof Database & string>(
  query: InsertQueryBuilder<Database, T, InsertResult>,
  conflict?: ReadonlyArray<keyof Selectable<Database[T]> & string>
) =>
  query.onConflict((oc) =>
    conflict === undefined ? oc.doNothing() : (oc.columns(conflict as never) as typeof oc).doNothing()
  )

/**
 * `on conflict (columns) do update set ...`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const upsert: SqlDialect["upsert"] = <T extends keyof Database & string>(
  query: InsertQueryBuilder<Database, T, InsertResult>,
  conflict: ReadonlyArray<keyof Selectable<Database[T]> & string>,
  set: Updateable<Database[T]>
) => query.onConflict((oc) => oc.columns(conflict as never).doUpdateSet(set as never))

/**
 * One upsert per number that returns it: `first` when the workspace has none or is behind it,
 * the last plus one otherwise, and no row at all (the row left alone) once the last is `max`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const nextInSequence: SqlDialect["nextInSequence"] = async (db, workspace, first, max) => {
  const row = await db
    .insertInto("public_id_sequences")
    .values({ workspace_id: workspace, last_value: first })
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
        .where("public_id_sequences.last_value", "<", max)
    )
    .returning("last_value")
    .executeTakeFirst()
  return row === undefined ? undefined : Number(row.last_value)
}

/**
 * A claim as one statement: the rows it picks are leased before anyone else can pick them. With
 * `skipLocked`, the pick locks its rows and passes over those another claim locked (PostgreSQL);
 * without, the statement's write lock covers it (SQLite).
 *
 * @category constructors
 * @since 0.1.0
 */
export const claimReturning =
  (dialect: { readonly insertionOrder: SqlDialect["insertionOrder"] }, skipLocked: boolean): SqlDialect["claim"] =>
  <T extends ClaimTable, C extends keyof Selectable<Database[T]> & string>(
    db: Kysely<Database>,
    claim: Claim<T, C>
  ): Promise<ReadonlyArray<Claimed<T, C>>> => {
    const picked = claim.pick(db)
    const pick = skipLocked ? picked.forUpdate().skipLocked() : picked
    // The two tables share the columns a claim touches; kysely cannot see that through `T`.
    const table = claim.table as "timers"
    return db
      .updateTable(table)
      .set({ available_at: claim.leaseUntil })
      .where("id", "in", pick as never)
      .returning([...(claim.columns as ReadonlyArray<"id">), dialect.insertionOrder.as("seq")])
      .execute() as unknown as Promise<ReadonlyArray<Claimed<T, C>>>
  }
