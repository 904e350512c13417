/**
 * The loop that fires a help desk's timers on every app node: `runDueTimers` on an interval,
 * forever. With `RedisTimers` behind the `Helpdesk`, the nodes claim from one Redis, so each due
 * timer is fired by one of them; a node that dies leaves its claimed timers to come back to the
 * others when their lease ends. A failed round (Redis or the store unreachable) is logged and the
 * next round tries again; what the timers do is the `Helpdesk`'s business.
 */
import { Helpdesk } from "@tessera/core"
import { Duration, Effect, Layer } from "effect"

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
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const limit = options.limit ?? 100
    const pause = Duration.fromInputUnsafe(options.every ?? "1 second")
    const round = helpdesk
      .runDueTimers(limit)
      .pipe(
        Effect.catch((error) =>
          Effect.logWarning("Timer round failed; the next round tries again", error).pipe(Effect.as(0))
        )
      )
    return yield* Effect.forever(Effect.flatMap(round, (fired) => (fired >= limit ? Effect.void : Effect.sleep(pause))))
  })

/**
 * The loop as a layer: it runs while the layer's scope is open, and stops with it.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, Helpdesk.Helpdesk> =>
  Layer.effectDiscard(Effect.forkScoped(run(options)))
