/**
 * How long the outbox worker waits before another attempt at a notification: exponential
 * backoff with full jitter (a random delay between 0 and `base * 2^(attempt - 1)`, capped at
 * `max`), so that receivers coming back from an outage are not hit by every retry at once. The
 * randomness comes from Effect's `Random` service, so a test with a seeded or fixed `Random`
 * gets the same delays every run. When to give up is the worker's business.
 */
import { Effect, Random } from "effect"

/**
 * The backoff's bounds, in milliseconds.
 *
 * @category models
 * @since 0.1.0
 */
export interface Policy {
  /** The ceiling of the first retry's delay. */
  readonly baseMillis: number
  /** No delay is longer than this. */
  readonly maxMillis: number
}

/**
 * The ceiling of the delay after failed attempt `attempt` (1 for the first):
 * `min(max, base * 2^(attempt - 1))`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const ceiling = (policy: Policy, attempt: number): number => {
  const base = Math.max(0, policy.baseMillis)
  const max = Math.max(0, policy.maxMillis)
  // 2^53 is past any useful delay: stop doubling there so the value stays finite and exact.
  const doublings = Math.min(Math.max(0, attempt - 1), 53)
  return Math.min(max, base * 2 ** doublings)
}

/**
 * A random delay after failed attempt `attempt`: between 0 and `ceiling(policy, attempt)`
 * milliseconds, whole milliseconds, from the `Random` service ("full jitter").
 *
 * @category combinators
 * @since 0.1.0
 */
export const delay = (policy: Policy, attempt: number): Effect.Effect<number> =>
  Effect.map(Random.next, (r) => Math.floor(r * (ceiling(policy, attempt) + 1)))
