/**
 * Where the state that assignment keeps between commands lives: the roster (with its
 * round-robin cursors and loads) and what each ticket was already given. The port is one
 * versioned record read whole and written by compare-and-set, so ranking stays the pure
 * `Assignment.rank` in the caller; `memory` keeps it in one process (the default), and a shared
 * implementation (`@tessera/redis`'s `RedisAssignmentState`) lets several app nodes assign as one.
 *
 * @since 0.1.0
 */
import type { StoreError } from "@tessera/core"
import { Effect } from "effect"
import type * as Assignment from "./Assignment.js"

/**
 * The state as read for one ticket's request: the roster, its version (for `commit`), and what
 * that request was given before, if it was asked (`agent` undefined: nobody could take it).
 *
 * @category models
 * @since 0.1.0
 */
export interface Snapshot {
  readonly roster: Assignment.Roster
  readonly version: number
  readonly given: { readonly agent: string | undefined } | undefined
}

/**
 * The assignment state port.
 *
 * @category models
 * @since 0.1.0
 */
export interface AssignmentState {
  /** The roster with its version, and what the request `key` was given before. */
  readonly read: (key: string) => Effect.Effect<Snapshot, StoreError.StoreError>
  /**
   * If the roster is still at version `expected` and `key` was given nothing yet: writes `roster`
   * (the version moves on) and records `agent` for `key`, and answers `true`. Otherwise writes
   * nothing and answers `false`: another assignment came first, read again.
   */
  readonly commit: (
    expected: number,
    key: string,
    agent: string | undefined,
    roster: Assignment.Roster
  ) => Effect.Effect<boolean, StoreError.StoreError>
  /** Replaces the roster (agents came or went, loads were read again); what was given stays. */
  readonly set: (roster: Assignment.Roster) => Effect.Effect<void, StoreError.StoreError>
}

/**
 * The state in this process's memory: the given agents of the last `remember` requests (default
 * 10,000) are kept. Its effects are synchronous.
 *
 * @category constructors
 * @since 0.1.0
 */
export const memory = (initial: Assignment.Roster, remember = 10_000): AssignmentState => {
  let roster = initial
  let version = 0
  const given = new Map<string, string | undefined>()
  return {
    read: (key) =>
      Effect.sync(() => ({
        roster,
        version,
        given: given.has(key) ? { agent: given.get(key) } : undefined
      })),
    commit: (expected, key, agent, next) =>
      Effect.sync(() => {
        if (expected !== version || given.has(key)) return false
        roster = next
        version++
        given.set(key, agent)
        if (given.size > remember) given.delete(given.keys().next().value as string)
        return true
      }),
    set: (next) =>
      Effect.sync(() => {
        roster = next
        version++
      })
  }
}
