/**
 * `createWorker`: the outbox worker (`Worker`) behind plain Promises, for applications that do
 * not use Effect. Senders, `prepare` and `record` may return Promises (or Effects); the worker is
 * the Effect one, run on its own runtime, so it behaves exactly the same: `drainOnce` resolves
 * with the same `Report` and rejects with the same tagged store errors.
 */
import { Outbox } from "@tessera/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as Controls from "./internal/controls.js"
import { type Delivery, DeliveryFailed, type Receipt, type Sender } from "./Notification.js"
import * as Worker from "./Worker.js"

/**
 * A sender whose `send` returns a Promise; rejecting with a `DeliveryFailed` says whether a retry
 * may help, any other rejection is taken as retryable.
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseSender {
  readonly channel: string
  /** Sends one delivery; rejects (with a `DeliveryFailed`, or anything: retried) when it fails. */
  readonly send: (delivery: Delivery) => Promise<Receipt | undefined>
}

/**
 * What `createWorker` takes: the outbox (the port, or a layer providing it, such as a store's),
 * the senders, how a message becomes deliveries, and where outcomes are recorded (for instance
 * `(outcome) => helpdesk.recordNotification(outcome)` with `createHelpdesk`'s client).
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerOptions {
  readonly outbox: Outbox.Outbox["Service"] | Layer.Layer<Outbox.Outbox, unknown>
  readonly senders: ReadonlyArray<Sender | PromiseSender>
  /** The deliveries of one claimed outbox message (see `Worker.Config.prepare`). */
  readonly prepare: (
    message: Outbox.ClaimedMessage
  ) => Promise<ReadonlyArray<Delivery>> | ReturnType<Worker.Config["prepare"]>
  /** A rejection with `retryable: true` leaves the message for another attempt (see `Worker.Recorder`). */
  readonly record?: (outcome: Worker.Outcome, message: Outbox.ClaimedMessage) => Promise<unknown>
  readonly options?: Worker.Options
}

/**
 * The worker with Promise methods.
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerClient {
  /** Claims one batch and settles every message of it. */
  readonly drainOnce: () => Promise<Worker.Report>
  /** Starts draining in the background (`Worker.run`); a second call does nothing. */
  readonly start: () => void
  /**
   * Stops draining. Messages being sent then come back once their lease ends, and are sent again
   * under the same keys.
   */
  readonly stop: () => Promise<void>
  /** Stops, and releases the runtime (and the outbox layer's resources). */
  readonly close: () => Promise<void>
}

const failedOver = (channel: string) => (error: unknown) =>
  error instanceof DeliveryFailed
    ? error
    : new DeliveryFailed({ channel, reason: error instanceof Error ? error.message : String(error), retryable: true })

/** An Effect sender for either kind: what `send` returns tells them apart. */
const toSender = (sender: Sender | PromiseSender): Sender => ({
  channel: sender.channel,
  send: (delivery) =>
    Effect.suspend(() => {
      const sent: unknown = sender.send(delivery)
      return Effect.isEffect(sent)
        ? (sent as ReturnType<Sender["send"]>)
        : Effect.tryPromise({
            try: () => sent as Promise<Receipt | undefined>,
            catch: failedOver(sender.channel)
          }).pipe(Effect.map((receipt) => receipt ?? {}))
    })
})

/**
 * Creates an outbox worker with Promise methods, over the Effect `Worker`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const createWorker = (options: WorkerOptions): WorkerClient => {
  const ports = Layer.isLayer(options.outbox)
    ? (options.outbox as Layer.Layer<Outbox.Outbox, unknown>)
    : Layer.succeed(Outbox.Outbox, options.outbox as Outbox.Outbox["Service"])
  const runtime = ManagedRuntime.make(ports)
  const { record } = options
  const config: Worker.Config = {
    senders: options.senders.map(toSender),
    prepare: (message) =>
      Effect.suspend(() => {
        const prepared: unknown = options.prepare(message)
        return Effect.isEffect(prepared)
          ? (prepared as ReturnType<Worker.Config["prepare"]>)
          : Effect.tryPromise({
              try: () => prepared as Promise<ReadonlyArray<Delivery>>,
              catch: failedOver(message.channel)
            })
      }),
    ...(record === undefined
      ? {}
      : { record: (outcome, message) => Effect.tryPromise({ try: () => record(outcome, message), catch: (e) => e }) }),
    ...(options.options === undefined ? {} : { options: options.options })
  }
  // Building a worker is cheap (no I/O): each use builds its own, so nothing runs before it is asked.
  const worker = Worker.make(config)
  return Controls.make(
    runtime,
    Effect.flatMap(worker, (w) => w.drainOnce),
    Effect.flatMap(worker, (w) => w.run),
    () => runtime.dispose()
  )
}
