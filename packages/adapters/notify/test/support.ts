/**
 * What the worker tests share: a help desk whose new tickets ask for an acknowledgement (a trigger
 * rule, as a user's would), a `prepare` that turns a message into one delivery per recipient, and
 * a scripted test sender that keeps every delivery it accepted.
 */
import { type Helpdesk, Outbox, StoreError, TicketCommand, type Triggers } from "@tessera/core"
import { Effect } from "effect"
import { type Delivery, DeliveryFailed, type Recipient, type Sender } from "../src/Notification.js"

/** A trigger rule: every new ticket asks for an acknowledgement to its requester (and its CC). */
export const acknowledge: Triggers.TriggerRule<Helpdesk.HelpdeskError> = {
  rule: { id: "acknowledge", version: 1 },
  fire: ({ current, events }) =>
    Effect.succeed(
      events.some((e) => e._tag === "TicketOpened")
        ? [new TicketCommand.Notify({ ticketId: current.id, template: "acknowledgement", to: ["requester", "cc"] })]
        : []
    )
}

const people: Record<string, Recipient> = {
  requester: { audience: "customer", address: "jane@example.com", language: "en", timeZone: "UTC", verified: true },
  cc: { audience: "customer", address: "lin@example.com", language: "fr", timeZone: "Europe/Paris", verified: true }
}

/** One delivery per recipient the message names, over `channel`, keyed by message and address. */
export const prepareOver =
  (channel: string) =>
  (message: Outbox.ClaimedMessage): Effect.Effect<ReadonlyArray<Delivery>> =>
    Effect.sync(() => {
      const payload = message.payload as { readonly template: string; readonly to: ReadonlyArray<string> }
      return payload.to.flatMap((role) => {
        const recipient = people[role]
        return recipient === undefined
          ? []
          : [
              {
                key: `${message.id}:${recipient.address}`,
                outboxId: message.id,
                channel,
                template: payload.template,
                workspaceId: message.workspaceId,
                ticketId: message.ticketId,
                publicId: 1,
                recipient,
                body: { subject: "We got your message" }
              }
            ]
      })
    })

/**
 * A sender that accepts what `script` lets through: `script(delivery, n)` (n: how many times this
 * key was tried before) answers `ok`, `retry` or `refuse`. `accepted` lists the keys it accepted,
 * in order, repeats included.
 */
export const scriptedSender = (
  channel: string,
  script: (delivery: Delivery, tried: number) => "ok" | "retry" | "refuse" = () => "ok"
) => {
  const accepted: Array<string> = []
  const tries = new Map<string, number>()
  const sender: Sender = {
    channel,
    send: (delivery) =>
      Effect.suspend(() => {
        const tried = tries.get(delivery.key) ?? 0
        tries.set(delivery.key, tried + 1)
        const answer = script(delivery, tried)
        if (answer === "ok") {
          accepted.push(delivery.key)
          return Effect.succeed({ acceptedBy: "test" })
        }
        return Effect.fail(
          new DeliveryFailed({
            channel,
            reason: answer === "retry" ? `421 try later (${tried + 1})` : "550 5.1.1 unknown user",
            retryable: answer === "retry"
          })
        )
      })
  }
  return { sender, accepted, tries }
}

/**
 * An outbox whose `complete` fails as a killed worker's would, until `revive()`: the crash
 * between recording an outcome and completing its message.
 */
export const dyingOnComplete = (outbox: Outbox.Outbox["Service"]) => {
  let dead = true
  return {
    outbox: Outbox.Outbox.of({
      ...outbox,
      complete: (id) =>
        dead
          ? Effect.fail(new StoreError.StoreUnavailable({ operation: "complete", reason: "killed" }))
          : outbox.complete(id)
    }),
    revive: () => {
      dead = false
    }
  }
}
