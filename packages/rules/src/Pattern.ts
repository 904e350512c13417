/**
 * Safe text patterns for rules. A rule author is not always trusted, so a pattern never reaches
 * `RegExp`: it is parsed into a small regular-expression subset and run by a Thompson NFA
 * simulation, which takes time proportional to (program size × text length) whatever the
 * pattern, so `(a+)+$` cannot backtrack catastrophically. Captures, backreferences and
 * lookaround are refused: they are what makes linear matching impossible.
 *
 * Supported: literal characters and escapes (`\.`, `\\`, `\n`, `\t`, `\r`, ...), `.` (any code
 * unit but a line terminator), classes `[a-z]` / `[^...]` (with `\d \w \s` inside), `\d \w \s
 * \D \W \S`, `\b \B`, anchors `^ $` (whole text), groups `( )` and `(?: )` with alternation `|`,
 * and the quantifiers `* + ? {n} {n,} {n,m}` (lazy forms accepted, `m` at most 100). Like a
 * JavaScript `RegExp` without the `u` flag, text is read as UTF-16 code units, and `\w`, `\d`,
 * `\b` are ASCII. Limits: a source of at most 500 characters, a compiled program of at most 5,000
 * instructions (bounded repetitions are expanded), and only the first 100,000 code units of a
 * text are read (`$` then matches at that cut).
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { type AssertKind, type CharSet, type Node, ParseFailure, parse } from "./internal/patternParser.js"

/**
 * The longest pattern source accepted.
 *
 * @category models
 * @since 0.1.0
 */
export const maxSourceLength = 500

/**
 * The largest repetition bound (`{m,n}`) accepted.
 *
 * @category models
 * @since 0.1.0
 */
export const maxRepeat = 100

/**
 * The most instructions a compiled pattern may have.
 *
 * @category models
 * @since 0.1.0
 */
export const maxProgramSize = 5000

/**
 * How many UTF-16 code units of a text are read; the rest is ignored.
 *
 * @category models
 * @since 0.1.0
 */
export const maxTextLength = 100_000

/**
 * A pattern that cannot be compiled: where (a code unit offset in the source) and why.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidPattern extends Schema.TaggedError<InvalidPattern>()("InvalidPattern", {
  source: Schema.String,
  position: Schema.Int,
  reason: Schema.String
}) {
  override get message() {
    return `Invalid pattern at ${this.position}: ${this.reason}`
  }
}

/**
 * Options of `compile`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Letters match regardless of case (like the `i` flag). */
  readonly caseInsensitive?: boolean | undefined
}

// -- program -------------------------------------------------------------------------------------

// Instructions are flat arrays indexed by pc, for a tight simulation loop.
const OP_CHAR = 0
const OP_SPLIT = 1
const OP_JMP = 2
const OP_ASSERT = 3
const OP_MATCH = 4

interface Program {
  readonly op: Int32Array
  readonly x: Int32Array
  readonly y: Int32Array
  readonly sets: ReadonlyArray<CharSet | undefined>
  readonly asserts: ReadonlyArray<AssertKind | undefined>
}

class TooLarge {}

const emit = (node: Node): Program => {
  const op: Array<number> = []
  const x: Array<number> = []
  const y: Array<number> = []
  const sets: Array<CharSet | undefined> = []
  const asserts: Array<AssertKind | undefined> = []
  const push = (o: number, a = 0, b = 0, set?: CharSet, kind?: AssertKind): number => {
    if (op.length >= maxProgramSize) throw new TooLarge()
    op.push(o)
    x.push(a)
    y.push(b)
    sets.push(set)
    asserts.push(kind)
    return op.length - 1
  }
  const go = (n: Node): void => {
    switch (n._tag) {
      case "Empty":
        return
      case "Char":
        push(OP_CHAR, 0, 0, n.set)
        return
      case "Assert":
        push(OP_ASSERT, 0, 0, undefined, n.kind)
        return
      case "Concat":
        for (const item of n.items) go(item)
        return
      case "Alt": {
        const jumps: Array<number> = []
        n.items.forEach((item, i) => {
          if (i < n.items.length - 1) {
            const split = push(OP_SPLIT)
            x[split] = op.length
            go(item)
            jumps.push(push(OP_JMP))
            y[split] = op.length
          } else go(item)
        })
        for (const j of jumps) x[j] = op.length
        return
      }
      case "Repeat": {
        for (let i = 0; i < n.min; i++) go(n.item)
        if (n.max === undefined) {
          const split = push(OP_SPLIT)
          x[split] = op.length
          go(n.item)
          push(OP_JMP, split)
          y[split] = op.length
        } else {
          const splits: Array<number> = []
          for (let i = n.min; i < n.max; i++) {
            const split = push(OP_SPLIT)
            splits.push(split)
            x[split] = op.length
            go(n.item)
          }
          for (const s of splits) y[s] = op.length
        }
        return
      }
    }
  }
  go(node)
  push(OP_MATCH)
  return { op: Int32Array.from(op), x: Int32Array.from(x), y: Int32Array.from(y), sets, asserts }
}

/**
 * A compiled pattern: test it against texts with `test`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Pattern {
  readonly _tag: "Pattern"
  readonly source: string
  readonly caseInsensitive: boolean
  /** @internal */
  readonly program: Program
}

/**
 * Compiles a pattern source, or says where and why it is refused.
 *
 * @category constructors
 * @since 0.1.0
 */
export const compile = (source: string, options: Options = {}): Result.Result<Pattern, InvalidPattern> => {
  if (source.length > maxSourceLength)
    return Result.fail(
      new InvalidPattern({ source, position: maxSourceLength, reason: `longer than ${maxSourceLength} characters` })
    )
  try {
    const program = emit(parse(source, maxRepeat))
    return Result.succeed({ _tag: "Pattern", source, caseInsensitive: options.caseInsensitive === true, program })
  } catch (e) {
    if (e instanceof ParseFailure)
      return Result.fail(new InvalidPattern({ source, position: e.position, reason: e.reason }))
    if (e instanceof TooLarge)
      return Result.fail(
        new InvalidPattern({
          source,
          position: 0,
          reason: `expands to more than ${maxProgramSize} instructions (lower the repetition bounds)`
        })
      )
    throw e
  }
}

/** Whether a code unit is in the ranges (the set before any negation). */
const inRanges = (ranges: ReadonlyArray<readonly [number, number]>, c: number): boolean => {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as readonly [number, number]
    if (c < r[0]) return false
    if (c <= r[1]) return true
  }
  return false
}

/** The other case of a code unit when it is one code unit, else the unit itself. */
const lower = (c: number): number => {
  const s = String.fromCharCode(c).toLowerCase()
  return s.length === 1 ? s.charCodeAt(0) : c
}
const upper = (c: number): number => {
  const s = String.fromCharCode(c).toUpperCase()
  return s.length === 1 ? s.charCodeAt(0) : c
}

const isWordUnit = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95 || (c >= 97 && c <= 122)

/**
 * Whether the pattern matches somewhere in the text (the first `maxTextLength` code units).
 * Linear in the text: every position is visited once, with at most one thread per instruction.
 *
 * @category predicates
 * @since 0.1.0
 */
export const test = (pattern: Pattern, text: string): boolean => {
  const { op, x, y, sets, asserts } = pattern.program
  const size = op.length
  const length = Math.min(text.length, maxTextLength)
  const ci = pattern.caseInsensitive
  let current = new Int32Array(size)
  let next = new Int32Array(size)
  let currentCount = 0
  let nextCount = 0
  // `mark[pc] === generation` means pc is already in the list being built.
  const mark = new Int32Array(size).fill(-1)
  const stack = new Int32Array(size * 2 + 2)
  let generation = 0

  const assertHolds = (kind: AssertKind, at: number): boolean => {
    switch (kind) {
      case "start":
        return at === 0
      case "end":
        return at === length
      case "wordBoundary":
      case "notWordBoundary": {
        const before = at > 0 && isWordUnit(text.charCodeAt(at - 1))
        const after = at < length && isWordUnit(text.charCodeAt(at))
        return (before !== after) === (kind === "wordBoundary")
      }
    }
  }

  /** Adds `start` and everything reachable from it without reading, at position `at`; true on a match. */
  const add = (list: Int32Array, count: number, start: number, at: number): number => {
    let sp = 0
    stack[sp++] = start
    while (sp > 0) {
      const pc = stack[--sp] as number
      if (mark[pc] === generation) continue
      mark[pc] = generation
      switch (op[pc]) {
        case OP_JMP:
          stack[sp++] = x[pc] as number
          break
        case OP_SPLIT:
          // Push y first so x is explored first (order does not change the answer).
          stack[sp++] = y[pc] as number
          stack[sp++] = x[pc] as number
          break
        case OP_ASSERT:
          if (assertHolds(asserts[pc] as AssertKind, at)) stack[sp++] = pc + 1
          break
        case OP_MATCH:
          return -1
        default:
          list[count++] = pc
      }
    }
    return count
  }

  for (let at = 0; ; at++) {
    // A thread may start at every position: the search is unanchored.
    const added = add(current, currentCount, 0, at)
    if (added < 0) return true
    currentCount = added
    if (at >= length) return false
    const c = text.charCodeAt(at)
    const cl = ci ? lower(c) : c
    const cu = ci ? upper(c) : c
    generation++
    nextCount = 0
    for (let i = 0; i < currentCount; i++) {
      const pc = current[i] as number
      const set = sets[pc] as CharSet
      // Case-insensitive: a unit is in the set when it or its other case is; negation comes after.
      const inside = inRanges(set.ranges, c) || (ci && (inRanges(set.ranges, cl) || inRanges(set.ranges, cu)))
      if (inside !== set.negated) {
        const r = add(next, nextCount, pc + 1, at + 1)
        if (r < 0) return true
        nextCount = r
      }
    }
    const swap = current
    current = next
    next = swap
    currentCount = nextCount
  }
}

/**
 * Compiles and tests in one step; an invalid pattern matches nothing.
 *
 * @category predicates
 * @since 0.1.0
 */
export const matches = (source: string, text: string, options: Options = {}): boolean => {
  const compiled = compile(source, options)
  return Result.isSuccess(compiled) && test(compiled.success, text)
}
