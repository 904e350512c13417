/**
 * The one retry policy of the help desk: a unit of work that lost a race (its append met a
 * `VersionConflict`, or a public number was taken meanwhile) runs again, at most `maxAttempts`
 * times in all, after a short jittered exponential backoff, so writers in several processes
 * spread out instead of colliding again at once. A unit of work says which of its failures are
 * worth another attempt by failing with `again`; every other failure ends it at once.
 */
import { Clock, Duration, Effect, Schedule } from "effect"

/**
 * The wait before the second attempt; each later wait doubles, give or take a fifth.
 *
 * @category models
 * @since 0.1.0
 */
export const firstDelay: Duration.Duration = Duration.millis(1)

/**
 * The longest wait between two attempts.
 *
 * @category models
 * @since 0.1.0
 */
export const maxDelay: Duration.Duration = Duration.millis(50)

/**
 * A failure a unit of work marks as worth another attempt; `run` unwraps it when the attempts
 * run out.
 *
 * @category errors
 * @since 0.1.0
 */
export class Again<E> {
  readonly _tag = "Again"
  constructor(readonly error: E) {}
}

/**
 * Fails the current attempt with `error`, asking for another.
 *
 * @category constructors
 * @since 0.1.0
 */
export const again = <E>(error: E): Effect.Effect<never, Again<E>> => Effect.fail(new Again(error))

const isAgain = (u: unknown): u is Again<unknown> => u instanceof Again

/**
 * The failures of a unit of work once `run` has unwrapped its `again`s.
 *
 * @category models
 * @since 0.1.0
 */
export type Unwrapped<E> = E extends Again<infer W> ? W : E

/**
 * The waits between the attempts of a unit of work allowed `maxAttempts` attempts: at most
 * `maxAttempts - 1` of them, from `firstDelay`, doubling, jittered, never longer than `maxDelay`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const backoff = (maxAttempts: number): Schedule.Schedule<Duration.Duration> =>
  Schedule.exponential(firstDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay(({ duration }) => Effect.succeed(Duration.min(duration, maxDelay))),
    Schedule.upTo({ times: Math.max(0, maxAttempts - 1) })
  )

/**
 * A clock that tells the time as `clock` does but waits in real time. The backoff exists to
 * spread real writers apart, so it waits for real however the time is told: a `TestClock` (which
 * would otherwise stall every race a test provokes until the test moves it) or the Promise
 * facade's `now`.
 */
const waitingInRealTime = (clock: Clock.Clock): Clock.Clock => {
  const real = Clock.Clock.defaultValue()
  return {
    currentTimeMillisUnsafe: () => clock.currentTimeMillisUnsafe(),
    currentTimeMillis: clock.currentTimeMillis,
    currentTimeNanosUnsafe: () => clock.currentTimeNanosUnsafe(),
    currentTimeNanos: clock.currentTimeNanos,
    monotonicTimeNanosUnsafe: () => clock.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: clock.monotonicTimeNanos,
    sleep: (duration) => real.sleep(duration)
  }
}

/**
 * Runs a unit of work, and again after each `again` failure (waiting as `backoff` says), at
 * most `maxAttempts` times in all; the last `again` fails with the error it wraps. The unit of
 * work itself reads time from the clock it was given.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = <A, E, R>(
  unitOfWork: Effect.Effect<A, E, R>,
  maxAttempts: number
): Effect.Effect<A, Unwrapped<E>, R> =>
  Effect.clockWith((clock) =>
    Effect.retry(Effect.provideService(unitOfWork, Clock.Clock, clock), {
      schedule: backoff(maxAttempts),
      while: isAgain
    }).pipe(
      Effect.provideService(Clock.Clock, waitingInRealTime(clock)),
      Effect.mapError((error) => (isAgain(error) ? error.error : error) as Unwrapped<E>)
    )
  )
