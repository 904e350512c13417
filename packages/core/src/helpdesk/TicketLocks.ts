/**
 * One command at a time per ticket, inside one `Helpdesk` instance: commands on the same ticket
 * wait for each other in arrival order, so writers in one process never race each other to the
 * store, and a hot ticket cannot make a command lose the race `maxAttempts` times in a row.
 * Writers elsewhere (other processes, other instances on the same store) still race through the
 * store's version check; the `Helpdesk`'s bounded retry handles those. Only tickets with a command
 * running or waiting have an entry, so the table is never larger than the work in flight.
 */
import { Context, Effect, Semaphore } from "effect"

/** A ticket's lock, and how many commands hold it or wait for it. */
interface Entry {
  readonly semaphore: Semaphore.Semaphore
  users: number
}

/**
 * The locks the current fiber (and the fibers it forked) holds: a command nested in another on
 * the same ticket (a trigger rule calling the help desk, say) runs inside it instead of waiting
 * for itself forever.
 */
const Held = Context.Reference<ReadonlySet<Entry>>("@tessera/core/TicketLocks/Held", {
  defaultValue: () => new Set()
})

/**
 * A table of per-ticket locks.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketLocks {
  /**
   * Runs `effect` once no other command of this table is running on `ticketId`; commands waiting
   * on the same ticket run in the order they arrived. The lock is released however `effect`
   * ends (success, failure, defect or interruption), and a waiter that is interrupted leaves the
   * queue. Reentrant: called again on the same ticket from inside `effect`, it does not wait.
   */
  readonly withLock: <A, E, R>(ticketId: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** How many tickets have a command running or waiting now (0 when the table is idle). */
  readonly size: () => number
}

/**
 * An empty table of per-ticket locks.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (): TicketLocks => {
  const entries = new Map<string, Entry>()

  const withLock = <A, E, R>(ticketId: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Held, (held) => {
      const current = entries.get(ticketId)
      if (current !== undefined && held.has(current)) return effect
      // Counting in and out is not interruptible, so an entry is dropped exactly when its last
      // user leaves, whichever way it leaves.
      return Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          let entry = entries.get(ticketId)
          if (entry === undefined) {
            entry = { semaphore: Semaphore.makeUnsafe(1), users: 0 }
            entries.set(ticketId, entry)
          }
          const mine = entry
          mine.users++
          // A copy of the held set with this lock (`new Set(held)` copies without iterating in script).
          const holding = new Set(held).add(mine)
          return restore(mine.semaphore.withPermit(Effect.provideService(effect, Held, holding))).pipe(
            Effect.ensuring(
              Effect.sync(() => {
                mine.users--
                if (mine.users === 0 && entries.get(ticketId) === mine) entries.delete(ticketId)
              })
            )
          )
        })
      )
    })

  return { withLock, size: () => entries.size }
}
