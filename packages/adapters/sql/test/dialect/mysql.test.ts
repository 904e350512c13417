/**
 * The pure parts of the MySQL dialect record: keys are escaped so that `utf8mb4_bin`, which
 * ignores trailing spaces when it compares, still tells every two keys apart (issue 14).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { mysql } from "../../src/dialect/mysql.js"

/** Strings rich in what the escaping is about: spaces, the escape character, its partner. */
const awkward = fc.string({
  unit: fc.oneof(fc.constantFrom(" ", "\u0001", "\u0004", "a", "é", "😀", "\t"), fc.string({ maxLength: 1 })),
  maxLength: 12
})

describe("mysql.key", () => {
  it("undoing a key gives the value back (property)", () => {
    fc.assert(fc.property(awkward, (value) => mysql.unkey(mysql.key(value)) === value))
  })

  it("no key ends with a space, so two keys equal under PAD SPACE are equal strings (property)", () => {
    // PAD SPACE equality: equal once trailing spaces are ignored.
    const padEqual = (x: string, y: string) => x.replace(/ +$/, "") === y.replace(/ +$/, "")
    // Pairs that differ only by trailing spaces, the ones PAD SPACE confuses, and any pairs.
    const pairs = fc.oneof(
      fc.tuple(awkward, fc.integer({ min: 1, max: 3 })).map(([a, n]) => [a, `${a}${" ".repeat(n)}`] as const),
      fc.tuple(awkward, awkward)
    )
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const [x, y] = [mysql.key(a), mysql.key(b)]
        expect(x.endsWith(" ")).toBe(false)
        expect(padEqual(x, y)).toBe(a === b)
      })
    )
  })

  it("keeps ordinary values as they are, ids and tags included", () => {
    for (const value of ["tkt_01J8", "ws.acme:eu-1", "billing", "ça-va", "👍🏽", ""])
      expect(mysql.key(value)).toBe(value)
    expect(mysql.key("open ")).not.toBe("open ")
  })

  it("a directory value ending with a space is not storable (it would match the value without it)", () => {
    expect(mysql.storable("jane ")).toBe(false)
    expect(mysql.storable("jane")).toBe(true)
    expect(mysql.storable(" jane")).toBe(true)
  })
})
