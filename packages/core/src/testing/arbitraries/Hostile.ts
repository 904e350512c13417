/**
 * Hostile input for the stores' conformance suites: fragments that break naive quoting (SQL,
 * `LIKE`, FTS5 and `tsquery` syntax, unicode a byte-minded store gets wrong), texts and ids made
 * of them. Part of `Arbitraries`.
 */
import * as fc from "fast-check"

/**
 * Fragments that break naive quoting: SQL string and identifier quotes, comments, statement
 * separators and injections, `LIKE` wildcards and escapes, placeholders, the query syntax of
 * SQLite FTS5 and PostgreSQL `tsquery`, and unicode a byte-minded store gets wrong (combining
 * marks, ligatures, case mappings that change length, right-to-left text and controls, emoji
 * sequences). No NUL: no text column holds one.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileFragments: ReadonlyArray<string> = [
  "'",
  "''",
  '"',
  "`",
  ";",
  "--",
  "/*",
  "*/",
  "%",
  "_",
  "\\",
  "\\'",
  "\\%",
  "' OR 1=1 --",
  "' OR '1'='1",
  '" OR ""="',
  "'); DROP TABLE tickets; --",
  "); DROP TABLE tickets; --",
  "1; DELETE FROM events",
  "$1",
  "?",
  ":name",
  "%s",
  "NULL",
  "*",
  "^",
  '"vpn"',
  "vpn*",
  "NEAR(vpn drops)",
  "AND",
  "OR",
  "NOT",
  "-vpn",
  "+vpn",
  "vpn:*",
  "&",
  "|",
  "!",
  "<->",
  "(",
  ")",
  "{",
  "}",
  "[",
  "]",
  "Ça",
  "É",
  "e\u0301",
  "ﬁx",
  "İ",
  "ß",
  "日本語",
  "עברית",
  "مرحبا",
  "\u202E",
  "\u200B",
  "\uFEFF",
  "👍",
  "👍🏽",
  "👨‍👩‍👧",
  "🇫🇷",
  "\u0301",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
  " ",
  "\t",
  "\n",
  "\r\n"
]

/** At most `max` UTF-16 units of `text`, cut between code points. */
const cutTo = (text: string, max: number): string => {
  let out = ""
  for (const c of text) {
    if (out.length + c.length > max) break
    out += c
  }
  return out
}

/**
 * Hostile text of at most `maxLength` UTF-16 units: fragments, words a store holds, and random
 * graphemes, run together or spaced.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileText = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...hostileFragments) },
          { weight: 2, arbitrary: fc.constantFrom("vpn", "drops", "invoice", "table", "tickets", "merci", "ça") },
          { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }) }
        ),
        { maxLength: 8 }
      ),
      fc.constantFrom("", " ", "  ")
    )
    .map(([parts, separator]) => cutTo(parts.join(separator).replaceAll("\u0000", ""), maxLength))

/**
 * Hostile text of exactly `length` UTF-16 units (a schema's maximum, or just under it): hostile
 * fragments repeated, padded with quotes.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileTextOfLength = (length: number): fc.Arbitrary<string> =>
  hostileText(40).map((seed) => {
    const unit = seed.length > 0 ? seed : "' OR 1=1 --"
    const cut = cutTo(unit.repeat(Math.ceil(length / unit.length) + 1), length)
    return cut + "'".repeat(length - cut.length)
  })

/**
 * A hostile string for a free-text filter of at most `maxLength` units: short ones mostly,
 * sometimes one at the maximum or just under it.
 *
 * @category testing
 * @since 0.1.0
 */
export const hostileString = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: hostileText(maxLength) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(maxLength, maxLength - 1, maxLength - 2).chain((n) => hostileTextOfLength(n))
    }
  )

/**
 * An id the schemas accept (`[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}`) that is awkward all the same:
 * comment and wildcard look-alikes, case twins, the longest allowed.
 *
 * @category testing
 * @since 0.1.0
 */
export const edgyId: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "a--b",
      "x--",
      "a.b:c",
      "Q_1",
      "a__",
      "0",
      "A",
      "mary",
      "MARY",
      "Mary",
      "jane",
      "a".repeat(128),
      "z-".repeat(64),
      "1e3",
      "0x1F",
      "null",
      "NULL",
      "true"
    )
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/) }
)
