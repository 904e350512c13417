/**
 * The rule document: plain JSON, described by Schemas, so that rules stored in a database and
 * rules written with the `Builder` go through one decoder and one compiler. A rule says when it
 * runs (`kind`, `on`), what must hold (`if`, a tree of conditions) and what to do (`then`, core
 * commands to emit). Decoding refuses what would silently never match (an order on tags, a
 * missing value, a pattern that does not compile) and reports every problem with its JSON path.
 * Evaluating conditions is the `Interpreter`'s and `Compile`'s job; running actions is not here.
 *
 * @since 0.1.0
 */
import { Channel, Ids, Priority, Status, Tag, TicketQuery, TicketType } from "@tessera/core"
import { Result, Schema, SchemaIssue } from "effect"
import * as Pattern from "./Pattern.js"

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
  "sla_breach"
])
/** @category models @since 0.1.0 */
export type TriggerEvent = typeof TriggerEvent.Type

// -- fields ----------------------------------------------------------------------------------------

/**
 * The ticket fields a condition can read by name (custom fields are `custom.<key>`).
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
  "organization.tier"
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
  Schema.isPattern(/^custom\.[a-z][a-z0-9_]{0,63}$/)
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
 * `decodeRule` checks the combination.
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
 * A condition that reads the facts (every kind but `all`, `any` and `not`).
 *
 * @category models
 * @since 0.1.0
 */
export type Leaf =
  | FieldCondition
  | TextCondition
  | SinceCondition
  | BusinessHoursCondition
  | ClassificationCondition
  | EventCondition

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
 * The condition Schema. It describes and guards the shape (`Schema.is`); use `decodeRule` to read
 * untrusted JSON, which reports problems by path instead of by union member.
 *
 * @category models
 * @since 0.1.0
 */
export const Condition: Schema.Codec<Condition> = Schema.Union([
  Schema.Struct({ all: Schema.Array(suspended) }),
  Schema.Struct({ any: Schema.Array(suspended) }),
  Schema.Struct({ not: suspended }),
  FieldCondition,
  TextCondition,
  SinceCondition,
  BusinessHoursCondition,
  ClassificationCondition,
  EventCondition
])

// -- actions ---------------------------------------------------------------------------------------

const like = <S extends Schema.Top>(schema: S, what: string) =>
  Schema.String.check(Schema.makeFilter((s: string) => (Schema.is(schema)(s) ? undefined : `Expected ${what}`)))

const GroupRef = like(Ids.GroupId, "a group id")
const AgentRef = like(Ids.AgentId, "an agent id")
const NonEmptyText = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/**
 * Sets a ticket attribute; `null` clears a group or assignee.
 *
 * @category models
 * @since 0.1.0
 */
export const SetAction = Schema.Struct({
  set: Schema.Literals(["priority", "status", "type", "group", "assignee"]),
  value: Schema.NullOr(Schema.String)
})
/** @category models @since 0.1.0 */
export type SetAction = typeof SetAction.Type

/**
 * Sets a custom field; `null` clears it.
 *
 * @category models
 * @since 0.1.0
 */
export const SetFieldAction = Schema.Struct({
  setField: Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_]{0,63}$/)),
  value: Schema.NullOr(Scalar)
})
/** @category models @since 0.1.0 */
export type SetFieldAction = typeof SetFieldAction.Type

/** @category models @since 0.1.0 */
export const AddTagsAction = Schema.Struct({ addTags: Schema.NonEmptyArray(Schema.String) })
/** @category models @since 0.1.0 */
export type AddTagsAction = typeof AddTagsAction.Type

/** @category models @since 0.1.0 */
export const RemoveTagsAction = Schema.Struct({ removeTags: Schema.NonEmptyArray(Schema.String) })
/** @category models @since 0.1.0 */
export type RemoveTagsAction = typeof RemoveTagsAction.Type

/**
 * Assigns by a strategy, within a group (the ticket's own when left out).
 *
 * @category models
 * @since 0.1.0
 */
export const AssignAction = Schema.Struct({
  assign: Schema.Struct({
    strategy: Schema.Literals(["round_robin", "least_loaded", "skills"]),
    group: Schema.optionalKey(GroupRef)
  })
})
/** @category models @since 0.1.0 */
export type AssignAction = typeof AssignAction.Type

/**
 * Adds an internal note.
 *
 * @category models
 * @since 0.1.0
 */
export const NoteAction = Schema.Struct({ note: NonEmptyText(10_000) })
/** @category models @since 0.1.0 */
export type NoteAction = typeof NoteAction.Type

/**
 * Who a notification goes to: a role on the ticket, `agent:<id>`, or an email address.
 *
 * @category models
 * @since 0.1.0
 */
export const Recipient = Schema.String.check(
  Schema.makeFilter((s: string) =>
    ["requester", "assignee", "group", "followers"].includes(s) ||
    (s.startsWith("agent:") && Schema.is(Ids.AgentId)(s.slice(6))) ||
    /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)
      ? undefined
      : "Expected requester, assignee, group, followers, agent:<id> or an email address"
  )
)

/**
 * Sends a notification from a template.
 *
 * @category models
 * @since 0.1.0
 */
export const NotifyAction = Schema.Struct({
  notify: Schema.Struct({ template: NonEmptyText(200), to: Schema.NonEmptyArray(Recipient) })
})
/** @category models @since 0.1.0 */
export type NotifyAction = typeof NotifyAction.Type

/**
 * Links the ticket to another, by public number or id.
 *
 * @category models
 * @since 0.1.0
 */
export const LinkAction = Schema.Struct({
  link: Schema.Struct({
    kind: Schema.Literals(["related", "parent", "child", "duplicate_of", "problem", "incident"]),
    to: Schema.Union([Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)), like(Ids.TicketId, "a ticket id")])
  })
})
/** @category models @since 0.1.0 */
export type LinkAction = typeof LinkAction.Type

/**
 * Escalates: raises the support level with a reason, and optionally the priority, group or
 * assignee.
 *
 * @category models
 * @since 0.1.0
 */
export const EscalateAction = Schema.Struct({
  escalate: Schema.Struct({
    priority: Schema.optionalKey(Priority.Priority),
    group: Schema.optionalKey(GroupRef),
    assignee: Schema.optionalKey(AgentRef),
    reason: NonEmptyText(500)
  })
})
/** @category models @since 0.1.0 */
export type EscalateAction = typeof EscalateAction.Type

/**
 * Every action.
 *
 * @category models
 * @since 0.1.0
 */
export const Action = Schema.Union([
  SetAction,
  SetFieldAction,
  AddTagsAction,
  RemoveTagsAction,
  AssignAction,
  NoteAction,
  NotifyAction,
  LinkAction,
  EscalateAction
])
/** @category models @since 0.1.0 */
export type Action = typeof Action.Type

// -- rules -----------------------------------------------------------------------------------------

/**
 * A rule id: 1 to 100 letters, digits, `_`, `.` or `-`, starting with a letter or digit.
 *
 * @category models
 * @since 0.1.0
 */
export const RuleId = Schema.String.check(
  Schema.isMinLength(1),
  Schema.isMaxLength(100),
  Schema.isPattern(/^[a-z0-9][a-z0-9_.-]*$/i)
)

const envelopeFields = {
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

// -- decoding --------------------------------------------------------------------------------------

/**
 * A path in a JSON document: keys and array indexes.
 *
 * @category models
 * @since 0.1.0
 */
export type Path = ReadonlyArray<string | number>

/**
 * One problem of a rule document.
 *
 * @category models
 * @since 0.1.0
 */
export const Problem = Schema.Struct({
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  message: Schema.String
})
/** @category models @since 0.1.0 */
export type Problem = typeof Problem.Type

/**
 * A rule or rule set that does not decode: every problem found, each with its JSON path.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidRule extends Schema.TaggedError<InvalidRule>()("InvalidRule", {
  problems: Schema.Array(Problem)
}) {
  override get message() {
    const first = this.problems[0]
    const more = this.problems.length > 1 ? ` (and ${this.problems.length - 1} more)` : ""
    return first === undefined
      ? "Invalid rule"
      : `Invalid rule at ${JSON.stringify(first.path)}: ${first.message}${more}`
  }
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const segment = (s: unknown): string | number => {
  const key = typeof s === "object" && s !== null && "key" in s ? s.key : s
  return typeof key === "number" ? key : String(key)
}

type Problems = Array<Problem>

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Decodes with a schema, refusing unknown keys; problems are added under `path`. */
const decodeWith = <A>(schema: Schema.Codec<A, unknown>, input: unknown, path: Path, problems: Problems) => {
  const r = Schema.decodeUnknownResult(schema)(input, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(r)) return r.success
  // A union reports one issue per member at the same path: say it once, as alternatives.
  const byPath = new Map<string, Problem>()
  for (const i of formatter(r.failure.issue).issues) {
    const at = [...path, ...(i.path ?? []).map(segment)]
    const key = JSON.stringify(at)
    const seen = byPath.get(key)
    byPath.set(
      key,
      seen === undefined ? { path: at, message: i.message } : { path: at, message: `${seen.message}, or ${i.message}` }
    )
  }
  problems.push(...byPath.values())
  return undefined
}

const conditionKeys = ["all", "any", "not", "field", "text", "since", "businessHours", "classification", "event"]
const actionKeys = ["set", "setField", "addTags", "removeTags", "assign", "note", "notify", "link", "escalate"]

/** The one key of `keys` an object has, or a problem. */
const kindOf = (input: unknown, keys: ReadonlyArray<string>, what: string, path: Path, problems: Problems) => {
  if (!isRecord(input)) {
    problems.push({ path, message: `Expected ${what} (an object)` })
    return undefined
  }
  const found = keys.filter((k) => Object.hasOwn(input, k))
  if (found.length === 1) return found[0]
  problems.push({
    path,
    message:
      found.length === 0
        ? `Expected ${what} with one of the keys ${keys.join(", ")}`
        : `Expected ${what} with only one of the keys ${keys.join(", ")}, found ${found.join(", ")}`
  })
  return undefined
}

/** Deepest nesting of `all`/`any`/`not` accepted: a document cannot exhaust the stack. */
const maxDepth = 32

const priorities: ReadonlyArray<string> = Priority.levels
const categories: ReadonlyArray<string> = Status.StatusCategory.literals
const channels: ReadonlyArray<string> = Channel.Channel.literals
const types: ReadonlyArray<string> = TicketType.TicketType.literals
const sentiments: ReadonlyArray<string> = Sentiment.literals
const urgencies: ReadonlyArray<string> = Urgency.literals

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

/** Why a scalar is not a value of the field, or undefined when it is. */
const scalarProblem = (field: FieldName, kind: FieldKind, op: FieldOp, v: Scalar): string | undefined => {
  const oneOf = (allowed: ReadonlyArray<string>) =>
    typeof v === "string" && allowed.includes(v) ? undefined : `Expected one of ${allowed.join(", ")}`
  switch (kind) {
    case "priority":
      return oneOf(priorities)
    case "enum":
      return oneOf(field === "category" ? categories : field === "channel" ? channels : types)
    case "text":
    case "tier":
      return typeof v === "string" ? undefined : "Expected a string"
    case "number":
      return typeof v === "number" ? undefined : "Expected a number"
    case "tags":
      return typeof v === "string" && Tag.normalize(v).length > 0 ? undefined : "Expected a tag"
    case "custom":
      return order.includes(op) && typeof v !== "number" ? "Expected a number" : undefined
  }
}

const checkField = (c: FieldCondition, path: Path, problems: Problems) => {
  const kind = fieldKind(c.field)
  const allowed = opsFor(kind)
  if (!allowed.includes(c.op)) {
    problems.push({ path: [...path, "op"], message: `${c.op} does not apply to ${c.field}; use ${allowed.join(", ")}` })
    return
  }
  const at = [...path, "value"]
  const value = c.value
  if (c.op === "present" || c.op === "absent" || c.op === "changed") {
    if (value !== undefined) problems.push({ path: at, message: `${c.op} takes no value` })
    return
  }
  if (value === undefined) {
    problems.push({ path: at, message: `${c.op} needs a value` })
    return
  }
  const manyAllowed = c.op === "in" || c.op === "notIn" || kind === "tags"
  const manyRequired = c.op === "in" || c.op === "notIn"
  if (Array.isArray(value)) {
    if (!manyAllowed) problems.push({ path: at, message: `${c.op} takes one value, not a list` })
    else if (value.length === 0) problems.push({ path: at, message: "Expected at least one value" })
    else
      value.forEach((v: Scalar, i: number) => {
        const p = scalarProblem(c.field, kind, c.op, v)
        if (p !== undefined) problems.push({ path: [...at, i], message: p })
      })
    return
  }
  if (manyRequired) {
    problems.push({ path: at, message: `${c.op} takes a list of values` })
    return
  }
  const p = scalarProblem(c.field, kind, c.op, value as Scalar)
  if (p !== undefined) problems.push({ path: at, message: p })
}

const checkText = (c: TextCondition, path: Path, problems: Problems) => {
  const at = [...path, "value"]
  if (c.op === "matches") {
    if (typeof c.value !== "string") {
      problems.push({ path: at, message: "matches takes one pattern" })
      return
    }
    const compiled = Pattern.compile(c.value, { caseInsensitive: c.ignoreCase === true })
    if (Result.isFailure(compiled)) problems.push({ path: at, message: compiled.failure.message })
    return
  }
  if (c.ignoreCase !== undefined)
    problems.push({ path: [...path, "ignoreCase"], message: "ignoreCase applies to matches only (words ignore case)" })
  const values = typeof c.value === "string" ? [c.value] : c.value
  if (values.length === 0) problems.push({ path: at, message: "Expected at least one word" })
  else if (values.every((v) => wordsOf(v).length === 0)) problems.push({ path: at, message: "Expected words" })
}

const checkClassification = (c: ClassificationCondition, path: Path, problems: Problems) => {
  const allowed = c.classification === "sentiment" ? sentiments : urgencies
  const at = [...path, "value"]
  const check = (v: string, p: Path) => {
    if (!allowed.includes(v)) problems.push({ path: p, message: `Expected one of ${allowed.join(", ")}` })
  }
  if (c.op === "is") {
    if (typeof c.value === "string") check(c.value, at)
    else problems.push({ path: at, message: "is takes one value" })
  } else if (typeof c.value === "string") problems.push({ path: at, message: "in takes a list of values" })
  else if (c.value.length === 0) problems.push({ path: at, message: "Expected at least one value" })
  else
    c.value.forEach((v, i) => {
      check(v, [...at, i])
    })
}

const decodeCondition = (input: unknown, path: Path, problems: Problems, depth: number): Condition | undefined => {
  const kind = kindOf(input, conditionKeys, "a condition", path, problems)
  if (kind === undefined) return undefined
  const record = input as Record<string, unknown>
  const before = problems.length
  if (kind === "all" || kind === "any" || kind === "not") {
    if (depth >= maxDepth) {
      problems.push({ path, message: `Conditions nested deeper than ${maxDepth}` })
      return undefined
    }
    for (const key of Object.keys(record))
      if (key !== kind) problems.push({ path: [...path, key], message: "Expected no excess property" })
    const inner = record[kind]
    if (kind === "not") {
      const c = decodeCondition(inner, [...path, "not"], problems, depth + 1)
      return c === undefined || problems.length > before ? undefined : { not: c }
    }
    if (!Array.isArray(inner)) {
      problems.push({ path: [...path, kind], message: "Expected an array of conditions" })
      return undefined
    }
    const children = inner.map((c, i) => decodeCondition(c, [...path, kind, i], problems, depth + 1))
    if (problems.length > before) return undefined
    const conditions = children as ReadonlyArray<Condition>
    return kind === "all" ? { all: conditions } : { any: conditions }
  }
  switch (kind) {
    case "field": {
      const c = decodeWith(FieldCondition, input, path, problems)
      if (c !== undefined) checkField(c, path, problems)
      return problems.length > before ? undefined : c
    }
    case "text": {
      const c = decodeWith(TextCondition, input, path, problems)
      if (c !== undefined) checkText(c, path, problems)
      return problems.length > before ? undefined : c
    }
    case "classification": {
      const c = decodeWith(ClassificationCondition, input, path, problems)
      if (c !== undefined) checkClassification(c, path, problems)
      return problems.length > before ? undefined : c
    }
    case "since":
      return decodeWith(SinceCondition, input, path, problems)
    case "businessHours":
      return decodeWith(BusinessHoursCondition, input, path, problems)
    default:
      return decodeWith(EventCondition, input, path, problems)
  }
}

const actionSchemas: Record<string, Schema.Codec<Action, unknown>> = {
  set: SetAction,
  setField: SetFieldAction,
  addTags: AddTagsAction,
  removeTags: RemoveTagsAction,
  assign: AssignAction,
  note: NoteAction,
  notify: NotifyAction,
  link: LinkAction,
  escalate: EscalateAction
}

const checkAction = (a: Action, path: Path, problems: Problems) => {
  if ("set" in a) {
    const at = [...path, "value"]
    const v = a.value
    switch (a.set) {
      case "priority":
        if (v === null || !priorities.includes(v))
          problems.push({ path: at, message: `Expected one of ${priorities.join(", ")}` })
        return
      case "type":
        if (v === null || !types.includes(v))
          problems.push({ path: at, message: `Expected one of ${types.join(", ")}` })
        return
      case "status":
        if (v === null || !Schema.is(Status.StatusId)(v)) problems.push({ path: at, message: "Expected a status id" })
        return
      case "group":
        if (v !== null && !Schema.is(Ids.GroupId)(v))
          problems.push({ path: at, message: "Expected a group id or null" })
        return
      case "assignee":
        if (v !== null && !Schema.is(Ids.AgentId)(v))
          problems.push({ path: at, message: "Expected an agent id or null" })
        return
    }
  }
  if ("addTags" in a || "removeTags" in a) {
    const key = "addTags" in a ? "addTags" : "removeTags"
    const tags = "addTags" in a ? a.addTags : a.removeTags
    tags.forEach((t, i) => {
      if (Tag.normalize(t).length === 0) problems.push({ path: [...path, key, i], message: "Expected a tag" })
    })
  }
}

const decodeAction = (input: unknown, path: Path, problems: Problems): Action | undefined => {
  const kind = kindOf(input, actionKeys, "an action", path, problems)
  if (kind === undefined) return undefined
  const before = problems.length
  const a = decodeWith(actionSchemas[kind] as Schema.Codec<Action, unknown>, input, path, problems)
  if (a !== undefined) checkAction(a, path, problems)
  return problems.length > before ? undefined : a
}

const Envelope = Schema.Struct({ ...envelopeFields, if: Schema.Unknown, then: Schema.Unknown })

const decodeRuleAt = (input: unknown, path: Path, problems: Problems): Rule | undefined => {
  const before = problems.length
  const envelope = decodeWith(Envelope, input, path, problems)
  if (!isRecord(input)) return undefined
  const condition = Object.hasOwn(input, "if") ? decodeCondition(input.if, [...path, "if"], problems, 0) : undefined
  const rawActions = input.then
  const actions: Array<Action | undefined> = []
  if (Array.isArray(rawActions)) {
    if (rawActions.length === 0) problems.push({ path: [...path, "then"], message: "Expected at least one action" })
    rawActions.forEach((a, i) => {
      actions.push(decodeAction(a, [...path, "then", i], problems))
    })
  } else if (Object.hasOwn(input, "then"))
    problems.push({ path: [...path, "then"], message: "Expected an array of actions" })
  if (input.kind === "automation" && Object.hasOwn(input, "on"))
    problems.push({ path: [...path, "on"], message: "An automation runs on a schedule, not on events: remove on" })
  else if (Array.isArray(input.on) && input.on.length === 0)
    problems.push({ path: [...path, "on"], message: "Expected at least one event (leave on out for any event)" })
  if (problems.length > before || envelope === undefined || condition === undefined) return undefined
  const { if: _if, then: _then, ...rest } = envelope
  return { ...rest, if: condition, then: actions as unknown as Rule["then"] }
}

/**
 * Decodes one rule from untrusted JSON (parsed), with every problem and its path.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeRule = (input: unknown): Result.Result<Rule, InvalidRule> => {
  const problems: Problems = []
  const rule = decodeRuleAt(input, [], problems)
  return rule === undefined ? Result.fail(new InvalidRule({ problems })) : Result.succeed(rule)
}

/**
 * Decodes a rule set (a JSON array of rules, in the order they run); paths start at the rule's
 * index. Rule ids must be unique.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeRuleSet = (input: unknown): Result.Result<RuleSet, InvalidRule> => {
  if (!Array.isArray(input))
    return Result.fail(new InvalidRule({ problems: [{ path: [], message: "Expected an array of rules" }] }))
  const problems: Problems = []
  const rules = input.map((r, i) => decodeRuleAt(r, [i], problems))
  const seen = new Map<string, number>()
  input.forEach((r, i) => {
    const id = isRecord(r) && typeof r.id === "string" ? r.id : undefined
    if (id === undefined) return
    const first = seen.get(id)
    if (first === undefined) seen.set(id, i)
    else problems.push({ path: [i, "id"], message: `Duplicate rule id ${id} (first at ${first})` })
  })
  return problems.length > 0 ? Result.fail(new InvalidRule({ problems })) : Result.succeed(rules as RuleSet)
}

/**
 * The words of a text as rules compare them: NFKD-normalised, marks removed, lower case, split on
 * anything but letters and digits (the same words `TicketQuery` searches by).
 *
 * @category combinators
 * @since 0.1.0
 */
export const wordsOf = (text: string): ReadonlyArray<string> => TicketQuery.words(text)
