/**
 * #16: docs/limits.md's email section names every default of `EmailLimits` with its value (sizes
 * in KiB or MiB), and every limit it names is one, with that value; core's test reads the rest.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as EmailLimits from "../src/EmailLimits.js"

const heading = "## What one inbound email may carry"
const [, section] = readFileSync(new URL("../../../../docs/limits.md", import.meta.url), "utf8").split(heading)
const valueOf = new Map(Object.entries(EmailLimits.defaults))
const units: Record<string, number> = { KiB: 1024, MiB: 1024 * 1024 }

/** Each table row of the section: the limits its first cell names, and the sizes of its second. */
const rows = (section ?? "")
  .split("\n")
  .filter((line) => line.startsWith("| `"))
  .map((line) => {
    const [names = "", values = ""] = line.split("|").slice(1)
    return {
      line,
      names: [...names.matchAll(/`(\w+)`/g)].map((m) => m[1] as string),
      values: [...values.matchAll(/(\d[\d,]*)(?: (KiB|MiB))?/g)].map(
        (m) => Number((m[1] as string).replaceAll(",", "")) * (units[m[2] ?? ""] ?? 1)
      )
    }
  })

describe("docs/limits.md, email section", () => {
  it("exists and names every default of EmailLimits", () => {
    expect(section).toBeDefined()
    const named = new Set(rows.flatMap((r) => r.names))
    expect([...valueOf.keys()].filter((name) => !named.has(name))).toEqual([])
  })

  it.each(rows.map((r) => [r.line, r] as const))("%s: each name is an email limit, with its default", (_, row) => {
    row.names.forEach((name, i) => {
      expect(valueOf.has(name), `${name} is an email limit`).toBe(true)
      expect(row.values[i], `${name} in "${row.line}"`).toBe(valueOf.get(name))
    })
  })
})
