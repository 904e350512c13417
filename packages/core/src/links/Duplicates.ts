/**
 * Duplicate suggestions: for a new ticket, the open tickets most likely about the same issue,
 * each with a score and the reasons behind it (same requester or organization, similar subject
 * and text, recency, a different channel). It is pure and reads no clock: time comes from the
 * tickets. Choosing the candidates (a workspace's open, recent tickets) is the store's job, and
 * linking or merging what it finds is the caller's.
 *
 * Each candidate is scored once against the new ticket, whose term vectors are computed once,
 * so a call costs one pass over the candidates' text (capped per ticket).
 *
 * @since 0.1.0
 */
import { DateTime, Duration, Option } from "effect"
import type { Ticket } from "../ticket/Ticket.js"
import type { PublicId, TicketId } from "../values/Ids.js"
import { stem, words } from "../values/Text.js"

/**
 * How much each kind of evidence may add to a score. The two similarities and recency are
 * multiplied by a factor in [0, 1]; same requester and same organization count fully or not at
 * all (same organization only when the requester differs).
 *
 * @category models
 * @since 0.1.0
 */
export interface Weights {
  readonly sameRequester: number
  readonly sameOrganization: number
  readonly subjectSimilarity: number
  readonly textSimilarity: number
  readonly recency: number
}

/**
 * The default weights. They add up to 1 for a ticket from the same requester; the text weighs
 * most, and recency only breaks near ties. Requester plus recency (0.3) stays below the default
 * `minScore` (0.35): a customer with two different problems is not a duplicate.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultWeights: Weights = {
  sameRequester: 0.25,
  sameOrganization: 0.1,
  subjectSimilarity: 0.3,
  textSimilarity: 0.4,
  recency: 0.05
}

/**
 * How far apart (in time) a candidate may be from the new ticket when options do not say.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultWindow: Duration.Duration = Duration.days(14)

/**
 * The score a suggestion needs when options do not say.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultMinScore = 0.35

/**
 * The similarity (subject or text) below which it counts as no evidence at all.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultMinSimilarity = 0.15

/**
 * The number of suggestions returned when options do not say.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultLimit = 10

/**
 * How much text of a ticket is compared, in UTF-16 code units: enough for any real request,
 * and a bound on the cost of one candidate.
 *
 * @category models
 * @since 0.1.0
 */
export const maxTextLength = 20_000

const maxSubjectLength = 1_000

/**
 * Options of `suggest`. `window` is how far a candidate's activity (from its creation to its
 * last update) may be from the new ticket's creation; an input `Duration` cannot read falls back
 * to the default. Weights that are negative or not finite count as 0.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly window?: Duration.Input | undefined
  readonly minScore?: number | undefined
  readonly minSimilarity?: number | undefined
  readonly limit?: number | undefined
  readonly weights?: Partial<Weights> | undefined
}

/**
 * The kinds of evidence a suggestion can give.
 *
 * @category models
 * @since 0.1.0
 */
export type ReasonKind =
  | "same_requester"
  | "same_organization"
  | "similar_subject"
  | "similar_text"
  | "recent"
  | "other_channel"

/**
 * One piece of evidence: its kind, what it adds to the score, and a sentence for the agent.
 * `other_channel` always weighs 0: a change of channel neither proves nor disproves a duplicate,
 * it tells the agent the conversation is scattered.
 *
 * @category models
 * @since 0.1.0
 */
export interface Reason {
  readonly kind: ReasonKind
  readonly weight: number
  readonly detail: string
}

/**
 * A ticket that is probably the same issue: its score (the sum of its reasons' weights,
 * clamped to [0, 1]) and its reasons.
 *
 * @category models
 * @since 0.1.0
 */
export interface Suggestion {
  readonly ticketId: TicketId
  readonly publicId: PublicId
  readonly score: number
  readonly reasons: ReadonlyArray<Reason>
}

// Accent-free, as `Text.words` folds accents before we look words up.
const english =
  "a about after again all am an and any are as at be been before but by can could did do does " +
  "for from had has have he hello her hi his how i if im in into is it its just me my no not of " +
  "on or our please she so than thank thanks that the their them then there these they this to " +
  "too up us very was we were what when which who why will with would you your"
const french =
  "ai au aux avec bonjour ce ces cette dans de des du elle en est et etre eu il ils je la le " +
  "les leur lui ma mais me merci mes moi mon ne nos notre nous on ou par pas pour qu que qui sa " +
  "se ses son sur ta te tes toi ton tu un une vos votre vous ya"
const stopWords: ReadonlySet<string> = new Set([...english.split(" "), ...french.split(" ")])

// "Every 10 minutes" says little; an order number, an error code or a year says a lot.
const isNoise = (word: string): boolean => word.length < 2 || stopWords.has(word) || /^\d{1,2}$/.test(word)

/**
 * The terms a text is compared by: `Text.words` (lowercase, accents folded), without
 * English and French stop words, one-character words and one- or two-digit numbers, each
 * stemmed with `Text.stem`, so `disconnects`, `disconnecting` and `disconnected` meet.
 *
 * @category combinators
 * @since 0.1.0
 */
export const terms = (text: string): ReadonlyArray<string> => termsOf(text, new Map())

/** `terms`, with the stems of one call remembered: ticket text repeats its words a lot. */
const termsOf = (text: string, stems: Map<string, string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const word of words(text)) {
    if (isNoise(word)) continue
    let term = stems.get(word)
    if (term === undefined) {
      term = stem(word)
      stems.set(word, term)
    }
    out.push(term)
  }
  return out
}

/** A sparse vector sorted by term, with its squared norm summed in that same order. */
interface Vector {
  readonly terms: ReadonlyArray<string>
  readonly weights: ReadonlyArray<number>
  readonly squaredNorm: number
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

// Sublinear term frequency: a word said ten times is stronger evidence, not ten times stronger.
const vectorOf = (tokens: ReadonlyArray<string>, binary: boolean): Vector => {
  const counts = new Map<string, number>()
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1)
  const sorted = Array.from(counts.keys()).sort(byCodeUnits)
  const weights = sorted.map((term) => (binary ? 1 : 1 + Math.log(counts.get(term) ?? 1)))
  let squaredNorm = 0
  for (const w of weights) squaredNorm += w * w
  return { terms: sorted, weights, squaredNorm }
}

interface Shared {
  readonly term: string
  readonly product: number
}

/** Dot product by merging two sorted vectors: symmetric, and exact for a vector with itself. */
const dot = (a: Vector, b: Vector, shared?: Array<Shared>): number => {
  let sum = 0
  let i = 0
  let j = 0
  while (i < a.terms.length && j < b.terms.length) {
    const ta = a.terms[i] as string
    const tb = b.terms[j] as string
    if (ta === tb) {
      const product = (a.weights[i] as number) * (b.weights[j] as number)
      sum += product
      shared?.push({ term: ta, product })
      i++
      j++
    } else if (ta < tb) i++
    else j++
  }
  return sum
}

// sqrt(n * n) is exactly n in binary floating point, so a vector's cosine with itself is exactly 1.
const cosine = (a: Vector, b: Vector, shared?: Array<Shared>): number =>
  a.squaredNorm === 0 || b.squaredNorm === 0
    ? 0
    : Math.min(1, Math.max(0, dot(a, b, shared) / Math.sqrt(a.squaredNorm * b.squaredNorm)))

/**
 * The cosine similarity of two texts' term-frequency vectors (see `terms`), in [0, 1] and
 * symmetric; 1 for a text with itself, 0 when either has no terms.
 *
 * @category combinators
 * @since 0.1.0
 */
export const similarity = (a: string, b: string): number => cosine(vectorOf(terms(a), false), vectorOf(terms(b), false))

/** The conversation a requester and agents share: the description, then later public messages. */
const conversation = (ticket: Ticket): string => {
  const publicMessages = ticket.messages.filter((m) => m.visibility === "public")
  const first = publicMessages[0]
  const later = first !== undefined && first.text === ticket.description ? publicMessages.slice(1) : publicMessages
  let text = ticket.description.slice(0, maxTextLength)
  for (const message of later) {
    if (text.length >= maxTextLength) break
    text += `\n${message.text.slice(0, maxTextLength - text.length - 1)}`
  }
  return text
}

interface Profile {
  readonly subject: Vector
  readonly text: Vector
}

const profileOf = (ticket: Ticket, stems: Map<string, string>): Profile => ({
  subject: vectorOf(termsOf(ticket.subject.slice(0, maxSubjectLength), stems), true),
  text: vectorOf(termsOf(conversation(ticket), stems), false)
})

/** The first way each term was written in a text, to show people words rather than stems. */
const surfaceForms = (text: string): ReadonlyMap<string, string> => {
  const forms = new Map<string, string>()
  for (const word of words(text)) {
    if (isNoise(word)) continue
    const term = stem(word)
    if (!forms.has(term)) forms.set(term, word)
  }
  return forms
}

const sharedWords = (shared: ReadonlyArray<Shared>, forms: ReadonlyMap<string, string>): string =>
  [...shared]
    .sort((a, b) => b.product - a.product || byCodeUnits(a.term, b.term))
    .slice(0, 5)
    .map((s) => forms.get(s.term) ?? s.term)
    .join(", ")

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

const span = (millis: number): string => {
  if (millis < minute) return "less than a minute"
  if (millis < hour) return `${Math.round(millis / minute)} min`
  if (millis < 2 * day) return `${Math.round(millis / hour)} h`
  return `${Math.round(millis / day)} days`
}

const millisOf = DateTime.toEpochMillis

const weightOf = (value: number | undefined, fallback: number): number =>
  value === undefined ? fallback : Number.isFinite(value) && value > 0 ? value : 0

const resolveWeights = (partial: Partial<Weights> | undefined): Weights => ({
  sameRequester: weightOf(partial?.sameRequester, defaultWeights.sameRequester),
  sameOrganization: weightOf(partial?.sameOrganization, defaultWeights.sameOrganization),
  subjectSimilarity: weightOf(partial?.subjectSimilarity, defaultWeights.subjectSimilarity),
  textSimilarity: weightOf(partial?.textSimilarity, defaultWeights.textSimilarity),
  recency: weightOf(partial?.recency, defaultWeights.recency)
})

const windowMillis = (input: Duration.Input | undefined): number =>
  Duration.toMillis(
    input === undefined ? defaultWindow : Option.getOrElse(Duration.fromInput(input), () => defaultWindow)
  )

const isLinked = (ticket: Ticket, candidate: Ticket): boolean =>
  ticket.links.some((l) => l.ticketId === candidate.id) || candidate.links.some((l) => l.ticketId === ticket.id)

interface Ranked {
  readonly suggestion: Suggestion
  readonly updatedAt: number
}

const compareRanked = (a: Ranked, b: Ranked): number =>
  b.suggestion.score - a.suggestion.score ||
  b.updatedAt - a.updatedAt ||
  byCodeUnits(a.suggestion.ticketId, b.suggestion.ticketId)

/**
 * Ranks the candidates that are probably the same issue as `ticket`. Never suggested: the
 * ticket itself, solved or closed tickets, another workspace's, tickets already linked to it
 * either way, and tickets whose activity lies outside the window. A suggestion needs a similar
 * subject or text (at least `minSimilarity`) and a score of at least `minScore`; the list is
 * sorted by score, then most recently updated, then id, and holds at most `limit` tickets.
 *
 * @example
 * ```ts
 * const [first] = Duplicates.suggest(chat, [email, invoice], { window: "7 days" })
 * first?.reasons.map((r) => r.kind) // ["same_requester", "similar_subject", "similar_text", "recent", "other_channel"]
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const suggest = (
  ticket: Ticket,
  candidates: Iterable<Ticket>,
  options: Options = {}
): ReadonlyArray<Suggestion> => {
  const weights = resolveWeights(options.weights)
  const window = windowMillis(options.window)
  const minScore = options.minScore ?? defaultMinScore
  const minSimilarity = options.minSimilarity ?? defaultMinSimilarity
  const limit = Math.max(0, Math.floor(options.limit ?? defaultLimit))
  if (limit === 0) return []

  const at = millisOf(ticket.createdAt)
  const stems = new Map<string, string>()
  const own = profileOf(ticket, stems)
  // Computed once, and only if a candidate gets that far.
  let subjectForms: ReadonlyMap<string, string> | undefined
  let textForms: ReadonlyMap<string, string> | undefined

  const ranked: Array<Ranked> = []
  for (const candidate of candidates) {
    if (candidate.id === ticket.id || candidate.workspaceId !== ticket.workspaceId) continue
    if (candidate.category === "solved" || candidate.category === "closed") continue
    if (isLinked(ticket, candidate)) continue
    const from = millisOf(candidate.createdAt)
    const to = Math.max(from, millisOf(candidate.updatedAt))
    const distance = at < from ? from - at : at > to ? at - to : 0
    if (!(distance <= window)) continue

    const profile = profileOf(candidate, stems)
    const sharedSubject: Array<Shared> = []
    const sharedText: Array<Shared> = []
    const subjectSimilarity = cosine(own.subject, profile.subject, sharedSubject)
    const textSimilarity = cosine(own.text, profile.text, sharedText)
    const similarSubject = subjectSimilarity >= minSimilarity && subjectSimilarity > 0
    const similarText = textSimilarity >= minSimilarity && textSimilarity > 0
    if (!similarSubject && !similarText) continue

    const reasons: Array<Reason> = []
    if (candidate.requester === ticket.requester) {
      reasons.push({
        kind: "same_requester",
        weight: weights.sameRequester,
        detail: `same requester (contact ${ticket.requester})`
      })
    } else if (ticket.organization !== undefined && candidate.organization === ticket.organization) {
      reasons.push({
        kind: "same_organization",
        weight: weights.sameOrganization,
        detail: `same organization (${ticket.organization}), another requester (contact ${candidate.requester})`
      })
    }
    if (similarSubject) {
      subjectForms ??= surfaceForms(ticket.subject.slice(0, maxSubjectLength))
      reasons.push({
        kind: "similar_subject",
        weight: weights.subjectSimilarity * subjectSimilarity,
        detail: `subject ${Math.round(subjectSimilarity * 100)}% similar: shared words ${sharedWords(sharedSubject, subjectForms)}`
      })
    }
    if (similarText) {
      textForms ??= surfaceForms(conversation(ticket))
      reasons.push({
        kind: "similar_text",
        weight: weights.textSimilarity * textSimilarity,
        detail: `text ${Math.round(textSimilarity * 100)}% similar: shared words ${sharedWords(sharedText, textForms)}`
      })
    }
    const freshness = window === Number.POSITIVE_INFINITY || window <= 0 ? 1 : 1 - distance / window
    if (freshness > 0 && weights.recency > 0) {
      reasons.push({
        kind: "recent",
        weight: weights.recency * freshness,
        detail:
          distance === 0
            ? "still active when this one was opened"
            : at > to
              ? `last active ${span(distance)} before this one was opened`
              : `opened ${span(distance)} after this one`
      })
    }
    if (candidate.channel !== ticket.channel) {
      const gap = at - from
      const when = gap === 0 ? "at the same time" : gap > 0 ? `${span(gap)} before` : `${span(-gap)} after`
      reasons.push({
        kind: "other_channel",
        weight: 0,
        detail: `opened by ${candidate.channel} ${when}; this one came by ${ticket.channel}`
      })
    }

    let sum = 0
    for (const reason of reasons) sum += reason.weight
    const score = Math.min(1, Math.max(0, sum))
    if (!(score >= minScore)) continue
    ranked.push({
      suggestion: { ticketId: candidate.id, publicId: candidate.publicId, score, reasons },
      updatedAt: millisOf(candidate.updatedAt)
    })
  }

  ranked.sort(compareRanked)
  const out: Array<Suggestion> = []
  const seen = new Set<string>()
  for (const { suggestion } of ranked) {
    // The same ticket given twice (two versions of it) is suggested once, at its best.
    if (seen.has(suggestion.ticketId)) continue
    seen.add(suggestion.ticketId)
    out.push(suggestion)
    if (out.length >= limit) break
  }
  return out
}
