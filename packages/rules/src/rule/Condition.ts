/**
 * The conditions of a rule document: the events that start a trigger, the fields a condition
 * reads, and one Schema per kind of condition (`Leaf`, the single list of them), combined by
 * `all`, `any` and `not`. It also says which operators apply to which field (`opsFor`). Reading
 * untrusted JSON is `decode.ts`'s job; evaluating conditions is the `Interpreter`'s and `Compile`'s.
 *
 * @since 0.1.0
 */
import { Text } from "@tessera/core"
import { Schema } from "effect"

// -- events ----------------------------------------------------------------------------------------

/**
 * What starts a trigger: the kind of change a command made.
 *
 * @category models
 * @since 0.1.0
 */
export const TriggerEvent = Schema.Literals([
  "created",
  "requester_replied",
  "agent_replied",
  "note_added",
  "status_changed",
  "updated",
  "sla_warning",
  "sla_breach",
  "satisfaction_rated"
])
/** @category models @since 0.1.0 */
export type TriggerEvent = typeof TriggerEvent.Type

// -- fields ----------------------------------------------------------------------------------------

/**
 * The ticket fields a condition can read by name (custom fields are `custom.<key>`).
 * `satisfaction` is what the ticket's latest rating says (`good`, `neutral` or `bad`: core's
 * `Satisfaction.verdict`), absent before any rating.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketFieldName = Schema.Literals([
  "status",
  "category",
  "priority",
  "type",
  "group",
  "assignee",
  "channel",
  "requester",
  "organization",
  "tags",
  "supportLevel",
  "subject",
  "requester.tier",
  "organization.tier",
  "complexity",
  "satisfaction"
])
/** @category models @since 0.1.0 */
export type TicketFieldName = typeof TicketFieldName.Type

/**
 * A custom field reference: `custom.` followed by a custom field key.
 *
 * @category models
 * @since 0.1.0
 */
export const CustomFieldName = Schema.TemplateLiteral(["custom.", Schema.String]).check(
  Schema.isPattern(/^custom\.[a-z][a-z0-9_]{0,63}$/, {
    message: "Expected custom. and a field key of lower-case letters, digits or '_', starting with a letter"
  })
)
/** @category models @since 0.1.0 */
export type CustomFieldName = typeof CustomFieldName.Type

/**
 * Any field a condition can read.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldName = Schema.Union([TicketFieldName, CustomFieldName])
/** @category models @since 0.1.0 */
export type FieldName = typeof FieldName.Type

/**
 * The operators of a field condition. `is` compares the current value; `changed`, `changedTo`
 * and `changedFrom` compare the value before the command (`previous`) with the value after.
 *
 * @category models
 * @since 0.1.0
 */
export const FieldOp = Schema.Literals([
  "is",
  "isNot",
  "in",
  "notIn",
  "present",
  "absent",
  "lt",
  "lte",
  "gt",
  "gte",
  "includes",
  "excludes",
  "changed",
  "changedTo",
  "changedFrom"
])
/** @category models @since 0.1.0 */
export type FieldOp = typeof FieldOp.Type

/**
 * A value a field is compared with: text, a finite number or a boolean.
 *
 * @category models
 * @since 0.1.0
 */
export const Scalar = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean])
/** @category models @since 0.1.0 */
export type Scalar = typeof Scalar.Type

// -- conditions ------------------------------------------------------------------------------------

/**
 * A condition on a ticket field. Which operators and values make sense depends on the field;
 * `Rule.decodeRule` checks the combination (`opsFor`).
 *
 * @category models
 * @since 0.1.0
 */
export const FieldCondition = Schema.Struct({
  field: FieldName,
  op: FieldOp,
  value: Schema.optionalKey(Schema.Union([Scalar, Schema.Array(Scalar)]))
})
/** @category models @since 0.1.0 */
export type FieldCondition = typeof FieldCondition.Type

/**
 * A condition on text: the messages the command added (`message`), the subject, or both
 * (`any`). Word operators compare normalised words (case and accents ignored); `matches` takes a
 * safe `Pattern`, case-sensitive unless `ignoreCase`.
 *
 * @category models
 * @since 0.1.0
 */
export const TextCondition = Schema.Struct({
  text: Schema.Literals(["message", "subject", "any"]),
  op: Schema.Literals(["containsWords", "containsAny", "matches"]),
  value: Schema.Union([Schema.String, Schema.Array(Schema.String)]),
  ignoreCase: Schema.optionalKey(Schema.Boolean)
})
/** @category models @since 0.1.0 */
export type TextCondition = typeof TextCondition.Type

/**
 * The longest time span a `since` condition accepts: ten years, in hours.
 *
 * @category models
 * @since 0.1.0
 */
export const maxHours = 87_600

/**
 * A condition on the time elapsed (at `facts.now`) since a moment of the ticket. A moment the
 * ticket does not have (no agent reply yet) makes it false.
 *
 * @category models
 * @since 0.1.0
 */
export const SinceCondition = Schema.Struct({
  since: Schema.Literals(["created", "updated", "statusChanged", "lastRequesterReply", "lastAgentReply"]),
  op: Schema.Literals(["atLeast", "lessThan"]),
  hours: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: maxHours }))
})
/** @category models @since 0.1.0 */
export type SinceCondition = typeof SinceCondition.Type

/**
 * Whether the workspace is within business hours at `facts.now`.
 *
 * @category models
 * @since 0.1.0
 */
export const BusinessHoursCondition = Schema.Struct({
  businessHours: Schema.Literals(["open", "closed"])
})
/** @category models @since 0.1.0 */
export type BusinessHoursCondition = typeof BusinessHoursCondition.Type

/**
 * The sentiments a classifier reports.
 *
 * @category models
 * @since 0.1.0
 */
export const Sentiment = Schema.Literals(["negative", "neutral", "positive"])
/** @category models @since 0.1.0 */
export type Sentiment = typeof Sentiment.Type

/**
 * The urgencies a classifier reports.
 *
 * @category models
 * @since 0.1.0
 */
export const Urgency = Schema.Literals(["low", "normal", "high"])
/** @category models @since 0.1.0 */
export type Urgency = typeof Urgency.Type

/**
 * A condition on what a classifier said about the ticket (absent classification: false).
 *
 * @category models
 * @since 0.1.0
 */
export const ClassificationCondition = Schema.Struct({
  classification: Schema.Literals(["sentiment", "urgency"]),
  op: Schema.Literals(["is", "in"]),
  value: Schema.Union([Schema.String, Schema.Array(Schema.String)])
})
/** @category models @since 0.1.0 */
export type ClassificationCondition = typeof ClassificationCondition.Type

/**
 * True when the command produced one of these events.
 *
 * @category models
 * @since 0.1.0
 */
export const EventCondition = Schema.Struct({
  event: Schema.Union([TriggerEvent, Schema.NonEmptyArray(TriggerEvent)])
})
/** @category models @since 0.1.0 */
export type EventCondition = typeof EventCondition.Type

/**
 * The conditions that read the facts (every kind but `all`, `any` and `not`). This union is the
 * one list of them: `Condition` and the decoder's kinds derive from it, so a new condition is a
 * new Schema here (its first field naming its kind) and a case in the evaluators.
 *
 * @category models
 * @since 0.1.0
 */
export const Leaf = Schema.Union([
  FieldCondition,
  TextCondition,
  SinceCondition,
  BusinessHoursCondition,
  ClassificationCondition,
  EventCondition
])
/** @category models @since 0.1.0 */
export type Leaf = typeof Leaf.Type

/** @category models @since 0.1.0 */
export interface All {
  readonly all: ReadonlyArray<Condition>
}
/** @category models @since 0.1.0 */
export interface Any {
  readonly any: ReadonlyArray<Condition>
}
/** @category models @since 0.1.0 */
export interface Not {
  readonly not: Condition
}

/**
 * A condition: `all` (true when empty), `any` (false when empty), `not`, or a leaf.
 *
 * @category models
 * @since 0.1.0
 */
export type Condition = All | Any | Not | Leaf

const suspended = Schema.suspend((): Schema.Codec<Condition> => Condition)

/**
 * The condition Schema. It describes and guards the shape (`Schema.is`); use `Rule.decodeRule` to
 * read untrusted JSON, which reports problems by path instead of by union member.
 *
 * @category models
 * @since 0.1.0
 */
export const Condition: Schema.Codec<Condition> = Schema.Union([
  Schema.Struct({ all: Schema.Array(suspended) }),
  Schema.Struct({ any: Schema.Array(suspended) }),
  Schema.Struct({ not: suspended }),
  ...Leaf.members
])

// -- operators by field ----------------------------------------------------------------------------

/**
 * The kind of value a field holds, which decides its operators.
 *
 * @category models
 * @since 0.1.0
 */
export type FieldKind = "priority" | "enum" | "text" | "tier" | "number" | "tags" | "custom"

/**
 * The kind of a field.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fieldKind = (field: FieldName): FieldKind => {
  switch (field) {
    case "priority":
      return "priority"
    case "category":
    case "channel":
    case "type":
    case "complexity":
    case "satisfaction":
      return "enum"
    case "requester.tier":
    case "organization.tier":
      return "tier"
    case "supportLevel":
      return "number"
    case "tags":
      return "tags"
    case "status":
    case "group":
    case "assignee":
    case "requester":
    case "organization":
    case "subject":
      return "text"
    default:
      return "custom"
  }
}

const equality: ReadonlyArray<FieldOp> = ["is", "isNot", "in", "notIn", "present", "absent"]
const change: ReadonlyArray<FieldOp> = ["changed", "changedTo", "changedFrom"]
const order: ReadonlyArray<FieldOp> = ["lt", "lte", "gt", "gte"]

/**
 * The operators a kind of field accepts. Tiers come from the directory, which keeps no history,
 * so they have no change operators.
 *
 * @category combinators
 * @since 0.1.0
 */
export const opsFor = (kind: FieldKind): ReadonlyArray<FieldOp> => {
  switch (kind) {
    case "priority":
    case "number":
    case "custom":
      return [...equality, ...order, ...change]
    case "enum":
    case "text":
      return [...equality, ...change]
    case "tier":
      return equality
    case "tags":
      return ["includes", "excludes", "present", "absent", ...change]
  }
}

/**
 * The words of a text as rules compare them: `Text.words` (accents folded, lower case, split on
 * anything but letters and digits), the same words `TicketQuery` searches by.
 *
 * @category combinators
 * @since 0.1.0
 */
export const wordsOf = (text: string): ReadonlyArray<string> => Text.words(text)
