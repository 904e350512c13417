/**
 * The monthly tag drift report: over a set of tickets, the tags the taxonomy does not know,
 * near-duplicates (`billing`, `Billing `, `biling`, `billings`) grouped with counts and a
 * suggested canonical tag, rarely used tags and unused taxonomy tags. It only reports; renaming
 * tags on tickets is left to the caller (with `TagPolicy` aliases, for instance).
 *
 * Near-duplicates are found without comparing every pair of tags. Raw spellings are first merged
 * by `Tag.canonicalize`; canonical tags sharing a stem (`stem`: a suffix stripper for English and
 * French plurals, -ing, -ed) are linked through one hash map; and edit-distance candidates come
 * from a deletion index (as in SymSpell): each tag is indexed under every string obtained by
 * deleting up to `k` of its characters after the first, and two tags within distance `k` always
 * share one such string, so only tags that share one are compared. The cost is linear in the
 * number of distinct tags times their deletion neighbourhood (about `L²/2` for `k = 2`).
 *
 * @since 0.1.0
 */
import type { Tag } from "../values/Tag.js"
import { canonicalize } from "../values/Tag.js"
import * as Text from "../values/Text.js"
import * as TagPolicy from "./TagPolicy.js"

/**
 * What the audit reads of a ticket; core's `Ticket` and `TicketQuery.TicketSummary` fit.
 *
 * @category models
 * @since 0.1.0
 */
export interface TaggedTicket {
  readonly id: string
  readonly tags: ReadonlyArray<string>
}

/**
 * A tag and the number of tickets that carry it.
 *
 * @category models
 * @since 0.1.0
 */
export interface TagCount {
  readonly tag: string
  readonly count: number
}

/**
 * Spellings that are probably one tag: each raw spelling seen with its ticket count (most used
 * first), their total, and the suggested canonical tag (the canonical form of the most used).
 *
 * @category models
 * @since 0.1.0
 */
export interface NearDuplicates {
  readonly suggested: Tag
  readonly total: number
  readonly variants: ReadonlyArray<TagCount>
}

/**
 * The drift report. Counts are tickets, not occurrences. `tags`, `unknown`, `rare` and `unused`
 * speak of tags as the policy resolves them (canonical, aliases followed); `nearDuplicates`
 * shows raw spellings.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  readonly tickets: number
  /** Every tag in use, most used first. */
  readonly tags: ReadonlyArray<TagCount>
  /** Tags in use the taxonomy does not know (empty without a taxonomy), most used first. */
  readonly unknown: ReadonlyArray<TagCount>
  readonly nearDuplicates: ReadonlyArray<NearDuplicates>
  /** Tags on fewer than `rareBelow` tickets, least used first. */
  readonly rare: ReadonlyArray<TagCount>
  /** Taxonomy tags no ticket carries, sorted. */
  readonly unused: ReadonlyArray<Tag>
}

/**
 * Audit options: the policy to audit against (default `TagPolicy.empty`) and the count below
 * which a tag is rare (default 5).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly policy?: TagPolicy.TagPolicy | undefined
  readonly rareBelow?: number | undefined
}

/**
 * A simple stem of a canonical tag, word by word (`_` separates words), each word stemmed by
 * `Text.stem`: `billings`, `billing` and `bill` share `bill`; `password_resets` stems to
 * `password_reset`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const stem = (tag: string): string => tag.split("_").map(Text.stem).join("_")

/**
 * The edit distance allowed between two tags, from the shorter one's length in code points:
 * none up to 3 (`vpn` and `vip` are different tags), 1 up to 7, 2 beyond.
 *
 * @category combinators
 * @since 0.1.0
 */
export const allowedDistance = (length: number): number => (length <= 3 ? 0 : length <= 7 ? 1 : 2)

/** Levenshtein distance over code points, or `max + 1` as soon as it exceeds `max`. */
const boundedDistance = (a: ReadonlyArray<string>, b: ReadonlyArray<string>, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost
      )
      current.push(value)
      if (value < rowMin) rowMin = value
    }
    if (rowMin > max) return max + 1
    previous = current
  }
  return previous[b.length] as number
}

const digitsOf = (tag: string): string => tag.replace(/\D+/g, " ").trim()

/**
 * Whether two canonical tags look like one: the same digits (`windows_10` and `windows_11`
 * differ), the same first character, and either the same stem or an edit distance within
 * `allowedDistance` of the shorter one. The audit applies this rule, except that it never
 * pairs two taxonomy tags: the taxonomy says they differ.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isNearDuplicate = (a: string, b: string): boolean => {
  if (a === b) return true
  if (digitsOf(a) !== digitsOf(b)) return false
  if (stem(a) === stem(b)) return true
  const ca = Array.from(a)
  const cb = Array.from(b)
  if (ca[0] !== cb[0]) return false
  const k = allowedDistance(Math.min(ca.length, cb.length))
  return k > 0 && boundedDistance(ca, cb, k) <= k
}

/** Every string made by deleting up to `k` code points after the first, the first kept. */
const deletions = (chars: ReadonlyArray<string>, k: number): Set<string> => {
  const whole = chars.join("")
  // Plain string slicing when every code point is one UTF-16 unit (nearly every tag).
  const simple = whole.length === chars.length
  const out = new Set<string>([whole])
  let frontier: Array<string | ReadonlyArray<string>> = [simple ? whole : chars]
  for (let round = 0; round < k; round++) {
    const nextFrontier: Array<string | ReadonlyArray<string>> = []
    for (const word of frontier) {
      for (let i = 1; i < word.length; i++) {
        const shorter =
          typeof word === "string" ? word.slice(0, i) + word.slice(i + 1) : [...word.slice(0, i), ...word.slice(i + 1)]
        const key = typeof shorter === "string" ? shorter : shorter.join("")
        if (!out.has(key)) {
          out.add(key)
          nextFrontier.push(shorter)
        }
      }
    }
    frontier = nextFrontier
  }
  return out
}

const byCountDesc = (a: TagCount, b: TagCount) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)

/**
 * Audits the tags of a set of tickets against a policy.
 *
 * @category combinators
 * @since 0.1.0
 */
export const audit = (tickets: Iterable<TaggedTicket>, options: Options = {}): Report => {
  const policy = options.policy ?? TagPolicy.empty
  const rareBelow = options.rareBelow ?? 5

  let ticketCount = 0
  const rawCounts = new Map<string, number>()
  const canonicalCounts = new Map<Tag, number>()
  const resolvedCounts = new Map<Tag, number>()
  const spellings = new Map<Tag, Set<string>>()
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)
  for (const ticket of tickets) {
    ticketCount++
    const raws = new Set<string>()
    const canonicals = new Set<Tag>()
    const resolved = new Set<Tag>()
    for (const raw of ticket.tags) {
      const canonical = canonicalize(raw) as Tag
      if (canonical === "") continue
      raws.add(raw)
      canonicals.add(canonical)
      resolved.add(policy.aliases.get(canonical) ?? canonical)
      const forms = spellings.get(canonical)
      if (forms === undefined) spellings.set(canonical, new Set([raw]))
      else forms.add(raw)
    }
    for (const raw of raws) bump(rawCounts, raw)
    for (const canonical of canonicals) bump(canonicalCounts, canonical)
    for (const tag of resolved) bump(resolvedCounts, tag)
  }

  // Union-find over canonical tags. Aliases are left out: the policy already rewrites them.
  const candidates = [...canonicalCounts.keys()].filter((t) => !policy.aliases.has(t))
  const parent = new Map<Tag, Tag>(candidates.map((t) => [t, t]))
  const find = (t: Tag): Tag => {
    let root = t
    while (parent.get(root) !== root) root = parent.get(root) as Tag
    let cursor = t
    while (cursor !== root) {
      const up = parent.get(cursor) as Tag
      parent.set(cursor, root)
      cursor = up
    }
    return root
  }
  const known = (t: Tag) => policy.taxonomy?.has(t) === true
  const link = (a: Tag, b: Tag) => {
    if (known(a) && known(b)) return
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent.set(ra, rb)
  }

  const byStem = new Map<string, Array<Tag>>()
  const byDeletion = new Map<string, Array<Tag>>()
  for (const tag of candidates) {
    const s = stem(tag)
    const sameStem = byStem.get(s)
    if (sameStem === undefined) byStem.set(s, [tag])
    else {
      for (const other of sameStem) link(tag, other)
      sameStem.push(tag)
    }
    const chars = Array.from(tag)
    const k = allowedDistance(chars.length)
    if (k === 0) continue
    const compared = new Set<Tag>()
    for (const variant of deletions(chars, k)) {
      const bucket = byDeletion.get(variant)
      if (bucket === undefined) {
        byDeletion.set(variant, [tag])
        continue
      }
      for (const other of bucket) {
        if (compared.has(other)) continue
        compared.add(other)
        if (isNearDuplicate(tag, other)) link(tag, other)
      }
      bucket.push(tag)
    }
  }

  const components = new Map<Tag, Array<Tag>>()
  for (const tag of candidates) {
    const root = find(tag)
    const members = components.get(root)
    if (members === undefined) components.set(root, [tag])
    else members.push(tag)
  }
  const nearDuplicates: Array<NearDuplicates> = []
  for (const members of components.values()) {
    const variants = members
      .flatMap((t) => [...(spellings.get(t) ?? [])].map((raw) => ({ tag: raw, count: rawCounts.get(raw) ?? 0 })))
      .sort(byCountDesc)
    if (variants.length < 2) continue
    const suggested = members
      .map((t) => ({ tag: t, count: canonicalCounts.get(t) ?? 0 }))
      .sort((a, b) => b.count - a.count || Number(known(b.tag)) - Number(known(a.tag)) || byCountDesc(a, b))[0]
      ?.tag as Tag
    nearDuplicates.push({ suggested, total: variants.reduce((n, v) => n + v.count, 0), variants })
  }
  nearDuplicates.sort((a, b) => b.total - a.total || (a.suggested < b.suggested ? -1 : 1))

  const tags = [...resolvedCounts].map(([tag, count]) => ({ tag, count })).sort(byCountDesc)
  const taxonomy = policy.taxonomy
  return {
    tickets: ticketCount,
    tags,
    unknown: taxonomy === undefined ? [] : tags.filter((t) => !taxonomy.has(t.tag as Tag)),
    nearDuplicates,
    rare: tags.filter((t) => t.count < rareBelow).sort((a, b) => a.count - b.count || byCountDesc(a, b)),
    unused: taxonomy === undefined ? [] : [...taxonomy].filter((t) => !resolvedCounts.has(t)).sort()
  }
}
