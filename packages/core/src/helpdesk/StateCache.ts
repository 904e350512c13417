/**
 * What one `Helpdesk` instance last knew of each ticket: its folded state and version, for the
 * `stateCacheSize` tickets it most recently loaded or wrote. Only ever a hint (see `UnitOfWork`):
 * a command may decide on it, but only a successful append is taken from it. Versions only grow,
 * so an older snapshot (from a slower fiber) never replaces a newer one.
 */
import * as Lru from "../internal/lru.js"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketId } from "../values/Ids.js"

/**
 * A ticket's folded state at a version, as this instance last knew it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Known {
  readonly state: Ticket.Ticket
  readonly version: number
}

/**
 * The tickets one instance remembers.
 *
 * @category models
 * @since 0.1.0
 */
export interface StateCache {
  /** What this instance knows of a ticket, now its most recently used. */
  readonly recall: (ticketId: TicketId) => Known | undefined
  /** Remembers a ticket's state, unless a newer version is already remembered. */
  readonly remember: (ticketId: TicketId, entry: Known) => void
  /** Forgets a ticket: its stream is no longer known (a failed append, a foreign ticket). */
  readonly forget: (ticketId: TicketId) => void
}

/**
 * A cache of at most `size` tickets (0 remembers none).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (size: number): StateCache => {
  const known = Lru.make<TicketId, Known>(size)
  return {
    recall: known.get,
    remember: (ticketId, entry) => {
      const current = known.peek(ticketId)
      known.set(ticketId, current !== undefined && current.version > entry.version ? current : entry)
    },
    forget: (ticketId) => {
      known.delete(ticketId)
    }
  }
}
