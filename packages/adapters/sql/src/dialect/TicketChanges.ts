/**
 * The columns of a ticket's projection row that a write sets, as the shape of a compiled
 * statement (`internal/StatementCache.ts`): their names (the shape's key), their values in
 * order, and the `set` object on placeholders that builds the statement. The dialect records
 * write the row through `writes`, given how theirs differs.
 */
import { type InsertQueryBuilder, type InsertResult, sql } from "kysely"
import type { Database } from "../Database.js"
import type { Placeholder } from "../internal/StatementCache.js"
import type { TicketRow, TicketWrites } from "./Dialect.js"

/**
 * Columns set by a write: `columns` names them (the shape), `values` holds their values in that
 * order, and `set($)` is the object of placeholders `$(first)`, `$(first + 1)`, ... for them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Changes {
  readonly columns: string
  readonly values: ReadonlyArray<unknown>
  readonly set: ($: Placeholder) => Partial<TicketRow>
}

/**
 * The defined columns of `changes`, their placeholders counted from `first`. A column whose value
 * is `undefined` is left out, as kysely leaves it out of a `set`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const of = (changes: Partial<TicketRow>, first = 0): Changes => {
  const names: Array<keyof TicketRow> = []
  const values: Array<unknown> = []
  for (const column of Object.keys(changes) as Array<keyof TicketRow>) {
    const value = changes[column]
    if (value === undefined) continue
    names.push(column)
    values.push(value)
  }
  return {
    columns: names.join(","),
    values,
    set: ($) => Object.fromEntries(names.map((column, i) => [column, $(first + i)])) as Partial<TicketRow>
  }
}

/**
 * How a dialect writes the `tickets` row. `numbered`: the dialect keeps a ticket number (`num`,
 * SQLite's full-text rowids), taken at insert and returned by both writes; otherwise both
 * answer `0`. `onConflict` turns the insert into an upsert the database's way (`on conflict
 * (id) do update` or `on duplicate key update`).
 *
 * @category models
 * @since 0.1.0
 */
export interface WriteOptions {
  readonly numbered: boolean
  readonly onConflict: (
    insert: InsertQueryBuilder<Database, "tickets", InsertResult>,
    set: Partial<TicketRow>
  ) => InsertQueryBuilder<Database, "tickets", InsertResult>
}

/**
 * The `tickets` writes of a dialect, each compiled once per set of columns: `update` sets the
 * changed columns where the row is still at the expected version (a row matched, or none: a lost
 * race), `upsert` inserts the row or sets the changes on the one with its id.
 *
 * @category constructors
 * @since 0.1.0
 */
export const writes = ({ numbered, onConflict }: WriteOptions): TicketWrites => ({
  update: async (trx, id, expectedVersion, changes, statements) => {
    const { columns, values, set } = of(changes)
    const updated = await statements.execute(
      trx,
      `update tickets ${columns}`,
      (db, $) => {
        const update = db
          .updateTable("tickets")
          .set(set($))
          .where("id", "=", $<string>(values.length))
          .where("version", "=", $<number>(values.length + 1))
        return numbered ? update.returning("num") : update
      },
      [...values, id, expectedVersion]
    )
    if (numbered) {
      const row = updated.rows[0] as { readonly num: number } | undefined
      return row === undefined ? undefined : Number(row.num)
    }
    // Matched rows (MySQL's FOUND_ROWS), or changed ones: the version always changes.
    return Number(updated.numAffectedRows ?? 0) === 0 ? undefined : 0
  },
  upsert: async (trx, row, changes, statements) => {
    const inserted = of(row)
    const updated = of(changes, inserted.values.length)
    const result = await statements.execute(
      trx,
      `upsert tickets ${inserted.columns} / ${updated.columns}`,
      (db, $) => {
        const values = inserted.set($) as TicketRow
        const insert = onConflict(
          db
            .insertInto("tickets")
            .values(
              numbered ? { ...values, num: sql<number>`(select coalesce(max(num), 0) + 1 from tickets)` } : values
            ),
          updated.set($)
        )
        return numbered ? insert.returning("num") : insert
      },
      [...inserted.values, ...updated.values]
    )
    return numbered ? Number((result.rows[0] as { readonly num: number } | undefined)?.num) : 0
  }
})
