/**
 * The word lists behind the default classifier, in English and French, written for support
 * conversations (billing, outages, waiting) rather than for general text. Terms are plain
 * lowercase words or short phrases; the classifier folds accents and splits on punctuation the
 * same way for terms and messages, so `très` matches `tres` and `aujourd'hui` matches
 * `aujourd hui`. How the lists are applied (negation, intensity, thresholds) is `Classifier`'s job.
 *
 * @since 0.1.0
 */
import * as English from "./lexicon/english.js"
import * as French from "./lexicon/french.js"

/**
 * The languages the default lexicons cover.
 *
 * @category models
 * @since 0.1.0
 */
export type Language = "en" | "fr"

/**
 * A term and its weight. Sentiment weights run from -3 (furious) to 3 (delighted); urgency
 * weights from -3 (explicitly no hurry) to 3 (an outage); a weight of 0 marks a phrase that only
 * stops its words from matching on their own (`best regards`).
 *
 * @category models
 * @since 0.1.0
 */
export type Weighted = readonly [term: string, weight: number]

/**
 * One language's lists. `negators` open a short negation scope, `intensifiers` multiply the next
 * term, and `stopWords` are what language detection counts.
 *
 * @category models
 * @since 0.1.0
 */
export interface Lexicon {
  readonly language: Language
  readonly sentiment: ReadonlyArray<Weighted>
  readonly urgency: ReadonlyArray<Weighted>
  readonly negators: ReadonlyArray<string>
  readonly intensifiers: ReadonlyArray<Weighted>
  readonly stopWords: ReadonlyArray<string>
}

/**
 * English, for support tickets.
 *
 * @category models
 * @since 0.1.0
 */
export const english: Lexicon = {
  language: "en",
  sentiment: English.sentiment,
  urgency: English.urgency,
  negators: English.negators,
  intensifiers: English.intensifiers,
  stopWords: English.stopWords
}

/**
 * French, for support tickets.
 *
 * @category models
 * @since 0.1.0
 */
export const french: Lexicon = {
  language: "fr",
  sentiment: French.sentiment,
  urgency: French.urgency,
  negators: French.negators,
  intensifiers: French.intensifiers,
  stopWords: French.stopWords
}

/**
 * The default lexicon of a language.
 *
 * @category combinators
 * @since 0.1.0
 */
export const forLanguage = (language: Language): Lexicon => (language === "fr" ? french : english)
