import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import * as Lru from "../../src/internal/lru.js"

type Op =
  | { readonly op: "get" | "peek" | "delete"; readonly key: number }
  | { readonly op: "set"; readonly key: number; readonly value: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom("get" as const, "peek" as const, "delete" as const), key: fc.nat(5) }),
  fc.record({ op: fc.constant("set" as const), key: fc.nat(5), value: fc.integer() })
)

/** The reference: entries in an array, least recently used first, searched one by one. */
const model = (capacity: number) => {
  let entries: Array<readonly [number, number]> = []
  const find = (key: number) => entries.find(([k]) => k === key)
  const without = (key: number) => entries.filter(([k]) => k !== key)
  return {
    apply: (o: Op): unknown => {
      const found = find(o.key)
      switch (o.op) {
        case "peek":
          return found?.[1]
        case "get":
          if (found !== undefined) entries = [...without(o.key), found]
          return found?.[1]
        case "delete":
          entries = without(o.key)
          return found !== undefined
        case "set":
          if (capacity > 0) entries = [...without(o.key), [o.key, o.value] as const].slice(-capacity)
          return undefined
      }
    },
    keys: () => entries.map(([k]) => k)
  }
}

describe("Lru", () => {
  test.prop([fc.constantFrom(0, 1, 2, 3, 4, Number.POSITIVE_INFINITY), fc.array(op, { maxLength: 60 })])(
    "answers every get, peek, set and delete as a list ordered by last use, trimmed to its capacity, does",
    (capacity, ops) => {
      const lru = Lru.make<number, number>(capacity)
      const reference = model(capacity)
      for (const o of ops) {
        const actual =
          o.op === "set"
            ? lru.set(o.key, o.value)
            : o.op === "get"
              ? lru.get(o.key)
              : o.op === "peek"
                ? lru.peek(o.key)
                : lru.delete(o.key)
        expect(actual).toEqual(reference.apply(o))
        expect(lru.keys()).toEqual(reference.keys())
        expect(lru.size).toBeLessThanOrEqual(capacity)
      }
    }
  )

  it("forgets the least recently used entry first: a get counts as a use, a peek does not", () => {
    const lru = Lru.make<string, number>(2)
    lru.set("a", 1)
    lru.set("b", 2)
    lru.get("a")
    lru.set("c", 3)
    expect(lru.keys()).toEqual(["a", "c"])
    lru.peek("a")
    lru.set("d", 4)
    expect(lru.keys()).toEqual(["c", "d"])
  })

  it("keeps nothing at capacity 0", () => {
    const lru = Lru.make<string, number>(0)
    lru.set("a", 1)
    expect(lru.get("a")).toBeUndefined()
    expect(lru.size).toBe(0)
  })

  it("clear forgets every entry and keeps working", () => {
    const lru = Lru.make<string, number>(2)
    lru.set("a", 1)
    lru.set("b", 2)
    lru.clear()
    expect(lru.size).toBe(0)
    expect(lru.get("a")).toBeUndefined()
    lru.set("c", 3)
    expect(lru.keys()).toEqual(["c"])
  })
})
