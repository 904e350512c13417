import { describe, expect, it } from "vitest"
import { main } from "../src/main.js"

const timeline = async (): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  await main((line) => lines.push(line))
  return lines
}

describe("quickstart: Jane Sharpe's ticket 69369", () => {
  it("prints the closed ticket 69369 and one line per event, at the brief's times", async () => {
    const lines = await timeline()
    expect(lines[0]).toBe('Ticket 69369: "Over-charged for my subscription" (closed; times in UTC)')
    expect(lines).toHaveLength(10)
    expect(lines[1]).toMatch(
      /^2025-05-01 11:15 {2}Jane Sharpe {2}opened ticket 69369 by email \(priority normal, tags billing\): "Hello, I was charged twice/
    )
  })

  it("the status moves new → open → solved → closed, the close by the system four days later", async () => {
    const lines = await timeline()
    const statusLines = lines.filter((l) => l.includes("status "))
    expect(statusLines).toEqual([
      "2025-05-01 11:20  Mary         status new → open",
      "2025-05-01 13:10  Mary         status open → solved",
      "2025-05-05 13:10  system       status solved → closed"
    ])
  })

  it("shows Mary's reply, her internal note marked internal, and Jane's confirmation", async () => {
    const lines = await timeline()
    const mary = lines.findIndex((l) =>
      /^2025-05-01 11:42 {2}Mary {9}replied: "Hi Jane, you were charged twice/.test(l)
    )
    const note = lines.findIndex((l) => /Mary {9}\[internal\] noted: "Billing bug: .*49 other customers/.test(l))
    const jane = lines.findIndex((l) => /^2025-05-01 13:05 {2}Jane Sharpe {2}replied: "I can see the refund/.test(l))
    expect([mary, note, jane].every((i) => i > 0)).toBe(true)
    expect(mary).toBeLessThan(note)
    expect(note).toBeLessThan(jane)
    // Only the note is internal: replies are public.
    expect(lines.filter((l) => l.includes("[internal]"))).toHaveLength(1)
  })

  it("records the assignment to Mary in the billing group", async () => {
    const lines = await timeline()
    expect(lines).toContain("2025-05-01 11:20  Mary         moved to group billing")
    expect(lines).toContain("2025-05-01 11:20  Mary         assigned to Mary")
  })
})
