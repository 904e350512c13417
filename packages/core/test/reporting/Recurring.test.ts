/**
 * Recurring problems (#18): keys whose weekly volume rises against their own baseline, with the
 * tickets of the rise. A billing bug that hits many customers shows after its first few tickets;
 * steady volume never does, however large.
 */
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Ids } from "../../src/index.js"
import { Recurring } from "../../src/index.js"

const day = 86_400_000
const now = Date.parse("2026-03-30T00:00:00Z")
let counter = 0
const sample = (daysAgo: number, subject: string, tags: ReadonlyArray<string> = []): Recurring.Sample => ({
  ticketId: `tkt_${++counter}` as Ids.TicketId,
  createdAt: now - daysAgo * day,
  subject,
  tags
})

/** Four weeks and more of ordinary traffic: billing questions every week, logins, exports. */
const ordinary = (): Array<Recurring.Sample> =>
  Array.from({ length: 35 }, (_, d) => [
    sample(d + 0.5, "Question about my invoice address", ["billing"]),
    sample(d + 0.3, "Cannot log in after password reset", ["login"]),
    ...(d % 3 === 0 ? [sample(d + 0.7, "Export to CSV is slow", ["reports"])] : [])
  ]).flat()

describe("Recurring.detect", () => {
  it("a billing bug shows after its third ticket, with exactly those tickets", () => {
    const traffic = ordinary()
    const bug = [
      sample(1.9, "Charged twice for my renewal", ["billing"]),
      sample(1.2, "Double charge - charged twice this month", ["billing"]),
      sample(0.4, "Why was I charged twice?", ["billing"])
    ]
    expect(Recurring.detect([...traffic, ...bug.slice(0, 2)], { now })).toEqual([])
    const rises = Recurring.detect([...traffic, ...bug], { now })
    expect(rises).toHaveLength(1)
    const rise = rises[0] as Recurring.Rise
    expect([rise.source, rise.value]).toEqual(["subject", "charged"])
    expect(rise.related).toEqual([{ source: "subject", value: "twice" }])
    expect(rise.tickets).toEqual(bug.map((s) => s.ticketId))
    expect({ current: rise.current, baseline: rise.baseline, weekly: rise.weekly }).toEqual({
      current: 3,
      baseline: 0,
      weekly: [0, 0, 0, 0]
    })
    // The billing tag itself carries 7 a week already: 10 this week is no rise.
    expect(rises.some((r) => r.value === "billing")).toBe(false)
  })

  it("a tag or topic rises against its own baseline, not the others'", () => {
    const traffic = ordinary()
    const outage = Array.from({ length: 8 }, (_, i) => ({
      ...sample(i * 0.5, `Reports page error ${i}`, ["reports"]),
      topics: ["reports-outage"]
    }))
    // The topic is new: 7 this week (one opens at `now`, outside the week), against nothing before.
    const rises = Recurring.detect([...traffic, ...outage], { now, sources: ["tag", "topic"] })
    expect(rises.map((r) => [r.source, r.value, r.current])).toEqual([["topic", "reports-outage", 7]])
    // reports: about 2.3 a week before, 10 this week (3 ordinary + 7): it rises too, as related.
    expect(rises[0]?.related).toEqual([{ source: "tag", value: "reports" }])
    const tags = Recurring.detect([...traffic, ...outage], { now, sources: ["tag"] })
    expect(tags.map((r) => [r.source, r.value, r.current])).toEqual([["tag", "reports", 10]])
    // The login tag, two a day every day, rises with neither.
    expect(tags.some((r) => r.value === "login")).toBe(false)
  })

  it("a busy key's noise does not rise: three times its average and three deviations above it", () => {
    // Two a week for four weeks (deviation about 1.4): 6 this week is noise, 7 is a rise.
    const before = [1, 2, 3, 4].flatMap((w) => [
      sample(w * 7 + 1, "Printer jammed"),
      sample(w * 7 + 3, "Printer jammed")
    ])
    const week = (n: number) => Array.from({ length: n }, (_, i) => sample(0.5 + i * 0.5, "Printer jammed"))
    expect(Recurring.detect([...before, ...week(6)], { now })).toEqual([])
    const rises = Recurring.detect([...before, ...week(7)], { now })
    // Equal ratios and counts: by source, then value; the other word rose with the same tickets.
    expect(rises.map((r) => [r.value, r.current, r.baseline, r.related])).toEqual([
      ["jammed", 7, 2, [{ source: "subject", value: "printer" }]]
    ])
  })

  it("steady weekly volume never rises, however large", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), (perWeek, weeks) => {
        const samples = Array.from({ length: weeks + 1 }, (_, w) =>
          Array.from({ length: perWeek }, (_, i) =>
            sample(w * 7 + (i * 7) / (perWeek + 1), "Printer jammed", ["printer"])
          )
        ).flat()
        expect(Recurring.detect(samples, { now, baselineWeeks: weeks })).toEqual([])
      })
    )
  })

  it("a rise's tickets carry its key and fall in the current week; more such tickets keep it", () => {
    const subjects = ["Invoice wrong", "Charged twice", "Login loop", "Refund missing"]
    const arbitrarySample = fc.record({
      // Half in the current week, so that rises happen.
      daysAgo: fc.oneof(fc.double({ min: 0, max: 34, noNaN: true }), fc.double({ min: 0, max: 6.9, noNaN: true })),
      subject: fc.constantFrom(...subjects),
      tag: fc.constantFrom("billing", "login", "refunds")
    })
    let rose = 0
    fc.assert(
      fc.property(
        fc.array(arbitrarySample, { minLength: 10, maxLength: 60 }),
        // A burst of a new problem this week, so that rises happen.
        fc.array(fc.double({ min: 0.01, max: 6.9, noNaN: true }), { maxLength: 8 }),
        (drawn, burst) => {
          const samples = [
            ...drawn.map((d) => sample(d.daysAgo, d.subject, [d.tag])),
            ...burst.map((daysAgo) => sample(daysAgo, "Renewal charged twice", ["billing"]))
          ]
          const rises = Recurring.detect(samples, { now })
          const byId = new Map(samples.map((s) => [s.ticketId, s]))
          for (const rise of rises) {
            rose++
            expect(rise.current).toBe(rise.tickets.length)
            expect(rise.current).toBeGreaterThanOrEqual(3)
            expect(rise.ratio).toBeGreaterThanOrEqual(3)
            for (const id of rise.tickets) {
              const s = byId.get(id) as Recurring.Sample
              expect(now - s.createdAt).toBeLessThanOrEqual(7 * day)
              expect(
                Recurring.keysOf(s).some(([source, value]) => source === rise.source && value === rise.value)
              ).toBe(true)
            }
            // The same key, three more tickets this week: still rising (perhaps grouped under another key).
            const first = byId.get(rise.tickets[0] as Ids.TicketId) as Recurring.Sample
            const more = [0.1, 0.2, 0.3].map((d) => ({
              ...first,
              ticketId: `tkt_x${d}` as Ids.TicketId,
              createdAt: now - d * day
            }))
            const again = Recurring.detect([...samples, ...more], { now })
            const keys = again.flatMap((r) => [
              `${r.source}:${r.value}`,
              ...r.related.map((k) => `${k.source}:${k.value}`)
            ])
            expect(keys).toContain(`${rise.source}:${rise.value}`)
          }
          // Shuffled input gives the same answer.
          expect(Recurring.detect([...samples].reverse(), { now })).toEqual(rises)
        }
      )
    )
    expect(rose).toBeGreaterThan(0)
  })
})
