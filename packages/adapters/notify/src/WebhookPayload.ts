/**
 * What a webhook endpoint receives for a notification: the ticket (id and public number), the
 * template asked for, the rule that asked, and the events that caused it, in core's JSON
 * encoding (`Payload`, which a receiver can decode back into typed events). `prepare` turns an
 * outbox message whose recipients include `webhook:<name>` into one delivery per endpoint, for
 * the `WebhookSender`; the other recipients are the email side's.
 */
import { Ids, type Outbox, TicketEvent, TicketStore } from "@tessera/core"
import { Effect, Result, Schema } from "effect"
import { type Delivery, DeliveryFailed, type Recipient } from "./Notification.js"
import { channel } from "./WebhookSender.js"

/**
 * The prefix of an integration recipient in `NotificationRequested.to`: `webhook:crm` is the
 * endpoint named `crm`.
 *
 * @category models
 * @since 0.1.0
 */
export const recipientPrefix = "webhook:"

/**
 * One causing event with its version in the ticket's stream.
 *
 * @category models
 * @since 0.1.0
 */
export const CausingEvent = Schema.Struct({
  version: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  event: TicketEvent.TicketEvent
})

/**
 * The JSON body of a notification webhook (`type: "notification"`). `id` is the delivery's
 * idempotency key (also in the `Tessera-Delivery` header), `notification` the outbox message
 * it comes from, `events` the events that caused it in stream order, each as core encodes it
 * (`TicketEvent.TicketEvent`, dates as ISO strings). Decode it with
 * `Schema.decodeUnknownSync(WebhookPayload.Payload)` to get the events back as classes.
 *
 * @example
 * // {
 * //   "type": "notification", "id": "notification:tk_1:3:webhook:crm", "notification": "notification:tk_1:3",
 * //   "template": "ticket_opened", "workspaceId": "default", "ticket": { "id": "tk_1", "publicId": 1001 },
 * //   "requestedAt": "2026-12-07T10:00:00.000Z",
 * //   "events": [{ "version": 1, "event": { "_tag": "TicketOpened", ... } }, { "version": 2, ... }]
 * // }
 *
 * @category models
 * @since 0.1.0
 */
export const Payload = Schema.Struct({
  type: Schema.Literal("notification"),
  id: Schema.String,
  notification: Schema.String,
  template: Schema.String,
  workspaceId: Ids.WorkspaceId,
  ticket: Schema.Struct({ id: Ids.TicketId, publicId: Schema.Int }),
  rule: Schema.optionalKey(TicketEvent.RuleRef),
  requestedAt: Schema.DateTimeUtcFromString,
  events: Schema.Array(CausingEvent)
})
/** @category models @since 0.1.0 */
export type Payload = typeof Payload.Type

/** The parts of an outbox notification this module reads. */
const Requested = Schema.Struct({
  template: Schema.String,
  to: Schema.Array(Schema.String),
  publicId: Schema.Int,
  rule: Schema.optionalKey(TicketEvent.RuleRef)
})

const Cause = Schema.Struct({ cause: Schema.Array(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))) })

/**
 * The endpoint names among a notification's recipients, once each, in order.
 *
 * @category constructors
 * @since 0.1.0
 */
export const endpointsOf = (to: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...new Set(
    to.filter((r) => r.startsWith(recipientPrefix) && r.length > recipientPrefix.length).map((r) => r.slice(8))
  )
]

/** The version of the `NotificationRequested` an outbox id names (`notification:<ticket>:<version>`). */
const versionOf = (outboxId: string): number | undefined => {
  const match = /:(\d+)$/.exec(outboxId)
  const version = match === null ? Number.NaN : Number(match[1])
  return Number.isSafeInteger(version) && version >= 1 ? version : undefined
}

/**
 * The events that caused a notification. The versions the outbox message names (`cause`) when
 * it names them; otherwise the events of the same unit of work before the
 * `NotificationRequested` at `version`: the run of events just before it recorded at the same
 * instant (a unit of work reads the clock once, and its rules record at that instant too),
 * other notification requests left out.
 *
 * @category constructors
 * @since 0.1.0
 */
export const causingEvents = (
  stream: ReadonlyArray<TicketEvent.TicketEvent>,
  version: number | undefined,
  cause?: ReadonlyArray<number>
): ReadonlyArray<typeof CausingEvent.Type> => {
  if (cause !== undefined) {
    return [...new Set(cause)]
      .sort((a, b) => a - b)
      .flatMap((v) => {
        const event = stream[v - 1]
        return event === undefined ? [] : [{ version: v, event }]
      })
  }
  const requested = version === undefined ? undefined : stream[version - 1]
  if (version === undefined || requested === undefined) return []
  const out: Array<typeof CausingEvent.Type> = []
  for (let v = version - 1; v >= 1; v--) {
    const event = stream[v - 1]
    if (event === undefined || event.at.epochMilliseconds !== requested.at.epochMilliseconds) break
    if (event._tag !== "NotificationRequested") out.unshift({ version: v, event })
  }
  return out
}

const encodePayload = Schema.encodeSync(Payload)

/**
 * The deliveries of one outbox notification to its webhook endpoints, given the ticket's
 * stream: one per `webhook:<name>` recipient, keyed `<outbox id>:webhook:<name>`. None when it
 * names no endpoint; a message that is not a notification fails for good.
 *
 * @category constructors
 * @since 0.1.0
 */
export const deliveries = (
  message: Outbox.OutboxMessage,
  stream: ReadonlyArray<TicketEvent.TicketEvent>
): Result.Result<ReadonlyArray<Delivery>, DeliveryFailed> => {
  const requested = Schema.decodeUnknownResult(Requested)(message.payload)
  if (Result.isFailure(requested)) {
    return Result.fail(
      new DeliveryFailed({ channel, reason: `not a notification: ${requested.failure.message}`, retryable: false })
    )
  }
  const { template, to, publicId, rule } = requested.success
  const names = endpointsOf(to)
  if (names.length === 0) return Result.succeed([])
  const cause = Schema.decodeUnknownResult(Cause)(message.payload)
  const events = causingEvents(stream, versionOf(message.id), Result.isSuccess(cause) ? cause.success.cause : undefined)
  return Result.succeed(
    names.map((name): Delivery => {
      const key = `${message.id}:${recipientPrefix}${name}`
      const recipient: Recipient = {
        audience: "integration",
        address: name,
        language: "en",
        timeZone: "UTC",
        verified: true
      }
      return {
        key,
        outboxId: message.id,
        channel,
        template,
        workspaceId: message.workspaceId,
        ticketId: message.ticketId,
        publicId,
        recipient,
        body: encodePayload({
          type: "notification",
          id: key,
          notification: message.id,
          template,
          workspaceId: message.workspaceId,
          ticket: { id: message.ticketId, publicId },
          ...(rule === undefined ? {} : { rule }),
          requestedAt: message.createdAt,
          events
        })
      }
    })
  )
}

/**
 * Turns an outbox message into its webhook deliveries (see `deliveries`).
 *
 * @category models
 * @since 0.1.0
 */
export type Prepare = (message: Outbox.OutboxMessage) => Effect.Effect<ReadonlyArray<Delivery>, DeliveryFailed>

/**
 * The `prepare` of webhook deliveries, reading the causing events from the ticket store. A store
 * failure fails the preparation as retryable or not, as the store says.
 *
 * @category constructors
 * @since 0.1.0
 */
export const prepare: Effect.Effect<Prepare, never, TicketStore.TicketStore> = Effect.map(
  TicketStore.TicketStore,
  (store) => (message) => {
    const named = Schema.decodeUnknownResult(Requested)(message.payload)
    // Nothing to read when the message names no endpoint (or is not a notification: `deliveries` says so).
    if (Result.isSuccess(named) && endpointsOf(named.success.to).length === 0) return Effect.succeed([])
    return store.read(message.ticketId).pipe(
      Effect.mapError((e) => new DeliveryFailed({ channel, reason: e.message, retryable: e.retryable })),
      Effect.flatMap(({ events }) => Effect.fromResult(deliveries(message, events)))
    )
  }
)
