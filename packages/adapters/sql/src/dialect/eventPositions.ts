/**
 * The counter that hands out event positions in commit order (`SqlDialect.positions`), for the
 * dialects that keep one: its table, started after the positions already taken, and the
 * statement that moves it forward for a database with `update ... returning`. Each dialect adds
 * what is its own (PostgreSQL stops `events.position`'s bigserial from numbering at insert).
 */
import { type Kysely, sql } from "kysely"
import type { Database } from "../Database.js"

/**
 * Creates `event_positions` with its one row (`id` 1), `last` the largest position `events`
 * holds (0 for none).
 *
 * @category constructors
 * @since 0.1.0
 */
export const createCounter = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable("event_positions")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("last", "bigint", (c) => c.notNull())
    .execute()
  await sql`insert into event_positions (id, last) select 1, coalesce(max(position), 0) from events`.execute(db)
}

/**
 * Moves the counter `count` forward and returns the first position taken, in one statement
 * (`update ... returning`). The row stays locked until the transaction ends.
 *
 * @category constructors
 * @since 0.1.0
 */
export const takeReturning = async (trx: Kysely<Database>, count: number): Promise<number> => {
  const { rows } = await sql<{
    readonly last: number | string
  }>`update event_positions set last = last + ${count} where id = 1 returning last`.execute(trx)
  const last = rows[0]?.last
  // The migration seeds the row; without it no event could be numbered.
  if (last === undefined) throw new Error("event_positions has no row: run the migrations")
  return Number(last) - count + 1
}
