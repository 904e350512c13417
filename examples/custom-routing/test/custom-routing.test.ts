/**
 * The custom-routing example: JSON rules and a builder rule decode together; inside the help desk
 * the premium billing question is routed to the billing seniors, the angry French message is
 * tagged and escalated, the free user's question is left alone, and `explain` says why, with the
 * values each condition read.
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { loadRules, main } from "../src/main.js"

let lines: ReadonlyArray<string> = []
beforeAll(async () => {
  const printed: Array<string> = []
  await main((line) => printed.push(line))
  lines = printed
})

const block = (heading: string) => {
  const at = lines.findIndex((l) => l.startsWith(heading))
  if (at < 0) throw new Error(`no line starting with ${heading}`)
  const end = lines.findIndex((l, i) => i > at && l === "")
  return lines.slice(at, end < 0 ? undefined : end)
}

describe("custom routing example", () => {
  it("rules written as JSON and with the builder decode into one rule set", () => {
    expect(loadRules().map((r) => `${r.id}@${r.version}`)).toEqual([
      "billing-premium@2",
      "sentiment-tag@1",
      "pending-reminder@1",
      "angry-to-senior@1"
    ])
  })

  it("routes the premium billing question, and each change names its rule", () => {
    expect(block("#69369")).toEqual([
      '#69369 "Charged twice for November": group billing_seniors, priority high, level 1, tags billing',
      "  GroupChanged    by rule billing-premium v2",
      "  PriorityChanged by rule billing-premium v2"
    ])
  })

  it("tags and escalates the angry French message by its sentiment and words", () => {
    const lea = block("#69371")
    expect(lea[0]).toBe(
      '#69371 "Toujours pas de remboursement": group seniors, priority urgent, level 2, tags sentiment:negative, escalated'
    )
    expect(lea.slice(1)).toContain("  Escalated       by rule angry-to-senior v1")
  })

  it("leaves the free user's question alone, and explains why with the values read", () => {
    expect(block("#69370")).toEqual([
      '#69370 "How do I export my invoices?": group -, priority normal, level 1, tags billing'
    ])
    const why = lines.slice(lines.indexOf("Why #69370 was not routed:"))
    expect(why).toContain('      - requester.tier in ["premium","enterprise"] (read "free")')
    expect(why).toContain('      + tags includes "billing" (read ["billing"])')
    expect(why).toContain('        - sentiment is "negative" (read "neutral")')
  })

  it("the start script prints the same", () => {
    const exampleDir = fileURLToPath(new URL("..", import.meta.url))
    const out = execFileSync(`${exampleDir}node_modules/.bin/tsx`, ["--conditions=@tessera/source", "src/main.ts"], {
      cwd: exampleDir,
      encoding: "utf8"
    })
    expect(out.trimEnd().split("\n")).toEqual(lines)
  })
})
