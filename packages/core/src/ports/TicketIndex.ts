/**
 * The index part of the ticket store port: agents' queues and searches, answered from a
 * projection of every ticket's current state that each append keeps up to date in its own
 * transaction. What a page holds, in which order, and what a cursor means are `TicketQuery.run`'s
 * definitions; an adapter translates them (to SQL, to a search engine) and must give the same
 * pages. The index also knows which ticket each email `Message-ID` of a workspace was first
 * recorded on (`findByEmailId`), for email intake to thread replies and to take a mail in once.
 */
import type { Effect, Option } from "effect"
import type { TicketPage, TicketQuery } from "../query/TicketQuery.js"
import type { Visibility } from "../query/Visibility.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
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
   * `slaDueAt` is the summary's `slaDueAt`. Never another workspace's ticket. With `visibility`,
   * only the tickets it allows (`Visibility.allows`), filtered in the store before paging, so a
   * page is full whenever enough visible tickets follow and a cursor never skips one.
   */
  readonly query: (
    workspaceId: WorkspaceId,
    query: TicketQuery,
    visibility?: Visibility
  ) => Effect.Effect<TicketPage, InvalidCursor | StoreError>
  /**
   * The ticket on which a message with the email `Message-ID` `messageId` was first recorded in
   * the workspace (`EventStore.recordedEmailIds`: by opening a ticket or adding a message), if
   * any. Written in the append's transaction, so it is there exactly when the message is. It
   * never changes: a merge or a split that later moves the message leaves it, and the caller
   * follows the ticket's merge pointer (`Ticket.mergedInto`) to where the conversation went.
   * The id is compared exactly as given (no case folding, angle brackets kept): normalise it
   * the same way when recording and when looking up. Never another workspace's ticket.
   */
  readonly findByEmailId: (
    workspaceId: WorkspaceId,
    messageId: string
  ) => Effect.Effect<Option.Option<TicketId>, StoreError>
}
