/**
 * Actors one `Helpdesk` instance found in the directory lately (an active agent, a contact), each
 * for `actorCheckMillis` from the check: a command by the same actor then needs no directory
 * read. Only successful checks are kept, and saving an agent or a contact through the instance
 * forgets it at once; what counts as a successful check is `DirectoryChecks`' business.
 */
import { Effect } from "effect"
import * as Lru from "../internal/lru.js"
import type * as Actor from "../values/Actor.js"

/** How many actors an instance remembers at most. */
const capacity = 10_000

/**
 * The actors one instance found lately.
 *
 * @category models
 * @since 0.1.0
 */
export interface ActorCache {
  /** Runs `check` unless `actor` passed it less than `actorCheckMillis` ago; remembers a pass. */
  readonly checked: <E, R>(
    actor: Actor.AgentActor | Actor.ContactActor,
    check: Effect.Effect<void, E, R>
  ) => Effect.Effect<void, E, R>
  /** Forgets a directory record (an agent or a contact saved just now): the next check reads it. */
  readonly forget: (kind: string, id: string) => void
}

/**
 * A cache that keeps each passed check for `millis` (0 keeps none: every check reads).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (millis: number): ActorCache => {
  /** When each actor's last check stops counting, by `_tag:id`. */
  const seen = Lru.make<string, number>(millis === 0 ? 0 : capacity)
  const keyOf = (kind: string, id: string) => `${kind}:${id}`
  return {
    checked: (actor, check) => {
      if (millis === 0) return check
      const key = keyOf(actor._tag, actor.id)
      return Effect.clockWith((clock) => {
        const now = clock.currentTimeMillisUnsafe()
        const until = seen.peek(key)
        if (until !== undefined && now < until) return Effect.void
        return Effect.tap(check, () => Effect.sync(() => seen.set(key, now + millis)))
      })
    },
    forget: (kind, id) => {
      seen.delete(keyOf(kind, id))
    }
  }
}
