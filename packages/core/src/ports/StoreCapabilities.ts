/**
 * What differs between ticket store back ends, as data: whether the store survives a restart,
 * whether several processes may share it, the search its `query` answers and its largest batch.
 * Callers branch on these values, never on the adapter's type; a store refuses a call that needs
 * more than it declares with `Unsupported` (the checks here), and the conformance suite holds
 * every adapter's behaviour to its declaration.
 */
import type { TicketQuery } from "../query/TicketQuery.js"
import * as Limits from "../values/Limits.js"
import { Unsupported } from "./StoreError.js"

/**
 * The search a store's `query` answers for `TicketQuery.search`:
 * - `"none"`: no search; a query with `search` fails with `Unsupported` (filters, sorting and
 *   paging still work).
 * - `"prefix"`: every term of `TicketQuery.searchTerms` must start a word (`TicketQuery.words`:
 *   letters and digits, lowercase, accents removed) of the ticket's subject or messages (public
 *   ones only for `searchIn: "public"`), exactly as `TicketQuery.matchesSearch` decides. No
 *   stemming and no ranking: results keep the query's order.
 *
 * @category models
 * @since 0.1.0
 */
export type SearchSupport = "none" | "prefix"

/**
 * What a ticket store declares about itself.
 *
 * @category models
 * @since 0.1.0
 */
export interface StoreCapabilities {
  /** Durable across restarts. */
  readonly durable: boolean
  /** Several processes may share the store (claims use row locks or equivalent). */
  readonly multiProcess: boolean
  /** The search `query` answers (see `SearchSupport`). */
  readonly search: SearchSupport
  /**
   * The most streams one `appendAll` writes or checks, from 3 (a relation between two tickets
   * and one more it checks, such as a parent's parent) to `Limits.streamsPerBatch`. A larger
   * batch within `Limits.streamsPerBatch` fails with `Unsupported`; links, merges and splits
   * read at most one ticket fewer, and refuse a larger graph with `InvalidLink` (`too_deep`).
   */
  readonly maxBatch: number
}

/**
 * The capabilities of a store that supports everything the port describes.
 *
 * @category constructors
 * @since 0.1.0
 */
export const full = (durability: { readonly durable: boolean; readonly multiProcess: boolean }): StoreCapabilities => ({
  ...durability,
  search: "prefix",
  maxBatch: Limits.streamsPerBatch
})

/**
 * `Unsupported` for a query the store cannot answer (a `search` on a store whose search is
 * `"none"`); `undefined` when it can.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkQuery = (
  capabilities: StoreCapabilities,
  query: TicketQuery,
  operation = "query"
): Unsupported | undefined =>
  query.search !== undefined && capabilities.search === "none"
    ? new Unsupported({ capability: "search", operation, requested: "prefix", supported: "none" })
    : undefined

/**
 * `Unsupported` for a batch of more streams than the store's `maxBatch` (a batch beyond
 * `Limits.streamsPerBatch` is `LimitExceeded` first, whatever the store); `undefined` within it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkBatch = (
  capabilities: StoreCapabilities,
  streams: number,
  operation = "appendAll"
): Unsupported | undefined =>
  streams > capabilities.maxBatch && streams <= Limits.streamsPerBatch
    ? new Unsupported({ capability: "maxBatch", operation, requested: streams, supported: capabilities.maxBatch })
    : undefined

/**
 * How many tickets one link, merge or split may read on a store: one fewer than its largest
 * batch, so that a split's new ticket always fits in the same batch.
 *
 * @category combinators
 * @since 0.1.0
 */
export const ticketsPerRelation = (capabilities: StoreCapabilities): number =>
  Math.min(capabilities.maxBatch, Limits.streamsPerBatch) - 1
