/**
 * The Promise controls of a worker that runs in its own runtime: drain one batch, start and stop
 * the background loop, close. `createWorker` and `createNotifier` both hand these to users; what
 * each releases on close is theirs.
 */
import { type Effect, Fiber, type ManagedRuntime } from "effect"
import type * as Worker from "../Worker.js"

/** What the Promise facades return. */
export interface Controls {
  readonly drainOnce: () => Promise<Worker.Report>
  readonly start: () => void
  readonly stop: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Controls over `drainOnce` and `run` in `runtime`; `close` stops, then calls `release`. */
export const make = <R, ER, E1, E2>(
  runtime: ManagedRuntime.ManagedRuntime<R, ER>,
  drainOnce: Effect.Effect<Worker.Report, E1, R>,
  run: Effect.Effect<never, E2, R>,
  release: () => Promise<void>
): Controls => {
  let running: Fiber.Fiber<never, unknown> | undefined
  const stop = async () => {
    const fiber = running
    running = undefined
    if (fiber !== undefined) await runtime.runPromise(Fiber.interrupt(fiber))
  }
  return {
    drainOnce: () => runtime.runPromise(drainOnce),
    start: () => {
      if (running === undefined) running = runtime.runFork(run)
    },
    stop,
    close: async () => {
      await stop()
      await release()
    }
  }
}
