// Replaying recorded statements on a copy, timed: all at once after the Helpdesk run (`replayOn`),
// or a chunk at a time between the Helpdesk's chunks of commands (`sessionOn`), so that whatever
// drifts on the server over a run (its caches, its background work, the machine's load) weighs on
// both halves alike. Each database gives a `ReplayTarget`: how a statement runs on it.
import type { Recorded, ReplayTiming, Segment } from "./replay.js"

/** A copy that recorded statements run on. */
export interface ReplayTarget {
  /** Runs one statement: synchronously (SQLite) or as a promise (a client-server database). */
  readonly exec: (statement: Recorded) => unknown
  /** Gets ready to run `statements` (prepares the new ones), outside the timing. */
  readonly prepare?: (statements: ReadonlyArray<Recorded>) => void
  readonly countEvents: () => Promise<number> | number
  readonly close: () => Promise<void> | void
}

/** A copy being replayed on chunk by chunk; `finish` gives the timings of every chunk and closes it. */
export interface ReplaySession {
  readonly run: (segs: ReadonlyArray<Segment>) => Promise<void>
  readonly finish: () => Promise<ReplayTiming>
}

/**
 * Times `segs` on `target` as they come: per segment, and per statement when `perStatement`;
 * with `cpu`, this process's CPU time too (where the replay runs in it: SQLite).
 */
export const sessionOn = (
  target: ReplayTarget,
  options: { readonly perStatement?: boolean; readonly cpu?: boolean } = {}
): ReplaySession => {
  const segmentMs: Array<number> = []
  const statementMs: Array<number> = []
  let cpuMs = 0
  const perStatement = options.perStatement === true
  return {
    run: async (segs) => {
      target.prepare?.(segs.flatMap((seg) => seg.statements))
      const cpu = process.cpuUsage()
      for (const seg of segs) {
        const t0 = performance.now()
        for (const s of seg.statements) {
          const s0 = perStatement ? performance.now() : 0
          const pending = target.exec(s)
          // A synchronous driver is never awaited: no turn of the event loop inside the timing.
          if (pending instanceof Promise) await pending
          if (perStatement) statementMs.push(performance.now() - s0)
        }
        segmentMs.push(performance.now() - t0)
      }
      const { user, system } = process.cpuUsage(cpu)
      cpuMs += (user + system) / 1000
    },
    finish: async () => {
      try {
        const events = await target.countEvents()
        return { segmentMs, statementMs, events, ...(options.cpu === true ? { cpuMs } : {}) }
      } finally {
        await target.close()
      }
    }
  }
}

/** Replays `segs` on `target` in one go (see `sessionOn`). */
export const replayOn = async (
  target: ReplayTarget,
  segs: ReadonlyArray<Segment>,
  options: { readonly perStatement?: boolean; readonly cpu?: boolean } = {}
): Promise<ReplayTiming> => {
  const session = sessionOn(target, options)
  try {
    await session.run(segs)
  } catch (cause) {
    await target.close()
    throw cause
  }
  return session.finish()
}

/** `target` with `prefix` run on it first, untimed: the state the timed statements start from. */
export const primed = async (target: ReplayTarget, prefix: ReadonlyArray<Recorded>): Promise<ReplayTarget> => {
  target.prepare?.(prefix)
  for (const s of prefix) {
    const pending = target.exec(s)
    if (pending instanceof Promise) await pending
  }
  return target
}
