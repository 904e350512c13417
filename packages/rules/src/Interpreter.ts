/**
 * The reference interpreter: walks a condition tree against facts, one node at a time, with no
 * precomputation. It defines what a rule means; `Compile` must agree with it on every input (a
 * property test holds it to that), and `explain` shows an agent why a rule did or did not fire.
 *
 * @since 0.1.0
 */
import { Priority, Tag, Ticket } from "@tessera/core"
import { Result } from "effect"
import type * as Facts from "./Facts.js"
import * as Pattern from "./Pattern.js"
import * as Rule from "./Rule.js"

/**
 * What a field holds: a scalar, the tags, or nothing.
 *
 * @category models
 * @since 0.1.0
 */
export type FieldValue = Rule.Scalar | ReadonlyArray<string> | undefined

/**
 * Reads a field of a ticket (tiers come from the facts).
 *
 * @category combinators
 * @since 0.1.0
 */
export const read = (field: Rule.FieldName, ticket: Ticket.Ticket, facts: Facts.Facts): FieldValue => {
  switch (field) {
    case "status":
      return ticket.status
    case "category":
      return ticket.category
    case "priority":
      return ticket.priority
    case "type":
      return ticket.type
    case "group":
      return ticket.group
    case "assignee":
      return ticket.assignee
    case "channel":
      return ticket.channel
    case "requester":
      return ticket.requester
    case "organization":
      return ticket.organization
    case "tags":
      return ticket.tags
    case "supportLevel":
      return ticket.supportLevel
    case "complexity":
      return ticket.complexity
    case "satisfaction":
      return Ticket.satisfaction(ticket)
    case "subject":
      return ticket.subject
    case "requester.tier":
      return facts.requesterTier
    case "organization.tier":
      return facts.organizationTier
    default: {
      const key = field.slice("custom.".length)
      return Object.hasOwn(ticket.customFields, key)
        ? (ticket.customFields as Record<string, Rule.Scalar>)[key]
        : undefined
    }
  }
}

/** Present: there, and not an empty text or an empty tag list. */
const isPresent = (v: FieldValue): boolean => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)

const listOf = <A>(value: A | ReadonlyArray<A> | undefined): ReadonlyArray<A> =>
  value === undefined ? [] : Array.isArray(value) ? (value as ReadonlyArray<A>) : [value as A]

const sameValue = (a: FieldValue, b: FieldValue): boolean => {
  // Tags compare as sets: the same tags in another order (or twice) are no change.
  if (Array.isArray(a) && Array.isArray(b)) return a.every((x) => b.includes(x)) && b.every((x) => a.includes(x))
  return a === b
}

const compare = (actual: FieldValue, expected: Rule.Scalar, field: Rule.FieldName): number | undefined => {
  if (field === "priority")
    return typeof actual === "string" && typeof expected === "string"
      ? Priority.rank(actual as Priority.Priority) - Priority.rank(expected as Priority.Priority)
      : undefined
  return typeof actual === "number" && typeof expected === "number" ? actual - expected : undefined
}

const hasTag = (tags: FieldValue, tag: string): boolean => Array.isArray(tags) && tags.includes(Tag.normalize(tag))

/**
 * Whether a field condition holds on a field's value now and before the command (`created`: the
 * command opened the ticket, there was no before). The meaning of every field operator, shared
 * by `evaluate` and the static checks of `Analysis`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const fieldHeld = (
  c: Rule.FieldCondition,
  current: FieldValue,
  previous: FieldValue,
  created: boolean
): boolean => {
  const tags = c.field === "tags"
  switch (c.op) {
    case "is":
      return current !== undefined && current === c.value
    case "isNot":
      return !(current !== undefined && current === c.value)
    case "in":
      return current !== undefined && listOf(c.value).includes(current as Rule.Scalar)
    case "notIn":
      return !(current !== undefined && listOf(c.value).includes(current as Rule.Scalar))
    case "present":
      return isPresent(current)
    case "absent":
      return !isPresent(current)
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      const d = compare(current, c.value as Rule.Scalar, c.field)
      if (d === undefined) return false
      return c.op === "lt" ? d < 0 : c.op === "lte" ? d <= 0 : c.op === "gt" ? d > 0 : d >= 0
    }
    case "includes":
      return listOf(c.value as string | ReadonlyArray<string>).some((t) => hasTag(current, t))
    case "excludes":
      return !listOf(c.value as string | ReadonlyArray<string>).some((t) => hasTag(current, t))
    case "changed":
      return created ? isPresent(current) : !sameValue(previous, current)
    case "changedTo":
      if (tags)
        return listOf(c.value as string | ReadonlyArray<string>).some(
          (t) => hasTag(current, t) && (created || !hasTag(previous, t))
        )
      return current === c.value && (created || previous !== c.value)
    case "changedFrom":
      if (created) return false
      if (tags)
        return listOf(c.value as string | ReadonlyArray<string>).some((t) => hasTag(previous, t) && !hasTag(current, t))
      return previous === c.value && current !== c.value
  }
}

const textsOf = (c: Rule.TextCondition, facts: Facts.Facts): ReadonlyArray<string> =>
  c.text === "message"
    ? facts.messages
    : c.text === "subject"
      ? [facts.ticket.subject]
      : [facts.ticket.subject, ...facts.messages]

const textHeld = (c: Rule.TextCondition, texts: ReadonlyArray<string>): boolean => {
  if (c.op === "matches") {
    const compiled = Pattern.compile(c.value as string, { caseInsensitive: c.ignoreCase === true })
    return Result.isSuccess(compiled) && texts.some((t) => Pattern.test(compiled.success, t))
  }
  const present = new Set(texts.flatMap(Rule.wordsOf))
  const wanted = listOf(c.value).flatMap(Rule.wordsOf)
  return c.op === "containsWords" ? wanted.every((w) => present.has(w)) : wanted.some((w) => present.has(w))
}

const momentOf = (c: Rule.SinceCondition, facts: Facts.Facts): number | undefined => {
  switch (c.since) {
    case "created":
      return facts.ticket.createdAt.epochMilliseconds
    case "updated":
      return facts.ticket.updatedAt.epochMilliseconds
    case "statusChanged":
      return facts.ticket.statusChangedAt.epochMilliseconds
    case "lastRequesterReply":
      return facts.lastRequesterReplyAt
    case "lastAgentReply":
      return facts.lastAgentReplyAt
  }
}

const hourMillis = 3_600_000

/**
 * How one leaf condition fared: whether it held, what it read and what it expected.
 *
 * @category models
 * @since 0.1.0
 */
export interface LeafTrace {
  readonly _tag: "Leaf"
  readonly condition: Rule.Leaf
  readonly held: boolean
  /** What the condition read (the field's value, the texts, the elapsed hours, ...). */
  readonly actual: unknown
  /** For change operators: the value before the command. */
  readonly previous?: unknown
  readonly expected: unknown
}

/**
 * Why a condition held or not: the same tree, each node with its outcome. Unlike evaluation,
 * explaining visits every child (no short-circuit), so the whole picture is there.
 *
 * @category models
 * @since 0.1.0
 */
export type ConditionTrace =
  | { readonly _tag: "All"; readonly held: boolean; readonly children: ReadonlyArray<ConditionTrace> }
  | { readonly _tag: "Any"; readonly held: boolean; readonly children: ReadonlyArray<ConditionTrace> }
  | { readonly _tag: "Not"; readonly held: boolean; readonly child: ConditionTrace }
  | LeafTrace

const leaf = (c: Rule.Leaf, facts: Facts.Facts): LeafTrace => {
  if ("field" in c) {
    const current = read(c.field, facts.ticket, facts)
    const created = facts.previous === undefined
    const previous = created ? undefined : read(c.field, facts.previous as Ticket.Ticket, facts)
    const held = fieldHeld(c, current, previous, created)
    const changeOp = c.op === "changed" || c.op === "changedTo" || c.op === "changedFrom"
    return {
      _tag: "Leaf",
      condition: c,
      held,
      actual: current,
      ...(changeOp ? { previous } : {}),
      expected: c.value
    }
  }
  if ("text" in c) {
    const texts = textsOf(c, facts)
    return { _tag: "Leaf", condition: c, held: textHeld(c, texts), actual: texts, expected: c.value }
  }
  if ("since" in c) {
    const at = momentOf(c, facts)
    const elapsed = at === undefined ? undefined : facts.now - at
    const limit = c.hours * hourMillis
    const held = elapsed !== undefined && (c.op === "atLeast" ? elapsed >= limit : elapsed < limit)
    return {
      _tag: "Leaf",
      condition: c,
      held,
      actual: elapsed === undefined ? undefined : elapsed / hourMillis,
      expected: c.hours
    }
  }
  if ("businessHours" in c) {
    const open = facts.isOpen === undefined ? true : facts.isOpen(facts.now)
    const held = c.businessHours === "open" ? open : !open
    return { _tag: "Leaf", condition: c, held, actual: open ? "open" : "closed", expected: c.businessHours }
  }
  if ("classification" in c) {
    const actual = facts.classification?.[c.classification]
    const held = actual !== undefined && (c.op === "is" ? actual === c.value : listOf(c.value).includes(actual))
    return { _tag: "Leaf", condition: c, held, actual, expected: c.value }
  }
  const wanted = listOf(c.event)
  return {
    _tag: "Leaf",
    condition: c,
    held: wanted.some((e) => facts.events.includes(e)),
    actual: facts.events,
    expected: c.event
  }
}

/**
 * Whether a condition holds for the facts.
 *
 * @category predicates
 * @since 0.1.0
 */
export const evaluate = (condition: Rule.Condition, facts: Facts.Facts): boolean => {
  if ("all" in condition) return condition.all.every((c) => evaluate(c, facts))
  if ("any" in condition) return condition.any.some((c) => evaluate(c, facts))
  if ("not" in condition) return !evaluate(condition.not, facts)
  return leaf(condition, facts).held
}

/**
 * Evaluates a condition and says why it held or not, node by node.
 *
 * @category combinators
 * @since 0.1.0
 */
export const explain = (condition: Rule.Condition, facts: Facts.Facts): ConditionTrace => {
  if ("all" in condition) {
    const children = condition.all.map((c) => explain(c, facts))
    return { _tag: "All", held: children.every((c) => c.held), children }
  }
  if ("any" in condition) {
    const children = condition.any.map((c) => explain(c, facts))
    return { _tag: "Any", held: children.some((c) => c.held), children }
  }
  if ("not" in condition) {
    const child = explain(condition.not, facts)
    return { _tag: "Not", held: !child.held, child }
  }
  return leaf(condition, facts)
}

/**
 * Whether a rule fires: enabled, started by one of the facts' events (any, when `on` is left
 * out), and its condition holds.
 *
 * @category predicates
 * @since 0.1.0
 */
export const matches = (rule: Rule.Rule, facts: Facts.Facts): boolean =>
  rule.enabled !== false &&
  (rule.on === undefined || rule.on.some((e) => facts.events.includes(e))) &&
  evaluate(rule.if, facts)

/**
 * The rules that fire, in rule order.
 *
 * @category combinators
 * @since 0.1.0
 */
export const matching = (rules: Rule.RuleSet, facts: Facts.Facts): ReadonlyArray<Rule.Rule> =>
  rules.filter((r) => matches(r, facts))
