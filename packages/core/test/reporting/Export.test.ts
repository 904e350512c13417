import { DateTime } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Export, Report, TicketMetrics } from "../../src/index.js"
import { history, london } from "./jane.js"

/**
 * A small RFC 4180 reader, written apart from the writer: records end with CRLF, a field is
 * either plain (no comma, quote, CR or LF) or quoted, with a quote inside doubled.
 */
const parse = (text: string): Array<Array<string>> => {
  const records: Array<Array<string>> = []
  let record: Array<string> = []
  let i = 0
  const fail = (why: string) => {
    throw new Error(`not RFC 4180 at ${i}: ${why}`)
  }
  while (i < text.length) {
    let value = ""
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) fail("unterminated quoted field")
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"'
            i += 2
          } else {
            i++
            break
          }
        } else value += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"' || text[i] === "\n") fail("quote or line feed in a plain field")
        value += text[i++]
      }
    }
    record.push(value)
    if (text[i] === ",") i++
    else if (text.startsWith("\r\n", i)) {
      records.push(record)
      record = []
      i += 2
    } else fail("expected a comma or CRLF")
  }
  if (record.length > 0) fail("last record without CRLF")
  return records
}

const triggers = ["=", "+", "-", "@", "\t", "\r"]
/** What a spreadsheet could run: a trigger first, or after leading whitespace and quotes. */
const runnable = (cell: string) => {
  const stripped = cell.replace(/^[\s"']+/u, "")
  return triggers.includes(cell.charAt(0)) || (stripped !== cell && triggers.includes(stripped.charAt(0)))
}

const payloads = [
  "=cmd|' /C calc'!A0",
  "+1+1",
  "-2+3",
  "@SUM(A1:A2)",
  "\t=1",
  "\r=1",
  '  "=HYPERLINK("http://evil.example")',
  " '=1",
  '=1,2\r\n"x"',
  "plain",
  ""
]

/** A cell value with a good share of formula triggers, quotes, separators and line breaks. */
const hostile = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom(...payloads),
  fc
    .tuple(fc.stringMatching(/^[\s"']{0,3}$/), fc.constantFrom(...triggers, ",", '"', "\n", "a"), fc.string())
    .map(([lead, trigger, rest]) => lead + trigger + rest)
)

describe("CSV cells", () => {
  it("a formula-injection payload is neutralised with a leading quote, anything else is left as it is", () => {
    expect(payloads.map(Export.neutralize)).toEqual([
      "'=cmd|' /C calc'!A0",
      "'+1+1",
      "'-2+3",
      "'@SUM(A1:A2)",
      "'\t=1",
      "'\r=1",
      `'  "=HYPERLINK("http://evil.example")`,
      "' '=1",
      '\'=1,2\r\n"x"',
      "plain",
      ""
    ])
  })

  it("for any string, a CSV record reads back as the neutralised strings, and no cell can run", () => {
    let neutralised = 0
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 6 }), (cells) => {
        const text = Export.csv(
          cells.map((_, i) => `c${i}`),
          [cells]
        )
        const [header, record] = parse(text)
        expect(header).toHaveLength(cells.length)
        expect(record).toEqual(cells.map(Export.neutralize))
        for (const cell of record ?? []) {
          expect(triggers).not.toContain(cell.charAt(0))
          if (runnable(cell.startsWith("'") ? cell.slice(1) : cell)) {
            expect(cell.startsWith("'")).toBe(true)
            neutralised++
          }
        }
      }),
      { numRuns: 500 }
    )
    expect(neutralised).toBeGreaterThan(100)
  })
})

const may: Report.Period = {
  from: DateTime.makeUnsafe("2025-05-01T00:00:00Z"),
  to: DateTime.makeUnsafe("2025-06-01T00:00:00Z")
}

/** Jane's metrics with every string field set to `value` (as if a user had chosen it). */
const janeMetrics = TicketMetrics.fromEvents(history, { calendar: london })
const poisoned = (value: string): TicketMetrics.TicketMetrics => ({
  ...janeMetrics,
  ticketId: value as never,
  group: value as never,
  assignee: value as never,
  organization: value as never,
  tags: [value, `${value}2`] as never,
  sla: [{ policy: value, metric: "first_reply", warnings: 1, breaches: 1 }]
})

describe("exports", () => {
  it("a hostile string in any field of a report or of ticket rows is inert, and everything reads back", () => {
    let checked = 0
    fc.assert(
      fc.property(hostile, (value) => {
        const tickets = [poisoned(value), poisoned("billing")]
        const report = Report.make(tickets, may, Report.dimensions, { calendar: london })
        const unsafe: Array<string> = []
        for (const text of [Export.reportCsv(report), Export.slaCsv(report), Export.ticketsCsv(tickets)]) {
          const records = parse(text)
          const width = records[0]?.length
          expect(records.filter((record) => record.length !== width)).toEqual([])
          for (const record of records) {
            for (const cell of record) {
              // Expectations per cell would be slow: collect the offending cells instead.
              if (triggers.includes(cell.charAt(0)) || (runnable(cell) && !cell.startsWith("'"))) unsafe.push(cell)
              checked++
            }
          }
        }
        expect(unsafe).toEqual([])
        const rows = parse(Export.ticketsCsv(tickets))
        expect(rows[1]?.[Export.ticketColumns.indexOf("group")]).toBe(Export.neutralize(value))
        const byGroup = parse(Export.reportCsv(report)).filter((r) => r[0] === "group")
        expect(byGroup.map((r) => r[1]).sort()).toEqual([...new Set([value, "billing"])].map(Export.neutralize).sort())
      }),
      { numRuns: 100 }
    )
    expect(checked).toBeGreaterThan(10_000)
  })

  it("the report CSV has one record for the whole and one per breakdown row, with the numbers of the report", () => {
    const jane = TicketMetrics.fromEvents(history, { calendar: london })
    const report = Report.make([jane], may, ["group", "channel"], { calendar: london })
    const [header, ...records] = parse(Export.reportCsv(report))
    expect(header).toEqual(Export.reportColumns)
    expect(records.map((r) => [r[0], r[1]])).toEqual([
      ["all", ""],
      ["group", "billing"],
      ["channel", "email"]
    ])
    const all = Object.fromEntries((header ?? []).map((name, i) => [name, records[0]?.[i]]))
    expect(all).toMatchObject({
      period_from: "2025-05-01T00:00:00.000Z",
      created: "1",
      solved: "1",
      first_reply_calendar_median_ms: "10800000",
      full_resolution_business_median_ms: String((32 * 60 + 50) * 60_000),
      reopened_rate: "1",
      one_touch_rate: "0",
      backlog: "0",
      backlog_age_calendar_median_ms: ""
    })
    expect(parse(Export.slaCsv(report)).slice(1, 3)).toEqual([
      ["all", "", "standard", "next_reply", "1", "0", "1", "0"],
      ["all", "", "standard", "resolution", "1", "1", "0", "1"]
    ])
  })

  it("metrics decoded from garbage (instants no date has) export without throwing", () => {
    const garbage = { ...janeMetrics, createdAt: 1e300, solvedAt: -1e300 }
    const [, record] = parse(Export.ticketsCsv([garbage]))
    expect(record?.[Export.ticketColumns.indexOf("created_at")]).toBe("")
    expect(record?.[Export.ticketColumns.indexOf("solved_at")]).toBe("")
    expect(TicketMetrics.spanBetween({ calendar: london }, -1e300, 1e300)).toEqual({ calendar: 2e300, business: 0 })
  })

  it("JSON keeps the report's structure, with ISO instants", () => {
    const jane = TicketMetrics.fromEvents(history, { calendar: london })
    const report = Report.make([jane], may, ["tag"], { calendar: london })
    const json = JSON.parse(Export.reportJson(report))
    expect(json.period).toEqual({ from: "2025-05-01T00:00:00.000Z", to: "2025-06-01T00:00:00.000Z" })
    expect(json.summary).toEqual(report.summary)
    expect(json.breakdowns[0].rows[0].key).toBe("billing")
    expect(JSON.parse(Export.ticketsJson([jane]))).toEqual([jane])
  })
})
