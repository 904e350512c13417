/**
 * Multi-row statements cut to what one statement may carry. SQLite refuses more than 32,766 bound
 * parameters ("too many SQL variables") and PostgreSQL more than 65,535 (its protocol counts them
 * in 16 bits); a split rewrites up to `Limits.messagesPerTicket` texts and an append writes up to
 * `Limits.eventsPerAppend` events, so every multi-row insert and every `in` list of a write goes
 * through here. Not exported from the package.
 */

/** Parameters a statement may need besides its rows (a `where ticket_id = ?`, say). */
const reserve = 16

/**
 * How many rows of `columns` parameters each one statement may carry when it may carry
 * `parameterLimit` (`SqlDialect.parameterLimit`), with room for a few others.
 *
 * @category combinators
 * @since 0.1.0
 */
export const rowsPerStatement = (parameterLimit: number, columns: number): number =>
  Math.max(1, Math.floor((parameterLimit - reserve) / Math.max(1, columns)))

/**
 * `items` in consecutive slices of at most `size` (one empty list gives none).
 *
 * @category combinators
 * @since 0.1.0
 */
export const chunked = <A>(items: ReadonlyArray<A>, size: number): ReadonlyArray<ReadonlyArray<A>> => {
  const slices: Array<ReadonlyArray<A>> = []
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size))
  return slices
}

/** The parameters one row binds: its columns, or one for a plain value (an `in` list). */
const parametersOf = (row: unknown): number => (typeof row === "object" && row !== null ? Object.keys(row).length : 1)

/**
 * Runs `write` on consecutive slices of `rows`, one after the other, each within one statement's
 * bound parameters (`parameterLimit`). Rows are counted as they are written (every column of the first
 * row), so a column added to a table later is counted too.
 *
 * @category combinators
 * @since 0.1.0
 */
export const inChunks =
  (parameterLimit: number) =>
  async <A>(rows: ReadonlyArray<A>, write: (slice: Array<A>) => Promise<unknown>): Promise<void> => {
    if (rows.length === 0) return
    for (const slice of chunked(rows, rowsPerStatement(parameterLimit, parametersOf(rows[0])))) await write([...slice])
  }
