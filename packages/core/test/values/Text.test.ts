import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Duplicates from "../../src/links/Duplicates.js"
import * as TicketQuery from "../../src/query/TicketQuery.js"
import * as TagAudit from "../../src/tags/TagAudit.js"
import * as Tag from "../../src/values/Tag.js"
import * as Text from "../../src/values/Text.js"

// Text in any script, with marks, compatibility forms and punctuation.
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc
    .array(fc.constantFrom("Très", "é", "e\u0301", "ﬁ", "ガ", "й", "İ", "ß", "URGENT", " ", "-", "'", "9", "_"), {
      maxLength: 20
    })
    .map((parts) => parts.join(""))
)

describe("Text.words", () => {
  it.each([
    ["Très  URGENT: l'écran", ["tres", "urgent", "l", "ecran"]],
    ["ﬁle-server_2 down!", ["file", "server", "2", "down"]],
    ["e\u0301te\u0301 / ÉTÉ", ["ete", "ete"]],
    ["  ", []]
  ])("splits %j into %j", (raw, expected) => {
    expect(Text.words(raw)).toEqual(expected)
  })

  it("every word is lower-case letters and digits, without marks", () => {
    fc.assert(
      fc.property(text, (raw) =>
        Text.words(raw).every((w) => /^[\p{L}\p{N}]+$/u.test(w) && w === w.toLowerCase() && !/\p{M}/u.test(w))
      )
    )
  })
})

describe("Text.foldAccents and Text.foldLatinAccents", () => {
  it("search folds marks in every script; tags fold only those on Latin letters", () => {
    expect(Text.foldAccents("Facturé ガ")).toBe("Facture カ")
    expect(Text.foldLatinAccents("Facturé").normalize("NFC")).toBe("Facture")
    // A voiced kana is another word than the unvoiced one: tags keep the mark.
    expect(Text.foldLatinAccents("ガ").normalize("NFC")).toBe("ガ")
    expect(Tag.canonicalize("ガ")).toBe("ガ")
  })

  it("no mark is left: none at all by foldAccents, none on a Latin letter by foldLatinAccents", () => {
    fc.assert(
      fc.property(
        text,
        (raw) => !/\p{M}/u.test(Text.foldAccents(raw)) && !/\p{Script=Latin}\p{M}/u.test(Text.foldLatinAccents(raw))
      )
    )
  })
})

describe("Text.stem", () => {
  it.each([
    ["billings", "bill"],
    ["billing", "bill"],
    ["invoices", "invoic"],
    ["bureaux", "bureau"],
    ["journaux", "journal"],
    ["bloquees", "bloqu"],
    ["disconnected", "disconnect"],
    ["access", "access"],
    ["status", "status"],
    ["vpn", "vpn"]
  ])("stems %j to %j", (word, stem) => {
    expect(Text.stem(word)).toBe(stem)
  })

  it("never leaves fewer than three characters of a longer word", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,12}$/), (word) => Text.stem(word).length >= Math.min(3, word.length))
    )
  })
})

describe("one text module", () => {
  it("search, duplicate detection and the tag audit read words and stems from Text", () => {
    expect(TicketQuery.words).toBe(Text.words)
    expect(TagAudit.stem("password_resets_billings")).toBe(["password", "resets", "billings"].map(Text.stem).join("_"))
    fc.assert(
      fc.property(text, (raw) => {
        const stems = new Set(Text.words(raw).map(Text.stem))
        return Duplicates.terms(raw).every((t) => stems.has(t))
      })
    )
  })
})
