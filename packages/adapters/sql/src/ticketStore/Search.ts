/**
 * Full-text search on SQL: a term is a word prefix (`TicketQuery.searchTerms`), looked up in the
 * dialect's full-text index (`SqlDialect.search`: FTS5, a GIN-indexed tsvector, ...) over texts
 * stored as `TicketQuery.words`, so every back end finds what the memory store finds. This
 * module chooses which term drives the plan (the rarest, or a walk of the query's order when
 * every term is common); `Query` puts the dialect's conditions into the page's statement.
 */
import type { StoreError } from "@tessera/core"
import type { Effect } from "effect"
import type { Shared } from "./Shared.js"

/**
 * How searches choose their plan; see `SqlTicketStore.Options.searchTuning`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Tuning {
  readonly rare?: number
  readonly window?: number
}

/**
 * A search's terms and the one that drives its plan.
 *
 * @category models
 * @since 0.1.0
 */
export interface Search {
  readonly terms: ReadonlyArray<string>
  /** The term whose matches drive the query (see `rarestTerm`). */
  readonly driver: string | undefined
  /** The driver is common: a walk of the first candidates did not fill the page. */
  readonly common?: boolean
}

/**
 * The search conditions and planning, on the store's client.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared, tuning: Tuning = {}) => {
  const { dialect, run } = shared
  const { hasTerm, withTerm, matchingTexts } = dialect.search

  /**
   * The term to drive a search from: the rarest, if fewer than `rareMatches` texts match it;
   * none when every term is common, and then walking the tickets in the query's order and
   * checking each finds a page sooner than collecting every match (planners misjudge this:
   * PostgreSQL hash-joins millions of matches for a 50-row page). Only the plan depends on it;
   * the results are the same.
   */
  const rareMatches = Math.max(1, Math.floor(tuning.rare ?? dialect.search.rareTexts))
  /** How many tickets a search of common terms walks before it collects matches instead. */
  const walkWindow = Math.max(1, Math.floor(tuning.window ?? 5_000))

  // Annotated so that the emitted declaration names the errors through `@tessera/core`.
  const rarestTerm = (
    terms: ReadonlyArray<string>
  ): Effect.Effect<string | undefined, StoreError.StoreUnavailable | StoreError.ValueTooLarge> =>
    run("query", async (db) => {
      let rarest: { readonly term: string; readonly count: number } | undefined
      for (const term of terms) {
        const count = await matchingTexts(db, term, rareMatches)
        if (count < rareMatches && (rarest === undefined || count < rarest.count)) rarest = { term, count }
      }
      return rarest?.term
    })

  return {
    hasTerm,
    withTerm,
    everyTerm: dialect.search.everyTerm,
    commonTermsAsSets: dialect.search.commonTermsAsSets,
    rareMatches,
    walkWindow,
    rarestTerm
  }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type Searcher = ReturnType<typeof make>
