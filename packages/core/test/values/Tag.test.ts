import { Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Tag from "../../src/values/Tag.js"

const isTag = Schema.is(Tag.Tag)

// Raw tags as people type them, in any script, with spaces, commas, underscores and capitals mixed in.
const rawTag = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 150 }),
  fc.string({ unit: "binary", maxLength: 150 }),
  fc
    .array(fc.constantFrom(" ", "\t", "\n", ",", "_", "A", "b", "É", "ß", "İ", "🔥", "\u00a0", "\ufeff"), {
      maxLength: 40
    })
    .map((parts) => parts.join(""))
)

describe("Tag.normalize", () => {
  it.each([
    [" Billing ", "billing"],
    ["billing", "billing"],
    ["BILLING", "billing"],
    ["VPN issue", "vpn_issue"],
    ["refund  request", "refund_request"],
    ["tab\tand\nnewline", "tab_and_newline"],
    ["a,b, c", "a_b_c"],
    ["__priority__", "priority"],
    [" _ spaced _ ", "spaced"],
    ["already_normal", "already_normal"],
    ["v2.1-beta", "v2.1-beta"]
  ])("normalises %j to %j", (raw, tag) => {
    expect(Tag.normalize(raw)).toBe(tag)
  })

  it.each([[""], ["   "], [",,,"], ["_ , _"], ["\u00a0\ufeff"]])(
    "%j is not a usable tag: it normalises to ''",
    (raw) => {
      expect(Tag.normalize(raw)).toBe("")
    }
  )

  it("keeps letters outside ASCII, lowercased, and leaves accents alone", () => {
    expect(Tag.normalize("Café Crème")).toBe("café_crème")
    expect(Tag.normalize("ÉTÉ")).toBe("été")
    expect(Tag.normalize("Straße")).toBe("straße")
    expect(Tag.normalize("ΣΟΦΙΑ")).toBe("σοφια")
    expect(Tag.normalize("𐐀𐐁")).toBe("𐐨𐐩") // Deseret: capitals outside the BMP
    expect(Tag.normalize("🔥 Hot")).toBe("🔥_hot")
    expect(Tag.normalize("日本語 サポート")).toBe("日本語_サポート")
  })

  it("cuts long input to 100 code points", () => {
    expect(Tag.normalize("x".repeat(5000))).toBe("x".repeat(100))
    expect(Array.from(Tag.normalize("é".repeat(300)))).toHaveLength(100)
  })

  it("never cuts a character outside the BMP in half", () => {
    const tag = Tag.normalize(`a${"🔥".repeat(200)}`)
    expect(Array.from(tag)).toEqual(["a", ...Array(99).fill("🔥")])
    expect(/\p{Cs}/u.test(tag)).toBe(false) // no lone surrogate
  })

  it("does not leave an underscore where the cut falls", () => {
    expect(Tag.normalize(`${"a".repeat(99)} b`)).toBe("a".repeat(99))
  })

  // #12: `normalize` answers an already normal tag with itself, without rebuilding it; it must
  // answer exactly as the full normalisation does, on every input.
  it("answers what the full normalisation answers, on normal tags and raw ones alike", () => {
    const full = (raw: string) => {
      const trim = (s: string) => s.replace(/^_+|_+$/g, "")
      return trim(
        Array.from(trim(raw.toLowerCase().replace(/[\s,]+/g, "_")))
          .slice(0, 100)
          .join("")
      )
    }
    const nearlyNormal = fc
      .array(fc.constantFrom("a", "é", "_", "-", "🔥", "İ", "ß", "\ud800", "x".repeat(60)), { maxLength: 6 })
      .map((parts) => parts.join(""))
    let unchanged = 0
    fc.assert(
      fc.property(fc.oneof(rawTag, nearlyNormal), (raw) => {
        expect(Tag.normalize(raw)).toBe(full(raw))
        if (full(raw) === raw) unchanged++
      }),
      { numRuns: 2000 }
    )
    // The inputs that are already normal, the fast path, were tried too.
    expect(unchanged).toBeGreaterThan(50)
  })

  it("normalising a tag twice is the same as normalising it once", () => {
    fc.assert(
      fc.property(rawTag, (raw) => Tag.normalize(Tag.normalize(raw)) === Tag.normalize(raw)),
      { numRuns: 1000 }
    )
  })

  it("every non-empty normalised tag is a valid Tag", () => {
    fc.assert(
      fc.property(rawTag, (raw) => {
        const tag = Tag.normalize(raw)
        return tag === "" || isTag(tag)
      }),
      { numRuns: 500 }
    )
  })
})

describe("Tag.normalizeAll", () => {
  it("drops empty tags and duplicates, keeping first-seen order", () => {
    expect(Tag.normalizeAll([" Billing ", "", "vpn", "BILLING", "  ", "Vpn", "refund"])).toEqual([
      "billing",
      "vpn",
      "refund"
    ])
  })

  it("gives distinct, valid, already normalised tags", () => {
    fc.assert(
      fc.property(fc.array(rawTag, { maxLength: 20 }), (raws) => {
        const tags = Tag.normalizeAll(raws)
        return new Set(tags).size === tags.length && tags.every((t) => isTag(t) && Tag.normalize(t) === t)
      }),
      { numRuns: 300 }
    )
  })
})
