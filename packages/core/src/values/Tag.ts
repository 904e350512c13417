/**
 * Tag normalisation, so that `Billing`, ` billing ` and `billing` are one tag. `normalize` is
 * what tickets store: lowercase, trimmed, inner whitespace turned into `_`, accents kept.
 * `canonicalize` goes further for policies and audits (accents folded, punctuation joined), so
 * that `Facturé`, `facture` and `password-reset` / `password reset` meet. Aliases, groups and
 * taxonomies live in `TagPolicy`, the drift report in `TagAudit`.
 */
import { Schema } from "effect"
import * as Text from "./Text.js"

/**
 * A normalised tag.
 *
 * @category models
 * @since 0.1.0
 */
export const Tag = Schema.String.check(
  Schema.isPattern(/^[^\s,A-Z]+$/, {
    message: "Expected a normalised tag: no spaces, commas or capital letters"
  })
).pipe(Schema.brand("Tag"))
/** @category models @since 0.1.0 */
export type Tag = typeof Tag.Type

/** Whether `normalize` would return `raw` itself: at most 100 code units, nothing to change. */
const isNormal = (raw: string): boolean =>
  raw.length > 0 &&
  raw.length <= 100 &&
  raw.charCodeAt(0) !== 95 &&
  raw.charCodeAt(raw.length - 1) !== 95 &&
  !/[\s,]/.test(raw) &&
  raw.toLowerCase() === raw

/**
 * Normalises a raw tag; an empty result means the input was not a usable tag.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalize = (raw: string): string => {
  // Most tags arrive normalised already (rules, stored tickets): answer those without rebuilding.
  if (isNormal(raw)) return raw
  const trimUnderscores = (s: string) => s.replace(/^_+|_+$/g, "")
  const joined = trimUnderscores(raw.toLowerCase().replace(/[\s,]+/g, "_"))
  // Cut on code points, not UTF-16 units, so a cut never leaves half a surrogate pair.
  return trimUnderscores(Array.from(joined).slice(0, 100).join(""))
}

/**
 * Normalises a list of raw tags, dropping empty ones and duplicates, keeping first-seen order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalizeAll = (raw: ReadonlyArray<string>): ReadonlyArray<Tag> => {
  const out: Array<Tag> = []
  for (const r of raw) {
    const t = normalize(r) as Tag
    if (t.length > 0 && !out.includes(t)) out.push(t)
  }
  return out
}

const MAX_CODE_POINTS = 100

// Letters (with their marks), digits and symbols (emoji, `+`, `#`) stay; anything else separates words.
const separators = /[^\p{L}\p{M}\p{N}\p{S}]+/gu

// Lower case can expose a decomposable letter, so fold Latin accents on both sides of it.
const foldOnce = (s: string): string =>
  Text.foldLatinAccents(Text.foldLatinAccents(s).toLowerCase())
    .replace(separators, "_")
    .replace(/^_+|_+$/g, "")
    .normalize("NFC")

/**
 * The canonical form of a raw tag, for comparing tags across spellings: `normalize`, plus
 * compatibility forms and accents on Latin letters folded (`Facturé` -> `facture`, `ﬁle` -> `file`;
 * kana and Cyrillic keep their marks) and every run of punctuation, whitespace or control
 * characters turned into one `_` (`password-reset`,
 * `Password  Reset!` -> `password_reset`). Letters, digits and symbols such as emoji are kept.
 * Idempotent, and its result is already normalised (`normalize(canonicalize(x)) ===
 * canonicalize(x)`); an empty result means the input was not a usable tag.
 *
 * @category constructors
 * @since 0.1.0
 */
export const canonicalize = (raw: string): string => {
  // Folding can expose characters that fold again (a lowercase that decomposes, a compatibility
  // form that uppercases), so fold to a fixed point; two or three rounds reach it in practice.
  let current = foldOnce(raw)
  for (let round = 0; round < 8; round++) {
    const next = foldOnce(current)
    if (next === current) break
    current = next
  }
  return Array.from(current).slice(0, MAX_CODE_POINTS).join("").replace(/_+$/g, "")
}

/**
 * Canonicalises a list of raw tags, dropping empty ones and duplicates, keeping first-seen order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const canonicalizeAll = (raw: ReadonlyArray<string>): ReadonlyArray<Tag> => {
  const out: Array<Tag> = []
  const seen = new Set<string>()
  for (const r of raw) {
    const t = canonicalize(r)
    if (t.length > 0 && !seen.has(t)) {
      seen.add(t)
      out.push(t as Tag)
    }
  }
  return out
}
