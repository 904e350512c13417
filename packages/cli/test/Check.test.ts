import { describe, expect, it } from "vitest"
import * as Check from "../src/Check.js"
import * as RuleFile from "../src/RuleFile.js"
import * as Rules from "./support/rules.js"

describe("checking a rule file", () => {
  it("writes paths as people read them", () => {
    expect(Check.formatPath([])).toBe("(root)")
    expect(Check.formatPath([0, "if", "all", 1, "op"])).toBe("[0].if.all[1].op")
    expect(Check.formatPath([2, "then", 0, "odd key"])).toBe('[2].then[0]["odd key"]')
  })

  it("names the rule each decoding problem is in, by the id the file gives it", () => {
    const report = Check.check("rules.json", RuleFile.decode(JSON.stringify(Rules.undecodable)))
    expect(report).toMatchObject({ decoded: false, rules: 3, errors: 3, warnings: 0 })
    expect(report.problems.map((p) => p.rules)).toEqual([["tags-order"], ["no-action"], ["unknown-condition"]])
  })

  it("says where JSON that does not parse stops", () => {
    const decoded = RuleFile.decode('[\n  { "id": "x",\n    "version": 1,,\n')
    expect(decoded._tag).toBe("Invalid")
    const message = decoded._tag === "Invalid" ? (decoded.problems[0]?.message ?? "") : ""
    expect(message).toMatch(/^Not valid JSON: .*line 3 column 18/)
  })

  it("runs the static checks on a file that decodes", () => {
    const report = Check.check("rules.json", RuleFile.decode(JSON.stringify(Rules.proposed)))
    expect(report).toMatchObject({ decoded: true, rules: 7, errors: 0, warnings: 2 })
    expect(report.problems[1]).toMatchObject({
      kind: "undo_each_other",
      rules: ["vip-up", "vip-down"],
      path: [4, "then", 0]
    })
  })
})
