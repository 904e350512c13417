/**
 * The fast path: a rule set compiled once. Everything that does not depend on the ticket is done
 * at compile time (`in` lists as `===` chains or sets, normalised tags and words, compiled
 * patterns, priority orders as lists of levels, which reader a field needs), rules are indexed by
 * the events that start them, and the words of a text are computed once per evaluation however
 * many conditions read them.
 *
 * Where the runtime allows `new Function`, conditions become generated JavaScript: each field is
 * read once per evaluation into a local and each rule is one `if`; rule values reach that code
 * only as constants (`internal/codegen.ts`), never as source text. Elsewhere (a Content Security
 * Policy), or with `generate: false`, they become closures, as do the rules of `compileEach`,
 * asked one at a time by the trigger runner. All must agree with the `Interpreter` on every
 * input; property tests hold them to that.
 *
 * @since 0.1.0
 */
import { Priority, Tag, type Ticket } from "@tessera/core"
import { Result } from "effect"
import type * as Facts from "./Facts.js"
import * as Codegen from "./internal/codegen.js"
import * as Pattern from "./Pattern.js"
import * as Rule from "./Rule.js"

type Value = Rule.Scalar | ReadonlyArray<string> | undefined

/** The words of a list of texts, by the list: facts that share one (a unit's states) share its words. */
const wordsOfTexts = new WeakMap<ReadonlyArray<string>, ReadonlySet<string>>()

/** Lazily computed per evaluation, shared by every condition of every rule. */
class Scratch {
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

type Predicate = (facts: Facts.Facts, scratch: Scratch) => boolean
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

const scalars = (value: Rule.FieldCondition["value"]): ReadonlyArray<Rule.Scalar> =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as Rule.Scalar]

// Tags compare as sets (a ticket's list may repeat one): the same tags in any order are no change.
const sameTags = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  for (const x of a) if (!b.includes(x)) return false
  for (const x of b) if (!a.includes(x)) return false
  return true
}

const compileField = (c: Rule.FieldCondition): Predicate => {
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
const compileNode = (c: Rule.Condition): Predicate => {
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

const maskOf = (events: ReadonlyArray<string>): number => {
  let mask = 0
  for (const e of events) mask |= eventBits.get(e) ?? 0
  return mask
}

// -- generated code --------------------------------------------------------------------------------
//
// Where `new Function` is allowed, each condition becomes one JavaScript expression over locals
// read once per evaluation (`t.status`, a custom field, the previous status, ...), rules become
// `if (<expression>) push(rule)` lines, and the rules a combination of events can start become a
// few functions of at most `chunkRules` rules each (small enough for the JIT to optimise). Only
// identifiers and integers chosen here are written into the source; every value from a rule goes
// through the constants (`Codegen.Constants`).

/** How generated code reads a ticket field: the property of a ticket, or of the facts (tiers). */
const ticketProperty: Partial<Record<Rule.FieldName, string>> = {
  status: "status",
  category: "category",
  priority: "priority",
  type: "type",
  group: "group",
  assignee: "assignee",
  channel: "channel",
  requester: "requester",
  organization: "organization",
  tags: "tags",
  supportLevel: "supportLevel",
  subject: "subject"
}
const factsProperty: Partial<Record<Rule.FieldName, string>> = {
  "requester.tier": "requesterTier",
  "organization.tier": "organizationTier"
}

/** `in` lists up to this size become `===` chains; longer ones a `Set`. */
const chainLimit = 8

/** The state of one generated function: its constants and the locals its prologue reads. */
class Unit {
  readonly constants = new Codegen.Constants()
  private readonly reads = new Map<string, { readonly name: string; readonly code: string }>()
  usesScratch = false

  constant(value: unknown): string {
    return this.constants.ref(value)
  }

  private local(key: string, code: () => string): string {
    let found = this.reads.get(key)
    if (found === undefined) {
      found = { name: `v${this.reads.size}`, code: code() }
      this.reads.set(key, found)
    }
    return found.name
  }

  /** The local holding the field of the ticket after the command. */
  current(field: Rule.FieldName): string {
    return this.local(`+${field}`, () => this.readFrom("t", field))
  }

  /** The local holding the field of the ticket before it (undefined when it was created). */
  previous(field: Rule.FieldName): string {
    return this.local(`-${field}`, () => `p === undefined ? undefined : ${this.readFrom("p", field)}`)
  }

  private readFrom(ticket: "t" | "p", field: Rule.FieldName): string {
    const property = ticketProperty[field]
    if (property !== undefined) return `${ticket}.${property}`
    const fromFacts = factsProperty[field]
    if (fromFacts !== undefined) return `f.${fromFacts}`
    const key = this.constant(field.slice("custom.".length))
    const hasOwn = this.constant(Object.hasOwn)
    return `(${hasOwn}(${ticket}.customFields, ${key}) ? ${ticket}.customFields[${key}] : undefined)`
  }

  /** `const t = f.ticket, p = f.previous, v0 = ..., v1 = ...;` */
  prologue(): string {
    const reads = [...this.reads.values()].map(({ name, code }) => `${name} = ${code}`)
    return `const t = f.ticket, p = f.previous${reads.map((r) => `, ${r}`).join("")};`
  }
}

/** `v` is one of `values`, as an expression (`===` chain, `includes` or a `Set`). */
const oneOf = (u: Unit, v: string, values: ReadonlyArray<unknown>): string => {
  const list = [...new Set(values.filter((x) => x !== undefined))]
  if (list.length === 0) return "false"
  if (list.some((x) => typeof x === "number" && Number.isNaN(x))) return `${u.constant(list)}.includes(${v})`
  if (list.length > chainLimit) return `${u.constant(new Set(list))}.has(${v})`
  return `(${list.map((x) => `${v} === ${u.constant(x)}`).join(" || ")})`
}

const presentCode = (v: string, scalar: boolean): string =>
  scalar
    ? `(${v} !== undefined && ${v} !== "")`
    : `(${v} !== undefined && ${v} !== "" && !(Array.isArray(${v}) && ${v}.length === 0))`

/** Fields whose values are never lists (the ticket's own scalar fields and the tiers). */
const scalarField = (field: Rule.FieldName): boolean =>
  field !== "tags" && (ticketProperty[field] !== undefined || factsProperty[field] !== undefined)

const orderTest = (op: "lt" | "lte" | "gt" | "gte", d: number): boolean =>
  op === "lt" ? d < 0 : op === "lte" ? d <= 0 : op === "gt" ? d > 0 : d >= 0

const tagsCode = (c: Rule.FieldCondition, u: Unit): string => {
  const wanted = [...new Set(scalars(c.value).map((t) => Tag.normalize(t as string)))]
  const v = u.current("tags")
  const any = wanted.length === 0 ? "false" : `(${wanted.map((w) => `${v}.includes(${u.constant(w)})`).join(" || ")})`
  switch (c.op) {
    case "includes":
      return any
    case "excludes":
      return `!${any}`
    case "present":
      return presentCode(v, false)
    case "absent":
      return `!${presentCode(v, false)}`
    case "changed":
      return `(p === undefined ? ${presentCode(v, false)} : !${u.constant(sameTags)}(${u.previous("tags")}, ${v}))`
    case "changedTo":
    case "changedFrom": {
      const test = compileField(c)
      return `${u.constant(test)}(f)`
    }
    default:
      return `${u.constant(compileField(c))}(f)`
  }
}

const fieldCode = (c: Rule.FieldCondition, u: Unit): string => {
  if (c.field === "tags") return tagsCode(c, u)
  const v = u.current(c.field)
  const value = c.value
  const k = () => u.constant(value)
  switch (c.op) {
    case "is":
      return value === undefined ? "false" : `${v} === ${k()}`
    case "isNot":
      return value === undefined ? "true" : `${v} !== ${k()}`
    case "in":
      return oneOf(u, v, scalars(value))
    case "notIn":
      return `!${oneOf(u, v, scalars(value))}`
    case "present":
      return presentCode(v, scalarField(c.field))
    case "absent":
      return `!${presentCode(v, scalarField(c.field))}`
    case "lt":
    case "lte":
    case "gt":
    case "gte": {
      const op = c.op
      if (c.field === "priority") {
        // Ranks are known now: the levels that pass are a list (`Priority.rank` of another
        // string is -1, which may pass too).
        if (typeof value !== "string") return "false"
        const expected = Priority.rank(value as Priority.Priority)
        const passing = Priority.levels.filter((l) => orderTest(op, Priority.rank(l) - expected))
        if (!orderTest(op, -1 - expected)) return oneOf(u, v, passing)
        const failing = Priority.levels.filter((l) => !passing.includes(l))
        return `(typeof ${v} === "string" && !${oneOf(u, v, failing)})`
      }
      if (typeof value !== "number") return "false"
      const cmp = op === "lt" ? "<" : op === "lte" ? "<=" : op === "gt" ? ">" : ">="
      return `(typeof ${v} === "number" && ${v} - ${k()} ${cmp} 0)`
    }
    case "changed":
      return `(p === undefined ? ${presentCode(v, scalarField(c.field))} : ${u.previous(c.field)} !== ${v})`
    case "changedTo":
      return `(${v} === ${k()} && (p === undefined || ${u.previous(c.field)} !== ${k()}))`
    case "changedFrom":
      return `(p !== undefined && ${u.previous(c.field)} === ${k()} && ${v} !== ${k()})`
    default:
      return `${u.constant(compileField(c))}(f)`
  }
}

/** A condition as an expression over `f` (facts), `m` (events mask), `s` (scratch) and locals. */
const conditionCode = (c: Rule.Condition, u: Unit): string => {
  if ("all" in c || "any" in c) {
    const all = "all" in c
    const [unit, zero] = all ? ["true", "false"] : ["false", "true"]
    const parts: Array<string> = []
    for (const part of all ? c.all : c.any) {
      const code = conditionCode(part, u)
      if (code === zero) return zero
      if (code !== unit) parts.push(code)
    }
    if (parts.length === 0) return unit
    if (parts.length === 1) return parts[0] as string
    return `(${parts.join(all ? " && " : " || ")})`
  }
  if ("not" in c) {
    const inner = conditionCode(c.not, u)
    return inner === "true" ? "false" : inner === "false" ? "true" : `!(${inner})`
  }
  if ("field" in c) return fieldCode(c, u)
  if ("event" in c) return `(m & ${Codegen.int(maskOf(typeof c.event === "string" ? [c.event] : c.event))}) !== 0`
  // Text, time, business hours and classification: the closures above, called with the scratch.
  if ("text" in c) u.usesScratch = true
  return `${u.constant(compileNode(c))}(f, s)`
}

type Generated = (facts: Facts.Facts, mask: number, scratch: Scratch | undefined) => boolean
type GeneratedRules = (
  facts: Facts.Facts,
  mask: number,
  scratch: Scratch | undefined,
  out: Array<Rule.Rule> | undefined
) => Array<Rule.Rule> | undefined

const generateCondition = (condition: Rule.Condition): ((facts: Facts.Facts) => boolean) => {
  const u = new Unit()
  const code = conditionCode(condition, u)
  const fn = Codegen.build<Generated>(u.constants, `function (f, m, s) {\n${u.prologue()}\nreturn ${code};\n}`)
  return u.usesScratch
    ? (facts) => fn(facts, maskOf(facts.events), new Scratch(facts))
    : (facts) => fn(facts, maskOf(facts.events), undefined)
}

/**
 * Where a generated function ends: at this many rules or this much source (about 150 characters
 * a rule of four leaves), well under what the JIT still optimises. 500 routing rules run fastest
 * in functions of 100 to 200 rules: each re-reads its fields, and more calls cost more.
 */
const chunkRules = 128
const chunkSource = 24_000

/** One function per chunk of rules, each pushing the rules that fire onto `out`. */
const generateRules = (rules: ReadonlyArray<Rule.Rule>): ReadonlyArray<GeneratedRules> => {
  const chunks: Array<GeneratedRules> = []
  let u = new Unit()
  let lines: Array<string> = []
  let size = 0
  const close = () => {
    if (lines.length > 0) {
      const body = `function (f, m, s, o) {\n${u.prologue()}\n${lines.join("\n")}\nreturn o;\n}`
      chunks.push(Codegen.build<GeneratedRules>(u.constants, body))
    }
    u = new Unit()
    lines = []
    size = 0
  }
  for (const rule of rules) {
    const code = conditionCode(rule.if, u)
    if (code === "false") continue
    const line = `if (${code}) (o === undefined ? (o = []) : o).push(${u.constant(rule)});`
    lines.push(line)
    size += line.length
    if (lines.length >= chunkRules || size >= chunkSource) close()
  }
  close()
  return chunks
}

const usesText = (c: Rule.Condition): boolean =>
  "all" in c ? c.all.some(usesText) : "any" in c ? c.any.some(usesText) : "not" in c ? usesText(c.not) : "text" in c

// -- entry points ----------------------------------------------------------------------------------

/**
 * How to compile.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /**
   * Generate JavaScript functions (`new Function`) for the conditions: the default where the
   * runtime allows it. `false`, or a runtime that forbids it (a Content Security Policy), compiles
   * to closures instead; both answer the same.
   */
  readonly generate?: boolean | undefined
}

const generating = (options: Options | undefined): boolean => options?.generate !== false && Codegen.canGenerate()

/**
 * A condition compiled to a predicate.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compileCondition = (condition: Rule.Condition, options?: Options): ((facts: Facts.Facts) => boolean) => {
  if (generating(options)) return generateCondition(condition)
  const p = compileNode(condition)
  return (facts) => p(facts, new Scratch(facts))
}

/**
 * A compiled rule set.
 *
 * @category models
 * @since 0.1.0
 */
export interface CompiledRuleSet {
  readonly rules: Rule.RuleSet
  /** The rules that fire for the facts, in rule order. */
  readonly matching: (facts: Facts.Facts) => ReadonlyArray<Rule.Rule>
}

const anyEvent = -1
const none: ReadonlyArray<Rule.Rule> = Object.freeze([])

/** Per facts object: its events as a mask, and the scratch space its conditions share. */
const perFacts = new WeakMap<Facts.Facts, { readonly mask: number; scratch: Scratch | undefined }>()

const memoOf = (facts: Facts.Facts) => {
  let memo = perFacts.get(facts)
  if (memo === undefined) {
    memo = { mask: maskOf(facts.events), scratch: undefined }
    perFacts.set(facts, memo)
  }
  return memo
}

/**
 * Each rule of a set on its own, in rule order: one predicate per rule for its `on` and its `if`
 * (a disabled rule never matches). For callers that ask the rules one at a time while the facts
 * change between them, as the trigger runner does: asking one rule costs that rule, not the set.
 * Pass the same facts object to every rule that reads the same facts: its events mask and the
 * words of its texts are worked out once per object (closures, not generated code).
 *
 * @category constructors
 * @since 0.1.0
 */
export const compileEach = (rules: Rule.RuleSet): ReadonlyArray<(facts: Facts.Facts) => boolean> =>
  rules.map((rule) => {
    if (rule.enabled === false) return () => false
    const test = compileNode(rule.if)
    const on = rule.on === undefined ? anyEvent : maskOf(rule.on)
    return (facts) => {
      const memo = memoOf(facts)
      if (on !== anyEvent && (memo.mask & on) === 0) return false
      if (memo.scratch === undefined) memo.scratch = new Scratch(facts)
      return test(facts, memo.scratch)
    }
  })

/**
 * Compiles a (decoded) rule set once; `matching` then evaluates it for each set of facts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compile = (rules: Rule.RuleSet, options?: Options): CompiledRuleSet => {
  const enabled = rules.filter((r) => r.enabled !== false)
  const on = enabled.map((rule) => (rule.on === undefined ? anyEvent : maskOf(rule.on)))
  const startedBy = (mask: number) => enabled.filter((_, i) => on[i] === anyEvent || ((on[i] as number) & mask) !== 0)
  if (generating(options)) {
    const scratch = enabled.some((r) => usesText(r.if))
    // The functions for each combination of events, generated the first time it is seen.
    const byMask: Array<ReadonlyArray<GeneratedRules> | undefined> = []
    return {
      rules,
      matching: (facts) => {
        const mask = maskOf(facts.events)
        let chunks = byMask[mask]
        if (chunks === undefined) {
          chunks = generateRules(startedBy(mask))
          byMask[mask] = chunks
        }
        const s = scratch ? new Scratch(facts) : undefined
        let out: Array<Rule.Rule> | undefined
        for (let i = 0; i < chunks.length; i++) out = (chunks[i] as GeneratedRules)(facts, mask, s, out)
        return out ?? none
      }
    }
  }
  const compiled = enabled.map((rule, i) => ({ rule, on: on[i] as number, test: compileNode(rule.if) }))
  // The rules each combination of events can start, computed the first time it is seen.
  const byMask = new Map<number, ReadonlyArray<(typeof compiled)[number]>>()
  const candidates = (mask: number) => {
    let found = byMask.get(mask)
    if (found === undefined) {
      found = compiled.filter((c) => c.on === anyEvent || (c.on & mask) !== 0)
      byMask.set(mask, found)
    }
    return found
  }
  return {
    rules,
    matching: (facts) => {
      const scratch = new Scratch(facts)
      let out: Array<Rule.Rule> | undefined
      for (const c of candidates(maskOf(facts.events))) {
        if (!c.test(facts, scratch)) continue
        if (out === undefined) out = [c.rule]
        else out.push(c.rule)
      }
      return out ?? none
    }
  }
}
