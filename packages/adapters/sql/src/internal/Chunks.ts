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
 * At most the bytes a value takes in a statement's text: three per UTF-16 unit (UTF-8, escapes
 * included) for a string, a few for anything else.
 */
const bytesOfValue = (value: unknown): number => (typeof value === "string" ? 3 * value.length + 2 : 24)

/** At most the bytes a row takes in a statement's text. */
const bytesOf = (row: unknown): number =>
  typeof row === "object" && row !== null
    ? Object.values(row).reduce((sum: number, value) => sum + bytesOfValue(value) + 2, 0)
    : bytesOfValue(row)

/** `rows` cut where the next row would take a slice past `budget` bytes (a row larger than it goes alone). */
const withinBytes = <A>(rows: ReadonlyArray<A>, budget: number): ReadonlyArray<ReadonlyArray<A>> => {
  if (!Number.isFinite(budget)) return [rows]
  const slices: Array<ReadonlyArray<A>> = []
  let start = 0
  let bytes = 0
  rows.forEach((row, i) => {
    const size = bytesOf(row)
    if (i > start && bytes + size > budget) {
      slices.push(rows.slice(start, i))
      start = i
      bytes = 0
    }
    bytes += size
  })
  slices.push(rows.slice(start))
  return slices
}

/**
 * Runs `write` on consecutive slices of `rows`, one after the other, each within one statement's
 * bound parameters (`parameterLimit`) and, where the driver sends values inside the statement's
 * text, its size (`statementBytes`, counted generously: MySQL refuses a statement past
 * `max_allowed_packet`). Rows are counted as they are written (every column of the first row),
 * so a column added to a table later is counted too.
 *
 * @category combinators
 * @since 0.1.0
 */
export const inChunks =
  (parameterLimit: number, statementBytes = Number.POSITIVE_INFINITY) =>
  async <A>(rows: ReadonlyArray<A>, write: (slice: Array<A>) => Promise<unknown>): Promise<void> => {
    if (rows.length === 0) return
    for (const slice of chunked(rows, rowsPerStatement(parameterLimit, parametersOf(rows[0])))) {
      for (const part of withinBytes(slice, statementBytes)) await write([...part])
    }
  }
