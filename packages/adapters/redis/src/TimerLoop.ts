/**
 * The loop that fires a help desk's timers on every app node: `runDueTimers` on an interval,
 * forever. With `RedisTimers` behind the `Helpdesk`, the nodes claim from one Redis, so each due
 * timer is fired by one of them; a node that dies leaves its claimed timers to come back to the
 * others when their lease ends. A failed round (Redis or the store unreachable) is logged and the
 * next round tries again; what the timers do is the `Helpdesk`'s business. `start` runs the same
 * loop on a Promise help desk.
 */
import { Helpdesk } from "@tessera/core"
import { Duration, Effect, Fiber, Layer } from "effect"

/**
 * How often and how much.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Pause between rounds (default 1 second). A round that fired a full batch runs again at once. */
  readonly every?: Duration.Input
  /** Timers one round claims at most (1 to 10,000; default 100). */
  readonly limit?: number
}

/**
 * Fires due timers forever (it never ends: fork it, or use `layer`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const run = (options: Options = {}): Effect.Effect<never, never, Helpdesk.Helpdesk> =>
  Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) => loop((limit) => helpdesk.runDueTimers(limit), options))

/** Rounds of `fire` forever: again at once after a full round, else after the pause. */
const loop = (fire: (limit: number) => Effect.Effect<number, unknown>, options: Options): Effect.Effect<never> => {
  const limit = options.limit ?? 100
  const pause = Duration.fromInputUnsafe(options.every ?? "1 second")
  const round = fire(limit).pipe(
    Effect.catchCause((cause) =>
      Effect.logWarning("Timer round failed; the next round tries again", cause).pipe(Effect.as(0))
    )
  )
  return Effect.forever(Effect.flatMap(round, (fired) => (fired >= limit ? Effect.void : Effect.sleep(pause))))
}

/**
 * The part of a Promise help desk (`createHelpdesk` of `@tessera/core`) the loop calls.
 *
 * @category models
 * @since 0.1.0
 */
export interface PromiseHelpdesk {
  /** Fires the due timers, at most `limit`; resolves with how many fired. */
  readonly runDueTimers: (limit?: number) => Promise<number>
}

/**
 * The loop for applications without Effect: calls `helpdesk.runDueTimers` in rounds (as `run`)
 * until the function it returns is called, which resolves once the round in progress, if any, has
 * ended. A round that rejects (Redis or the store unreachable) is logged as a warning and the
 * next round tries again. With a help desk built on `RedisTimers.ports`, start it on every node.
 *
 * @example
 * const stop = TimerLoop.start(helpdesk, { every: "1 second" })
 * // ... on shutdown:
 * await stop()
 * await helpdesk.close()
 *
 * @category constructors
 * @since 0.1.0
 */
export const start = (helpdesk: PromiseHelpdesk, options: Options = {}): (() => Promise<void>) => {
  const fiber = Effect.runFork(
    loop(
      // A round is not cut short (its Promise would run on regardless): stopping waits for it.
      (limit) =>
        Effect.uninterruptible(Effect.tryPromise({ try: () => helpdesk.runDueTimers(limit), catch: (cause) => cause })),
      options
    )
  )
  return () => Effect.runPromise(Effect.asVoid(Fiber.interrupt(fiber)))
}

/**
 * The loop as a layer: it runs while the layer's scope is open, and stops with it.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, Helpdesk.Helpdesk> =>
  Layer.effectDiscard(Effect.forkScoped(run(options)))
