/**
 * #15: docs/limits.md is the one page that lists the limits; it must name every constant of
 * core's `Limits` with its value, and every limit it names must be one, with that value. #16: its
 * email section does the same for the defaults of @tessera/email's `EmailLimits` (sizes may be
 * written in KiB or MiB).
 */
import { readFileSync } from "node:fs"
import { Limits } from "@tessera/core"
import { EmailLimits } from "@tessera/email"
import { describe, expect, it } from "vitest"

const emailHeading = "## What one inbound email may carry"
const [corePart = "", emailPart] = readFileSync(new URL("../../docs/limits.md", import.meta.url), "utf8").split(
  emailHeading
)
const units: Record<string, number> = { KiB: 1024, MiB: 1024 * 1024 }

/** Each table row of a part of the page: the limits its first cell names, the sizes of its second. */
const rowsOf = (text: string) =>
  text
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

const sections = [
  {
    name: "core's Limits",
    rows: rowsOf(corePart),
    values: new Map(
      Object.entries(Limits as Record<string, unknown>).filter(
        (entry): entry is [string, number] => typeof entry[1] === "number"
      )
    )
  },
  { name: "EmailLimits.defaults", rows: rowsOf(emailPart ?? ""), values: new Map(Object.entries(EmailLimits.defaults)) }
]

describe("docs/limits.md", () => {
  it("has the email section", () => {
    expect(emailPart).toBeDefined()
  })

  describe.each(sections)("$name", ({ rows, values }) => {
    it("names every limit in a table row", () => {
      const named = new Set(rows.flatMap((r) => r.names))
      expect([...values.keys()].filter((name) => !named.has(name))).toEqual([])
    })

    it.each(rows.map((r) => [r.line, r] as const))("%s: each name is a limit, with the value given", (_, row) => {
      row.names.forEach((name, i) => {
        expect(values.has(name), `${name} is a limit`).toBe(true)
        expect(row.values[i], `${name} in "${row.line}"`).toBe(values.get(name))
      })
    })
  })
})
