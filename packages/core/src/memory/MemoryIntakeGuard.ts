/**
 * The in-memory `IntakeGuard`: claims and counters in maps of one process, with expiries read
 * from Effect's `Clock`. It defines what the port means for the adapters shared by several
 * processes; on its own it guards only the process it lives in.
 */
import { Clock, Effect, Layer } from "effect"
import { type Claim, IntakeGuard } from "../ports/IntakeGuard.js"

type Entry =
  | { readonly state: "claimed"; readonly until: number }
  | { readonly state: "done"; readonly result: string; readonly until: number }

/**
 * Builds an in-memory intake guard.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<IntakeGuard["Service"]> = Effect.sync(() => {
  const claims = new Map<string, Entry>()
  // Per key, the times of the counts still in the window, oldest first.
  const windows = new Map<string, ReadonlyArray<number>>()
  // Effects read the clock and change the maps in one synchronous step: no other fiber can run
  // between the check and the write, which is what makes `claim` atomic here.
  return IntakeGuard.of({
    claim: (key, ttlMillis) =>
      Effect.map(Clock.currentTimeMillis, (now): Claim => {
        const entry = claims.get(key)
        if (entry !== undefined && entry.until > now) {
          return entry.state === "done" ? { _tag: "Done", result: entry.result } : { _tag: "InProgress" }
        }
        claims.set(key, { state: "claimed", until: now + ttlMillis })
        return { _tag: "Claimed" }
      }),
    complete: (key, result, ttlMillis) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => void claims.set(key, { state: "done", result, until: now + ttlMillis })
      ),
    release: (key) =>
      Effect.sync(() => {
        if (claims.get(key)?.state === "claimed") claims.delete(key)
      }),
    count: (key, limit, windowMillis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const kept = (windows.get(key) ?? []).filter((at) => at > now - windowMillis)
        const times = [...kept, now]
        windows.set(key, times)
        const count = times.length
        return { allowed: count <= limit, count, resetAt: (times[0] as number) + windowMillis }
      })
  })
})

/**
 * The in-memory intake guard as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<IntakeGuard> = Layer.effect(IntakeGuard, make)
