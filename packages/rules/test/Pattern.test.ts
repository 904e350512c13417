import { fc, test as fcTest } from "@fast-check/vitest"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import * as Pattern from "../src/Pattern.js"

const compile = (source: string, caseInsensitive = false): Pattern.Pattern => {
  const r = Pattern.compile(source, { caseInsensitive })
  if (Result.isFailure(r)) throw new Error(r.failure.message)
  return r.success
}

const refusal = (source: string): Pattern.InvalidPattern => {
  const r = Pattern.compile(source)
  if (Result.isSuccess(r)) throw new Error(`${source} compiled`)
  return r.failure
}

describe("Pattern", () => {
  it("matches literals, classes, anchors and alternation like RegExp", () => {
    expect(Pattern.test(compile("invoice \\d+"), "about invoice 4471, please")).toBe(true)
    expect(Pattern.test(compile("^re:"), "fwd: re: x")).toBe(false)
    expect(Pattern.test(compile("^(re|fwd):"), "fwd: x")).toBe(true)
    expect(Pattern.test(compile("refund$"), "I want a refund")).toBe(true)
    expect(Pattern.test(compile("\\brefund\\b"), "refunded")).toBe(false)
    expect(Pattern.test(compile("[A-Z]{3}-\\d{2,4}"), "ticket ABC-123")).toBe(true)
    expect(Pattern.test(compile("urgent", true), "This is URGENT")).toBe(true)
    expect(Pattern.test(compile("urgent"), "This is URGENT")).toBe(false)
  })

  // Each of these makes a backtracking engine take exponential (or high polynomial) time on the
  // input beside it. They run under vitest's timeout: a backtracking implementation fails here.
  it("(a+)+$ on 40,000 a's and a '!' answers without backtracking", () => {
    const p = compile("(a+)+$")
    expect(Pattern.test(p, `${"a".repeat(40_000)}!`)).toBe(false)
    expect(Pattern.test(p, "a".repeat(40_000))).toBe(true)
  })

  it("(a|aa)*b on 40,000 a's answers without backtracking", () => {
    const p = compile("(a|aa)*b")
    expect(Pattern.test(p, "a".repeat(40_000))).toBe(false)
    expect(Pattern.test(p, `${"a".repeat(40_000)}b`)).toBe(true)
  })

  it("^(\\w+\\s?)*$ on 50,000 word characters and a '!' answers without backtracking", () => {
    const p = compile("^(\\w+\\s?)*$")
    expect(Pattern.test(p, `${"ab ".repeat(16_000)}aa!`)).toBe(false)
    expect(Pattern.test(p, `${"a".repeat(50_000)}!`)).toBe(false)
    expect(Pattern.test(p, "ab ".repeat(16_000))).toBe(true)
    // Unanchored at the start, the empty repetition matches at the end of any text.
    expect(Pattern.test(compile("(\\w+\\s?)*$"), `${"a".repeat(50_000)}!`)).toBe(true)
  })

  it("nested bounded repetitions stay linear: (a{1,10}){1,10}c on 30,000 a's", () => {
    expect(Pattern.test(compile("(a{1,10}){1,10}c"), "a".repeat(30_000))).toBe(false)
  })

  it("reads only the first 100,000 code units of a text", () => {
    const p = compile("needle")
    expect(Pattern.test(p, `${"x".repeat(Pattern.maxTextLength - 6)}needle`)).toBe(true)
    expect(Pattern.test(p, `${"x".repeat(Pattern.maxTextLength)}needle`)).toBe(false)
  })

  it.each([
    ["(ab", 0, "unclosed group"],
    ["ab)", 2, "unmatched ')'"],
    ["a{101}", 1, "repetition bound above 100"],
    ["a{3,2}", 1, "repetition bounds out of order"],
    ["(?=a)b", 0, "lookaround and named groups are not supported"],
    ["(a)\\1", 3, "backreferences are not supported"],
    ["*a", 0, "nothing to repeat"],
    ["a**", 2, "a quantifier cannot follow another quantifier"],
    ["^*", 0, "nothing to repeat"],
    ["[b-a]", 2, "range out of order"],
    ["[abc", 0, "unterminated character class"],
    ["a\\", 1, "pattern ends with '\\'"],
    ["\\p{L}", 0, "unsupported escape '\\p'"]
  ])("refuses %s at %i: %s", (source, position, reason) => {
    const e = refusal(source)
    expect(e._tag).toBe("InvalidPattern")
    expect({ position: e.position, reason: e.reason }).toEqual({ position, reason })
  })

  it("refuses a source longer than 500 characters and a program that expands too far", () => {
    expect(refusal("a".repeat(501)).reason).toContain("longer than 500")
    expect(refusal("((a{100}){100})").reason).toContain("more than 5000 instructions")
  })
})

// -- differential property against RegExp on the supported subset ---------------------------------

const patternArb: fc.Arbitrary<string> = fc.letrec<{ alt: string; concat: string; piece: string; atom: string }>(
  (tie) => ({
    atom: fc.oneof(
      { depthSize: "small" },
      { weight: 5, arbitrary: fc.constantFrom("a", "b", "c", "A", " ", "\\.", "-") },
      { weight: 3, arbitrary: fc.constantFrom(".", "[ab]", "[^a]", "[a-c]", "[A-Za-z]", "\\d", "\\w", "\\s", "\\W") },
      { weight: 1, arbitrary: tie("alt").map((a) => `(${a})`) },
      { weight: 1, arbitrary: tie("alt").map((a) => `(?:${a})`) }
    ),
    piece: fc.oneof(
      { weight: 4, arbitrary: tie("atom") },
      {
        weight: 3,
        arbitrary: fc
          .tuple(tie("atom"), fc.constantFrom("*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "*?", "+?", "??"))
          .map(([a, q]) => a + q)
      },
      { weight: 1, arbitrary: fc.constantFrom("\\b", "\\B", "^", "$") }
    ),
    concat: fc.array(tie("piece"), { maxLength: 4 }).map((ps) => ps.join("")),
    alt: fc.array(tie("concat"), { minLength: 1, maxLength: 3 }).map((cs) => cs.join("|"))
  })
).alt

const textArb = fc.string({
  unit: fc.constantFrom("a", "b", "c", "A", "B", " ", "1", "_", ".", "-", "\n"),
  maxLength: 12
})

describe("Pattern vs RegExp", () => {
  fcTest.prop([patternArb, textArb, fc.boolean()], { numRuns: 1000 })(
    "a supported pattern matches exactly when RegExp matches",
    (source, text, caseInsensitive) => {
      const expected = new RegExp(source, caseInsensitive ? "i" : "").test(text)
      expect(Pattern.test(compile(source, caseInsensitive), text)).toBe(expected)
    }
  )
})
