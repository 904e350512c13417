/**
 * The rule document as a whole: its id and version, its kind (`trigger` or `automation`), the
 * events it runs on, its condition (`if`) and its actions (`then`). The Schema describes and
 * guards the shape; `decode.ts` reads untrusted JSON against it and reports every problem.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Action } from "./Action.js"
import { Condition, TriggerEvent } from "./Condition.js"

/**
 * A rule id: 1 to 100 letters, digits, `_`, `.` or `-`, starting with a letter or digit.
 *
 * @category models
 * @since 0.1.0
 */
export const RuleId = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(100),
  Schema.isPattern(/^[a-z0-9][a-z0-9_.-]*$/i, {
    message: "Expected a rule id of letters, digits, '_', '.' or '-', starting with a letter or a digit"
  })
)

/** The fields of a rule other than its condition and actions, which the decoder reads on its own. */
export const envelopeFields = {
  id: RuleId,
  version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  name: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
  kind: Schema.Literals(["trigger", "automation"]),
  enabled: Schema.optionalKey(Schema.Boolean),
  on: Schema.optionalKey(Schema.Array(TriggerEvent))
}

/**
 * A rule. A `trigger` runs when a command produced one of the events in `on` (any event when
 * `on` is left out); an `automation` runs on a schedule and has no `on`. A disabled rule
 * (`enabled: false`) never matches.
 *
 * @category models
 * @since 0.1.0
 */
export const Rule = Schema.Struct({
  ...envelopeFields,
  if: Condition,
  then: Schema.NonEmptyArray(Action)
})
/** @category models @since 0.1.0 */
export type Rule = typeof Rule.Type

/**
 * Rules in the order they run; ids are unique.
 *
 * @category models
 * @since 0.1.0
 */
export type RuleSet = ReadonlyArray<Rule>

/**
 * A path in a JSON document: keys and array indexes.
 *
 * @category models
 * @since 0.1.0
 */
export type Path = ReadonlyArray<string | number>
