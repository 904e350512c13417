/**
 * Lists and records with a bound on their size that is checked before their entries are decoded.
 * A schema's checks run after its entries (Effect decodes every element first), so a list of a
 * million attachments took seconds and tens of megabytes to be refused; here the size is looked
 * at first, in constant time, and the entries are decoded only when the list is within it.
 */
import { Schema } from "effect"

/**
 * A list of at most `max` items: anything longer is refused before any item is decoded. The
 * size check passes anything that is not a list on to the list schema, which says what it got.
 */
export const boundedArray = <S extends Schema.Top>(item: S, max: number) =>
  Schema.declare((u: unknown): u is ReadonlyArray<S["Encoded"]> => !Array.isArray(u) || u.length <= max, {
    expected: `an array of at most ${max} items`
  }).pipe(Schema.decodeTo(Schema.Array(item).check(Schema.isMaxLength(max))))

/** Whether an object has at most `max` own enumerable keys, counted up to `max + 1` only. */
const fewKeys = (u: object, max: number): boolean => {
  let n = 0
  for (const key in u) {
    if (Object.hasOwn(u, key) && ++n > max) return false
  }
  return true
}

/**
 * A record of at most `max` entries: a larger one is refused before any entry is decoded. As with
 * `boundedArray`, anything that is not an object goes on to the record schema.
 */
export const boundedRecord = <K extends Schema.Record.Key, V extends Schema.Top>(key: K, value: V, max: number) =>
  Schema.declare(
    (u: unknown): u is Record<K["Encoded"], V["Encoded"]> =>
      typeof u !== "object" || u === null || Array.isArray(u) || fewKeys(u, max),
    { expected: `an object of at most ${max} entries` }
  ).pipe(Schema.decodeTo(Schema.Record(key, value).check(Schema.isMaxProperties(max))))
