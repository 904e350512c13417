/**
 * The progress bar of long runs: one line on the terminal's stderr, redrawn in place, with a bar,
 * the counts, the share done and an estimate of the time left. It is drawn only where someone
 * watches (stderr is a terminal, or `--progress` asks), at most ten times a second, and erased
 * when the run ends, so stdout stays clean for pipes and `--json`.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"

/**
 * Where the bar is drawn: a stream such as `process.stderr`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sink {
  /** Writes text to the stream (the bar and the control characters that redraw it). */
  readonly write: (text: string) => unknown
  readonly columns?: number | undefined
}

/**
 * A bar to update as work is done, and to erase at the end.
 *
 * @category models
 * @since 0.1.0
 */
export interface Bar {
  /** Redraws the bar for `done` of `total` items, with the estimate of the time left. */
  readonly update: (done: number, total: number) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
}

const duration = (ms: number): string => {
  const s = Math.ceil(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, "0")}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
}

/**
 * The bar's text for `done` of `total` after `elapsed` milliseconds, at most `columns` wide:
 * `[#######.............] 120/300 tickets  40%  ~3s left`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const line = (done: number, total: number, elapsed: number, columns = 80, unit = "tickets"): string => {
  const share = total === 0 ? 1 : Math.min(1, done / total)
  const left = done === 0 || done >= total ? undefined : (elapsed / done) * (total - done)
  const text = ` ${done}/${total} ${unit}  ${Math.floor(share * 100)}%${left === undefined ? "" : `  ~${duration(left)} left`}`
  const width = Math.max(10, Math.min(40, columns - text.length - 3))
  const filled = Math.round(share * width)
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]${text}`.slice(0, Math.max(1, columns - 1))
}

/** A bar that draws nothing. */
const silent: Bar = { update: () => Effect.void, clear: Effect.void }

/**
 * A bar drawn on `sink` when `enabled`, timed by the `Clock`; a bar that draws nothing otherwise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (sink: Sink, enabled: boolean, unit = "tickets"): Effect.Effect<Bar> =>
  enabled
    ? Effect.map(Clock.currentTimeMillis, (start) => {
        let drawn = false
        let last = Number.NEGATIVE_INFINITY
        return {
          update: (done, total) =>
            Effect.map(Clock.currentTimeMillis, (now) => {
              if (now - last < 100 && done < total && done > 0) return
              last = now
              drawn = true
              sink.write(`\r\x1b[K${line(done, total, now - start, sink.columns ?? 80, unit)}`)
            }),
          clear: Effect.sync(() => {
            if (drawn) sink.write("\r\x1b[K")
          })
        }
      })
    : Effect.succeed(silent)
