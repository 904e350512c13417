/**
 * The fault test's worker process: drains the SQLite outbox at `argv[2]`, delivering every
 * notification as an HTTP POST to the receiver at `argv[3]` (the key in `Idempotency-Key` and in
 * the body), and records outcomes on the tickets. It runs until it is killed.
 */
import { Helpdesk } from "@tessera/core"
import { Context, Effect, Layer } from "effect"
import { DeliveryFailed, type Sender } from "../../src/Notification.js"
import * as Worker from "../../src/Worker.js"
import { helpdeskOn } from "../sql.js"
import { prepareOver } from "../support.js"

const [url, receiver] = process.argv.slice(2) as [string, string]

const post: Sender = {
  channel: "webhook",
  send: (delivery) =>
    Effect.tryPromise({
      try: async (signal) => {
        const response = await fetch(receiver, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": delivery.key },
          body: JSON.stringify({ key: delivery.key, to: delivery.recipient.address, template: delivery.template }),
          signal
        })
        await response.text()
        if (!response.ok) {
          throw new DeliveryFailed({
            channel: "webhook",
            reason: `HTTP ${response.status}`,
            retryable: response.status >= 500
          })
        }
        return { acceptedBy: String(response.status) }
      },
      catch: (error) =>
        error instanceof DeliveryFailed
          ? error
          : new DeliveryFailed({ channel: "webhook", reason: String(error), retryable: true })
    })
}

const program = Effect.gen(function* () {
  const ports = yield* Layer.build(helpdeskOn(url, { acknowledging: false }))
  const worker = yield* Worker.make({
    senders: [post],
    prepare: prepareOver("webhook"),
    record: Worker.recordOn(Context.get(ports, Helpdesk.Helpdesk)),
    // As the Notifier does: a batch's outcomes at once, one by one only when that fails.
    recordAll: Worker.recordAllOn(Context.get(ports, Helpdesk.Helpdesk)),
    options: { batchSize: 10, concurrency: 4, leaseMillis: 2_000, pollMillis: 50, baseDelayMillis: 100 }
  }).pipe(Effect.provideContext(ports))
  process.stdout.write("ready\n")
  return yield* worker.run
})

Effect.runFork(Effect.scoped(program))
