/**
 * The satisfiability search behind `Analysis`: a condition in disjunctive normal form, and
 * whether a conjunction of leaves can hold for any facts, by trying a finite set of candidate
 * values per variable. Leaves are evaluated exactly as the `Interpreter` evaluates them. What
 * the findings are and how they are worded is `Analysis.ts`'s job.
 */
import { Channel, Priority, Status, Tag, TicketType } from "@tessera/core"
import * as Interpreter from "../Interpreter.js"
import type * as Rule from "../Rule.js"

/**
 * The most alternatives (conjunctions of leaf conditions) a condition is expanded into. A
 * condition with more is not judged: no finding rather than a slow or doubtful one.
 *
 * @category models
 * @since 0.1.0
 */
export const maxConjunctions = 256

// -- the satisfiability search ---------------------------------------------------------------------
//
// A condition is put in disjunctive normal form: `not` pushed down to the leaves, then a list of
// conjunctions of (possibly negated) leaves. A conjunction is unsatisfiable when the leaves on
// one variable (a field, a clock, the events, ...) cannot hold together. For each variable the
// search tries a finite set of candidate values that stands for every value the variable can
// take: each constant the leaves mention, values between and around the numeric constants, two
// values that equal none of them, nothing, and the empty text. Two leaves compare a value with
// constants or with the previous value only, so any value is interchangeable with the candidate
// of its class, and "no candidate works" means "no value works". Variables are treated as
// independent (status and category, say, are not tied), which can only find fewer
// contradictions, never a wrong one. Leaves evaluate exactly as the `Interpreter` evaluates them.

export type Mode =
  /** Any facts: a trigger's, or a dry run's. */
  | "any"
  /** An automation on a schedule: no events, and the ticket compared with itself (`Automations.factsAt`). */
  | "schedule"

export interface Literal {
  readonly leaf: Rule.Leaf
  readonly negated: boolean
  readonly path: Rule.Path | undefined
  /** A copy of a field's value seen at another moment (the other rule's write), for pair checks. */
  readonly view: string | undefined
}

export type Conjunction = ReadonlyArray<Literal>
export type Dnf = ReadonlyArray<Conjunction>

export const always: Dnf = [[]]

/** Which fields read from a separate copy, and its name. */
export interface View {
  readonly field: Rule.FieldName
  readonly name: string
}

const product = (a: Dnf | undefined, b: Dnf | undefined): Dnf | undefined => {
  if (a === undefined || b === undefined || a.length * b.length > maxConjunctions) return undefined
  return a.flatMap((x) => b.map((y) => [...x, ...y]))
}

const union = (a: Dnf | undefined, b: Dnf | undefined): Dnf | undefined =>
  a === undefined || b === undefined || a.length + b.length > maxConjunctions ? undefined : [...a, ...b]

export const and = (...parts: ReadonlyArray<Dnf | undefined>): Dnf | undefined =>
  parts.reduce<Dnf | undefined>((acc, d) => product(acc, d), always)

export const literal = (leaf: Rule.Leaf, negated: boolean, path: Rule.Path | undefined, view?: View): Literal => ({
  leaf,
  negated,
  path,
  view: view !== undefined && "field" in leaf && leaf.field === view.field ? view.name : undefined
})

/** The condition (negated when asked) in disjunctive normal form; undefined past the cap. */
export const toDnf = (
  c: Rule.Condition,
  negated: boolean,
  path: Rule.Path | undefined,
  view?: View
): Dnf | undefined => {
  if ("all" in c || "any" in c) {
    const key = "all" in c ? "all" : "any"
    const children: ReadonlyArray<Rule.Condition> = "all" in c ? c.all : c.any
    // `all` is a conjunction, and so is a negated `any` (De Morgan).
    const conjunctive = (key === "all") !== negated
    let acc: Dnf | undefined = conjunctive ? always : []
    children.forEach((child, i) => {
      const d = toDnf(child, negated, path === undefined ? undefined : [...path, key, i], view)
      acc = conjunctive ? product(acc, d) : union(acc, d)
    })
    return acc
  }
  if ("not" in c) return toDnf(c.not, !negated, path === undefined ? undefined : [...path, "not"], view)
  return [[literal(c, negated, path, view)]]
}

// -- leaves, as the Interpreter evaluates them -----------------------------------------------------

type Value = Interpreter.FieldValue

export const listOf = <A>(value: A | ReadonlyArray<A> | undefined): ReadonlyArray<A> =>
  value === undefined ? [] : Array.isArray(value) ? (value as ReadonlyArray<A>) : [value as A]

const changeOps: ReadonlyArray<Rule.FieldOp> = ["changed", "changedTo", "changedFrom"]

const hourMillis = 3_600_000

// -- candidate values ------------------------------------------------------------------------------

/** Most (previous, current) pairs tried for one variable; past it the variable is not judged. */
const maxWorlds = 20_000

const fresh = (taken: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  let a = "\u0000a"
  while (taken.includes(a)) a += "\u0000"
  let b = `${a}b`
  while (taken.includes(b)) b += "\u0000"
  return [a, b]
}

export const dedupe = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => xs.filter((x, i) => xs.indexOf(x) === i)

/** Numbers standing for every class of numbers the constants split the line into (two per class). */
const numbersAround = (constants: ReadonlyArray<number>): ReadonlyArray<number> => {
  const sorted = [...dedupe(constants.filter(Number.isFinite))].sort((a, b) => a - b)
  const first = sorted[0]
  const last = sorted[sorted.length - 1]
  if (first === undefined || last === undefined) return [0, 1]
  const out: Array<number> = [first - 1, first - 2, last + 1, last + 2, -Number.MAX_VALUE, Number.MAX_VALUE]
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i] as number
    const b = sorted[i + 1] as number
    out.push(a / 2 + b / 2, a + (b - a) / 4, a + ((b - a) / 4) * 3)
  }
  return dedupe([...sorted, ...out.filter(Number.isFinite)])
}

const scalarCandidates = (field: Rule.FieldName, lits: ReadonlyArray<Literal>): ReadonlyArray<Value> => {
  // Fields a ticket always holds a known value of (the Ticket schema says so).
  switch (field) {
    case "priority":
      return Priority.levels
    case "category":
      return Status.StatusCategory.literals
    case "channel":
      return Channel.Channel.literals
    case "type":
      return [undefined, ...TicketType.TicketType.literals]
    case "supportLevel":
      return [1, 2, 3]
  }
  const constants = lits.flatMap((l) => listOf((l.leaf as Rule.FieldCondition).value))
  return dedupe<Value>([
    undefined,
    "",
    true,
    false,
    ...constants,
    ...fresh(constants),
    ...numbersAround(constants.filter((v): v is number => typeof v === "number"))
  ])
}

const subsets = <A>(xs: ReadonlyArray<A>): ReadonlyArray<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = [[]]
  for (const x of xs) for (const s of out.slice()) out.push([...s, x])
  return out
}

/** Whether some value of one variable satisfies all its literals; true when not judged. */
const variableSatisfiable = (lits: ReadonlyArray<Literal>, created: boolean, mode: Mode): boolean => {
  const some = <W>(worlds: ReadonlyArray<W>, holds: (leaf: Rule.Leaf, w: W) => boolean): boolean =>
    worlds.some((w) => lits.every((l) => holds(l.leaf, w) !== l.negated))
  const first = lits[0]?.leaf
  if (first === undefined) return true
  if ("field" in first) {
    const field = first.field
    // The previous value matters only to change operators, after an update (not on creation);
    // on a schedule the ticket is compared with itself.
    const changes =
      mode === "any" && !created && lits.some((l) => changeOps.includes((l.leaf as Rule.FieldCondition).op))
    let values: ReadonlyArray<Value>
    if (field === "tags") {
      const mentioned = dedupe(
        lits
          .flatMap((l) => listOf((l.leaf as Rule.FieldCondition).value))
          .filter((v): v is string => typeof v === "string")
          .map(Tag.normalize)
          .filter((t) => t.length > 0)
      )
      const universe = [...mentioned, ...fresh(mentioned).slice(0, 1)]
      if (universe.length > (changes ? 6 : 12)) return true
      values = subsets(universe)
    } else values = scalarCandidates(field, lits)
    const worlds: Array<readonly [Value, Value]> = []
    if (values.length * (changes ? values.length : 1) > maxWorlds) return true
    for (const current of values) {
      if (changes) for (const previous of values) worlds.push([current, previous])
      else worlds.push([current, mode === "schedule" ? current : undefined])
    }
    const isCreated = mode === "any" && created
    return some(worlds, (leaf, [current, previous]) =>
      Interpreter.fieldHeld(leaf as Rule.FieldCondition, current, previous, isCreated)
    )
  }
  if ("since" in first) {
    const limits = lits.map((l) => (l.leaf as Rule.SinceCondition).hours * hourMillis)
    return some<number | undefined>([undefined, ...numbersAround(limits)], (leaf, elapsed) => {
      const c = leaf as Rule.SinceCondition
      const limit = c.hours * hourMillis
      return elapsed !== undefined && (c.op === "atLeast" ? elapsed >= limit : elapsed < limit)
    })
  }
  if ("businessHours" in first)
    return some(["open", "closed"], (leaf, open) => (leaf as Rule.BusinessHoursCondition).businessHours === open)
  if ("classification" in first) {
    const constants = lits.flatMap((l) => listOf((l.leaf as Rule.ClassificationCondition).value))
    return some<string | undefined>(dedupe([undefined, ...constants, ...fresh(constants)]), (leaf, actual) => {
      const c = leaf as Rule.ClassificationCondition
      return actual !== undefined && (c.op === "is" ? actual === c.value : listOf(c.value).includes(actual))
    })
  }
  if ("event" in first) {
    const mentioned = dedupe(lits.flatMap((l) => listOf((l.leaf as Rule.EventCondition).event)))
    return some(mode === "schedule" ? [[]] : subsets(mentioned), (leaf, events: ReadonlyArray<Rule.TriggerEvent>) =>
      listOf((leaf as Rule.EventCondition).event).some((e) => events.includes(e))
    )
  }
  // A text condition is one opaque variable: only the same condition, negated, contradicts it.
  return some([true, false], (_, held) => held)
}

/** The variable a literal reads: literals on different variables never contradict each other. */
const variableOf = (lit: Literal): string => {
  const l = lit.leaf
  if ("field" in l) return lit.view === undefined ? `field:${l.field}` : `field:${l.field}#${lit.view}`
  if ("since" in l) return `since:${l.since}`
  if ("businessHours" in l) return "businessHours"
  if ("classification" in l) return `classification:${l.classification}`
  if ("event" in l) return "event"
  return `text:${JSON.stringify([l.text, l.op, l.value, l.ignoreCase === true])}`
}

const flagsOf = (mode: Mode): ReadonlyArray<boolean> => (mode === "any" ? [false, true] : [false])

/** The literals of the first variable that cannot be satisfied, for a ticket created or not. */
const blocked = (conjunction: Conjunction, created: boolean, mode: Mode): ReadonlyArray<Literal> | undefined => {
  const byVariable = new Map<string, Array<Literal>>()
  for (const l of conjunction) {
    const key = variableOf(l)
    const seen = byVariable.get(key)
    if (seen === undefined) byVariable.set(key, [l])
    else seen.push(l)
  }
  for (const lits of byVariable.values()) if (!variableSatisfiable(lits, created, mode)) return lits
  return undefined
}

const unsatisfiable = (conjunction: Conjunction, mode: Mode): boolean =>
  flagsOf(mode).every((created) => blocked(conjunction, created, mode) !== undefined)

/** A smallest set of the conjunction's literals that still cannot hold together (for the message). */
const conflictOf = (conjunction: Conjunction, mode: Mode): Conjunction => {
  const found = flagsOf(mode).flatMap((created) => blocked(conjunction, created, mode) ?? [])
  let core = conjunction.filter((l) => found.includes(l))
  for (let i = core.length - 1; i >= 0; i--) {
    const without = core.filter((_, j) => j !== i)
    if (without.length > 0 && unsatisfiable(without, mode)) core = without
  }
  return core
}

export type Verdict =
  | { readonly _tag: "Unsatisfiable"; readonly conflicts: ReadonlyArray<Conjunction> }
  | { readonly _tag: "Unknown" }

const unknown: Verdict = { _tag: "Unknown" }

/** Unsatisfiable when every conjunction is (an empty DNF is `false`); unknown otherwise. */
export const judge = (dnf: Dnf | undefined, mode: Mode): Verdict => {
  if (dnf === undefined || !dnf.every((c) => unsatisfiable(c, mode))) return unknown
  return { _tag: "Unsatisfiable", conflicts: dnf.map((c) => conflictOf(c, mode)) }
}
