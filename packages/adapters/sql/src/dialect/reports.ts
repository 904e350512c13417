/**
 * What the SQL reports (`SqlReport`) write differently per database, as data: integer division
 * (MySQL's `/` gives a decimal), and how the shared table of a report's tickets is kept for the
 * many aggregates that read it (materialized once where the database lets a query say so).
 */
import { type RawBuilder, sql } from "kysely"
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
}

const slash = (a: RawBuilder<unknown>, b: number) => sql<number>`(${a}) / ${sql.lit(b)}`

/**
 * The report SQL of every dialect, by name.
 *
 * @category dialects
 * @since 0.1.0
 */
export const reportSql: Readonly<Record<Dialect, ReportSql>> = {
  // Integers divide as integers; `materialized` since 3.35.
  sqlite: { intDiv: slash, materialized: sql`materialized` },
  // `count(*)` is a bigint, which divides as an integer; `materialized` since PostgreSQL 12.
  postgres: { intDiv: slash, materialized: sql`materialized` },
  // `/` gives a decimal; `div` is integer division. No materialization hint: MariaDB decides.
  mysql: { intDiv: (a, b) => sql<number>`(${a}) div ${sql.lit(b)}`, materialized: sql`` }
}
