/**
 * The parser of `Pattern`'s regular-expression subset: a source becomes a small syntax tree of
 * character sets, assertions, concatenations, alternations and bounded repetitions, or a
 * `ParseFailure` naming a position. Compiling the tree to a program and matching it is
 * `Pattern.ts`'s job, as are the limits (`maxRepeat` arrives as an argument).
 */

// -- syntax tree ---------------------------------------------------------------------------------

/** A set of code units: sorted, inclusive ranges, possibly negated. */
export interface CharSet {
  readonly ranges: ReadonlyArray<readonly [number, number]>
  readonly negated: boolean
}

export type Node =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Char"; readonly set: CharSet }
  | { readonly _tag: "Assert"; readonly kind: AssertKind }
  | { readonly _tag: "Concat"; readonly items: ReadonlyArray<Node> }
  | { readonly _tag: "Alt"; readonly items: ReadonlyArray<Node> }
  | { readonly _tag: "Repeat"; readonly item: Node; readonly min: number; readonly max: number | undefined }

export type AssertKind = "start" | "end" | "wordBoundary" | "notWordBoundary"

const digit: ReadonlyArray<readonly [number, number]> = [[48, 57]]
const word: ReadonlyArray<readonly [number, number]> = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122]
]
// The code units JavaScript's `\s` matches (WhiteSpace and LineTerminator).
const space: ReadonlyArray<readonly [number, number]> = [
  [9, 13],
  [32, 32],
  [160, 160],
  [5760, 5760],
  [8192, 8202],
  [8232, 8233],
  [8239, 8239],
  [8287, 8287],
  [12288, 12288],
  [65279, 65279]
]
const lineTerminators: ReadonlyArray<readonly [number, number]> = [
  [10, 10],
  [13, 13],
  [8232, 8233]
]

const single = (c: number): CharSet => ({ ranges: [[c, c]], negated: false })

/** The complement of sorted, disjoint ranges within 0..0xFFFF. */
const complement = (ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> => {
  const out: Array<readonly [number, number]> = []
  let next = 0
  for (const [lo, hi] of normalizeRanges(ranges)) {
    if (lo > next) out.push([next, lo - 1])
    next = hi + 1
  }
  if (next <= 0xffff) out.push([next, 0xffff])
  return out
}

const normalizeRanges = (ranges: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> => {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0])
  const out: Array<[number, number]> = []
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi)
    else out.push([lo, hi])
  }
  return out
}

// -- parser --------------------------------------------------------------------------------------

export class ParseFailure {
  constructor(
    readonly position: number,
    readonly reason: string
  ) {}
}

/** The syntax tree of a pattern source; throws `ParseFailure` (caught by `Pattern.compile`). */
export const parse = (source: string, maxRepeat: number): Node => {
  let pos = 0
  let depth = 0
  const fail = (reason: string, at = pos): never => {
    throw new ParseFailure(at, reason)
  }
  const peek = () => source[pos]
  const eof = () => pos >= source.length

  const parseAlt = (): Node => {
    const items: Array<Node> = [parseConcat()]
    while (peek() === "|") {
      pos++
      items.push(parseConcat())
    }
    return items.length === 1 ? (items[0] as Node) : { _tag: "Alt", items }
  }

  const parseConcat = (): Node => {
    const items: Array<Node> = []
    while (!eof() && peek() !== "|" && peek() !== ")") items.push(parseQuantified())
    if (items.length === 0) return { _tag: "Empty" }
    return items.length === 1 ? (items[0] as Node) : { _tag: "Concat", items }
  }

  const readInt = (): number | undefined => {
    const start = pos
    while (!eof() && /[0-9]/.test(source[pos] as string)) pos++
    if (pos === start) return undefined
    if (pos - start > 4) fail(`repetition bound above ${maxRepeat}`, start)
    return Number(source.slice(start, pos))
  }

  /** `{n}`, `{n,}` or `{n,m}` at `pos` (on the `{`), or undefined when it is not one. */
  const readBraces = (): { min: number; max: number | undefined } | undefined => {
    const start = pos
    pos++
    const min = readInt()
    if (min === undefined) {
      pos = start
      return undefined
    }
    let max: number | undefined = min
    if (peek() === ",") {
      pos++
      max = readInt()
    }
    if (peek() !== "}") {
      pos = start
      return undefined
    }
    pos++
    if (min > maxRepeat || (max !== undefined && max > maxRepeat)) fail(`repetition bound above ${maxRepeat}`, start)
    if (max !== undefined && max < min) fail("repetition bounds out of order", start)
    return { min, max }
  }

  const parseQuantified = (): Node => {
    const atomStart = pos
    const atom = parseAtom()
    let node = atom
    for (;;) {
      const c = peek()
      const at = pos
      let bounds: { min: number; max: number | undefined } | undefined
      if (c === "*") {
        pos++
        bounds = { min: 0, max: undefined }
      } else if (c === "+") {
        pos++
        bounds = { min: 1, max: undefined }
      } else if (c === "?") {
        pos++
        bounds = { min: 0, max: 1 }
      } else if (c === "{") {
        bounds = readBraces()
        if (bounds === undefined) fail("'{' that does not start a repetition: escape it as '\\{'")
      }
      if (bounds === undefined) return node
      if (node !== atom) fail("a quantifier cannot follow another quantifier", at)
      if (atom._tag === "Assert") fail("nothing to repeat", atomStart)
      if (peek() === "?") pos++ // lazy: the same language, and we only answer "does it match"
      node = { _tag: "Repeat", item: atom, min: bounds.min, max: bounds.max }
    }
  }

  const parseEscape = (inClass: boolean): CharSet | AssertKind => {
    const at = pos
    pos++ // the backslash
    if (eof()) fail("pattern ends with '\\'", at)
    const c = source[pos] as string
    pos++
    switch (c) {
      case "d":
        return { ranges: digit, negated: false }
      case "D":
        return { ranges: digit, negated: true }
      case "w":
        return { ranges: word, negated: false }
      case "W":
        return { ranges: word, negated: true }
      case "s":
        return { ranges: space, negated: false }
      case "S":
        return { ranges: space, negated: true }
      case "n":
        return single(10)
      case "t":
        return single(9)
      case "r":
        return single(13)
      case "f":
        return single(12)
      case "v":
        return single(11)
      case "b":
        if (inClass) return single(8)
        return "wordBoundary"
      case "B":
        if (inClass) fail("'\\B' inside a class", at)
        return "notWordBoundary"
    }
    if (/[0-9]/.test(c)) return fail("backreferences are not supported", at)
    if (/[A-Za-z]/.test(c)) return fail(`unsupported escape '\\${c}'`, at)
    return single(c.charCodeAt(0))
  }

  const parseClass = (): CharSet => {
    const open = pos
    pos++ // [
    let negated = false
    if (peek() === "^") {
      negated = true
      pos++
    }
    const ranges: Array<readonly [number, number]> = []
    let first = true
    const readMember = (): CharSet => {
      if (peek() === "\\") {
        const e = parseEscape(true)
        if (typeof e === "string") return fail("assertion inside a class")
        return e
      }
      const code = source.charCodeAt(pos)
      pos++
      return single(code)
    }
    const asChar = (s: CharSet): number | undefined =>
      !s.negated && s.ranges.length === 1 && s.ranges[0]?.[0] === s.ranges[0]?.[1] ? s.ranges[0]?.[0] : undefined
    for (;;) {
      if (eof()) fail("unterminated character class", open)
      if (peek() === "]" && !first) {
        pos++
        break
      }
      if (peek() === "]" && first) fail("empty character class", open)
      first = false
      const member = readMember()
      if (peek() === "-" && source[pos + 1] !== "]" && pos + 1 < source.length) {
        const dash = pos
        pos++
        const upper = readMember()
        const lo = asChar(member)
        const hi = asChar(upper)
        if (lo === undefined || hi === undefined) fail("a range needs single characters at both ends", dash)
        if ((lo as number) > (hi as number)) fail("range out of order", dash)
        ranges.push([lo as number, hi as number])
        continue
      }
      ranges.push(...(member.negated ? complement(member.ranges) : member.ranges))
    }
    return { ranges: normalizeRanges(ranges), negated }
  }

  const parseAtom = (): Node => {
    const c = peek() as string
    switch (c) {
      case "(": {
        const open = pos
        pos++
        if (source.startsWith("?:", pos)) pos += 2
        else if (peek() === "?") fail("lookaround and named groups are not supported", open)
        depth++
        if (depth > 50) fail("groups nested too deeply", open)
        const inner = parseAlt()
        depth--
        if (peek() !== ")") fail("unclosed group", open)
        pos++
        // A group is an atom even around a lone assertion: `(\b)*` is valid, `\b*` is not.
        return { _tag: "Concat", items: [inner] }
      }
      case ")":
        return fail("unmatched ')'")
      case "[":
        return { _tag: "Char", set: parseClass() }
      case ".":
        pos++
        return { _tag: "Char", set: { ranges: lineTerminators, negated: true } }
      case "^":
        pos++
        return { _tag: "Assert", kind: "start" }
      case "$":
        pos++
        return { _tag: "Assert", kind: "end" }
      case "\\": {
        const e = parseEscape(false)
        return typeof e === "string" ? { _tag: "Assert", kind: e } : { _tag: "Char", set: e }
      }
      case "*":
      case "+":
      case "?":
        return fail("nothing to repeat")
      case "{":
        return fail("'{' that does not start a repetition: escape it as '\\{'")
      default:
        pos++
        return { _tag: "Char", set: single(c.charCodeAt(0)) }
    }
  }

  const node = parseAlt()
  if (!eof()) fail("unmatched ')'")
  return node
}
