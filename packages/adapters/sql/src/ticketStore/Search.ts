/**
 * Full-text search on SQL: a term is a word prefix (`TicketQuery.searchTerms`), looked up in FTS5
 * on SQLite and in a GIN-indexed tsvector on PostgreSQL, over texts stored as
 * `TicketQuery.words`, so every back end finds what the memory store finds. This module builds
 * the conditions and chooses which term drives the plan (the rarest, or a walk of the query's
 * order when every term is common); `Query` puts them into the page's statement.
 */
import { type Expression, type SqlBool, sql } from "kysely"
import type { Shared } from "./Shared.js"
import { textSpan } from "./Shared.js"

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
  const { db, pg, run } = shared

  /** A term as a prefix query: FTS5 string syntax, or a tsquery lexeme (not normalised by the cast). */
  const prefixQuery = (term: string): string =>
    pg ? `'${term.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*` : `"${term.replaceAll('"', '""')}"*`

  // Constants in the SQL text: better-sqlite3 binds numbers as REAL, and `rowid / 2^24.0`
  // would not be the ticket's number.
  const span = sql.lit(textSpan)
  const last = sql.lit(textSpan - 1)

  /**
   * A term's prefix query for PostgreSQL, as a literal in the SQL text: the planner must see
   * the term to choose between the GIN index and a scan (a prepared generic plan cannot). Terms
   * are letters and digits only (`TicketQuery.searchTerms`), and are escaped all the same.
   */
  const tsquery = (term: string) => sql`cast(${sql.lit(prefixQuery(term))} as tsquery)`

  /**
   * Some text of the ticket has a word starting with `term`, checked ticket by ticket (for a
   * common term, while walking the tickets in the query's order): the ticket's own texts,
   * through their primary key, never a full-text index lookup (FTS5 reads a term's whole
   * doclist for every lookup). PostgreSQL: a scalar subquery, which the planner cannot turn
   * into a join that first collects every match. SQLite: a word of the text starts with the
   * term when `' ' || term` occurs in `' ' || words` (both are `TicketQuery.words`).
   */
  const hasTerm = (term: string, publicOnly: boolean): Expression<SqlBool> =>
    pg
      ? sql<SqlBool>`coalesce((select true from ticket_texts where ticket_texts.ticket_id = tickets.id and ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)} limit 1), false)`
      : sql<SqlBool>`exists (select 1 from ticket_texts where ticket_texts.key between tickets.num * ${span} and tickets.num * ${span} + ${last} and instr(' ' || ticket_texts.words, ${` ${term}`}) > 0${publicText(publicOnly)})`

  /**
   * The tickets with a text matching `term`, straight from the full-text index. PostgreSQL: a
   * rare term's matches as an array computed once from the GIN index, so the planner looks the
   * tickets up by id instead of walking every ticket to probe its texts; a common one (a search
   * whose walk found too little) as a semi-join, which hashes its many matches.
   */
  const withTerm = (term: string, common: boolean, publicOnly: boolean): Expression<SqlBool> =>
    !pg
      ? common
        ? // `+` keeps SQLite from driving the query from this set: each term's set is built once
          // and the walk of the query's order checks tickets against them.
          sql<SqlBool>`+tickets.num in (${ftsMatches(term, publicOnly)})`
        : sql<SqlBool>`tickets.num in (${ftsMatches(term, publicOnly)})`
      : common
        ? sql<SqlBool>`tickets.id in (select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)})`
        : sql<SqlBool>`tickets.id = any(array(select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)}))`

  /** Searches for requesters (`searchIn: "public"`) leave internal notes out (#12). */
  const publicText = (publicOnly: boolean) => (publicOnly ? sql` and ticket_texts.visibility = 'public'` : sql``)

  /** SQLite: the numbers of the tickets with a text matching `term` (public ones: each match looked up by key). */
  const ftsMatches = (term: string, publicOnly: boolean) =>
    publicOnly
      ? sql`select ticket_texts.key / ${span} from ticket_texts_fts join ticket_texts on ticket_texts.key = ticket_texts_fts.rowid where ticket_texts_fts match ${prefixQuery(term)}${publicText(true)}`
      : sql`select rowid / ${span} from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)}`

  /**
   * The term to drive a search from: the rarest, if fewer than `rareMatches` texts match it;
   * none when every term is common, and then walking the tickets in the query's order and
   * checking each finds a page sooner than collecting every match (planners misjudge this:
   * PostgreSQL hash-joins millions of matches for a 50-row page). Only the plan depends on it;
   * the results are the same.
   */
  // PostgreSQL estimates a word outside its statistics' most common ones at about 0.1% of the
  // texts: a higher bar there keeps those words rare.
  const rareMatches = Math.max(1, Math.floor(tuning.rare ?? (pg ? 10_000 : 2_000)))
  /** How many tickets a search of common terms walks before it collects matches instead. */
  const walkWindow = Math.max(1, Math.floor(tuning.window ?? 5_000))

  /**
   * SQLite: texts matching a term, counted up to the cap (FTS5 stops there). PostgreSQL: the
   * planner's estimate from the column's statistics, read with EXPLAIN: counting there needs
   * either a scan (which never stops for a word no text has) or a full GIN bitmap (slow for a
   * common one), while the estimate costs a plan and is good enough to choose.
   */
  const countedTexts = async (term: string): Promise<number> => {
    const counted = await sql<{
      readonly count: number
    }>`select count(*) as count from (select 1 from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)} limit ${rareMatches}) as m`.execute(
      db
    )
    return Number(counted.rows[0]?.count ?? rareMatches)
  }
  const estimatedTexts = async (term: string): Promise<number> => {
    const explained = await sql<
      Record<string, unknown>
    >`explain (format json) select 1 from ticket_texts where search @@ ${tsquery(term)}`.execute(db)
    const plan = Object.values(explained.rows[0] ?? {})[0]
    const parsed = typeof plan === "string" ? JSON.parse(plan) : plan
    const rows = Array.isArray(parsed)
      ? (parsed[0] as { Plan?: { "Plan Rows"?: unknown } })?.Plan?.["Plan Rows"]
      : undefined
    return typeof rows === "number" ? rows : rareMatches
  }
  const rarestTerm = (terms: ReadonlyArray<string>) =>
    run("query", async () => {
      let rarest: { readonly term: string; readonly count: number } | undefined
      for (const term of terms) {
        // SQLite: a term of one to three characters is taken as common without counting. FTS5
        // merges the doclists of every word it begins, which is what costs (a whole second for
        // "t" at a million tickets); walking finds a page of such a term at once.
        const count = pg ? await estimatedTexts(term) : term.length < 4 ? rareMatches : await countedTexts(term)
        if (count < rareMatches && (rarest === undefined || count < rarest.count)) rarest = { term, count }
      }
      return rarest?.term
    })

  return { hasTerm, withTerm, rareMatches, walkWindow, rarestTerm }
}

/**
 * What `make` gives.
 *
 * @category models
 * @since 0.1.0
 */
export type Searcher = ReturnType<typeof make>
