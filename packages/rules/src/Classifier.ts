/**
 * The classifier port, and a default that reads sentiment and urgency from word lists in English
 * and French, so that stressful tickets (angry, or about an outage) can be tagged and routed to
 * senior agents. The default is a lexicon, not a model: it sees words, short phrases, negation,
 * intensifiers and shouting, and misses sarcasm and anything its lists lack. A model-backed
 * classifier is another implementation of the same service.
 *
 * @since 0.1.0
 */
import { Tag, Text } from "@tessera/core"
import { Context, Effect, Layer } from "effect"
import * as Lexicon from "./Lexicon.js"

/**
 * A term that counted, with the weight it contributed after negation and intensity.
 *
 * @category models
 * @since 0.1.0
 */
export interface Match {
  readonly term: string
  readonly weight: number
  readonly kind: "sentiment" | "urgency"
}

/**
 * What a classifier says about a text. `sentimentScore` runs from -1 to 1 and `urgencyScore` is
 * the sum of urgency weights; the labels follow from them by `thresholds`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Classification {
  readonly sentiment: "negative" | "neutral" | "positive"
  readonly sentimentScore: number
  readonly urgency: "low" | "normal" | "high"
  readonly urgencyScore: number
  readonly matched: ReadonlyArray<Match>
  readonly language: Lexicon.Language
}

/**
 * The classifier port.
 *
 * @category services
 * @since 0.1.0
 */
export class Classifier extends Context.Service<
  Classifier,
  {
    /** Classifies a text; without a language, the classifier detects one. */
    readonly classify: (text: string, language?: Lexicon.Language) => Effect.Effect<Classification>
  }
>()("@tessera/rules/Classifier") {}

/**
 * Where the labels change: a sentiment score at or beyond ±`sentiment` is negative or positive;
 * an urgency score at or above `urgencyHigh` is high, at or below `urgencyLow` low.
 *
 * @category models
 * @since 0.1.0
 */
export const thresholds = { sentiment: 0.3, urgencyHigh: 3, urgencyLow: -1 } as const

/**
 * Options of the pure `classify`: a fixed language (skips detection) and lexicons to use
 * instead of the defaults.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly language?: Lexicon.Language
  readonly lexicons?: Readonly<Partial<Record<Lexicon.Language, Lexicon.Lexicon>>>
}

// --- compiling a lexicon into a phrase index ---------------------------------------------------------

type Action =
  | { readonly kind: "sentiment" | "urgency"; readonly weight: number }
  | { readonly kind: "negator" }
  | { readonly kind: "intensifier"; readonly factor: number }

interface Phrase {
  readonly term: string
  readonly words: ReadonlyArray<string>
  readonly effects: ReadonlyArray<Action>
  /** Contains a negator itself ("not working", "pas mal"): no outer negation applies. */
  readonly fixed: boolean
}

interface Compiled {
  readonly byFirstWord: ReadonlyMap<string, ReadonlyArray<Phrase>>
  readonly stopWords: ReadonlySet<string>
}

const compile = (lexicon: Lexicon.Lexicon): Compiled => {
  const negators = new Set(lexicon.negators.flatMap((n) => Text.words(n)))
  const phrases = new Map<string, { words: ReadonlyArray<string>; effects: Array<Action> }>()
  const add = (term: string, effect: Action) => {
    const words = Text.words(term)
    if (words.length === 0) return
    const key = words.join(" ")
    const entry = phrases.get(key) ?? { words, effects: [] }
    entry.effects.push(effect)
    phrases.set(key, entry)
  }
  for (const [term, weight] of lexicon.sentiment) add(term, { kind: "sentiment", weight })
  for (const [term, weight] of lexicon.urgency) add(term, { kind: "urgency", weight })
  for (const term of lexicon.negators) add(term, { kind: "negator" })
  for (const [term, factor] of lexicon.intensifiers) add(term, { kind: "intensifier", factor })
  const byFirstWord = new Map<string, Array<Phrase>>()
  for (const [term, { words, effects }] of phrases) {
    const [first] = words
    if (first === undefined) continue
    const list = byFirstWord.get(first) ?? []
    list.push({ term, words, effects, fixed: words.length > 1 && words.some((w) => negators.has(w)) })
    byFirstWord.set(first, list)
  }
  // Longest phrase first, so "pas mal de" wins over "pas mal", which wins over "pas".
  for (const list of byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length)
  return { byFirstWord, stopWords: new Set(lexicon.stopWords.flatMap((w) => Text.words(w))) }
}

const compiledCache = new WeakMap<Lexicon.Lexicon, Compiled>()

const compiled = (lexicon: Lexicon.Lexicon): Compiled => {
  const cached = compiledCache.get(lexicon)
  if (cached !== undefined) return cached
  const fresh = compile(lexicon)
  compiledCache.set(lexicon, fresh)
  return fresh
}

// --- reading a text ------------------------------------------------------------------------------------

interface Token {
  readonly word: string
  readonly shouted: boolean
}

interface Clause {
  readonly tokens: ReadonlyArray<Token>
  /** The clause ends in two or more exclamation marks. */
  readonly exclaimed: boolean
}

// A word in capitals (two letters or more) is shouting; "I" and "A" are not.
const isShouted = (raw: string): boolean =>
  (raw.match(/\p{L}/gu)?.length ?? 0) >= 2 && raw === raw.toUpperCase() && raw !== raw.toLowerCase()

const clausesOf = (text: string): ReadonlyArray<Clause> => {
  // English contractions become words the lists know; French elisions ("n'", "l'") split on the
  // apostrophe like any other punctuation.
  const expanded = text
    .replace(/\bcan['’]t\b/giu, "cannot")
    .replace(/\bwon['’]t\b/giu, "will not")
    .replace(/n['’]t(?![\p{L}\p{N}])/giu, " not")
  const pieces = expanded.split(/([.!?;:,\n\r\u3002\uff01\uff1f]+)/u)
  const out: Array<Clause> = []
  for (let i = 0; i < pieces.length; i += 2) {
    const tokens: Array<Token> = []
    for (const raw of (pieces[i] ?? "").split(/[^\p{L}\p{M}\p{N}]+/u)) {
      if (raw.length === 0) continue
      const shouted = isShouted(raw)
      for (const word of Text.words(raw)) tokens.push({ word, shouted })
    }
    if (tokens.length > 0) out.push({ tokens, exclaimed: /[!\uff01]{2,}/u.test(pieces[i + 1] ?? "") })
  }
  return out
}

/**
 * The language of a text by its stop words: French when it has more French than English ones,
 * English otherwise (including a tie, and a text with none).
 *
 * @category combinators
 * @since 0.1.0
 */
export const detectLanguage = (text: string, options: Pick<Options, "lexicons"> = {}): Lexicon.Language => {
  const en = compiled(options.lexicons?.en ?? Lexicon.english).stopWords
  const fr = compiled(options.lexicons?.fr ?? Lexicon.french).stopWords
  let score = 0
  for (const clause of clausesOf(text)) {
    for (const { word } of clause.tokens) score += (fr.has(word) ? 1 : 0) - (en.has(word) ? 1 : 0)
  }
  return score > 0 ? "fr" : "en"
}

// --- scoring ---------------------------------------------------------------------------------------------

const NEGATION_SCOPE = 3
const INTENSIFIER_SCOPE = 2
const SHOUT_BOOST = 1.25
const EXCLAIM_BOOST = 1.25
// "not great" is clearly negative; "not terrible" is faint praise at best.
const NEGATED_POSITIVE = -0.75
const NEGATED_NEGATIVE = -0.5
// Maps any sum of weights into (-1, 1): one strong word (±3) gives ±0.61, one mild word (±1) ±0.25.
const SQUASH = 15

const round = (n: number): number => Math.round(n * 1000) / 1000

const isScored = (a: Action): a is Extract<Action, { readonly kind: "sentiment" | "urgency" }> =>
  a.kind === "sentiment" || a.kind === "urgency"

const matchAt = (index: Compiled, tokens: ReadonlyArray<Token>, at: number): Phrase | undefined => {
  const first = tokens[at]
  if (first === undefined) return undefined
  return index.byFirstWord.get(first.word)?.find((p) => p.words.every((w, k) => tokens[at + k]?.word === w))
}

const scoreClause = (index: Compiled, clause: Clause, matched: Array<Match>): void => {
  const { tokens } = clause
  let negation = 0
  let intensity = 1
  let intensityLeft = 0
  let at = 0
  while (at < tokens.length) {
    const phrase = matchAt(index, tokens, at)
    if (phrase === undefined) {
      negation = Math.max(0, negation - 1)
      intensityLeft = Math.max(0, intensityLeft - 1)
      at += 1
      continue
    }
    const span = phrase.words.length
    const scored = phrase.effects.filter(isScored)
    if (scored.length === 0) {
      for (const e of phrase.effects) {
        if (e.kind === "negator") negation = NEGATION_SCOPE
        if (e.kind === "intensifier") {
          intensity = e.factor
          intensityLeft = INTENSIFIER_SCOPE
        }
      }
      at += span
      continue
    }
    const shouted = tokens.slice(at, at + span).some((t) => t.shouted)
    const factor =
      (intensityLeft > 0 ? intensity : 1) * (shouted ? SHOUT_BOOST : 1) * (clause.exclaimed ? EXCLAIM_BOOST : 1)
    const negated = negation > 0 && !phrase.fixed
    for (const e of scored) {
      if (e.weight === 0) continue
      const flip = negated ? (e.weight > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE) : 1
      matched.push({ term: phrase.term, weight: round(e.weight * factor * flip), kind: e.kind })
    }
    intensityLeft = 0
    negation = phrase.fixed ? 0 : Math.max(0, negation - span)
    at += span
  }
}

const sentimentLabel = (score: number): Classification["sentiment"] =>
  score <= -thresholds.sentiment ? "negative" : score >= thresholds.sentiment ? "positive" : "neutral"

const urgencyLabel = (score: number): Classification["urgency"] =>
  score >= thresholds.urgencyHigh ? "high" : score <= thresholds.urgencyLow ? "low" : "normal"

/**
 * Classifies a text with the lexicons, purely: the same text and options always give the same
 * classification.
 *
 * @example
 * ```ts
 * const c = Classifier.classify("This is UNACCEPTABLE!!! Production is down, fix it ASAP.")
 * // c.sentiment === "negative", c.urgency === "high", c.language === "en"
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const classify = (text: string, options: Options = {}): Classification => {
  const language = options.language ?? detectLanguage(text, options)
  const index = compiled(options.lexicons?.[language] ?? Lexicon.forLanguage(language))
  const matched: Array<Match> = []
  for (const clause of clausesOf(text)) scoreClause(index, clause, matched)
  let sentimentSum = 0
  let urgencySum = 0
  for (const m of matched) {
    if (m.kind === "sentiment") sentimentSum += m.weight
    else urgencySum += m.weight
  }
  const squashed = sentimentSum / Math.sqrt(sentimentSum * sentimentSum + SQUASH)
  // Guards the bounds against a sum too large to square (only a custom lexicon could get there).
  const sentimentScore = round(Number.isFinite(squashed) ? squashed : Math.sign(sentimentSum))
  const urgencyScore = round(urgencySum)
  return {
    sentiment: sentimentLabel(sentimentScore),
    sentimentScore,
    urgency: urgencyLabel(urgencyScore),
    urgencyScore,
    matched,
    language
  }
}

/**
 * Tags for a classification, to apply by rules: `sentiment:negative` or `sentiment:positive`,
 * and `urgency:high` or `urgency:low`. Neutral sentiment and normal urgency add none.
 *
 * @category combinators
 * @since 0.1.0
 */
export const tagsFor = (classification: Classification): ReadonlyArray<Tag.Tag> => {
  const tags: Array<string> = []
  if (classification.sentiment !== "neutral") tags.push(`sentiment:${classification.sentiment}`)
  if (classification.urgency !== "normal") tags.push(`urgency:${classification.urgency}`)
  return Tag.normalizeAll(tags)
}

/**
 * Whether a ticket reads as stressful (negative or highly urgent): routing rules commonly send
 * those to senior agents.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isStressful = (classification: Classification): boolean =>
  classification.sentiment === "negative" || classification.urgency === "high"

/**
 * A lexicon classifier with other options (lexicons of your own); `classify`'s language argument
 * overrides `options.language`.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerLexiconWith = (options: Options): Layer.Layer<Classifier> =>
  Layer.succeed(
    Classifier,
    Classifier.of({
      classify: (text, language) =>
        Effect.sync(() => classify(text, language === undefined ? options : { ...options, language }))
    })
  )

/**
 * The default classifier: the English and French lexicons, language detected when not given.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerLexicon: Layer.Layer<Classifier> = layerLexiconWith({})
