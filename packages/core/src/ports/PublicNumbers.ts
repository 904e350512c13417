/**
 * The public-number part of the ticket store port: each workspace numbers its tickets 1, 2, 3...
 * (the numbers people quote), from a sequence of its own that never hands out a number twice,
 * and finds a ticket by its number. A `TicketOpened` carries its number, and `EventStore.append`
 * refuses one already held in the workspace (`PublicIdTaken`), so numbers stay unique even when
 * chosen by hand.
 */
import type { Effect, Option } from "effect"
import type { PublicId, TicketId, WorkspaceId } from "../values/Ids.js"
import type { LimitExceeded } from "../values/Limits.js"
import type { StoreError } from "./StoreError.js"

/**
 * Public ticket numbers, per workspace.
 *
 * @category models
 * @since 0.1.0
 */
export interface PublicNumbers {
  /**
   * The next free public number of a workspace (never one already handed out or held by a
   * ticket, and never affected by another workspace's draws); `LimitExceeded` once the sequence
   * has handed out `Limits.publicIdMax` (or starts beyond it).
   */
  readonly nextPublicId: (workspaceId: WorkspaceId) => Effect.Effect<PublicId, LimitExceeded | StoreError>
  /** The ticket that holds a public number in a workspace (none for a number out of range). */
  readonly resolve: (workspaceId: WorkspaceId, publicId: PublicId) => Effect.Effect<Option.Option<TicketId>, StoreError>
}
