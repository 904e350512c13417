/**
 * Header values as `parseInbound` reads them. The shortcuts for plain ASCII (no UTF-8 round trip,
 * no encoded-word scan) are checked against the whole computation on every value, 8-bit or not.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Headers from "../../src/internal/headers.js"

// The value as read before the shortcuts: every value through latin1 -> UTF-8, then both scans.
const unfoldedUtf8 = (line: string): string => {
  const colon = line.indexOf(":")
  const raw = colon < 0 ? "" : line.slice(colon + 1)
  return Buffer.from(raw.replace(/\r?\n(?=[ \t])/g, ""), "latin1")
    .toString("utf8")
    .trim()
}

// Header lines as mailsplit hands them over: one char per byte, folded lines, encoded words.
const latin1Text = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code)) })
const lineParts = fc.array(
  fc.oneof(
    latin1Text,
    fc.constantFrom("\r\n ", "\n\t", "=?utf-8?B?SsO2cmc=?=", " =?utf-8?Q?br=C3=A4nnt?= ", "=?", "?=", "caf\u00c3\u00a9")
  ),
  { maxLength: 8 }
)

describe("header values", () => {
  it("reads every value as the UTF-8 round trip of its bytes would, ASCII or not", () => {
    fc.assert(
      fc.property(lineParts, (parts) => {
        const line = `subject: ${parts.join("")}`
        expect(Headers.valueOf({ key: "subject", line })).toBe(unfoldedUtf8(line))
      })
    )
  })

  it("decodes encoded words, and leaves a value without one as it is", () => {
    expect(Headers.decodeWords("=?utf-8?B?SsO2cmc=?= =?utf-8?Q?br=C3=A4nnt?=")).toBe("Jörgbrännt")
    expect(Headers.decodeWords("plain text, 100% ASCII?=")).toBe("plain text, 100% ASCII?=")
    expect(Headers.valueOf({ key: "from", line: "From: J\u00c3\u00b6rg\r\n <j@example.de>" })).toBe(
      "Jörg <j@example.de>"
    )
  })
})
