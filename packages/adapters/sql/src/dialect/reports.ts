/**
 * What the SQL reports (`SqlReport`) write differently per database, as data: integer division
 * (MySQL's `/` gives a decimal), typed nulls, inserting a row unless it exists, and how the shared table of a report's tickets is kept for the
 * many aggregates that read it (materialized once where the database lets a query say so).
 */
import { type InsertQueryBuilder, type InsertResult, type RawBuilder, sql } from "kysely"
import type { Dialect } from "../Database.js"

/**
 * One database's report SQL.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReportSql {
  /** `a / b` rounded down, for non-negative integers. */
  readonly intDiv: (a: RawBuilder<unknown>, b: number) => RawBuilder<number>
  /** Written between `name as` and the CTE's query: `materialized` where the database knows it. */
  readonly materialized: RawBuilder<unknown>
  /**
   * A null number. PostgreSQL types the branches of `union all` two at a time, and two bare
   * nulls become text, which no later number joins.
   */
  readonly nullNumber: RawBuilder<unknown>
  /**
   * The nearest-rank percentile `p` of `value` over a group, as an aggregate, where the database
   * has one (PostgreSQL's `percentile_disc`, which counts the rank as `ceil(p * n)` in double
   * precision, as `Report.percentile` does); elsewhere percentiles are row numbers in windows.
   */
  readonly percentile?: (value: RawBuilder<unknown>, p: number) => RawBuilder<number>
  /** `query` that inserts nothing where the row's key exists (`on conflict do nothing`; MySQL: `insert ignore`). */
  readonly unlessExists: <DB, T extends keyof DB & string>(
    query: InsertQueryBuilder<DB, T, InsertResult>
  ) => InsertQueryBuilder<DB, T, InsertResult>
}

const onConflict = <DB, T extends keyof DB & string>(query: InsertQueryBuilder<DB, T, InsertResult>) =>
  query.onConflict((conflict) => conflict.doNothing())

const slash = (a: RawBuilder<unknown>, b: number) => sql<number>`(${a}) / ${sql.lit(b)}`

/**
 * The report SQL of every dialect, by name.
 *
 * @category dialects
 * @since 0.1.0
 */
export const reportSql: Readonly<Record<Dialect, ReportSql>> = {
  // Integers divide as integers; `materialized` since 3.35.
  sqlite: {
    intDiv: slash,
    materialized: sql`materialized`,
    nullNumber: sql`cast(null as integer)`,
    unlessExists: onConflict
  },
  // `count(*)` is a bigint, which divides as an integer; `materialized` since PostgreSQL 12.
  postgres: {
    intDiv: slash,
    materialized: sql`materialized`,
    nullNumber: sql`cast(null as bigint)`,
    unlessExists: onConflict,
    percentile: (value, p) => sql<number>`percentile_disc(${sql.lit(p)}) within group (order by ${value})`
  },
  // `/` gives a decimal; `div` is integer division. No materialization hint: MariaDB decides.
  mysql: {
    intDiv: (a, b) => sql<number>`(${a}) div ${sql.lit(b)}`,
    materialized: sql``,
    nullNumber: sql`cast(null as signed)`,
    unlessExists: (query) => query.ignore()
  }
}
