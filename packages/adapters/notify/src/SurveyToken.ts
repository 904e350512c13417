/**
 * The token in a satisfaction survey's link: who may rate which ticket, until when. It carries
 * the workspace, the ticket, the recipient and an expiry, signed with HMAC-SHA256 under the keys
 * of `@tessera/email`'s `Signature` (the first key signs, every accepted key verifies, so keys
 * rotate the same way for reply addresses and survey links). `verifier` hands core's
 * `Helpdesk` (`Options.surveys`) the check, so `Helpdesk.rate` records the rating: core keeps no
 * key and no crypto, and this module keeps no ticket rules.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Satisfaction } from "@tessera/core"
import type { Signature } from "@tessera/email"
import { Clock, DateTime, Duration, Effect, Result, Schema } from "effect"

/**
 * What a verified token says: the ticket of which workspace may be rated by whom, until
 * `expiresAt` (epoch milliseconds).
 *
 * @category models
 * @since 0.1.0
 */
export const Claims = Schema.Struct({
  workspaceId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  ticketId: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200)),
  /** Whom the survey was sent to: a contact id, or an address. */
  recipient: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(320)),
  expiresAt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  /** The survey the link answers (the outbox message that sent it); tokens made before it have none. */
  survey: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(500)))
})
/** @category models @since 0.1.0 */
export type Claims = typeof Claims.Type

/**
 * The string is no survey token (wrong shape, too long, or a body that does not decode).
 *
 * @category errors
 * @since 0.1.0
 */
export class SurveyTokenMalformed extends Schema.TaggedError<SurveyTokenMalformed>()("SurveyTokenMalformed", {
  reason: Schema.String
}) {
  override get message() {
    return `Not a survey token: ${this.reason}`
  }
}

/**
 * The token's signature is not one of the accepted keys': it was altered, or made elsewhere.
 *
 * @category errors
 * @since 0.1.0
 */
export class SurveyTokenBadSignature extends Schema.TaggedError<SurveyTokenBadSignature>()(
  "SurveyTokenBadSignature",
  {}
) {
  override get message() {
    return "The survey token's signature does not match any accepted key"
  }
}

/**
 * The token is genuine but past its expiry: its ticket and expiry are given, so a survey page
 * can say which link ran out.
 *
 * @category errors
 * @since 0.1.0
 */
export class SurveyTokenExpired extends Schema.TaggedError<SurveyTokenExpired>()("SurveyTokenExpired", {
  ticketId: Schema.String,
  expiresAt: Schema.Int
}) {
  override get message() {
    const at = DateTime.make(this.expiresAt)
    return `The survey link for ticket ${this.ticketId} expired at ${at._tag === "Some" ? DateTime.formatIso(at.value) : this.expiresAt}`
  }
}

/**
 * What `make` or `surveyUrl` was given cannot be made into a token or a link: an empty or too long
 * id, a validity that is not a positive finite duration, a base that is not an http(s) URL.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSurveyInput extends Schema.TaggedError<InvalidSurveyInput>()("InvalidSurveyInput", {
  reason: Schema.String
}) {
  override get message() {
    return `Cannot make a survey token or link: ${this.reason}`
  }
}

/**
 * Why `verify` refused a token.
 *
 * @category errors
 * @since 0.1.0
 */
export type SurveyTokenError = SurveyTokenMalformed | SurveyTokenBadSignature | SurveyTokenExpired

/**
 * How long a survey link stays valid unless `make` is told otherwise: 30 days.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultValidity: Duration.Duration = Duration.days(30)

/**
 * The longest string `verify` reads; anything longer is malformed before any work is done.
 *
 * @category models
 * @since 0.1.0
 */
export const maxTokenLength = 2048

const version = "s1"
/** The MAC covers the encoded body under its own label, so no other token of these keys passes for one. */
const macOf = (key: Uint8Array, body: string): Buffer =>
  createHmac("sha256", key).update(`tessera-survey-v1\u0000${body}`).digest()

const shape = /^s1\.([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/
const decodeClaims = Schema.decodeUnknownResult(Schema.fromJsonString(Claims))
const checkClaims = Schema.decodeUnknownResult(Claims)

/**
 * A signed token for one recipient's survey of one ticket, valid for `validity` (default
 * `defaultValidity`) from now (Effect's `Clock`): `s1.<body>.<mac>`, URL-safe.
 *
 * @example
 * const keys = yield* Signature.keys([process.env.MAIL_KEY!])
 * const token = yield* SurveyToken.make(keys, { workspaceId: "acme", ticketId: ticket.id, recipient: ticket.requester })
 * const link = yield* SurveyToken.surveyUrl("https://help.acme.test/survey", token)
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  keys: Signature.Keys,
  claims: {
    readonly workspaceId: string
    readonly ticketId: string
    readonly recipient: string
    readonly survey?: string
  },
  validity: Duration.Input = defaultValidity
): Effect.Effect<string, InvalidSurveyInput> =>
  Effect.gen(function* () {
    const duration = Duration.fromInput(validity)
    if (duration._tag === "None" || !Duration.isFinite(duration.value) || Duration.toMillis(duration.value) <= 0)
      return yield* new InvalidSurveyInput({ reason: "the validity must be a positive, finite duration" })
    const now = yield* Clock.currentTimeMillis
    const checked = checkClaims({
      workspaceId: claims.workspaceId,
      ticketId: claims.ticketId,
      recipient: claims.recipient,
      expiresAt: Math.ceil(now + Duration.toMillis(duration.value)),
      ...(claims.survey === undefined ? {} : { survey: claims.survey })
    })
    if (Result.isFailure(checked)) return yield* new InvalidSurveyInput({ reason: checked.failure.message })
    const body = Buffer.from(JSON.stringify(checked.success)).toString("base64url")
    return `${version}.${body}.${macOf(keys.signing, body).toString("base64url")}`
  })

/**
 * The claims of a token, if it is well formed, signed under one of the accepted keys, and not
 * expired at the `Clock`'s now. The signature is checked before the body is read, against every
 * accepted key in constant time.
 *
 * @category combinators
 * @since 0.1.0
 */
export const verify = (keys: Signature.Keys, token: string): Effect.Effect<Claims, SurveyTokenError> =>
  Effect.gen(function* () {
    if (typeof token !== "string" || token.length > maxTokenLength)
      return yield* new SurveyTokenMalformed({ reason: `longer than ${maxTokenLength} characters` })
    const parts = shape.exec(token)
    if (parts === null) return yield* new SurveyTokenMalformed({ reason: `not ${version}.<body>.<signature>` })
    const body = parts[1] as string
    const given = Buffer.from(parts[2] as string, "base64url")
    let matched = false
    for (const key of keys.accepted) matched = timingSafeEqual(given, macOf(key, body)) || matched
    if (!matched) return yield* new SurveyTokenBadSignature()
    const claims = decodeClaims(Buffer.from(body, "base64url").toString("utf8"))
    if (Result.isFailure(claims)) return yield* new SurveyTokenMalformed({ reason: "its body does not decode" })
    const now = yield* Clock.currentTimeMillis
    if (now >= claims.success.expiresAt)
      return yield* new SurveyTokenExpired({ ticketId: claims.success.ticketId, expiresAt: claims.success.expiresAt })
    return claims.success
  })

/**
 * The survey link: `base` with the token as its `token` query parameter (other parameters and
 * the fragment kept). `base` must be an absolute http or https URL.
 *
 * @category constructors
 * @since 0.1.0
 */
export const surveyUrl = (base: string, token: string): Effect.Effect<string, InvalidSurveyInput> => {
  const url = URL.canParse(base) ? new URL(base) : undefined
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:"))
    return Effect.fail(
      new InvalidSurveyInput({ reason: `the survey page ${JSON.stringify(base)} is not an http(s) URL` })
    )
  url.searchParams.set("token", token)
  return Effect.succeed(url.toString())
}

const reasons = {
  SurveyTokenMalformed: "malformed",
  SurveyTokenBadSignature: "signature",
  SurveyTokenExpired: "expired"
} as const

/**
 * Core's survey verifier over these keys: `verify`, its refusals as core's `SurveyRefused`
 * (`malformed`, `signature`, `expired`). Give it to the help desk, and `Helpdesk.rate` takes
 * the link's token.
 *
 * @example
 * const helpdesk = yield* Helpdesk.make(config, { surveys: SurveyToken.verifier(keys) })
 * yield* helpdesk.rate({ token, rating: { kind: "csat", score: "good" } })
 *
 * @category constructors
 * @since 0.1.0
 */
export const verifier =
  (keys: Signature.Keys): Satisfaction.Verifier =>
  (token) =>
    verify(keys, token).pipe(Effect.mapError((e) => new Satisfaction.SurveyRefused({ reason: reasons[e._tag] })))
