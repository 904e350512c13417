/**
 * The receiver's side of Tessera webhooks: checks a request's signature against the accepted
 * secrets, its timestamp against a tolerance (five minutes by default, read from Effect's `Clock`),
 * and refuses a request whose signature was accepted before within that tolerance (a replay).
 * It answers with the verified body or a typed refusal, as an Effect (`make`) or a plain Promise
 * (`createVerifier`) for receivers that do not use Effect. Signing is `WebhookSignature`'s.
 */
import { PromiseHelpdesk, type StoreError } from "@tessera/core"
import { Clock, Effect, Exit, Result, Schema } from "effect"
import * as WebhookReplay from "./WebhookReplay.js"
import * as WebhookSignature from "./WebhookSignature.js"

/**
 * A header the request must carry is missing.
 *
 * @category errors
 * @since 0.1.0
 */
export class MissingHeader extends Schema.TaggedError<MissingHeader>()("MissingHeader", {
  header: Schema.String
}) {
  override get message() {
    return `The webhook request has no ${this.header} header`
  }
}

/**
 * A header or the body cannot be read (`what` names which; `body` when the body given to the
 * verifier is not the raw text or bytes, or not JSON).
 *
 * @category errors
 * @since 0.1.0
 */
export class Malformed extends Schema.TaggedError<Malformed>()("Malformed", {
  what: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `The webhook request's ${this.what} is malformed: ${this.reason}`
  }
}

/**
 * No accepted secret made the signature over this timestamp, delivery key and body: the request
 * was forged or changed on the way (a tampered body, timestamp or key), or it is signed with a
 * secret this receiver does not hold.
 *
 * @category errors
 * @since 0.1.0
 */
export class BadSignature extends Schema.TaggedError<BadSignature>()("BadSignature", {
  delivery: Schema.String
}) {
  override get message() {
    return `The webhook signature does not match (delivery ${this.delivery})`
  }
}

/**
 * The signed timestamp is further in the past than the tolerance.
 *
 * @category errors
 * @since 0.1.0
 */
export class TooOld extends Schema.TaggedError<TooOld>()("TooOld", {
  timestamp: Schema.Number,
  now: Schema.Number,
  toleranceSeconds: Schema.Number
}) {
  override get message() {
    return `The webhook was signed ${this.now - this.timestamp} s ago, more than the ${this.toleranceSeconds} s tolerated`
  }
}

/**
 * The signed timestamp is further in the future than the tolerance (a clock far off, or a
 * request signed ahead to outlive the tolerance).
 *
 * @category errors
 * @since 0.1.0
 */
export class TooNew extends Schema.TaggedError<TooNew>()("TooNew", {
  timestamp: Schema.Number,
  now: Schema.Number,
  toleranceSeconds: Schema.Number
}) {
  override get message() {
    return `The webhook is signed ${this.timestamp - this.now} s in the future, more than the ${this.toleranceSeconds} s tolerated`
  }
}

/**
 * This very request (its signature) was accepted before: a replay. A sender's own retry is
 * signed again at a new timestamp, so it is not one; the delivery key tells such retries apart.
 *
 * @category errors
 * @since 0.1.0
 */
export class Replayed extends Schema.TaggedError<Replayed>()("Replayed", {
  delivery: Schema.String
}) {
  override get message() {
    return `The webhook request was replayed (delivery ${this.delivery})`
  }
}

/**
 * Why a request was refused. A receiver answers all of them with a 4xx (400 or 401) and no
 * detail; `StoreError` (the shared seen-set failed) deserves a 5xx, so the sender retries.
 *
 * @category errors
 * @since 0.1.0
 */
export type VerifyError = MissingHeader | Malformed | BadSignature | TooOld | TooNew | Replayed

/**
 * A request as the verifier needs it: its headers (node's `req.headers`, or a fetch `Headers`)
 * and its body exactly as received (`express.raw()`, not a parsed object).
 *
 * @category models
 * @since 0.1.0
 */
export interface Request {
  /** The request's headers: a Fetch `Headers`, or node:http's `IncomingHttpHeaders`. */
  readonly headers:
    | {
        /** The header of this name, if the request has it. */
        readonly get: (name: string) => string | null
      }
    | Readonly<Record<string, unknown>>
  readonly body: string | Uint8Array
}

/**
 * A verified request: its delivery key (the same on every attempt: the receiver's idempotency
 * key), its signed timestamp, and its body as text and as parsed JSON.
 *
 * @category models
 * @since 0.1.0
 */
export interface Verified {
  readonly delivery: string
  readonly timestamp: number
  readonly body: string
  readonly payload: unknown
}

/**
 * The verifier's settings.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Accepted secrets (at least 32 bytes each); during a rotation, the new and the old. */
  readonly secrets: ReadonlyArray<string | Uint8Array>
  /** How far a timestamp may be from now, either way, in seconds (default 300). */
  readonly toleranceSeconds?: number
  /** Where accepted signatures are remembered (default: `WebhookReplay.memory()`, per verifier). */
  readonly seen?: WebhookReplay.SeenSet
}

/**
 * A verifier: one per receiver, so that its seen-set outlives a request.
 *
 * @category models
 * @since 0.1.0
 */
export interface Verifier {
  /** Verifies one request: its delivery key and payload, or why it is refused. */
  readonly verify: (request: Request) => Effect.Effect<Verified, VerifyError | StoreError.StoreError>
}

/**
 * The default tolerance, in seconds.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultToleranceSeconds = 300

const headerOf = (headers: Request["headers"], name: string): string | undefined => {
  if (headers === null || typeof headers !== "object") return undefined
  if (typeof (headers as { get?: unknown }).get === "function") {
    const value = (headers as { get: (name: string) => unknown }).get(name)
    return typeof value === "string" ? value : undefined
  }
  const record = headers as Readonly<Record<string, unknown>>
  const value = record[name.toLowerCase()] ?? record[name]
  if (typeof value === "string") return value
  // Node joins most repeated headers; a list here means a duplicate: only one may be signed.
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === "string") return value[0]
  return undefined
}

const decoder = new TextDecoder("utf-8", { fatal: true })

const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 32 || code === 127) return true
  }
  return false
}

/**
 * Builds a verifier from its options.
 *
 * @example
 * const verifier = yield* WebhookVerify.make({ secrets: [process.env.HOOK_SECRET] })
 * const { delivery, payload } = yield* verifier.verify({ headers: req.headers, body: rawBody })
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Verifier, WebhookSignature.InvalidSecrets | Malformed> =>
  Effect.gen(function* () {
    const keys = yield* WebhookSignature.secrets(options.secrets)
    const tolerance = options.toleranceSeconds ?? defaultToleranceSeconds
    if (!Number.isFinite(tolerance) || tolerance <= 0) {
      return yield* new Malformed({ what: "toleranceSeconds", reason: "must be a positive number of seconds" })
    }
    const seen = options.seen ?? WebhookReplay.memory()
    const verify = (request: Request): Effect.Effect<Verified, VerifyError | StoreError.StoreError> =>
      Effect.gen(function* () {
        const headers = request?.headers
        const header = headerOf(headers, WebhookSignature.signatureHeader)
        if (header === undefined) return yield* new MissingHeader({ header: WebhookSignature.signatureHeader })
        const delivery = headerOf(headers, WebhookSignature.deliveryHeader)
        if (delivery === undefined) return yield* new MissingHeader({ header: WebhookSignature.deliveryHeader })
        if (delivery.length === 0 || delivery.length > 512 || hasControl(delivery)) {
          return yield* new Malformed({ what: WebhookSignature.deliveryHeader, reason: "empty, too long or not text" })
        }
        const parsed = WebhookSignature.parseHeader(header)
        if (Result.isFailure(parsed)) {
          return yield* new Malformed({ what: WebhookSignature.signatureHeader, reason: parsed.failure })
        }
        const body = request.body
        if (typeof body !== "string" && !(body instanceof Uint8Array)) {
          return yield* new Malformed({
            what: "body",
            reason: "give the raw body (text or bytes), not a parsed object"
          })
        }
        const signature = WebhookSignature.matching(keys.accepted, parsed.success, delivery, body)
        if (signature === undefined) return yield* new BadSignature({ delivery })
        const now = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const { timestamp } = parsed.success
        if (timestamp < now - tolerance) return yield* new TooOld({ timestamp, now, toleranceSeconds: tolerance })
        if (timestamp > now + tolerance) return yield* new TooNew({ timestamp, now, toleranceSeconds: tolerance })
        const { text, payload } = yield* Effect.try({
          try: () => {
            const text = typeof body === "string" ? body : decoder.decode(body)
            return { text, payload: JSON.parse(text) as unknown }
          },
          catch: (error) =>
            new Malformed({ what: "body", reason: error instanceof Error ? error.message : "not UTF-8 JSON" })
        })
        // Remembered until the timestamp leaves the tolerance, after which `TooOld` refuses it.
        const ttlMillis = (timestamp + tolerance - now + 1) * 1000
        const first = yield* seen.remember(`${timestamp}:${signature}`, ttlMillis)
        if (!first) return yield* new Replayed({ delivery })
        return { delivery, timestamp, body: text, payload }
      })
    return { verify }
  })

// -- without Effect ----------------------------------------------------------------------------

/**
 * A seen-set for receivers that do not use Effect: `remember` resolves true for a new key.
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseSeenSet {
  /** Remembers `key` for `ttlMillis`: true when it was not seen yet, false for a replay. */
  readonly remember: (key: string, ttlMillis: number) => boolean | Promise<boolean>
}

/**
 * The options of `createVerifier`: `make`'s, a seen-set that may answer with a Promise, and the
 * clock (milliseconds since the epoch; the system clock by default).
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseOptions extends Omit<Options, "seen"> {
  readonly seen?: WebhookReplay.SeenSet | PromiseSeenSet
  /** The time in epoch milliseconds (default the system clock), for tests. */
  readonly now?: () => number
}

/**
 * A verifier for code without Effect: `verify` resolves with the verified request, or rejects
 * with the same tagged errors (`err._tag === "Replayed"`).
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseVerifier {
  /** Verifies one request: resolves with its delivery key and payload, or rejects with why it is refused. */
  readonly verify: (request: Request) => Promise<Verified>
}

const fromPromiseSet = (set: WebhookReplay.SeenSet | PromiseSeenSet): WebhookReplay.SeenSet => ({
  remember: (key, ttlMillis) =>
    Effect.suspend(() => {
      const answer = set.remember(key, ttlMillis)
      if (Effect.isEffect(answer)) return answer as Effect.Effect<boolean, StoreError.StoreError>
      return Effect.promise(() => Promise.resolve(answer as boolean | Promise<boolean>))
    })
})

const clockAt = (base: Clock.Clock, now: () => number): Clock.Clock => ({
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(Math.round(now())) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(Math.round(now())) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/**
 * Builds a verifier for code without Effect; throws `InvalidSecrets` (or `Malformed` for a bad
 * tolerance) at once, as a configuration error.
 *
 * @example
 * ```ts
 * const verifier = WebhookVerify.createVerifier({ secrets: [process.env.HOOK_SECRET!] })
 * http.createServer(async (req, res) => {
 *   const chunks = []
 *   for await (const chunk of req) chunks.push(chunk)
 *   try {
 *     const { delivery, payload } = await verifier.verify({ headers: req.headers, body: Buffer.concat(chunks) })
 *     res.writeHead(204).end()
 *   } catch (error) {
 *     res.writeHead(error?._tag === "StoreUnavailable" ? 503 : 400).end()
 *   }
 * })
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const createVerifier = (options: PromiseOptions): PromiseVerifier => {
  const { now, seen, ...rest } = options
  const built = Effect.runSyncExit(make({ ...rest, ...(seen === undefined ? {} : { seen: fromPromiseSet(seen) }) }))
  if (Exit.isFailure(built)) throw PromiseHelpdesk.rejection(built.cause)
  const verifier = built.value
  return {
    verify: async (request) => {
      const run =
        now === undefined
          ? verifier.verify(request)
          : Clock.clockWith((base) => Effect.provideService(verifier.verify(request), Clock.Clock, clockAt(base, now)))
      const exit = await Effect.runPromiseExit(run)
      if (Exit.isSuccess(exit)) return exit.value
      throw PromiseHelpdesk.rejection(exit.cause)
    }
  }
}
