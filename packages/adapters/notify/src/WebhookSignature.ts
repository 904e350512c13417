/**
 * Webhook signatures: HMAC-SHA256 over the delivery's timestamp, its idempotency key and the
 * exact bytes of its body, sent as `Tessera-Signature: t=<unix seconds>,v1=<hex>` beside
 * `Tessera-Delivery: <key>`. Secrets rotate through a list: the first signs, every one verifies.
 * This module is pure (no clock, no I/O); checking the timestamp's age and replays is
 * `WebhookVerify`'s.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { Effect, Result, Schema } from "effect"

/**
 * The header carrying the timestamp and the signatures.
 *
 * @category models
 * @since 0.1.0
 */
export const signatureHeader = "Tessera-Signature"

/**
 * The header carrying the delivery's idempotency key: the same on every attempt of a delivery.
 *
 * @category models
 * @since 0.1.0
 */
export const deliveryHeader = "Tessera-Delivery"

/**
 * The secrets webhooks are signed with: `signing` signs, every one of `accepted` (which
 * includes `signing`) verifies, so a receiver keeps the old secret while senders move to a new one.
 *
 * @category models
 * @since 0.1.0
 */
export interface Secrets {
  readonly signing: Uint8Array
  readonly accepted: ReadonlyArray<Uint8Array>
}

/**
 * The shortest secret accepted, in bytes (UTF-8 text or raw bytes): 32, the length of the MAC.
 *
 * @category models
 * @since 0.1.0
 */
export const minimumSecretBytes = 32

/**
 * The secrets given are unusable: none, or one shorter than `minimumSecretBytes`.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSecrets extends Schema.TaggedError<InvalidSecrets>()("InvalidSecrets", {
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Invalid webhook secrets: ${this.reason}`
  }
}

/**
 * Secrets from a list, newest first: the first signs, all verify.
 *
 * @example
 * const secrets = yield* WebhookSignature.secrets([process.env.HOOK_SECRET_2027, process.env.HOOK_SECRET_2026])
 *
 * @category constructors
 * @since 0.1.0
 */
export const secrets = (list: ReadonlyArray<string | Uint8Array>): Effect.Effect<Secrets, InvalidSecrets> =>
  Effect.fromResult(secretsResult(list))

/**
 * `secrets` as a `Result`, for code that does not run Effects.
 *
 * @category constructors
 * @since 0.1.0
 */
export const secretsResult = (list: ReadonlyArray<string | Uint8Array>): Result.Result<Secrets, InvalidSecrets> => {
  if (!Array.isArray(list)) return Result.fail(new InvalidSecrets({ reason: "secrets must be a list" }))
  const bytes: Array<Uint8Array> = []
  for (const [i, secret] of list.entries()) {
    if (typeof secret === "string") bytes.push(new TextEncoder().encode(secret))
    else if (secret instanceof Uint8Array) bytes.push(Uint8Array.from(secret))
    else return Result.fail(new InvalidSecrets({ reason: `secret ${i} is neither text nor bytes` }))
  }
  const [signing] = bytes
  if (signing === undefined) return Result.fail(new InvalidSecrets({ reason: "no secret given" }))
  const short = bytes.findIndex((b) => b.length < minimumSecretBytes)
  if (short >= 0) {
    return Result.fail(new InvalidSecrets({ reason: `secret ${short} is shorter than ${minimumSecretBytes} bytes` }))
  }
  return Result.succeed({ signing, accepted: bytes })
}

const encoder = new TextEncoder()

/**
 * The bytes a signature covers: `tessera-v1`, the timestamp and the delivery key, each ended by
 * a line feed (which no header value can hold, so the parts cannot be shifted into one
 * another), then the body exactly as sent.
 *
 * @category constructors
 * @since 0.1.0
 */
export const signedContent = (timestamp: number, delivery: string, body: string | Uint8Array): Uint8Array => {
  const head = encoder.encode(`tessera-v1\n${timestamp}\n${delivery}\n`)
  const bytes = typeof body === "string" ? encoder.encode(body) : body
  const out = new Uint8Array(head.length + bytes.length)
  out.set(head, 0)
  out.set(bytes, head.length)
  return out
}

/**
 * The hex HMAC-SHA256 of `signedContent` under one secret.
 *
 * @category constructors
 * @since 0.1.0
 */
export const mac = (secret: Uint8Array, timestamp: number, delivery: string, body: string | Uint8Array): string =>
  // The bytes of `signedContent`, fed in two parts instead of copied into one.
  createHmac("sha256", secret).update(`tessera-v1\n${timestamp}\n${delivery}\n`).update(body).digest("hex")

/**
 * The two headers of a signed delivery, signed with the first secret.
 *
 * @example
 * WebhookSignature.sign(secrets, { timestamp: 1_796_000_000, delivery: "notification:T-1:4:webhook:crm", body })
 * // { "Tessera-Signature": "t=1796000000,v1=5f0c...", "Tessera-Delivery": "notification:T-1:4:webhook:crm" }
 *
 * @category constructors
 * @since 0.1.0
 */
export const sign = (
  keys: Secrets,
  input: { readonly timestamp: number; readonly delivery: string; readonly body: string | Uint8Array }
): Record<string, string> => ({
  [signatureHeader]: `t=${input.timestamp},v1=${mac(keys.signing, input.timestamp, input.delivery, input.body)}`,
  [deliveryHeader]: input.delivery
})

/**
 * A signature header as read: its timestamp and every `v1` signature in it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Parsed {
  readonly timestamp: number
  readonly signatures: ReadonlyArray<string>
}

/**
 * Reads a `Tessera-Signature` value (`t=<seconds>,v1=<hex>[,v1=<hex>...]`; unknown schemes
 * such as a future `v2` are skipped); the failure says what is wrong with it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const parseHeader = (value: string): Result.Result<Parsed, string> => {
  if (value.length > 4096) return Result.fail("longer than 4096 characters")
  let timestamp: number | undefined
  const signatures: Array<string> = []
  for (const part of value.split(",")) {
    const eq = part.indexOf("=")
    if (eq < 0) return Result.fail(`"${part.trim().slice(0, 40)}" is not key=value`)
    const key = part.slice(0, eq).trim()
    const val = part.slice(eq + 1).trim()
    if (key === "t") {
      if (!/^\d{1,15}$/.test(val)) return Result.fail("t is not a number of seconds")
      if (timestamp !== undefined) return Result.fail("t given twice")
      timestamp = Number(val)
    } else if (key === "v1") {
      if (!/^[0-9a-f]{64}$/.test(val)) return Result.fail("v1 is not 64 lower-case hex digits")
      signatures.push(val)
    }
  }
  if (timestamp === undefined) return Result.fail("no t")
  if (signatures.length === 0) return Result.fail("no v1 signature")
  return Result.succeed({ timestamp, signatures })
}

/**
 * The signature of `signatures` that one of the accepted secrets made over this timestamp,
 * delivery and body, or `undefined`. Every secret is tried against every signature with a
 * constant-time comparison, so the time taken says nothing about how close a forgery came.
 *
 * @category predicates
 * @since 0.1.0
 */
export const matching = (
  accepted: ReadonlyArray<Uint8Array>,
  parsed: Parsed,
  delivery: string,
  body: string | Uint8Array
): string | undefined => {
  let found: string | undefined
  for (const secret of accepted) {
    const expected = Buffer.from(mac(secret, parsed.timestamp, delivery, body))
    for (const signature of parsed.signatures) {
      const given = Buffer.from(signature)
      if (given.length === expected.length && timingSafeEqual(given, expected) && found === undefined) found = signature
    }
  }
  return found
}
