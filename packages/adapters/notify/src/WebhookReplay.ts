/**
 * Where a webhook receiver remembers the signatures it accepted, so that a copy of a request
 * replayed within the timestamp tolerance is refused (after it, the timestamp refuses it). The
 * default set lives in one process with a bounded size; receivers behind a load balancer share
 * one through core's `IntakeGuard` port (its Redis adapter makes the claim atomic between
 * processes). `WebhookVerify` decides what is remembered and for how long.
 */
import type { IntakeGuard, StoreError } from "@tessera/core"
import { Clock, Effect } from "effect"

/**
 * A set of keys that expire: `remember` adds a key for `ttlMillis` and says whether it is new
 * (true) or was already there and unexpired (false), in one atomic step.
 *
 * @category models
 * @since 0.1.0
 */
export interface SeenSet {
  /** Remembers `key` for `ttlMillis`: true when it was not seen yet (the request is new), false for a replay. */
  readonly remember: (key: string, ttlMillis: number) => Effect.Effect<boolean, StoreError.StoreError>
}

/**
 * The options of the in-memory set.
 *
 * @category models
 * @since 0.1.0
 */
export interface MemoryOptions {
  /**
   * The most keys held (default 100,000). When full, expired keys go first, then the oldest: all
   * keys live equally long, so the oldest is the next to expire anyway.
   */
  readonly maxEntries?: number
}

/**
 * A seen-set in this process's memory, expiring keys by Effect's `Clock`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const memory = (options: MemoryOptions = {}): SeenSet => {
  const maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 100_000))
  // Insertion order is expiry order when every key is kept as long; a shorter ttl only makes a
  // key leave later than it could, never earlier.
  const until = new Map<string, number>()
  const sweep = (now: number) => {
    for (const [key, expires] of until) {
      if (expires > now && until.size < maxEntries) break
      until.delete(key)
    }
  }
  return {
    remember: (key, ttlMillis) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const expires = until.get(key)
        if (expires !== undefined && expires > now) return false
        until.delete(key)
        sweep(now)
        until.set(key, now + ttlMillis)
        return true
      })
  }
}

/**
 * A seen-set on core's `IntakeGuard` port: `claim` makes the key known to every process sharing
 * the guard, atomically; a key already claimed or done is a repeat.
 *
 * @example
 * const seen = WebhookReplay.fromIntakeGuard(yield* IntakeGuard.IntakeGuard)
 *
 * @category constructors
 * @since 0.1.0
 */
export const fromIntakeGuard = (guard: IntakeGuard.IntakeGuard["Service"], prefix = "webhook-seen:"): SeenSet => ({
  remember: (key, ttlMillis) =>
    Effect.map(guard.claim(`${prefix}${key}`, ttlMillis), (claim) => claim._tag === "Claimed")
})
