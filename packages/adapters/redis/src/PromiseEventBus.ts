/**
 * The event bus for applications that do not use Effect: `subscribe` runs
 * `RedisEventBus.subscribe` with a Promise handler and gives back a function that stops it. The
 * behaviour is the Effect API's (at least once, acknowledged after the handler resolves, retried
 * then dead-lettered when it keeps rejecting); publishing runs where the store is, with
 * `RedisEventPublisher`.
 */
import { Data, Effect, Fiber, ManagedRuntime } from "effect"
import * as RedisClient from "./RedisClient.js"
import * as RedisEventBus from "./RedisEventBus.js"

/**
 * A handler that rejected (or threw): its entry is tried again, then dead-lettered.
 *
 * @category errors
 * @since 0.1.0
 */
export class HandlerFailed extends Data.TaggedError("HandlerFailed")<{ readonly cause: unknown }> {
  override get message() {
    return `the event handler failed: ${this.cause instanceof Error ? this.cause.message : String(this.cause)}`
  }
}

/**
 * Where to connect: a URL (`RedisClient.Config`), or an ioredis client the application owns
 * (with an optional prefix); and how to read (`RedisEventBus.SubscribeOptions`).
 *
 * @category models
 * @since 0.1.0
 */
export type Options = RedisEventBus.SubscribeOptions & {
  readonly connection: RedisClient.Connection
}

/**
 * Subscribes `handler` to the bus; resolves, once connected, with a function that stops the
 * subscriber (an event being handled stays pending) and closes the connection it opened. Rejects
 * with `StoreUnavailable` when Redis cannot be reached.
 *
 * @example
 * const stop = await PromiseEventBus.subscribe(
 *   { connection: { url: "redis://127.0.0.1:6379" }, group: "search-index", consumer: "node-1" },
 *   async (event) => { await index(event) }
 * )
 * await stop()
 *
 * @category constructors
 * @since 0.1.0
 */
export const subscribe = async (
  options: Options,
  handler: (event: RedisEventBus.Delivered) => Promise<void> | void
): Promise<() => Promise<void>> => {
  const { connection, ...read } = options
  const runtime = ManagedRuntime.make(RedisClient.layerConnection(connection))
  try {
    await runtime.runPromise(Effect.void)
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  const fiber = runtime.runFork(
    RedisEventBus.subscribe(read, (event) =>
      Effect.tryPromise({
        try: async () => handler(event),
        catch: (cause) => new HandlerFailed({ cause })
      })
    )
  )
  return async () => {
    await runtime.runPromise(Fiber.interrupt(fiber))
    await runtime.dispose()
  }
}
