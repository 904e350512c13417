/**
 * Satisfaction ratings as customers give them in a survey: CSAT (good/bad, or 1 to 5) and NPS
 * (0 to 10), each with an optional comment, and the claims of a survey link once a verifier has
 * checked its signature and expiry. How a link is signed is left to the application (see
 * `@tessera/notify`'s `SurveyToken`); core checks the claims against the ticket it rates.
 */
import { Effect, Schema } from "effect"

/**
 * A CSAT rating: `good` / `bad`, or a score from 1 (very unsatisfied) to 5 (very satisfied).
 *
 * @category models
 * @since 0.1.0
 */
export const CsatRating = Schema.Struct({
  kind: Schema.Literal("csat"),
  score: Schema.Union([
    Schema.Literals(["good", "bad"]),
    Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 }))
  ])
})
/** @category models @since 0.1.0 */
export type CsatRating = typeof CsatRating.Type

/**
 * An NPS answer: how likely (0 to 10) the customer is to recommend the product.
 *
 * @category models
 * @since 0.1.0
 */
export const NpsRating = Schema.Struct({
  kind: Schema.Literal("nps"),
  score: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 10 }))
})
/** @category models @since 0.1.0 */
export type NpsRating = typeof NpsRating.Type

/**
 * A rating of either kind.
 *
 * @category models
 * @since 0.1.0
 */
export const Rating = Schema.Union([CsatRating, NpsRating])
/** @category models @since 0.1.0 */
export type Rating = typeof Rating.Type

/**
 * A survey's id: one rating per survey on a ticket, a later answer to the same survey changes it.
 *
 * @category models
 * @since 0.1.0
 */
export const SurveyId = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500))
/** @category models @since 0.1.0 */
export type SurveyId = typeof SurveyId.Type

/**
 * A rating's comment: at most 2,000 characters.
 *
 * @category models
 * @since 0.1.0
 */
export const Comment = Schema.String.check(Schema.isMaxLength(2000))

/**
 * What a rating says, in three words rules and reports share: `good` (CSAT good, 4 or 5; an NPS
 * promoter, 9 or 10), `bad` (CSAT bad, 1 or 2; an NPS detractor, 0 to 6) or `neutral` (CSAT 3;
 * an NPS passive, 7 or 8).
 *
 * @category models
 * @since 0.1.0
 */
export type Verdict = "good" | "neutral" | "bad"

/**
 * The verdict of a rating.
 *
 * @category combinators
 * @since 0.1.0
 */
export const verdict = (rating: Rating): Verdict => {
  if (rating.kind === "nps") return rating.score >= 9 ? "good" : rating.score >= 7 ? "neutral" : "bad"
  const score = rating.score
  if (score === "good" || score === "bad") return score
  return score >= 4 ? "good" : score === 3 ? "neutral" : "bad"
}

/**
 * Whether two ratings say the same thing.
 *
 * @category predicates
 * @since 0.1.0
 */
export const sameRating = (a: Rating, b: Rating): boolean => a.kind === b.kind && a.score === b.score

/**
 * What a verified survey link says: the ticket of which workspace may be rated by whom
 * (`recipient`: a contact id, or an address of a contact on the ticket), until `expiresAt`
 * (epoch milliseconds), and which survey it answers (absent: the ticket's one survey for that
 * recipient).
 *
 * @category models
 * @since 0.1.0
 */
export const SurveyClaims = Schema.Struct({
  workspaceId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  ticketId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  recipient: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320)),
  expiresAt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  survey: Schema.optionalKey(SurveyId)
})
/** @category models @since 0.1.0 */
export type SurveyClaims = typeof SurveyClaims.Type

/**
 * A survey link was refused: `malformed` (no token of ours), `signature` (altered or signed
 * elsewhere), `expired`, or `mismatch` (genuine, but for another workspace, another ticket, or a
 * recipient not on the ticket). The ticket is never named, so a refusal tells a guesser nothing.
 *
 * @category errors
 * @since 0.1.0
 */
export class SurveyRefused extends Schema.TaggedError<SurveyRefused>()("SurveyRefused", {
  reason: Schema.Literals(["malformed", "signature", "expired", "mismatch", "unconfigured"])
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Survey link refused (${this.reason})`
  }
}

/**
 * Checks a survey link's token (its signature and expiry) and answers its claims; given to
 * `Helpdesk.make` as `Options.surveys`. `@tessera/notify`'s `SurveyToken.verifier(keys)` is one.
 *
 * @category models
 * @since 0.1.0
 */
export type Verifier = (token: string) => Effect.Effect<SurveyClaims, SurveyRefused>

/**
 * The survey id of claims: theirs, or one per ticket and recipient.
 *
 * @category combinators
 * @since 0.1.0
 */
export const surveyOf = (claims: SurveyClaims): SurveyId => claims.survey ?? `${claims.ticketId}:${claims.recipient}`

/**
 * A verifier that refuses every link: what a help desk without `Options.surveys` uses.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unconfigured: Verifier = () => Effect.fail(new SurveyRefused({ reason: "unconfigured" }))
