/**
 * Custom fields: each workspace declares the fields its tickets carry (a plan name, an order
 * number, a product dropdown), and values are checked against those declarations. Values are
 * JSON scalars so that every store can index them.
 */
import { Option, Schema } from "effect"

/**
 * A custom field's key: lowercase, starting with a letter.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldKey = Schema.String.check(
  Schema.isPattern(/^[a-z][a-z0-9_]{0,63}$/, {
    message: "Expected a field key of 1 to 64 lower-case letters, digits or '_', starting with a letter"
  })
).pipe(Schema.brand("FieldKey"))
/** @category models @since 0.1.0 */
export type FieldKey = typeof FieldKey.Type

/**
 * The value of a custom field.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldValue = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean])
/** @category models @since 0.1.0 */
export type FieldValue = typeof FieldValue.Type

/**
 * The declaration of a custom field in a workspace.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldDefinition = Schema.Struct({
  key: FieldKey,
  label: Schema.String,
  type: Schema.Literals(["text", "number", "boolean", "date", "dropdown"]),
  /** Allowed values of a dropdown. */
  options: Schema.optionalKey(Schema.Array(Schema.String)),
  /**
   * Whether the field is for the team only (a churn risk, an internal cost): its values and its
   * changes never reach a customer, and a customer cannot set it. Absent: a public field.
   */
  internal: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export type FieldDefinition = typeof FieldDefinition.Type

/**
 * Whether a field is declared internal (`internal: true`); a field no declaration names is not.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isInternal = (
  definitions: ReadonlyArray<{ readonly key: string; readonly internal?: boolean | undefined }>,
  key: string
): boolean => definitions.some((d) => d.key === key && d.internal === true)

/**
 * The values a customer may see: `values` without those of the fields declared internal (the
 * same object when there are none).
 *
 * @category combinators
 * @since 0.1.0
 */
export const publicValues = <V>(
  definitions: ReadonlyArray<{ readonly key: string; readonly internal?: boolean | undefined }>,
  values: Readonly<Record<string, V>>
): Readonly<Record<string, V>> => {
  const hidden = Object.keys(values).filter((key) => isInternal(definitions, key))
  if (hidden.length === 0) return values
  return Object.fromEntries(Object.entries(values).filter(([key]) => !hidden.includes(key)))
}

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/

// Checked by hand: `Date.parse` accepts days that do not exist ("2026-02-30" is 2 March).
const isCalendarDate = (value: string): boolean => {
  const match = isoDate.exec(value)
  if (match === null) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
  return month >= 1 && month <= 12 && day >= 1 && day <= days
}

/**
 * Checks a value against its declaration: `Option.some(reason)` when it does not fit.
 *
 * @category predicates
 * @since 0.1.0
 */
export const check = (definition: FieldDefinition, value: FieldValue): Option.Option<string> => {
  switch (definition.type) {
    case "text":
      return typeof value === "string" ? Option.none() : Option.some("expected a text")
    case "number":
      return typeof value === "number" ? Option.none() : Option.some("expected a number")
    case "boolean":
      return typeof value === "boolean" ? Option.none() : Option.some("expected true or false")
    case "date":
      return typeof value === "string" && isCalendarDate(value)
        ? Option.none()
        : Option.some("expected a date as YYYY-MM-DD")
    case "dropdown":
      return typeof value === "string" && (definition.options ?? []).includes(value)
        ? Option.none()
        : Option.some(`expected one of: ${(definition.options ?? []).join(", ")}`)
  }
}
