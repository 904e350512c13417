/**
 * Static checks run when a rule set is saved: rules that can never match, rules shadowed by
 * earlier ones, pairs of rules that undo each other (a loop), and time-based rules whose own
 * actions never make their condition false (they would fire forever). The checks read the rule
 * documents only, no ticket and no clock, so an answer holds for every ticket. They err on the
 * quiet side: `never_matches` is an error only when no facts at all could make the rule match,
 * and a check that cannot be that sure reports a warning. Running rules is the `Interpreter`'s,
 * `RuleTriggers`' and `Automations`' job.
 *
 * @since 0.1.0
 */
import { Tag } from "@tessera/core"
import {
  and,
  type Conjunction,
  type Dnf,
  dedupe,
  judge,
  type Literal,
  listOf,
  literal,
  type Mode,
  toDnf,
  type View
} from "./internal/satisfiability.js"
import type * as Rule from "./Rule.js"

export { maxConjunctions } from "./internal/satisfiability.js"

// -- findings --------------------------------------------------------------------------------------

/**
 * What a finding is about:
 *
 * - `never_matches`: no ticket can make the rule match.
 * - `shadowed`: whenever the rule matches, an earlier one matches too and already sets the same
 *   fields, so the later rule either changes nothing or overrides the earlier one.
 * - `undo_each_other`: two rules set a field (or a tag) back and forth, each matching again after
 *   the other's change.
 * - `fires_forever`: a time-based rule whose actions do not make its condition false.
 *
 * @category models
 * @since 0.1.0
 */
export type Kind = "never_matches" | "shadowed" | "undo_each_other" | "fires_forever"

/**
 * `error`: the rule set is wrong as written. `warning`: probably not what the admin meant.
 *
 * @category models
 * @since 0.1.0
 */
export type Severity = "error" | "warning"

/**
 * One finding: its kind and severity, the ids of the rules involved (in rule order), where in the
 * rule set it points (a JSON path starting at the rule's index, like `Rule.Problem`'s), and a
 * sentence for the admin naming the fields and values.
 *
 * @category models
 * @since 0.1.0
 */
export interface Finding {
  readonly kind: Kind
  readonly severity: Severity
  readonly rules: ReadonlyArray<string>
  readonly path?: Rule.Path
  readonly message: string
}

// -- rules -----------------------------------------------------------------------------------------

/** A trigger's `on` as a condition: the command produced one of these events. */
const onOf = (rule: Rule.Rule): Rule.EventCondition | undefined =>
  rule.kind === "trigger" && rule.on !== undefined && rule.on.length > 0
    ? { event: rule.on as Rule.EventCondition["event"] }
    : undefined

/** When the rule matches (its `on`, then its `if`), in normal form. */
const whenOf = (rule: Rule.Rule, index: number, negated: boolean, view?: View): Dnf | undefined => {
  const on = onOf(rule)
  if (!negated) {
    const ifDnf = toDnf(rule.if, false, [index, "if"], view)
    return on === undefined ? ifDnf : and(ifDnf, [[literal(on, false, [index, "on"])]])
  }
  return toDnf(on === undefined ? rule.if : { all: [rule.if, on] }, true, undefined, view)
}

const modeOf = (rule: Rule.Rule): Mode => (rule.kind === "automation" ? "schedule" : "any")

/** One slot a rule writes (a field, or one tag) and the value it leaves there. */
interface Write {
  readonly slot: string
  readonly field: Rule.FieldName
  /** The value set (`null` clears); for a tag, `true` when added and `false` when removed. */
  readonly value: Rule.Scalar | null
  readonly tag: string | undefined
  readonly action: number
}

interface Effects {
  /** The last write to each slot, in the order of first write. */
  readonly writes: ReadonlyArray<Write>
  /** Fields changed to a value the document does not say (assignment, the support level). */
  readonly vague: ReadonlyArray<Rule.FieldName>
  /** Whether every action is a plain write (set, setField, addTags, removeTags). */
  readonly onlyWrites: boolean
}

const effectsOf = (rule: Rule.Rule): Effects => {
  const writes = new Map<string, Write>()
  const vague: Array<Rule.FieldName> = []
  let onlyWrites = true
  const put = (field: Rule.FieldName, value: Rule.Scalar | null, action: number, tag?: string) => {
    const slot = tag === undefined ? field : `tags:${tag}`
    writes.delete(slot)
    writes.set(slot, { slot, field, value, tag, action })
  }
  rule.then.forEach((a, i) => {
    if ("set" in a) put(a.set, a.value, i)
    else if ("setField" in a) put(`custom.${a.setField}` as Rule.FieldName, a.value, i)
    else if ("addTags" in a || "removeTags" in a) {
      const added = "addTags" in a
      for (const raw of added ? a.addTags : a.removeTags) {
        const tag = Tag.normalize(raw)
        if (tag.length > 0) put("tags", added, i, tag)
      }
    } else {
      onlyWrites = false
      if ("escalate" in a) {
        vague.push("supportLevel")
        if (a.escalate.priority !== undefined) put("priority", a.escalate.priority, i)
        if (a.escalate.group !== undefined) put("group", a.escalate.group, i)
        if (a.escalate.assignee !== undefined) put("assignee", a.escalate.assignee, i)
      } else if ("assign" in a) vague.push("assignee", "group")
    }
  })
  // The Map keeps the order of the last write; report in the order the actions come.
  return {
    writes: [...writes.values()].sort((a, b) => a.action - b.action),
    vague: dedupe(vague),
    onlyWrites
  }
}

/** What holds right after a write, as a condition on the ticket. */
const afterWrite = (w: Write): Rule.FieldCondition =>
  w.tag !== undefined
    ? { field: "tags", op: w.value === true ? "includes" : "excludes", value: w.tag }
    : w.value === null
      ? { field: w.field, op: "absent" }
      : { field: w.field, op: "is", value: w.value }

/** A clock just reset by a write: less than a moment has passed. */
const resetClock = (since: Rule.SinceCondition["since"]): Rule.SinceCondition => ({
  since,
  op: "lessThan",
  hours: 1e-6
})

// -- describing ------------------------------------------------------------------------------------

const show = (v: unknown): string =>
  Array.isArray(v) ? v.map(show).join(", ") : typeof v === "string" ? JSON.stringify(v) : String(v)

const opWords: Record<Rule.FieldOp, readonly [string, string]> = {
  is: ["is", "is not"],
  isNot: ["is not", "is"],
  in: ["is one of", "is none of"],
  notIn: ["is none of", "is one of"],
  present: ["is set", "is empty"],
  absent: ["is empty", "is set"],
  lt: ["is below", "is not below"],
  lte: ["is at most", "is not at most"],
  gt: ["is above", "is not above"],
  gte: ["is at least", "is not at least"],
  includes: ["include", "do not include"],
  excludes: ["do not include", "include"],
  changed: ["changed", "did not change"],
  changedTo: ["changed to", "did not change to"],
  changedFrom: ["changed from", "did not change from"]
}

const clockWords: Record<Rule.SinceCondition["since"], string> = {
  created: "since the ticket was created",
  updated: "since the ticket was last updated",
  statusChanged: "since the status last changed",
  lastRequesterReply: "since the requester's last reply",
  lastAgentReply: "since an agent's last reply"
}

const describe = (lit: Literal): string => {
  const l = lit.leaf
  const n = lit.negated ? 1 : 0
  if ("field" in l) {
    const words = opWords[l.op][n]
    return l.value === undefined ? `${l.field} ${words}` : `${l.field} ${words} ${show(l.value)}`
  }
  if ("since" in l) {
    const atLeast = (l.op === "atLeast") !== lit.negated
    return `${atLeast ? "at least" : "less than"} ${l.hours} hours have passed ${clockWords[l.since]}`
  }
  if ("businessHours" in l) {
    const open = (l.businessHours === "open") !== lit.negated
    return `the workspace is ${open ? "open" : "closed"}`
  }
  if ("classification" in l) return `the ${l.classification} ${lit.negated ? "is not" : "is"} ${show(l.value)}`
  if ("event" in l)
    return lit.path?.[lit.path.length - 1] === "on"
      ? `it runs on ${listOf(l.event).join(", ")}`
      : `the events ${lit.negated ? "include none of" : "include one of"} ${listOf(l.event).join(", ")}`
  return `${lit.negated ? "not " : ""}${l.text} ${l.op} ${show(l.value)}`
}

const describeAll = (lits: ReadonlyArray<Literal>): string => lits.map(describe).join(" and ")

const describeWrite = (w: Write): string =>
  w.tag !== undefined
    ? `${w.value === true ? "adds" : "removes"} the tag ${show(w.tag)}`
    : w.value === null
      ? `clears ${w.field}`
      : `sets ${w.field} to ${show(w.value)}`

const describeAction = (a: Rule.Action): string => {
  if ("set" in a) return a.value === null ? `clears ${a.set}` : `sets ${a.set} to ${show(a.value)}`
  if ("setField" in a) return a.value === null ? `clears custom.${a.setField}` : `sets custom.${a.setField}`
  if ("addTags" in a) return `adds tags ${show(a.addTags)}`
  if ("removeTags" in a) return `removes tags ${show(a.removeTags)}`
  if ("assign" in a) return `assigns by ${a.assign.strategy}`
  if ("note" in a) return "adds an internal note"
  if ("notify" in a) return `notifies ${a.notify.to.join(", ")}`
  if ("link" in a) return `links the ticket (${a.link.kind})`
  return "escalates"
}

const named = (rule: Rule.Rule): string => `${rule.kind === "automation" ? "Automation" : "Rule"} "${rule.id}"`

// -- the checks ------------------------------------------------------------------------------------

/** A conflict's path: the last literal of a single conflict that has one, else the rule's `if`. */
const pathOf = (conflicts: ReadonlyArray<Conjunction>, fallback: Rule.Path): Rule.Path => {
  const only = conflicts.length === 1 ? conflicts[0] : undefined
  const located = only?.filter((l) => l.path !== undefined) ?? []
  return located[located.length - 1]?.path ?? fallback
}

const impossibility = (conflicts: ReadonlyArray<Conjunction>): string => {
  if (conflicts.length === 0)
    return `its condition is always false (an "any" with no conditions, or "not" of a condition that always holds)`
  if (conflicts.length === 1) return `it requires ${describeAll(conflicts[0] ?? [])} at once, which no ticket satisfies`
  const shown = conflicts.slice(0, 3).map((c) => `(${describeAll(c)})`)
  const more = conflicts.length > 3 ? ` and ${conflicts.length - 3} more` : ""
  return `every alternative of its condition is impossible: ${shown.join("; ")}${more}`
}

/**
 * `never_matches`. An error when no facts at all make the rule match: the condition (with a
 * trigger's `on` as one more condition on the events) is unsatisfiable by the search of
 * `internal/satisfiability.ts`, or `on` is an empty list. For an automation, a warning when it is satisfiable in general but not
 * on a schedule, where there are no events and the ticket is compared with itself (so `changed`
 * never holds). Disabled rules are checked too: they are meant to be enabled some day.
 */
const neverMatches = (rule: Rule.Rule, index: number): Finding | undefined => {
  const base = { kind: "never_matches" as const, rules: [rule.id] }
  if (rule.kind === "trigger" && rule.on !== undefined && rule.on.length === 0)
    return {
      ...base,
      severity: "error",
      path: [index, "on"],
      message: `${named(rule)} can never match: it runs on no event (leave "on" out to run on any event).`
    }
  const alone = judge(toDnf(rule.if, false, [index, "if"]), "any")
  if (alone._tag === "Unsatisfiable")
    return {
      ...base,
      severity: "error",
      path: pathOf(alone.conflicts, [index, "if"]),
      message: `${named(rule)} can never match: ${impossibility(alone.conflicts)}.`
    }
  if (onOf(rule) !== undefined) {
    const withOn = judge(whenOf(rule, index, false), "any")
    if (withOn._tag === "Unsatisfiable")
      return {
        ...base,
        severity: "error",
        path: pathOf(withOn.conflicts, [index, "on"]),
        message: `${named(rule)} can never match: ${impossibility(withOn.conflicts)}.`
      }
  }
  if (rule.kind === "automation") {
    const scheduled = judge(toDnf(rule.if, false, [index, "if"]), "schedule")
    if (scheduled._tag === "Unsatisfiable")
      return {
        ...base,
        severity: "warning",
        path: pathOf(scheduled.conflicts, [index, "if"]),
        message: `${named(rule)} never matches when the schedule runs it (automations see no events, and no field has changed): ${impossibility(scheduled.conflicts)}.`
      }
  }
  return undefined
}

/**
 * `shadowed` (warning). For two enabled rules of the same kind, `later` is shadowed by `earlier`
 * when every action of `later` is a plain write (set, setField, addTags, removeTags) to a slot
 * `earlier` also writes, and `earlier` matches whenever `later` does: "later's condition and not
 * earlier's" is unsatisfiable (with each trigger's `on` as a condition on the events). Then, in
 * each pass, `earlier` runs first: when the values agree `later` never changes anything; when
 * they differ `later`'s values replace `earlier`'s (the later rule wins).
 */
const shadowed = (
  earlier: Rule.Rule,
  e: number,
  later: Rule.Rule,
  l: number,
  effects: ReadonlyArray<Effects>
): Finding | undefined => {
  const first = effects[e] as Effects
  const second = effects[l] as Effects
  if (!second.onlyWrites || second.writes.length === 0) return undefined
  const overlap = second.writes.map((w) => [w, first.writes.find((x) => x.slot === w.slot)] as const)
  if (overlap.some(([, x]) => x === undefined)) return undefined
  const implied = judge(and(whenOf(later, l, false), whenOf(earlier, e, true)), modeOf(later))
  if (implied._tag !== "Unsatisfiable") return undefined
  const differing = overlap.filter(([w, x]) => x !== undefined && x.value !== w.value)
  const base = {
    kind: "shadowed" as const,
    severity: "warning" as const,
    rules: [earlier.id, later.id],
    path: [l, "then"]
  }
  if (differing.length === 0)
    return {
      ...base,
      message: `${named(later)} never changes anything: whenever it matches, "${earlier.id}" (earlier) matches too and already ${overlap.map(([w]) => describeWrite(w)).join(", ")}. Remove it, or make its condition narrower than "${earlier.id}"'s.`
    }
  const clash = differing.map(
    ([w, x]) => `"${earlier.id}" ${x === undefined ? "" : describeWrite(x)}, then "${later.id}" ${describeWrite(w)}`
  )
  return {
    ...base,
    message: `${named(later)} overrides "${earlier.id}": whenever it matches, "${earlier.id}" (earlier) matches too, so ${clash.join("; ")}. "${later.id}" runs later, so its value wins and "${earlier.id}"'s never sticks. Merge the two rules, or make their conditions exclusive.`
  }
}

/**
 * `undo_each_other` (warning). Two enabled rules of the same kind write one slot differently (a
 * field to two values, or a tag added by one and removed by the other), and each can still match
 * after the other's write: with the slot seen at two moments (after B's write for A, after A's
 * write for B) and everything else shared, "A's condition, the slot as B leaves it, B's condition,
 * the slot as A leaves it" is not unsatisfiable. Each rule then re-enables the other, pass after
 * pass, until the help desk stops them after `maxPasses`, drops their changes and records
 * `RulesFailed`; automations (one pass per run) flip the ticket on every run instead. A conjunction the search cannot judge is reported,
 * which is why this is a warning.
 */
const undoEachOther = (
  a: Rule.Rule,
  i: number,
  b: Rule.Rule,
  j: number,
  effects: ReadonlyArray<Effects>
): Finding | undefined => {
  const mode = modeOf(a)
  for (const wa of (effects[i] as Effects).writes) {
    const wb = (effects[j] as Effects).writes.find((w) => w.slot === wa.slot && w.value !== wa.value)
    if (wb === undefined) continue
    const viewA: View = { field: wa.field, name: "a" }
    const viewB: View = { field: wa.field, name: "b" }
    const joint = and(
      whenOf(a, i, false, viewA),
      [[literal(afterWrite(wb), false, undefined, viewA)]],
      whenOf(b, j, false, viewB),
      [[literal(afterWrite(wa), false, undefined, viewB)]]
    )
    if (joint === undefined || judge(joint, mode)._tag === "Unsatisfiable") continue
    const outcome =
      a.kind === "trigger"
        ? "so they keep firing until the help desk stops them after its last pass: their changes are dropped and a RulesFailed event records it"
        : "so the ticket changes back and forth on every run"
    return {
      kind: "undo_each_other",
      severity: "warning",
      rules: [a.id, b.id],
      path: [j, "then", wb.action],
      message: `Rules "${a.id}" and "${b.id}" undo each other: "${a.id}" ${describeWrite(wa)} and "${b.id}" ${describeWrite(wb)}, and each can still match after the other's change, ${outcome}. Make one condition exclude the value the other sets.`
    }
  }
  return undefined
}

const hasSince = (c: Rule.Condition): boolean =>
  "all" in c ? c.all.some(hasSince) : "any" in c ? c.any.some(hasSince) : "not" in c ? hasSince(c.not) : "since" in c

const leavesOf = (c: Rule.Condition): ReadonlyArray<Rule.Leaf> =>
  "all" in c ? c.all.flatMap(leavesOf) : "any" in c ? c.any.flatMap(leavesOf) : "not" in c ? leavesOf(c.not) : [c]

/** What a leaf reads, in words, and the slot name writes are compared with. */
const readsOf = (leaf: Rule.Leaf): { readonly slot: string; readonly words: string } | undefined => {
  if ("field" in leaf) return { slot: leaf.field, words: leaf.field }
  if ("since" in leaf) return { slot: `since:${leaf.since}`, words: `the time ${clockWords[leaf.since]}` }
  return undefined
}

/**
 * `fires_forever`. Time-based rules are the automations, and triggers with no `on` that read a
 * clock (`since`): the scheduler, or any event, asks them again and again. Such a rule is fine
 * when its actions make its condition false: the condition, together with what holds right after
 * the actions (each written field has its new value, an added tag is there, a removed one is not;
 * a new status resets the "status changed" and "updated" clocks, any other write the "updated"
 * one, writes being assumed to change the ticket), is unsatisfiable. A note, a notification or a
 * link never does that. Otherwise: an error for an automation whose actions write nothing its
 * condition reads (nothing but an outside change ends it); a warning when they do write something
 * it reads but a ticket can still match afterwards, and for triggers.
 */
const firesForever = (rule: Rule.Rule, index: number, effects: Effects): Finding | undefined => {
  const automation = rule.kind === "automation"
  if (!automation && (rule.on !== undefined || !hasSince(rule.if))) return undefined
  const post: Array<Rule.Leaf> = effects.writes.map(afterWrite)
  const touched = new Set<string>([...effects.writes.map((w) => w.field), ...effects.vague])
  if (effects.writes.some((w) => w.field === "status")) {
    post.push(resetClock("statusChanged"))
    touched.add("since:statusChanged")
  }
  if (touched.size > 0) {
    post.push(resetClock("updated"))
    touched.add("since:updated")
  }
  const after = and(toDnf(rule.if, false, [index, "if"]), ...post.map((leaf) => [[literal(leaf, false, undefined)]]))
  if (judge(after, modeOf(rule))._tag === "Unsatisfiable") return undefined
  const reads = dedupe(
    leavesOf(rule.if)
      .map(readsOf)
      .filter((r) => r !== undefined)
      .map((r) => r.words)
  )
  const readSlots = leavesOf(rule.if)
    .map(readsOf)
    .filter((r) => r !== undefined)
    .map((r) => r.slot)
  const overlap = readSlots.some((s) => touched.has(s))
  const does = rule.then.map(describeAction).join(", ")
  const what = reads.length === 0 ? "" : ` (${reads.join(", ")})`
  const fix = `Make an action end the condition: for example add a tag ("addTags": ["reminded"]) and require that the tags do not include it.`
  if (automation && !overlap)
    return {
      kind: "fires_forever",
      severity: "error",
      rules: [rule.id],
      path: [index, "then"],
      message: `${named(rule)} fires again on every run for as long as a ticket matches: its actions (${does}) change nothing its condition reads${what}. ${fix}`
    }
  const runs = automation ? "on every run" : 'on every event, since it has no "on" and reads a clock,'
  return {
    kind: "fires_forever",
    severity: "warning",
    rules: [rule.id],
    path: [index, "then"],
    message: `${named(rule)} may fire again ${runs} for as long as a ticket matches: a ticket can still match its condition${what} after its actions (${does}). ${fix}`
  }
}

/**
 * Checks a rule set before it is saved; pure and deterministic. Findings come in rule order
 * (by the rule their path points into), each check's reasoning is on the check: `never_matches`
 * errors are sound (no facts make such a rule match), the rest are advice.
 *
 * @example
 * ```ts
 * const findings = Analysis.check(Result.getOrThrow(Rule.decodeRuleSet(json)))
 * const blocking = findings.filter((f) => f.severity === "error")
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const check = (rules: Rule.RuleSet): ReadonlyArray<Finding> => {
  const findings: Array<Finding> = []
  const never = new Set<number>()
  rules.forEach((rule, i) => {
    const f = neverMatches(rule, i)
    if (f === undefined) return
    findings.push(f)
    never.add(i)
  })
  const effects = rules.map(effectsOf)
  const live = rules.map((r, i) => r.enabled !== false && !never.has(i))
  // Both pair checks need a slot the two rules write (`shadowed`: every slot of the later one;
  // `undo_each_other`: one they set differently), so only rules that share a slot are paired,
  // found through the writers of each slot: asking every two rules took 10 s for 10,000 rules.
  const writers = new Map<string, Array<number>>()
  rules.forEach((_, i) => {
    if (!live[i]) return
    for (const w of (effects[i] as Effects).writes) {
      const list = writers.get(w.slot)
      if (list === undefined) writers.set(w.slot, [i])
      else list.push(i)
    }
  })
  rules.forEach((later, l) => {
    if (!live[l]) return
    const candidates = new Set<number>()
    for (const w of (effects[l] as Effects).writes)
      for (const e of writers.get(w.slot) ?? []) {
        if (e >= l) break
        if ((rules[e] as Rule.Rule).kind === later.kind) candidates.add(e)
      }
    for (const e of [...candidates].sort((a, b) => a - b)) {
      const earlier = rules[e] as Rule.Rule
      const shadow = shadowed(earlier, e, later, l, effects)
      if (shadow !== undefined) findings.push(shadow)
      const undo = undoEachOther(earlier, e, later, l, effects)
      if (undo !== undefined) findings.push(undo)
    }
  })
  rules.forEach((rule, i) => {
    if (!live[i]) return
    const f = firesForever(rule, i, effects[i] as Effects)
    if (f !== undefined) findings.push(f)
  })
  const at = (f: Finding) => (typeof f.path?.[0] === "number" ? f.path[0] : 0)
  return findings
    .map((f, n) => ({ f, n }))
    .sort((x, y) => at(x.f) - at(y.f) || x.n - y.n)
    .map(({ f }) => f)
}
