/**
 * In-memory `Timers`: a map of timers with leases. Not durable: a restart loses them (the SQL
 * and Redis adapters keep them); it defines claim and lease semantics for the other adapters.
 */
import { DateTime, Effect, Layer } from "effect"
import { type Timer, Timers } from "../ports/Timers.js"

/**
 * Builds in-memory timers.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<Timers["Service"]> = Effect.sync(() => {
  const timers = new Map<string, { timer: Timer; leasedUntil: number }>()
  return Timers.of({
    schedule: (timer) =>
      Effect.sync(() => {
        if (!timers.has(timer.id)) timers.set(timer.id, { timer, leasedUntil: 0 })
      }),
    claimDue: (workspaceId, now, limit, leaseMillis) =>
      Effect.sync(() => {
        const at = DateTime.toEpochMillis(now)
        const due = Array.from(timers.values())
          .filter(
            (t) =>
              t.timer.workspaceId === workspaceId && DateTime.toEpochMillis(t.timer.dueAt) <= at && t.leasedUntil <= at
          )
          .sort((a, b) => DateTime.toEpochMillis(a.timer.dueAt) - DateTime.toEpochMillis(b.timer.dueAt))
          .slice(0, limit)
        for (const t of due) t.leasedUntil = at + leaseMillis
        return due.map((t) => t.timer)
      }),
    complete: (id) => Effect.sync(() => void timers.delete(id))
  })
})

/**
 * In-memory timers as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<Timers> = Layer.effect(Timers, make)
