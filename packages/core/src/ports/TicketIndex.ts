/**
 * The index part of the ticket store port: agents' queues and searches, answered from a
 * projection of every ticket's current state that each append keeps up to date in its own
 * transaction. What a page holds, in which order, and what a cursor means are `TicketQuery.run`'s
 * definitions; an adapter translates them (to SQL, to a search engine) and must give the same
 * pages.
 */
import type { Effect } from "effect"
import type { TicketPage, TicketQuery } from "../query/TicketQuery.js"
import type { WorkspaceId } from "../values/Ids.js"
import type { InvalidCursor, StoreError } from "./StoreError.js"

/**
 * Queries over a workspace's tickets.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketIndex {
  /**
   * One page of a workspace's tickets, as `TicketQuery.run` defines it: the filters, then the
   * search (`query.search`, as the store's `capabilities.search` says; `Unsupported` when it is
   * `"none"`), in the query's order, at most `limit` items, and a `nextCursor` when more follow.
   * A cursor this store did not issue for the same order fails with `InvalidCursor`. An append's
   * `slaDueAt` is the summary's `slaDueAt`. Never another workspace's ticket.
   */
  readonly query: (
    workspaceId: WorkspaceId,
    query: TicketQuery
  ) => Effect.Effect<TicketPage, InvalidCursor | StoreError>
}
