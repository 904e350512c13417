/**
 * #15: docs/limits.md is the one page that lists the limits; it must name every constant of
 * `Limits` with its value, and every limit it names must be one, with that value.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as Limits from "../../src/values/Limits.js"

// The email section lists @tessera/email's limits, which that package's test checks.
const [page = ""] = readFileSync(new URL("../../../../docs/limits.md", import.meta.url), "utf8").split(
  "## What one inbound email may carry"
)
const constants = Object.entries(Limits as Record<string, unknown>).filter(
  (entry): entry is [string, number] => typeof entry[1] === "number"
)
const valueOf = new Map(constants)

/** Each table row of the page: the limits its first cell names, and the numbers of its second. */
const rows = page
  .split("\n")
  .filter((line) => line.startsWith("| `"))
  .map((line) => {
    const [names = "", values = ""] = line.split("|").slice(1)
    return {
      line,
      names: [...names.matchAll(/`(\w+)`/g)].map((m) => m[1] as string),
      values: [...values.matchAll(/\d[\d,]*/g)].map((m) => Number(m[0].replaceAll(",", "")))
    }
  })

describe("docs/limits.md", () => {
  it("names every limit of Limits in a table row", () => {
    const named = new Set(rows.flatMap((r) => r.names))
    expect(constants.map(([name]) => name).filter((name) => !named.has(name))).toEqual([])
  })

  it.each(rows.map((r) => [r.line, r] as const))("%s: each name is a limit, with the value given", (_, row) => {
    row.names.forEach((name, i) => {
      expect(valueOf.has(name), `${name} is a limit`).toBe(true)
      expect(row.values[i], `${name} in "${row.line}"`).toBe(valueOf.get(name))
    })
  })
})
