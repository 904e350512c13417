import { Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Mention from "../../src/values/Mention.js"

const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
const alnum = fc.constantFrom(...letters)
const inner = fc.constantFrom(...`${letters}._-`)

/** A handle as people type it: a letter or digit at each end, `.`, `_`, `-` inside, any case. */
const handle = fc
  .tuple(alnum, fc.array(inner, { maxLength: 20 }), alnum, fc.boolean())
  .map(([a, middle, z, short]) => (short ? a : `${a}${middle.join("")}${z}`))
const typed = handle.chain((h) =>
  fc
    .array(fc.boolean(), { minLength: h.length, maxLength: h.length })
    .map((upper) => [...h].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""))
)
/** Words without `@`, some of them accented. */
const word = fc.stringMatching(/^[a-zA-Zéèàç0-9'’-]{1,12}$/)
/** Addresses as mail has them: a local part of letters, digits and `._%+-`, a dotted domain. */
const address = fc
  .tuple(fc.stringMatching(/^[a-zA-Z0-9._%+-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,12}(\.[a-z]{2,6}){1,2}$/))
  .map(([local, domain]) => `${local}@${domain}`)
/** What may stand between words, mentions included: white space and punctuation a word starts after. */
const gap = fc.constantFrom(" ", "  ", "\n", "\t", " (", ", ", "; ", ": ", ' "', " '", " «", "\r\n", " *")
/** What may end a mention: white space, punctuation, or the end of the text. */
const close = fc.constantFrom("", " ", ".", ",", ")", "!", "?", ":", ";", "'s", '"', "/x", "...")

describe("Mention.parse", () => {
  it("finds mentions at word starts, lower case, once each, in order", () => {
    expect(Mention.parse("@Mary can you check? cc jane@example.com, @bob. Thanks @MARY")).toEqual(["mary", "bob"])
    expect(Mention.parse("(@jean-paul) and @mary.smith.")).toEqual(["jean-paul", "mary.smith"])
    expect(Mention.parse('@mary\'s ticket, **@bob**, "@eve"')).toEqual(["mary", "bob", "eve"])
  })

  it("an address, a path, a half word or a doubled @ mentions nobody", () => {
    expect(Mention.parse("write to jane@example.com or mary@acme.test")).toEqual([])
    expect(Mention.parse("@jane@example.com wrote in")).toEqual([])
    expect(Mention.parse("https://social.example/@mary and x/@bob")).toEqual([])
    expect(Mention.parse("@marié, @@bob, @.eve, @ alone, @-x")).toEqual([])
  })

  it("lines quoted with > are what someone else wrote: their mentions are skipped", () => {
    expect(Mention.parse("@mary see below\n> @bob said this\n  > and @eve too\nthanks @carl")).toEqual(["mary", "carl"])
  })

  it("keeps at most maxMentions, the first ones, and no handle longer than maxHandleLength", () => {
    const many = Array.from({ length: 30 }, (_, i) => `@agent${i}`).join(" ")
    const found = Mention.parse(many)
    expect(found).toHaveLength(Mention.maxMentions)
    expect(found[0]).toBe("agent0")
    expect(found.at(-1)).toBe(`agent${Mention.maxMentions - 1}`)
    expect(Mention.parse(`@${"a".repeat(64)} @${"b".repeat(65)}`)).toEqual(["a".repeat(64)])
  })

  it("every handle found is a valid Handle", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        for (const h of Mention.parse(text)) expect(Schema.is(Mention.Handle)(h)).toBe(true)
      })
    )
  })

  it("property: a text of words and email addresses mentions nobody", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(word, address), gap), { maxLength: 30 }), (parts) => {
        const text = parts.map(([w, g]) => `${w}${g}`).join("")
        expect(Mention.parse(text)).toEqual([])
      })
    )
  })

  it("property: every @handle at a word start is found, and nothing else, among words and addresses", () => {
    let mentioned = 0
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            word.map((w) => ({ text: w, handle: undefined })),
            address.map((a) => ({ text: a, handle: undefined })),
            fc.tuple(typed, close).map(([h, c]) => ({ text: `@${h}${c}`, handle: h.toLowerCase() }))
          ),
          { maxLength: 25 }
        ),
        fc.array(gap, { minLength: 25, maxLength: 25 }),
        (parts, gaps) => {
          const text = parts.map((p, i) => `${gaps[i]}${p.text}`).join("")
          const expected = [...new Set(parts.flatMap((p) => (p.handle === undefined ? [] : [p.handle])))]
          mentioned += expected.length
          expect(Mention.parse(text)).toEqual(expected.slice(0, Mention.maxMentions))
        }
      )
    )
    // The property saw mentions, not only texts without any.
    expect(mentioned).toBeGreaterThan(100)
  })
})

describe("Mention.resolve", () => {
  const agents = [
    { id: "mary", name: "Mary Smith", email: "mary@acme.test" },
    { id: "marie", name: "Marie-Hélène Dupont", email: "mhd+support@acme.test" },
    { id: "mary2", name: "Mary Jones", email: "mjones@acme.test" },
    { id: "gone", name: "Bob Old", email: "bob@acme.test", active: false }
  ]
  const ids = (handle: string) => Mention.resolve(handle, agents).map((a) => a.id)

  it("the address's local part first, then the whole name, then the first name; inactive agents never", () => {
    expect(ids("mary")).toEqual(["mary"])
    expect(ids("mhd")).toEqual(["marie"])
    expect(ids("mary.jones")).toEqual(["mary2"])
    expect(ids("maryjones")).toEqual(["mary2"])
    expect(ids("marie-helene.dupont")).toEqual([])
    expect(ids("marie.helene.dupont")).toEqual(["marie"])
    expect(ids("marie")).toEqual(["marie"])
    expect(ids("bob")).toEqual([])
    expect(ids("nobody")).toEqual([])
  })

  it("a first name two agents share names both", () => {
    expect(Mention.resolve("mary", agents.slice(1)).map((a) => a.id)).toEqual(["mary2"])
    expect(
      Mention.resolve("mary", [...agents.slice(1), { id: "mary3", name: "Mary Poppins", email: "mp@acme.test" }]).map(
        (a) => a.id
      )
    ).toEqual(["mary2", "mary3"])
  })
})

describe("Mention.parse on hostile notes", () => {
  it("reads a note of the longest text allowed in one pass, whatever its runs of @, dots or spaces", () => {
    // Found while writing it: stripping the trailing dots of `@` and a million of them took hours.
    const size = 1_000_000
    for (const text of [
      `@${".".repeat(size - 2)}x`,
      "@a".repeat(size / 2),
      `${" ".repeat(size - 2)}>@`,
      `@${"a".repeat(size - 1)}`,
      `@${"a.".repeat(size / 2 - 1)}`
    ]) {
      // A pass over each takes well under a second; a pattern that backtracked over a run (the
      // dots of the first text) would run far past the test's timeout.
      expect(Mention.parse(text).length).toBeLessThanOrEqual(Mention.maxMentions)
    }
  })
})
