/**
 * The columns of a ticket's projection row that a write sets, as the shape of a compiled
 * statement (`internal/StatementCache.ts`): their names (the shape's key), their values in
 * order, and the `set` object on placeholders that builds the statement. The dialect records
 * write the row their own way; this is the part they share.
 */
import type { Placeholder } from "../internal/StatementCache.js"
import type { TicketRow } from "./Dialect.js"

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
