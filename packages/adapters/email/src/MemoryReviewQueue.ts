/**
 * The in-memory `ReviewQueue`: held messages in a list of one process, numbered in the order
 * they came, with the time read from Effect's `Clock`. For tests and for an application that
 * keeps the raw mail elsewhere; a restart forgets the list.
 */
import { Clock, Effect, Layer } from "effect"
import { type Held, ReviewQueue } from "./ReviewQueue.js"

/**
 * Builds an in-memory review queue.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make: Effect.Effect<ReviewQueue["Service"]> = Effect.sync(() => {
  let held: ReadonlyArray<Held> = []
  let next = 1
  return ReviewQueue.of({
    hold: (hold) =>
      Effect.map(Clock.currentTimeMillis, (heldAt) => {
        const item: Held = { ...hold, id: `held_${next++}`, heldAt }
        held = [...held, item]
        return item
      }),
    list: (workspaceId) => Effect.sync(() => held.filter((h) => h.workspaceId === workspaceId)),
    release: (workspaceId, id) =>
      Effect.sync(() => {
        held = held.filter((h) => h.workspaceId !== workspaceId || h.id !== id)
      })
  })
})

/**
 * The in-memory review queue as a layer.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer: Layer.Layer<ReviewQueue> = Layer.effect(ReviewQueue, make)
