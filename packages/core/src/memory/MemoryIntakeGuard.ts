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
  // Per key, the times of its counts, oldest first, from `head` on (those before it have left the
  // window): a count drops the expired ones from the front and adds one at the end, so a flood of
  // counts on one key costs each count O(1) (amortised), not a copy of the whole window.
  const windows = new Map<string, { times: Array<number>; head: number }>()
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
        let window = windows.get(key)
        if (window === undefined) {
          window = { times: [], head: 0 }
          windows.set(key, window)
        }
        const { times } = window
        // Counts are added in clock order, so the expired ones are a prefix.
        while (window.head < times.length && (times[window.head] as number) <= now - windowMillis) window.head++
        if (window.head > 1024 && window.head * 2 > times.length) {
          window.times = times.slice(window.head)
          window.head = 0
        }
        window.times.push(Math.max(now, window.times.at(-1) ?? now))
        const count = window.times.length - window.head
        return { allowed: count <= limit, count, resetAt: (window.times[window.head] as number) + windowMillis }
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
