/**
 * The loop guard's caps on the notifier's mail to customers: before a mail to a customer goes out,
 * it is counted against `@tessera/email`'s `LoopGuard` caps (per ticket and per address, in a
 * sliding window, through core's `IntakeGuard`, so the caps hold across nodes when the guard is
 * shared, as `RedisIntakeGuard` is). A mail past a cap is not sent: its delivery fails for good,
 * so the notification is dead-lettered with the reason and recorded as failed on its ticket.
 * Agents' notices go to the team's own addresses and are not counted.
 */
import { IntakeGuard } from "@tessera/core"
import { LoopGuard } from "@tessera/email"
import { Effect } from "effect"
import { DeliveryFailed, type Sender } from "./Notification.js"

/**
 * The caps, as `LoopGuard.allowSystemMessage` takes them (`LoopGuard.defaultCaps`: 20 mails a
 * ticket and 10 an address an hour).
 *
 * @category models
 * @since 0.1.0
 */
export type Caps = LoopGuard.Caps

const minutes = (millis: number) => `${Math.round(millis / 60_000)} minutes`

/**
 * `inner` with the caps in front of its customer deliveries: each is counted, and one past a cap
 * fails with a `DeliveryFailed` that is not retryable and names the cap (the ticket's or the
 * address's). A guard that is unreachable fails the delivery as retryable: it is tried again later.
 *
 * @example
 * const email = LoopCap.sender(yield* SmtpSender.make(mail), guard, LoopGuard.defaultCaps)
 *
 * @category combinators
 * @since 0.1.0
 */
export const sender = (inner: Sender, guard: IntakeGuard.IntakeGuard["Service"], caps: Caps): Sender => ({
  channel: inner.channel,
  send: (delivery) =>
    delivery.recipient.audience !== "customer"
      ? inner.send(delivery)
      : LoopGuard.allowSystemMessage(
          { workspaceId: delivery.workspaceId, ticketId: delivery.ticketId, recipient: delivery.recipient.address },
          caps
        ).pipe(
          Effect.provideService(IntakeGuard.IntakeGuard, guard),
          Effect.mapError(
            (error) =>
              new DeliveryFailed({ channel: inner.channel, reason: `loop guard: ${error.message}`, retryable: true })
          ),
          Effect.flatMap((verdict) =>
            verdict.allowed
              ? inner.send(delivery)
              : Effect.fail(
                  new DeliveryFailed({
                    channel: inner.channel,
                    reason: verdict.exceeded.includes("recipient")
                      ? `loop guard: more than ${caps.perRecipient} automatic mails to ${delivery.recipient.address} within ${minutes(caps.windowMillis)}; not sent`
                      : `loop guard: more than ${caps.perTicket} automatic mails about ticket #${delivery.publicId} within ${minutes(caps.windowMillis)}; not sent`,
                    retryable: false
                  })
                )
          )
        )
})
