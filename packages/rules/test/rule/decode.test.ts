import { Arbitrary, Effect, Result, type Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Rule from "../../src/Rule.js"
import * as Decode from "../../src/rule/decode.js"

const base = {
  id: "one-place",
  version: 1,
  kind: "trigger",
  if: { all: [] },
  then: [{ note: "x" }]
}

/** The name of a Struct's first field: how a condition or action says its kind. */
const firstField = (member: { readonly fields: Schema.Struct.Fields }): string => Object.keys(member.fields)[0] ?? ""

const samples = (schema: Schema.Top, seed: number): ReadonlyArray<unknown> =>
  Effect.runSync(Arbitrary.sampleEffect(Arbitrary.schema(schema), { count: 300, seed }))

describe("a condition or an action is defined in one place, its Schema", () => {
  it("the decoder's kinds are the kinds of the Schemas' members, in order", () => {
    expect(Decode.conditionKinds).toEqual(["all", "any", "not", ...Rule.Leaf.members.map(firstField)])
    expect(Decode.actionKinds).toEqual(Rule.Action.members.map(firstField))
    // Kinds are distinct, and no member has another's kind as a field: one key names one kind.
    for (const members of [Rule.Leaf.members, Rule.Action.members] as const) {
      const kinds = members.map(firstField)
      expect(new Set(kinds).size).toBe(kinds.length)
      members.forEach((m, i) => {
        for (const key of Object.keys(m.fields)) if (key !== kinds[i]) expect(kinds).not.toContain(key)
      })
    }
  })

  it("an object without a known kind is refused with the list of kinds the Schemas define", () => {
    const r = Rule.decodeRule({ ...base, if: { frobnicate: 1 }, then: [{}] })
    if (Result.isSuccess(r)) throw new Error("decoded")
    expect(r.failure.problems).toEqual([
      { path: ["if"], message: `Expected a condition with one of the keys ${Decode.conditionKinds.join(", ")}` },
      { path: ["then", 0], message: `Expected an action with one of the keys ${Decode.actionKinds.join(", ")}` }
    ])
  })

  it("every value a leaf condition's Schema describes is read by the decoder as that kind of condition", () => {
    let accepted = 0
    Rule.Leaf.members.forEach((member, seed) => {
      for (const condition of samples(member, seed)) {
        const r = Rule.decodeRule({ ...base, if: condition })
        if (Result.isSuccess(r)) {
          accepted++
          expect(r.success.if).toEqual(condition)
        } else
          for (const p of r.failure.problems) {
            // Refused only by a check on one of its fields (an operator that does not fit the
            // field, a value), never as an unknown or ambiguous kind of condition.
            expect(p.path.slice(0, 1)).toEqual(["if"])
            expect(p.path.length).toBeGreaterThan(1)
          }
      }
    })
    expect(accepted).toBeGreaterThan(300)
  })

  it("every member of the Schemas is reached by the decoder through its kind alone", () => {
    const reached = (members: ReadonlyArray<{ readonly fields: Schema.Struct.Fields }>, at: (x: unknown) => unknown) =>
      members.forEach((member) => {
        const kind = firstField(member)
        const r = Rule.decodeRule(at({ [kind]: null }))
        if (Result.isSuccess(r)) throw new Error(`${kind}: null decoded`)
        // The member's own Schema reports on its own fields: the decoder chose that member.
        const fields = r.failure.problems.map((p) => p.path.find((k) => k !== "if" && k !== "then" && k !== 0))
        expect(fields.length).toBeGreaterThan(0)
        for (const f of fields) expect(Object.keys(member.fields)).toContain(f)
      })
    reached(Rule.Leaf.members, (condition) => ({ ...base, if: condition }))
    reached(Rule.Action.members, (action) => ({ ...base, then: [action] }))
  })
})
