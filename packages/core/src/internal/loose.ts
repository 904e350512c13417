/**
 * Reading a JSON document that may not have decoded, for the checks a schema cannot make
 * (duplicate ids, thresholds in order). A configuration decoder runs them on the raw document
 * beside the schema, so one answer lists the schema's problems and theirs together; a part of
 * the wrong shape reads as absent here, since the schema reports it already.
 */

/** The value as an object with keys (not an array), or `undefined`. */
export const record = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Readonly<Record<string, unknown>>)
    : undefined

/** The value as an array, or an empty one. */
export const list = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])

/** A key of an object, if the value is one and has it as its own. */
export const field = (value: unknown, key: string): unknown => {
  const r = record(value)
  return r !== undefined && Object.hasOwn(r, key) ? r[key] : undefined
}

/** The value if it is a string. */
export const string = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/** The value if it is a finite number. */
export const number = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined
