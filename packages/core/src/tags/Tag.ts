/**
 * Tag normalisation, so that `Billing`, ` billing ` and `billing` are one tag. Tags are
 * lowercase, trimmed, with inner whitespace turned into `_`. Aliases, accents and taxonomies
 * build on top of this.
 */
import { Schema } from "effect"

/**
 * A normalised tag.
 *
 * @category models
 * @since 0.1.0
 */
export const Tag = Schema.String.check(Schema.isPattern(/^[^\s,A-Z]+$/)).pipe(Schema.brand("Tag"))
/** @category models @since 0.1.0 */
export type Tag = typeof Tag.Type

/**
 * Normalises a raw tag; an empty result means the input was not a usable tag.
 *
 * @category constructors
 * @since 0.1.0
 */
export const normalize = (raw: string): string => {
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
