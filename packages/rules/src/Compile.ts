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
 * input; property tests hold them to that. The closures are in `internal/closures.ts` and the
 * generator in `internal/generate.ts`; this module chooses between them and indexes the rules.
 *
 * @since 0.1.0
 */
import type * as Facts from "./Facts.js"
import { compileNode, maskOf, Scratch } from "./internal/closures.js"
import * as Codegen from "./internal/codegen.js"
import { type GeneratedRules, generateCondition, generateRules, usesText } from "./internal/generate.js"
import type * as Rule from "./Rule.js"

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
