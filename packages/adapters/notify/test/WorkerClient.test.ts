/**
 * `createWorker`, the Promise facade: Promise senders and `prepare`, the same reports and
 * outcomes as the Effect worker, and a background loop that `start` and `stop` control.
 */
import { Helpdesk, MemoryHelpdesk, Outbox } from "@tessera/core"
import { Context, DateTime, Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { type Delivery, DeliveryFailed } from "../src/Notification.js"
import { createWorker } from "../src/WorkerClient.js"
import { acknowledge, prepareOver } from "./support.js"

const build = async () => {
  const context = await Effect.runPromise(
    Effect.scoped(
      Layer.build(
        MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", triggers: { rules: [acknowledge] } })
      )
    )
  )
  const helpdesk = Context.get(context, Helpdesk.Helpdesk)
  const outbox = Context.get(context, Outbox.Outbox)
  const open = () =>
    Effect.runPromise(
      helpdesk.open({ requester: { email: "jane@example.com" }, subject: "VPN", text: "Drops.", channel: "email" })
    )
  return { helpdesk, outbox, open }
}

const prepare = (message: Outbox.ClaimedMessage) => Effect.runPromise(prepareOver("email")(message))

describe("createWorker", () => {
  it("drains with Promise senders and records outcomes through a Promise recorder", async () => {
    const { helpdesk, outbox, open } = await build()
    const ticket = await open()
    const sent: Array<Delivery> = []
    const worker = createWorker({
      outbox,
      senders: [{ channel: "email", send: async (delivery) => void sent.push(delivery) }],
      prepare,
      record: (outcome) => Effect.runPromise(helpdesk.recordNotification(outcome))
    })
    expect(await worker.drainOnce()).toEqual({ claimed: 1, delivered: 1, retried: 0, deadLettered: 0, left: 0 })
    expect(sent.map((d) => d.recipient.address)).toEqual(["jane@example.com", "lin@example.com"])
    const history = await Effect.runPromise(helpdesk.asSystem("test").history(ticket.id))
    expect(history.map((e) => e._tag)).toContain("NotificationDelivered")
    await worker.close()
  })

  it("a plain rejection is retried; a DeliveryFailed that is not retryable makes a dead letter", async () => {
    const { outbox, open } = await build()
    await open()
    let calls = 0
    const worker = createWorker({
      outbox,
      senders: [
        {
          channel: "email",
          send: async (delivery) => {
            if (delivery.recipient.address !== "lin@example.com") return { acceptedBy: "test" }
            calls++
            if (calls === 1) throw new Error("socket hang up")
            throw new DeliveryFailed({ channel: "email", reason: "550 unknown user", retryable: false })
          }
        }
      ],
      prepare,
      options: { baseDelayMillis: 0 }
    })
    expect(await worker.drainOnce()).toMatchObject({ retried: 1 })
    expect(await worker.drainOnce()).toMatchObject({ deadLettered: 1 })
    const [dead] = await Effect.runPromise(outbox.deadLetters("acme" as never, 10))
    expect(dead?.lastError).toBe("email: 550 unknown user")
    await worker.close()
  })

  it("start drains in the background until stop", async () => {
    const { outbox, open } = await build()
    const sent: Array<string> = []
    const worker = createWorker({
      outbox,
      senders: [{ channel: "email", send: async (delivery) => void sent.push(delivery.key) }],
      prepare,
      options: { pollMillis: 5 }
    })
    worker.start()
    worker.start()
    await open()
    const deadline = Date.now() + 5_000
    while (sent.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(sent.length).toBe(2)
    await worker.stop()
    await open()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(sent.length, "stopped").toBe(2)
    expect((await Effect.runPromise(outbox.claim("notification", DateTime.nowUnsafe(), 10, 1))).length).toBe(1)
    await worker.close()
  })
})
