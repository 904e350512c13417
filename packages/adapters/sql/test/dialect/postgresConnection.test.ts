/**
 * The PostgreSQL client's statement names (issue 14): a pool's table of names keeps the most
 * recently used texts, so one-off texts cannot use the names up, and never gives one name to two
 * texts; each client deallocates the statements it used least recently once it holds more than
 * its bound. Pure: the server side is in `Connection.integration.test.ts`.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { prepared, statementNames } from "../../src/dialect/postgresConnection.js"

const text = (n: number) => `select ${n}::int as n`

describe("statementNames", () => {
  it("a text is named the second time it is seen, and keeps its name while it is used", () => {
    const names = statementNames(4)
    expect(names.nameOf(text(1))).toBeUndefined()
    const name = names.nameOf(text(1))
    expect(name).toMatch(/^tessera_\d+$/)
    expect(names.nameOf(text(1))).toBe(name)
  })

  it("a hot text stays named however many one-off texts are named after it", () => {
    const names = statementNames(8)
    const hot = "select * from tickets where id = $1"
    names.nameOf(hot)
    const name = names.nameOf(hot)
    for (let n = 0; n < 10_000; n++) {
      // Each one-off text is seen twice, so each takes a name of its own.
      names.nameOf(text(n))
      expect(names.nameOf(text(n))).toMatch(/^tessera_\d+$/)
      if (n % 5 === 0) expect(names.nameOf(hot)).toBe(name)
    }
  })

  it("a text it forgot takes a new name when it comes back, and no name is ever given to two texts", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 6 }),
        (uses, capacity) => {
          const names = statementNames(capacity)
          const textOf = new Map<string, string>()
          const nameOf = new Map<string, string>()
          const retired = new Set<string>()
          for (const n of uses) {
            const name = names.nameOf(text(n))
            if (name === undefined) continue
            expect(retired.has(name)).toBe(false)
            expect(textOf.get(name) ?? text(n)).toBe(text(n))
            const before = nameOf.get(text(n))
            if (before !== undefined && before !== name) retired.add(before)
            textOf.set(name, text(n))
            nameOf.set(text(n), name)
          }
        }
      )
    )
  })

  it("with room for one text, a text that lost its name to another is named anew on its return", () => {
    const names = statementNames(1)
    names.nameOf(text(1))
    const first = names.nameOf(text(1))
    names.nameOf(text(2))
    const second = names.nameOf(text(2))
    expect(names.nameOf(text(1))).toBeUndefined()
    const again = names.nameOf(text(1))
    expect(new Set([first, second, again]).size).toBe(3)
  })

  it("DDL, transaction control, marked and very long texts are never named", () => {
    const names = statementNames(8)
    for (const never of [
      "create table t (id int)",
      "begin",
      "/* plan with values */ select 1",
      `select 1 -- ${"x".repeat(9_000)}`
    ]) {
      names.nameOf(never)
      expect(names.nameOf(never)).toBeUndefined()
    }
  })
})

describe("prepared (one client's statements)", () => {
  it("once it holds more than its bound, the least recently used name is deallocated", () => {
    const kept = prepared(2)
    kept.use("a")
    kept.use("b")
    kept.use("a")
    expect(kept.evicted()).toEqual([])
    kept.use("c")
    expect(kept.evicted()).toEqual(["b"])
    expect(kept.evicted()).toEqual([])
  })

  it("a name used again before it was deallocated is kept, not deallocated", () => {
    const kept = prepared(2)
    for (const name of ["a", "b", "c"]) kept.use(name)
    kept.use("a") // evicted by "c", back before the client deallocated it; "b" goes instead
    expect(kept.evicted()).toEqual(["b"])
  })

  it("on any sequence of uses, the names kept never exceed the bound and each evicted name was used", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (uses, capacity) => {
          const kept = prepared(capacity)
          const live = new Set<string>()
          for (const n of uses) {
            kept.use(`s${n}`)
            live.add(`s${n}`)
            for (const old of kept.evicted()) {
              expect(old).not.toBe(`s${n}`)
              expect(live.delete(old)).toBe(true)
            }
            expect(live.size).toBeLessThanOrEqual(capacity)
          }
        }
      )
    )
  })
})
