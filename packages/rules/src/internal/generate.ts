/**
 * Conditions and rule sets compiled to generated JavaScript (`new Function`) for `Compile`: each
 * field read once per evaluation into a local, each rule one `if`. Rule values reach the code
 * only as constants (`codegen.ts`), never as source text; conditions it does not inline call
 * the closures of `closures.ts`.
 */
import { Priority, Tag, Ticket } from "@tessera/core"
import type * as Facts from "../Facts.js"
import type * as Rule from "../Rule.js"
import { compileField, compileNode, maskOf, Scratch, sameTags, scalars } from "./closures.js"
import * as Codegen from "./codegen.js"

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
  subject: "subject",
  complexity: "complexity"
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
    if (field === "satisfaction") return `${this.constant(Ticket.satisfaction)}(${ticket})`
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
  field !== "tags" &&
  (ticketProperty[field] !== undefined || factsProperty[field] !== undefined || field === "satisfaction")

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
export type GeneratedRules = (
  facts: Facts.Facts,
  mask: number,
  scratch: Scratch | undefined,
  out: Array<Rule.Rule> | undefined
) => Array<Rule.Rule> | undefined

export const generateCondition = (condition: Rule.Condition): ((facts: Facts.Facts) => boolean) => {
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
export const generateRules = (rules: ReadonlyArray<Rule.Rule>): ReadonlyArray<GeneratedRules> => {
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

export const usesText = (c: Rule.Condition): boolean =>
  "all" in c ? c.all.some(usesText) : "any" in c ? c.any.some(usesText) : "not" in c ? usesText(c.not) : "text" in c
