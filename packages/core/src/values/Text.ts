/**
 * The text helpers every part of Tessera that compares words shares: search (`TicketQuery`),
 * duplicate detection (`Duplicates`), tag canonicalisation and the drift report (`Tag`,
 * `TagAudit`), and rule conditions and the classifier (`@tessera/rules`). Words, accent folding
 * and stems are defined here once, so that a word means the same thing to all of them. Stop
 * words, tag syntax and weights stay with the module that uses them.
 *
 * @since 0.1.0
 */

// Only accents on Latin letters are folded by `foldLatinAccents`: a mark on a kana or Cyrillic
// letter changes the word.
const latinMarks = /(\p{Script=Latin})\p{M}+/gu

/**
 * Compatibility forms decomposed (NFKD) and every combining mark removed, whatever the script:
 * `Facturé` -> `Facture`, `ﬁle` -> `file`, `ガ` -> `カ`. Case is kept. This is the folding
 * `words` applies before splitting.
 *
 * @category combinators
 * @since 0.1.0
 */
export const foldAccents = (text: string): string => text.normalize("NFKD").replace(/\p{M}+/gu, "")

/**
 * Compatibility forms decomposed (NFKD) and the marks on Latin letters removed; marks on other
 * scripts (kana, Cyrillic) are kept, since there they change the word. Case is kept; the result
 * is left decomposed. This is the folding `Tag.canonicalize` applies.
 *
 * @category combinators
 * @since 0.1.0
 */
export const foldLatinAccents = (text: string): string => text.normalize("NFKD").replace(latinMarks, "$1")

/**
 * The words of a text: accents folded (`foldAccents`), lower case, split on anything but letters
 * and digits, empty pieces dropped. Search indexes and queries, duplicate detection and rule
 * conditions all see these same words, so every back end and every rule answers alike.
 *
 * @example
 * ```ts
 * Text.words("Très  URGENT: l'écran") // ["tres", "urgent", "l", "ecran"]
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const words = (text: string): ReadonlyArray<string> =>
  foldAccents(text)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)

const stripSuffix = (word: string): string => {
  const keep = (suffix: string) => word.length - suffix.length >= 3
  if (word.endsWith("ings") && keep("ings")) return word.slice(0, -4)
  if (word.endsWith("ing") && keep("ing")) return word.slice(0, -3)
  if (word.endsWith("ed") && keep("ed")) return word.slice(0, -2)
  // -eaux -> -eau (`bureaux`), -aux -> -al (`journaux`), then plain -x.
  if (word.endsWith("eaux") && keep("x")) return word.slice(0, -1)
  if (word.endsWith("aux") && keep("aux")) return `${word.slice(0, -3)}al`
  if (word.endsWith("x") && keep("x")) return word.slice(0, -1)
  // Not -ss, -us, -is: `access`, `status` and `analysis` are singular.
  if (word.endsWith("s") && !/(?:ss|us|is)$/.test(word) && keep("s")) return word.slice(0, -1)
  return word
}

/**
 * A simple stem of one lower-case, accent-folded word, for English and French: strips one of
 * -ings, -ing, -ed, -eaux (to -eau), -aux (to -al), -x, -s, then up to two final e's (English
 * -es, French -é/-ée/-és once accents are folded), never leaving fewer than three letters.
 * `billings`, `billing` and `bill` share `bill`; `invoices` and `invoice` share `invoic`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const stem = (word: string): string => {
  let s = stripSuffix(word)
  for (let i = 0; i < 2 && s.endsWith("e") && s.length > 3; i++) s = s.slice(0, -1)
  return s
}
