/**
 * The SLA example's printed facts, worked out by hand on the Paris calendar: Mon-Fri 09:00-12:00
 * and 14:00-18:00 (7 business hours a day), Wednesday 11 November 2026 closed (Armistice).
 * Paris is UTC+1 in November; the table prints Paris time, `Sla.explainDue` UTC.
 *
 * Standard policy, priority normal: first reply 8 h, next reply 16 h, resolution 40 h of business
 * time, each with a warning at 75%. The story (Paris time): Jane writes Fri 6 Nov 17:30; Mary
 * replies Mon 9 Nov 11:00 and sets pending; Jane answers Wed 11 Nov 09:30 (the ticket reopens);
 * Mary replies Thu 12 Nov 10:00 and puts it on hold; she solves it Thu 19 Nov 15:30.
 */
import { beforeAll, describe, expect, it } from "vitest"
import { main } from "../src/main.js"

let lines: ReadonlyArray<string> = []
beforeAll(async () => {
  const printed: Array<string> = []
  await main((line) => printed.push(line))
  lines = printed
})

/** The table row of one metric instance as of one instant, split into its cells. */
const cells = (asOf: string, instance: string): ReadonlyArray<string> => {
  const line = lines.find((l) => l.startsWith(`${asOf}  ${instance} `))
  if (line === undefined) throw new Error(`no row for ${instance} as of ${asOf}`)
  return line.split(/ {2,}/)
}

describe("sla example: Jane Sharpe's ticket 69369 against the Paris calendar", () => {
  it("prints the calendar with the Paris hours and the French public holidays of 2026", () => {
    expect(lines[0]).toBe("Calendar business_hours: Europe/Paris, Mon-Fri 09:00-12:00, 14:00-18:00")
    expect(lines[1]).toContain("11-11 Armistice")
    expect(lines[2]).toBe("  in 2026: 2026-04-06 Lundi de Pâques, 2026-05-14 Ascension, 2026-05-25 Lundi de Pentecôte")
  })

  it("prints the timeline in Paris time, with the pause while waiting on Jane", () => {
    expect(lines).toContain(
      '  Fri 06 Nov 17:30  Jane Sharpe  opened by email (priority normal): "My card was charged twice for November. Could you refund one of the charges?"'
    )
    expect(lines).toContain("  Mon 09 Nov 11:00  Mary         status open -> pending")
    // A requester reply to a pending ticket reopens it.
    expect(lines).toContain("  Wed 11 Nov 09:30  Jane Sharpe  status pending -> open")
    expect(lines).toContain("  Thu 19 Nov 15:30  Mary         status on_hold -> solved")
  })

  it("Friday evening: the first reply is due Tuesday 09:30, the resolution Tuesday week 15:30", () => {
    // First reply, 8 h: Friday 17:30-18:00 (0.5 h), Monday 7 h, Tuesday 09:00-09:30. Its
    // warning at 6 h: 0.5 h + Monday 09-12 + 14:00-16:30.
    expect(cells("Fri 06 Nov 18:30", "first_reply #1")).toEqual([
      "Fri 06 Nov 18:30",
      "first_reply #1",
      "active",
      "Tue 10 Nov 09:30",
      "Mon 09 Nov 16:30",
      "0h30",
      "7h30"
    ])
    // Resolution, 40 h: 0.5 h on Friday, then Mon 9, Tue 10, (Wed 11 is a holiday) Thu 12, Fri 13,
    // Mon 16 make 35 h; 4.5 h more on Tue 17: 09-12, 14:00-15:30. Warning at 30 h: Mon 16 10:30.
    expect(cells("Fri 06 Nov 18:30", "resolution #1")).toEqual([
      "Fri 06 Nov 18:30",
      "resolution #1",
      "active",
      "Tue 17 Nov 15:30",
      "Mon 16 Nov 10:30",
      "0h30",
      "39h30"
    ])
  })

  it("Monday noon: the first reply is met, and pending pauses the resolution clock", () => {
    // Mary replied at 11:00: 0.5 h on Friday and Monday 09:00-11:00.
    expect(cells("Mon 09 Nov 12:00", "first_reply #1").slice(2, 6)).toEqual(["fulfilled", "-", "-", "2h30"])
    // Paused at 11:00, so nothing counts 11:00-12:00 and there is no due time while paused.
    expect(cells("Mon 09 Nov 12:00", "resolution #1").slice(2)).toEqual(["paused", "-", "-", "2h30", "37h30"])
  })

  it("Wednesday, a holiday: Jane's answer starts a next reply and resumes the resolution from Thursday", () => {
    // Next reply, 16 h from Wednesday 09:30, counted from Thursday 09:00: Thu 7 h, Fri 7 h,
    // Mon 16 09:00-11:00. Warning at 12 h: Thursday, then Friday 09-12 and 14-16.
    expect(cells("Wed 11 Nov 12:00", "next_reply #1").slice(2)).toEqual([
      "active",
      "Mon 16 Nov 11:00",
      "Fri 13 Nov 16:00",
      "0h00",
      "16h00"
    ])
    // 37.5 h left from Thursday 09:00: Thu, Fri, Mon, Tue, Wed make 35 h, then Thu 19 09:00-11:30.
    // Warning at 30 h, 27.5 h from Thursday: Thu, Fri, Mon (21 h), Tue 09-12 and 14:00-17:30.
    expect(cells("Wed 11 Nov 12:00", "resolution #1").slice(2)).toEqual([
      "active",
      "Thu 19 Nov 11:30",
      "Tue 17 Nov 17:30",
      "2h30",
      "37h30"
    ])
  })

  it("Tuesday 17:45: the resolution is past its warning; on hold did not stop its clock", () => {
    // 2.5 h + Thu, Fri, Mon (21 h) + Tuesday 09-12, 14:00-17:45 (6.75 h) = 30.25 h.
    expect(cells("Tue 17 Nov 17:45", "resolution #1").slice(2)).toEqual([
      "warning",
      "Thu 19 Nov 11:30",
      "Tue 17 Nov 17:30",
      "30h15",
      "9h45"
    ])
    // Mary answered on Thursday 10:00: one business hour of the 16.
    expect(cells("Tue 17 Nov 17:45", "next_reply #1").slice(2, 6)).toEqual(["fulfilled", "-", "-", "1h00"])
  })

  it("Thursday 15:00: the resolution breached at 11:30 and is 1 h 30 overdue", () => {
    // Overdue: 11:30-12:00 and 14:00-15:00.
    expect(cells("Thu 19 Nov 15:00", "resolution #1").slice(2)).toEqual([
      "breached",
      "Thu 19 Nov 11:30",
      "Tue 17 Nov 17:30",
      "41h30",
      "1h30 overdue"
    ])
  })

  it("once solved at 15:30 the resolution is fulfilled late, 2 h over its target", () => {
    expect(cells("Fri 20 Nov 09:00", "resolution #1").slice(2)).toEqual([
      "fulfilled late",
      "-",
      "-",
      "42h00",
      "2h00 overdue"
    ])
  })

  it("explains the breach: the target, the holiday skipped, the pause and the breach instant (UTC)", () => {
    const start = lines.findIndex((l) => l.startsWith("Why did resolution #1 breach on Thu 19 Nov 11:30?"))
    expect(start).toBeGreaterThan(0)
    const why = lines.slice(start + 1)
    expect(why[0]).toBe(
      '  resolution #1: target 40 h of business time on calendar business_hours, from policy "Standard" (standard).'
    )
    // Fri 0.5 h, Mon 2 h, then Thu 12 to Wed 18 two intervals a day (10), Thu 19 09:00-11:30.
    expect(why).toContain("  Counted in 13 opening interval(s):")
    expect(why).toContain("    2026-11-19T08:00:00.000Z–2026-11-19T10:30:00.000Z.")
    expect(why).toContain("  Skipped the holiday 2026-11-11 (Armistice).")
    // Mon 9 Nov 11:00 to Wed 11 Nov 09:30, Paris.
    expect(why).toContain("  Paused from 2026-11-09T10:00:00.000Z to 2026-11-11T08:30:00.000Z.")
    expect(why.at(-1)).toBe("  Breached 2026-11-19T10:30:00.000Z, when the target ran out.")
  })
})
