/**
 * Conditions compiled to closures over the facts: the reference form of `Compile`, used where
 * `new Function` is not allowed, by `compileEach`, and by generated code for the conditions it
 * does not inline (text, time, business hours, classification). `Scratch` holds what one
 * evaluation computes once (the words of its texts) for every condition that reads it.
 */
import { Priority, Tag, Ticket } from "@tessera/core"
import { Result } from "effect"
import type * as Facts from "../Facts.js"
import * as Pattern from "../Pattern.js"
import * as Rule from "../Rule.js"

type Value = Rule.Scalar | ReadonlyArray<string> | undefined

/** The words of a list of texts, by the list: facts that share one (a unit's states) share its words. */
const wordsOfTexts = new WeakMap<ReadonlyArray<string>, ReadonlySet<string>>()

/** Lazily computed per evaluation, shared by every condition of every rule. */
export class Scratch {
  private message: ReadonlySet<string> | undefined
  private subject: ReadonlySet<string> | undefined
  private both: ReadonlySet<string> | undefined
  constructor(readonly facts: Facts.Facts) {}
  words(source: Rule.TextCondition["text"]): ReadonlySet<string> {
    const facts = this.facts
    switch (source) {
      case "message":
        if (this.message === undefined) {
          let words = wordsOfTexts.get(facts.messages)
          if (words === undefined) {
            words = new Set(facts.messages.flatMap(Rule.wordsOf))
            wordsOfTexts.set(facts.messages, words)
          }
          this.message = words
        }
        return this.message
      case "subject":
        if (this.subject === undefined) this.subject = new Set(Rule.wordsOf(facts.ticket.subject))
        return this.subject
      case "any":
        if (this.both === undefined) {
          const all = new Set(this.words("subject"))
          for (const w of this.words("message")) all.add(w)
          this.both = all
        }
        return this.both
    }
  }
}

export type Predicate = (facts: Facts.Facts, scratch: Scratch) => boolean
type Reader = (ticket: Ticket.Ticket, facts: Facts.Facts) => Value

const readerOf = (field: Rule.FieldName): Reader => {
  switch (field) {
    case "status":
      return (t) => t.status
    case "category":
      return (t) => t.category
    case "priority":
      return (t) => t.priority
    case "type":
      return (t) => t.type
    case "group":
      return (t) => t.group
    case "assignee":
      return (t) => t.assignee
    case "channel":
      return (t) => t.channel
    case "requester":
      return (t) => t.requester
    case "organization":
      return (t) => t.organization
    case "tags":
      return (t) => t.tags
    case "supportLevel":
      return (t) => t.supportLevel
    case "complexity":
      return (t) => t.complexity
    case "satisfaction":
      return (t) => Ticket.satisfaction(t)
    case "subject":
      return (t) => t.subject
    case "requester.tier":
      return (_, f) => f.requesterTier
    case "organization.tier":
      return (_, f) => f.organizationTier
    default: {
      const key = field.slice("custom.".length)
      return (t) =>
        Object.hasOwn(t.customFields, key) ? (t.customFields as Record<string, Rule.Scalar>)[key] : undefined
    }
  }
}

const present = (v: Value): boolean => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0)

const ranks: Record<string, number> = Object.fromEntries(Priority.levels.map((p) => [p, Priority.rank(p)]))

export const scalars = (value: Rule.FieldCondition["value"]): ReadonlyArray<Rule.Scalar> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Rule.Scalar]

// Tags compare as sets (a ticket's list may repeat one): the same tags in any order are no change.
export const sameTags = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  for (const x of a) if (!b.includes(x)) return false
  for (const x of b) if (!a.includes(x)) return false
  return true
}

export const compileField = (c: Rule.FieldCondition): Predicate => {
  const read = readerOf(c.field)
  const cur = (f: Facts.Facts) => read(f.ticket, f)
  const prev = (f: Facts.Facts) => read(f.previous as Ticket.Ticket, f)
  const value = c.value as Rule.Scalar
  if (c.field === "tags") {
    const wanted = scalars(c.value).map((t) => Tag.normalize(t as string))
    const has = (tags: Value, t: string) => (tags as ReadonlyArray<string>).includes(t)
    const any = (tags: Value) => wanted.some((t) => has(tags, t))
    switch (c.op) {
      case "includes":
        return (f) => any(cur(f))
      case "excludes":
        return (f) => !any(cur(f))
      case "present":
        return (f) => present(cur(f))
      case "absent":
        return (f) => !present(cur(f))
      case "changed":
        return (f) =>
          f.previous === undefined
            ? present(cur(f))
            : !sameTags(prev(f) as ReadonlyArray<string>, cur(f) as ReadonlyArray<string>)
      case "changedTo":
        return (f) => {
          const now = cur(f)
          if (f.previous === undefined) return any(now)
          const before = prev(f)
          return wanted.some((t) => has(now, t) && !has(before, t))
        }
      case "changedFrom":
        return (f) => {
          if (f.previous === undefined) return false
          const now = cur(f)
          const before = prev(f)
          return wanted.some((t) => has(before, t) && !has(now, t))
        }
      default:
        return () => false
    }
  }
  switch (c.op) {
    case "is":
      return (f) => cur(f) === value
    case "isNot":
      return (f) => cur(f) !== value
    case "in": {
      const set = new Set<unknown>(scalars(c.value))
      return (f) => set.has(cur(f))
    }
    case "notIn": {
      const set = new Set<unknown>(scalars(c.value))
      return (f) => !set.has(cur(f))
    }
    case "present":
      return (f) => present(cur(f))
    case "absent":
      return (f) => !present(cur(f))
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      const test =
        c.op === "lt"
          ? (d: number) => d < 0
          : c.op === "lte"
            ? (d: number) => d <= 0
            : c.op === "gt"
              ? (d: number) => d > 0
              : (d: number) => d >= 0
      if (c.field === "priority") {
        const expected = typeof value === "string" ? ranks[value] : undefined
        if (expected === undefined) return () => false
        return (f) => {
          const v = cur(f)
          const r = typeof v === "string" ? ranks[v] : undefined
          return r !== undefined && test(r - expected)
        }
      }
      if (typeof value !== "number") return () => false
      return (f) => {
        const v = cur(f)
        return typeof v === "number" && test(v - value)
      }
    }
    case "changed":
      return (f) => (f.previous === undefined ? present(cur(f)) : prev(f) !== cur(f))
    case "changedTo":
      return (f) => cur(f) === value && (f.previous === undefined || prev(f) !== value)
    case "changedFrom":
      return (f) => f.previous !== undefined && prev(f) === value && cur(f) !== value
    default:
      return () => false
  }
}

const compileText = (c: Rule.TextCondition): Predicate => {
  const source = c.text
  if (c.op === "matches") {
    const compiled = Pattern.compile(c.value as string, { caseInsensitive: c.ignoreCase === true })
    if (Result.isFailure(compiled)) return () => false
    const pattern = compiled.success
    switch (source) {
      case "message":
        return (f) => f.messages.some((t) => Pattern.test(pattern, t))
      case "subject":
        return (f) => Pattern.test(pattern, f.ticket.subject)
      case "any":
        return (f) => Pattern.test(pattern, f.ticket.subject) || f.messages.some((t) => Pattern.test(pattern, t))
    }
  }
  const wanted = [...new Set((typeof c.value === "string" ? [c.value] : c.value).flatMap(Rule.wordsOf))]
  if (c.op === "containsWords")
    return (_, s) => {
      const words = s.words(source)
      for (const w of wanted) if (!words.has(w)) return false
      return true
    }
  return (_, s) => {
    const words = s.words(source)
    for (const w of wanted) if (words.has(w)) return true
    return false
  }
}

const hourMillis = 3_600_000

const compileSince = (c: Rule.SinceCondition): Predicate => {
  const limit = c.hours * hourMillis
  const moment: (f: Facts.Facts) => number | undefined =
    c.since === "created"
      ? (f) => f.ticket.createdAt.epochMilliseconds
      : c.since === "updated"
        ? (f) => f.ticket.updatedAt.epochMilliseconds
        : c.since === "statusChanged"
          ? (f) => f.ticket.statusChangedAt.epochMilliseconds
          : c.since === "lastRequesterReply"
            ? (f) => f.lastRequesterReplyAt
            : (f) => f.lastAgentReplyAt
  return c.op === "atLeast"
    ? (f) => {
        const at = moment(f)
        return at !== undefined && f.now - at >= limit
      }
    : (f) => {
        const at = moment(f)
        return at !== undefined && f.now - at < limit
      }
}

/** Compiles one condition (of a decoded rule) into a predicate over facts and scratch space. */
export const compileNode = (c: Rule.Condition): Predicate => {
  if ("all" in c) {
    const parts = c.all.map(compileNode)
    if (parts.length === 0) return () => true
    if (parts.length === 1) return parts[0] as Predicate
    return (f, s) => {
      for (const p of parts) if (!p(f, s)) return false
      return true
    }
  }
  if ("any" in c) {
    const parts = c.any.map(compileNode)
    if (parts.length === 0) return () => false
    if (parts.length === 1) return parts[0] as Predicate
    return (f, s) => {
      for (const p of parts) if (p(f, s)) return true
      return false
    }
  }
  if ("not" in c) {
    const inner = compileNode(c.not)
    return (f, s) => !inner(f, s)
  }
  if ("field" in c) return compileField(c)
  if ("text" in c) return compileText(c)
  if ("since" in c) return compileSince(c)
  if ("businessHours" in c) {
    const wantOpen = c.businessHours === "open"
    return (f) => (f.isOpen === undefined ? true : f.isOpen(f.now)) === wantOpen
  }
  if ("classification" in c) {
    const kind = c.classification
    const allowed = new Set<string>(typeof c.value === "string" ? [c.value] : c.value)
    if (c.op === "is") {
      const v = c.value
      return (f) => {
        const actual = f.classification?.[kind]
        return actual !== undefined && actual === v
      }
    }
    return (f) => {
      const actual = f.classification?.[kind]
      return actual !== undefined && allowed.has(actual)
    }
  }
  const mask = maskOf(typeof c.event === "string" ? [c.event] : c.event)
  return (f) => (maskOf(f.events) & mask) !== 0
}

const eventBits: ReadonlyMap<string, number> = new Map(Rule.TriggerEvent.literals.map((e, i) => [e, 1 << i]))

export const maskOf = (events: ReadonlyArray<string>): number => {
  let mask = 0
  for (const e of events) mask |= eventBits.get(e) ?? 0
  return mask
}
