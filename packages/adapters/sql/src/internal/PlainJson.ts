/**
 * Tickets and events as the JSON their schemas give, without running the schemas: the store
 * writes what the help desk has just folded or decided, valid by construction, and a schema
 * encode (every field's checks, every member of a union tried) cost more than the statements
 * that store it. Every value of `Ticket` and `TicketEvent` is already in its encoded form except
 * its date-times, which become ISO strings here. Tests hold this to the schemas' own encoding on
 * random tickets and events (`PlainJson.test.ts`): a schema that gains another transformation
 * fails them, not a customer's data.
 */
import { DateTime } from "effect"

/**
 * ISO strings of the date-times seen: a ticket's snapshot is written again on every append, with
 * mostly the same date-time values (its creation, its SLA's due times), and formatting one costs
 * more than finding it here. Date-times are immutable, so an entry never goes stale.
 */
const isoStrings = new WeakMap<DateTime.DateTime, string>()

const iso = (value: DateTime.DateTime): string => {
  const known = isoStrings.get(value)
  if (known !== undefined) return known
  const text = DateTime.formatIso(value)
  isoStrings.set(value, text)
  return text
}

/**
 * A value with its date-times as ISO strings, arrays and plain fields copied; `undefined` fields
 * are left out, as an absent optional key is.
 *
 * @category encoding
 * @since 0.1.0
 */
export const plain = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) {
    const copy: Array<unknown> = new Array(value.length)
    for (let i = 0; i < value.length; i++) copy[i] = plain(value[i])
    return copy
  }
  if (DateTime.isDateTime(value)) return iso(value)
  const out: Record<string, unknown> = {}
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const field = (value as Record<string, unknown>)[key]
    if (field === undefined) continue
    out[key] = typeof field === "object" && field !== null ? plain(field) : field
  }
  return out
}

/**
 * `plain` as JSON text.
 *
 * @category encoding
 * @since 0.1.0
 */
export const stringify = (value: unknown): string => JSON.stringify(plain(value))
