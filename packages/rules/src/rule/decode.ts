/**
 * Reads a rule document from untrusted JSON. It refuses what would silently never match (an
 * order on tags, a missing value, a pattern that does not compile) and reports every problem with
 * its JSON path in one `ConfigError.InvalidConfig`. The kinds of condition and action come from
 * their Schemas (`Condition`, `Leaf`, `Action`), never from a list kept here.
 *
 * @since 0.1.0
 */
import { Channel, Complexity, ConfigError, Ids, Priority, Status, Tag, TicketType } from "@tessera/core"
import { Result, Schema, SchemaAST } from "effect"
import * as Pattern from "../Pattern.js"
import { Action } from "./Action.js"
import {
  type ClassificationCondition,
  Condition,
  type FieldCondition,
  type FieldKind,
  type FieldName,
  type FieldOp,
  fieldKind,
  Leaf,
  opsFor,
  type Scalar,
  Sentiment,
  type TextCondition,
  Urgency,
  wordsOf
} from "./Condition.js"
import { envelopeFields, type Path, type Rule, type RuleSet } from "./Document.js"

/**
 * One problem of a rule document: where (its JSON path, starting at the rule's index in a rule
 * set) and what. The same shape as every configuration problem (`ConfigError.Problem`).
 *
 * @category models
 * @since 0.1.0
 */
export const Problem = ConfigError.Problem
/** @category models @since 0.1.0 */
export type Problem = ConfigError.Problem

type Problems = Array<Problem>

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Decodes with a schema, refusing unknown keys; problems are added under `path`. */
const decodeWith = <A>(schema: Schema.Codec<A, unknown>, input: unknown, path: Path, problems: Problems) => {
  const r = Schema.decodeUnknownResult(schema)(input, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(r)) return r.success
  // A union reports one issue per member at the same path: say it once, as alternatives.
  const byPath = new Map<string, Problem>()
  for (const i of ConfigError.problems(r.failure.issue)) {
    const at = [...path, ...i.path]
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

/**
 * The kind of a member of a union of Structs: the name of its first field (`{ field, op, value }`
 * is a `field` condition, `{ set, value }` a `set` action).
 */
const kindOf = (ast: SchemaAST.AST): string =>
  SchemaAST.isObjects(ast) ? String(ast.propertySignatures[0]?.name ?? "") : ""

/**
 * The kinds of a union's members, in order. The decoder reads the kinds of conditions and actions
 * from their Schemas, so a new condition or action is defined in one place: its Schema.
 */
export const kindsOf = (union: Schema.Top): ReadonlyArray<string> =>
  SchemaAST.isUnion(union.ast) ? union.ast.types.map(kindOf) : []

/** The kinds of condition, `all`, `any` and `not` first. */
export const conditionKinds: ReadonlyArray<string> = kindsOf(Condition)

/** The kinds of action. */
export const actionKinds: ReadonlyArray<string> = kindsOf(Action)

const leafSchemas: ReadonlyMap<string, Schema.Codec<Leaf, unknown>> = new Map(
  Leaf.members.map((m) => [kindOf(m.ast), m as Schema.Codec<Leaf, unknown>])
)
const actionSchemas: ReadonlyMap<string, Schema.Codec<Action, unknown>> = new Map(
  Action.members.map((m) => [kindOf(m.ast), m as Schema.Codec<Action, unknown>])
)

/** The one key of `keys` an object has, or a problem. */
const kindIn = (input: unknown, keys: ReadonlyArray<string>, what: string, path: Path, problems: Problems) => {
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

const ordering: ReadonlyArray<FieldOp> = ["lt", "lte", "gt", "gte"]
const priorities: ReadonlyArray<string> = Priority.levels
const categories: ReadonlyArray<string> = Status.StatusCategory.literals
const channels: ReadonlyArray<string> = Channel.Channel.literals
const types: ReadonlyArray<string> = TicketType.TicketType.literals
const complexities: ReadonlyArray<string> = Complexity.Complexity.literals
const verdicts: ReadonlyArray<string> = ["good", "neutral", "bad"]
const sentiments: ReadonlyArray<string> = Sentiment.literals
const urgencies: ReadonlyArray<string> = Urgency.literals

/** Why a scalar is not a value of the field, or undefined when it is. */
const scalarProblem = (field: FieldName, kind: FieldKind, op: FieldOp, v: Scalar): string | undefined => {
  const oneOf = (allowed: ReadonlyArray<string>) =>
    typeof v === "string" && allowed.includes(v) ? undefined : `Expected one of ${allowed.join(", ")}`
  switch (kind) {
    case "priority":
      return oneOf(priorities)
    case "enum":
      return oneOf(
        field === "category"
          ? categories
          : field === "channel"
            ? channels
            : field === "complexity"
              ? complexities
              : field === "satisfaction"
                ? verdicts
                : types
      )
    case "text":
    case "tier":
      return typeof v === "string" ? undefined : "Expected a string"
    case "number":
      return typeof v === "number" ? undefined : "Expected a number"
    case "tags":
      return typeof v === "string" && Tag.normalize(v).length > 0 ? undefined : "Expected a tag"
    case "custom":
      return ordering.includes(op) && typeof v !== "number" ? "Expected a number" : undefined
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

/** What a leaf's Schema cannot say: which operators and values fit a field, patterns, words. */
const checkLeaf = (c: Leaf, path: Path, problems: Problems): void => {
  if ("field" in c) checkField(c, path, problems)
  else if ("text" in c) checkText(c, path, problems)
  else if ("classification" in c) checkClassification(c, path, problems)
}

const decodeCondition = (input: unknown, path: Path, problems: Problems, depth: number): Condition | undefined => {
  const kind = kindIn(input, conditionKinds, "a condition", path, problems)
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
  const schema = leafSchemas.get(kind)
  if (schema === undefined) return undefined
  const c = decodeWith(schema, input, path, problems)
  if (c !== undefined) checkLeaf(c, path, problems)
  return problems.length > before ? undefined : c
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
      case "complexity":
        if (v === null || !complexities.includes(v))
          problems.push({ path: at, message: `Expected one of ${complexities.join(", ")}` })
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
  const kind = kindIn(input, actionKinds, "an action", path, problems)
  if (kind === undefined) return undefined
  const before = problems.length
  const schema = actionSchemas.get(kind)
  if (schema === undefined) return undefined
  const a = decodeWith(schema, input, path, problems)
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
export const decodeRule = (input: unknown): Result.Result<Rule, ConfigError.InvalidConfig> => {
  const problems: Problems = []
  const rule = decodeRuleAt(input, [], problems)
  return rule === undefined ? Result.fail(ConfigError.invalid("rules", problems)) : Result.succeed(rule)
}

/**
 * Decodes a rule set (a JSON array of rules, in the order they run); paths start at the rule's
 * index. Rule ids must be unique.
 *
 * @category constructors
 * @since 0.1.0
 */
export const decodeRuleSet = (input: unknown): Result.Result<RuleSet, ConfigError.InvalidConfig> => {
  if (!Array.isArray(input))
    return Result.fail(ConfigError.invalid("rules", [{ path: [], message: "Expected an array of rules" }]))
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
  if (problems.length > 0) return Result.fail(ConfigError.invalid("rules", problems))
  decodedSets.add(rules)
  return Result.succeed(rules as RuleSet)
}

/** The rule sets `decodeRuleSet` gave: passed on as they are, they need no second decoding. */
const decodedSets = new WeakSet<object>()

/**
 * A rule set as the engine takes it, checked: one that `decodeRuleSet` gave passes as it is, and
 * anything else (rules built in code, a parsed JSON array, or a value from JavaScript that is not
 * a rule set at all) is decoded now. A `Result` passed on unchecked is refused with a problem
 * that says to look at it first; `RuleTriggers.make` throws what this fails with.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkRuleSet = (input: unknown): Result.Result<RuleSet, ConfigError.InvalidConfig> => {
  if (typeof input === "object" && input !== null && decodedSets.has(input)) return Result.succeed(input as RuleSet)
  if (Result.isResult(input))
    return Result.fail(
      ConfigError.invalid("rules", [
        {
          path: [],
          message: Result.isFailure(input)
            ? `Expected a rule set, got the failed result of decoding one: ${describeFailure(input.failure)}`
            : "Expected a rule set, got a Result: check it first (Result.isFailure) and pass its success"
        }
      ])
    )
  return decodeRuleSet(input)
}

const describeFailure = (failure: unknown): string =>
  failure instanceof Error ? failure.message : "check Rule.decodeRuleSet's result before passing it on"
