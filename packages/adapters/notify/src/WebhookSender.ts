/**
 * The `webhook` channel's sender: POSTs a delivery's body as JSON to the endpoint its recipient
 * names, signed (`WebhookSignature`), through the SSRF guard (`Ssrf`: the host is resolved once,
 * checked, and connected to at that address), with a timeout and a cap on the response read.
 * A 2xx is delivered; 408, 429, 5xx, timeouts and connection errors may pass on a later attempt;
 * any other answer, a redirect (never followed) or a refused target never will. Retrying is the
 * outbox worker's job; what goes in the body is `WebhookPayload`'s.
 */
import * as http from "node:http"
import * as https from "node:https"
import { Clock, Effect, Result, Schema, type Scope } from "effect"
import { type Delivery, DeliveryFailed, type Receipt, type Sender } from "./Notification.js"
import * as Ssrf from "./Ssrf.js"
import * as WebhookSignature from "./WebhookSignature.js"

/**
 * The channel name webhook deliveries carry.
 *
 * @category models
 * @since 0.1.0
 */
export const channel = "webhook"

/**
 * One endpoint: where its deliveries go, the secrets they are signed with (the first signs; the
 * receiver holds them all during a rotation), and the private targets it may reach.
 *
 * @category models
 * @since 0.1.0
 */
export interface Endpoint {
  readonly url: string
  readonly secrets: ReadonlyArray<string | Uint8Array>
  /**
   * Targets allowed although not public: host names, addresses, CIDR ranges (`"127.0.0.1"`,
   * `"10.1.0.0/16"`, `"hooks.internal"`). Empty by default: only public addresses.
   */
  readonly allow?: ReadonlyArray<string>
  /** Extra request headers (the signature, delivery and content headers cannot be overridden). */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * The sender's settings.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Endpoints by name: a recipient `webhook:<name>` is delivered to `endpoints[name]`. */
  readonly endpoints: Readonly<Record<string, Endpoint>>
  /** The whole request, connection to the last byte read (default 10,000 ms). */
  readonly timeoutMillis?: number
  /** The most response bytes read (default 65,536); the rest is dropped, the status counts. */
  readonly maxResponseBytes?: number
  /** Targets allowed for every endpoint, as `Endpoint.allow`. */
  readonly allow?: ReadonlyArray<string>
  /** How host names are resolved (default: the system's, `Ssrf.systemResolver`). */
  readonly resolver?: Ssrf.Resolver
  /** The `User-Agent` header (default `Tessera-Webhooks/0.1`). */
  readonly userAgent?: string
}

/**
 * An endpoint's configuration cannot work: a bad name, URL, secret or allow-list entry.
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidEndpoint extends Schema.TaggedError<InvalidEndpoint>()("InvalidEndpoint", {
  endpoint: Schema.String,
  reason: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `Webhook endpoint ${JSON.stringify(this.endpoint)} is misconfigured: ${this.reason}`
  }
}

/**
 * What an HTTP status means for a delivery: `delivered` (2xx), `retry` (408, 429, 5xx: the
 * receiver may take it later) or `fail` (any other: another attempt gets the same answer).
 *
 * @category predicates
 * @since 0.1.0
 */
export const classifyStatus = (status: number): "delivered" | "retry" | "fail" =>
  status >= 200 && status < 300
    ? "delivered"
    : status === 408 || status === 429 || (status >= 500 && status < 600)
      ? "retry"
      : "fail"

/**
 * The webhook sender, with the endpoint names it knows.
 *
 * @category models
 * @since 0.1.0
 */
export interface WebhookSender extends Sender {
  readonly endpoints: ReadonlyArray<string>
}

interface Ready {
  readonly url: URL
  readonly secrets: WebhookSignature.Secrets
  readonly allow: Ssrf.AllowList
  readonly headers: Readonly<Record<string, string>>
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

const readEndpoint = (
  name: string,
  endpoint: Endpoint,
  common: Ssrf.AllowList
): Effect.Effect<Ready, InvalidEndpoint> =>
  Effect.gen(function* () {
    const invalid = (reason: string) => new InvalidEndpoint({ endpoint: name, reason })
    if (!namePattern.test(name)) return yield* invalid("a name is letters, digits, '.', '_' and '-' (at most 100)")
    if (endpoint === null || typeof endpoint !== "object") return yield* invalid("not an object")
    const url = URL.canParse(String(endpoint.url)) ? new URL(String(endpoint.url)) : undefined
    if (url === undefined) return yield* invalid("url is not a URL")
    if (url.protocol !== "http:" && url.protocol !== "https:") return yield* invalid("url is not http or https")
    const secrets = WebhookSignature.secretsResult(endpoint.secrets)
    if (Result.isFailure(secrets)) return yield* invalid(secrets.failure.reason)
    const allow = yield* Ssrf.allowList(endpoint.allow ?? []).pipe(
      Effect.mapError((e) => invalid(`allow: ${JSON.stringify(e.entry)} is not a host, address or CIDR range`))
    )
    const headers: Record<string, string> = {}
    for (const [key, value] of Object.entries(endpoint.headers ?? {})) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key) || typeof value !== "string" || /[\r\n\0]/.test(value)) {
        return yield* invalid(`header ${JSON.stringify(key)} is not a valid header`)
      }
      headers[key.toLowerCase()] = value
    }
    return { url, secrets: secrets.success, allow: Ssrf.union(common, allow), headers }
  })

/** The status and the first bytes of an answer. */
interface Answer {
  readonly status: number
  readonly excerpt: string
  readonly location: string | undefined
}

/**
 * Builds the sender; its keep-alive connections close with the scope.
 *
 * @example
 * const sender = yield* WebhookSender.make({
 *   endpoints: { crm: { url: "https://crm.example.com/hooks/tessera", secrets: [process.env.CRM_HOOK_SECRET] } }
 * })
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<WebhookSender, InvalidEndpoint, Scope.Scope> =>
  Effect.gen(function* () {
    const common = yield* Ssrf.allowList(options.allow ?? []).pipe(
      Effect.mapError((e) => new InvalidEndpoint({ endpoint: "*", reason: `allow: ${JSON.stringify(e.entry)}` }))
    )
    const endpoints = new Map<string, Ready>()
    for (const [name, endpoint] of Object.entries(options.endpoints ?? {})) {
      endpoints.set(name, yield* readEndpoint(name, endpoint, common))
    }
    const timeoutMillis = options.timeoutMillis ?? 10_000
    const maxResponseBytes = options.maxResponseBytes ?? 65_536
    const userAgent = options.userAgent ?? "Tessera-Webhooks/0.1"
    const resolver = options.resolver ?? Ssrf.systemResolver
    const agents = yield* Effect.acquireRelease(
      Effect.sync(() => ({
        http: new http.Agent({ keepAlive: true }),
        https: new https.Agent({ keepAlive: true })
      })),
      (agents) =>
        Effect.sync(() => {
          agents.http.destroy()
          agents.https.destroy()
        })
    )

    const failed = (reason: string, retryable: boolean) => new DeliveryFailed({ channel, reason, retryable })

    const post = (target: Ssrf.Target, headers: Record<string, string>, body: Uint8Array) =>
      Effect.callback<Answer, DeliveryFailed>((resume, signal) => {
        const secure = target.url.protocol === "https:"
        const request = (secure ? https : http).request(target.url, {
          method: "POST",
          headers,
          agent: secure ? agents.https : agents.http,
          lookup: Ssrf.pinnedLookup(target),
          signal
        })
        request.on("error", (error) => resume(Effect.fail(failed(`connection failed: ${error.message}`, true))))
        request.on("response", (response) => {
          const chunks: Array<Buffer> = []
          let size = 0
          let finished = false
          const finish = () => {
            if (finished) return
            finished = true
            const location = response.headers.location
            resume(
              Effect.succeed({
                status: response.statusCode ?? 0,
                excerpt: Buffer.concat(chunks).toString("utf8", 0, Math.min(size, 200)),
                location: typeof location === "string" ? location : undefined
              })
            )
          }
          response.on("data", (chunk: Buffer) => {
            if (size < maxResponseBytes) chunks.push(chunk.subarray(0, maxResponseBytes - size))
            size += chunk.length
            // Past the cap the rest is not read: the status is the answer, and a receiver that
            // streams without end must not hold the worker.
            if (size >= maxResponseBytes) {
              finish()
              response.destroy()
            }
          })
          response.on("end", finish)
          response.on("close", finish)
          response.on("error", finish)
        })
        request.end(body)
      }).pipe(
        Effect.timeoutOrElse({
          duration: timeoutMillis,
          orElse: () => Effect.fail(failed(`no answer within ${timeoutMillis} ms`, true))
        })
      )

    const send = (delivery: Delivery): Effect.Effect<Receipt, DeliveryFailed> =>
      Effect.gen(function* () {
        const name = delivery?.recipient?.address
        const endpoint = typeof name === "string" ? endpoints.get(name) : undefined
        if (endpoint === undefined) return yield* failed(`no webhook endpoint named ${JSON.stringify(name)}`, false)
        // The key travels in a header and in the signed lines: text without line breaks, as the
        // receiver's verifier requires.
        if (typeof delivery.key !== "string" || !/^[\x20-\x7e]{1,512}$/.test(delivery.key)) {
          return yield* failed("the delivery key is not 1 to 512 printable ASCII characters", false)
        }
        const json = yield* Effect.try({
          try: () => JSON.stringify(delivery.body),
          catch: (error) => failed(`the body is not JSON: ${error instanceof Error ? error.message : error}`, false)
        })
        if (typeof json !== "string") return yield* failed("the body is not JSON", false)
        const target = yield* Ssrf.check(endpoint.url, { allow: endpoint.allow, resolver }).pipe(
          Effect.mapError((e) => failed(e.message, e.retryable))
        )
        const body = Buffer.from(json, "utf8")
        const timestamp = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const headers: Record<string, string> = {
          ...endpoint.headers,
          "content-type": "application/json",
          "content-length": String(body.length),
          "user-agent": endpoint.headers["user-agent"] ?? userAgent,
          ...WebhookSignature.sign(endpoint.secrets, { timestamp, delivery: delivery.key, body })
        }
        const answer = yield* post(target, headers, body)
        const verdict = classifyStatus(answer.status)
        if (verdict === "delivered") return { acceptedBy: `HTTP ${answer.status}` }
        const redirect = answer.status >= 300 && answer.status < 400
        const reason = redirect
          ? `HTTP ${answer.status}: redirects are not followed${answer.location === undefined ? "" : ` (to ${answer.location.slice(0, 200)})`}`
          : `HTTP ${answer.status}${answer.excerpt === "" ? "" : `: ${answer.excerpt.replace(/\s+/g, " ").trim()}`}`
        return yield* failed(reason, verdict === "retry")
      })

    return { channel, send, endpoints: [...endpoints.keys()] }
  })
