/**
 * The reporting example's numbers against what its generator did (#18): the week's volume and
 * ratings counted independently from the plan, the rising problem made of exactly the bug's
 * tickets and seen after its third, the problem linked to each, and each requester told once in
 * their language, even after a second solve.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { main, type Outcome } from "../src/main.js"

const day = 86_400_000
const weekFrom = Date.parse("2026-03-23T00:00:00Z")
const weekTo = weekFrom + 7 * day
const inWeek = (at: number) => weekFrom <= at && at < weekTo

const lines: Array<string> = []
let outcome: Outcome
beforeAll(async () => {
  outcome = await main((line) => lines.push(line))
}, 120_000)

describe("reporting example: a month of tickets, a billing bug in the last week", () => {
  it("prints the week's report with the volumes and ratings the generator made", () => {
    const { plan, report } = outcome
    expect(lines[0]).toBe("Weekly report, Mon 23 Mar to Sun 29 Mar 2026 (acme)")
    expect(report.summary.created).toBe(plan.opened.filter((t) => inWeek(t.at)).length)
    const ratings = plan.ratings.filter((r) => inWeek(r.at))
    const csat = ratings.flatMap((r) => (r.rating.kind === "csat" ? [r.rating.score as number] : []))
    const nps = ratings.flatMap((r) => (r.rating.kind === "nps" ? [r.rating.score] : []))
    expect(report.summary.csat).toMatchObject({
      responses: csat.length,
      satisfied: csat.filter((s) => s >= 4).length,
      dissatisfied: csat.filter((s) => s <= 2).length
    })
    const promoters = nps.filter((s) => s >= 9).length
    const detractors = nps.filter((s) => s <= 6).length
    expect(report.summary.nps.score).toBe(Math.round((100 * (promoters - detractors)) / nps.length))
    expect(csat.length).toBeGreaterThan(10)
    const byComplexity = report.breakdowns.find((b) => b.dimension === "complexity")?.rows ?? []
    expect(byComplexity.reduce((n, r) => n + r.summary.created, 0)).toBe(report.summary.created)
    expect(lines.some((l) => l.startsWith("  created by complexity: complex "))).toBe(true)
  })

  it("finds the billing bug as the rising problem, with exactly its tickets, after its third", () => {
    const { plan, rise, firstSeen } = outcome
    const bug = plan.opened.filter((t) => t.bug)
    expect(bug.length).toBeGreaterThan(10)
    expect(rise?.tickets).toEqual(bug.map((t) => t.id))
    expect(firstSeen?.tickets).toBe(3)
    const third = bug[2]?.at ?? 0
    const fourth = bug[3]?.at ?? 0
    expect(firstSeen?.at).toBeGreaterThanOrEqual(third)
    expect(firstSeen?.at).toBeLessThanOrEqual(fourth)
  })

  it("opens one problem linked to every incident, and tells each requester once in their language", () => {
    const { plan, problem, told, toldAgain } = outcome
    const bug = plan.opened.filter((t) => t.bug)
    expect(problem?.type).toBe("problem")
    expect(problem?.links.map((l) => l.ticketId)).toEqual(bug.map((t) => t.id))
    // Customers cus_0, cus_3, ... write in French (the generator's rule), the others in English.
    const languageOf = (requester: string) => (Number(requester.slice(4)) % 3 === 0 ? "fr" : "en")
    expect(told).toEqual(bug.map((t) => ({ ticket: t.id, language: languageOf(t.requester) })))
    expect(new Set(told.map((t) => t.language))).toEqual(new Set(["fr", "en"]))
    expect(toldAgain).toBe(0)
    expect(lines.at(-1)).toBe("  reopened and solved again: 0 more told")
  })
})
