/**
 * The tag filters of a ticket query (`tagsAny`, `tagsAll`) as SQL conditions on `tickets`, the
 * same on SQLite and PostgreSQL. Their size and depth stay the same for one tag or a thousand
 * (`Limits.valuesPerFilter`): one semi-join per tag made PostgreSQL's planner search for minutes
 * and SQLite refuse the expression as too deep. Keys are escaped by the caller.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely"
import type { Database } from "../Database.js"
import { planWithValues } from "./Statements.js"

type Tickets = ExpressionBuilder<Database, "tickets">

/**
 * The two tag filters of one store.
 *
 * @category models
 * @since 0.1.0
 */
export interface TagFilters {
  /** The ticket holds at least one of `tags` (distinct, escaped; at least one). */
  readonly any: (eb: Tickets, tags: ReadonlyArray<string>) => Expression<SqlBool>
  /** The ticket of workspace `workspace` holds every one of `tags` (distinct, escaped; at least one). */
  readonly all: (eb: Tickets, workspace: string, tags: ReadonlyArray<string>) => Expression<SqlBool>
}

/**
 * Up to this many tags, `tagsAll` is one semi-join per tag: the planners estimate each tag from
 * its statistics and may walk the query's order, which finds a page of common tags at once.
 */
const FEW_TAGS = 4

/**
 * Tags are counted up to this many tickets each to find the rarest. PostgreSQL breaks ties
 * among tags past it with its statistics (the most common values of `ticket_tags.tag`);
 * SQLite has none, and counts further, which costs it less.
 */
const COUNTED = { postgres: 1_000, sqlite: 10_000 } as const

const oneOf = (eb: Tickets, tags: ReadonlyArray<string>) =>
  eb
    .selectFrom("ticket_tags")
    .select(sql`1`.as("one"))
    .whereRef("ticket_tags.ticket_id", "=", "tickets.id")
    .where("ticket_tags.tag", tags.length === 1 ? "=" : "in", tags.length === 1 ? (tags[0] as string) : tags)

const placeholders = (tags: ReadonlyArray<string>) =>
  sql.join(
    tags.map((tag) => sql`${tag}`),
    sql`, `
  )

/**
 * The rarest of `tags` in the workspace, as a scalar subquery. PostgreSQL: the tags as one array
 * parameter (the statement is planned with its values, see `planWithValues`).
 */
const rarestPostgres = (workspace: string, tags: ReadonlyArray<string>) =>
  sql`select u.tag from unnest(${tags}::text[]) as u(tag)
    left join (
      select m.tag, m.freq from pg_stats as s
      cross join lateral unnest(s.most_common_vals::text::text[], s.most_common_freqs) as m(tag, freq)
      where s.schemaname = current_schema() and s.tablename = 'ticket_tags' and s.attname = 'tag'
    ) as f on f.tag = u.tag
    order by (select count(*) from (select 1 from ticket_tags as c where c.workspace_id = ${workspace} and c.tag = u.tag limit ${sql.lit(COUNTED.postgres)}) as n), f.freq nulls first
    limit 1`

const rarestSqlite = (workspace: string, tags: ReadonlyArray<string>) =>
  sql`select u.tag from (select column1 as tag from (values ${sql.join(
    tags.map((tag) => sql`(${tag})`),
    sql`, `
  )})) as u
    order by (select count(*) from (select 1 from ticket_tags as c where c.workspace_id = ${workspace} and c.tag = u.tag limit ${sql.lit(COUNTED.sqlite)}))
    limit 1`

/**
 * Builds the filters for one dialect.
 *
 * `tagsAll` with more than a few tags reads the tickets of the rarest tag (counted as above) and
 * keeps those whose tags, counted once, include every tag of the filter: the work is bounded by
 * the rarest tag's tickets, whatever the number of tags. PostgreSQL checks each ticket's tags
 * against a hashed array; on SQLite `+` keeps the check off the index (a thousand lookups per
 * ticket) and on the ticket's own tags.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (pg: boolean): TagFilters => ({
  any: (eb, tags) => eb.exists(oneOf(eb, tags)),
  all: (eb, workspace, tags) => {
    if (tags.length <= FEW_TAGS) return eb.and(tags.map((tag) => eb.exists(oneOf(eb, [tag]))))
    const count = sql.lit(tags.length)
    return pg
      ? sql<SqlBool>`${sql.raw(planWithValues)} tickets.id in (
          select d.ticket_id from ticket_tags as d
          where d.workspace_id = ${workspace} and d.tag = (${rarestPostgres(workspace, tags)})
            and (select count(*) from ticket_tags as a where a.ticket_id = d.ticket_id and a.tag = any(${tags}::text[])) = ${count})`
      : sql<SqlBool>`tickets.id in (
          select d.ticket_id from ticket_tags as d
          where d.workspace_id = ${workspace} and d.tag = (${rarestSqlite(workspace, tags)})
            and (select count(*) from ticket_tags as a where a.ticket_id = d.ticket_id and +a.tag in (${placeholders(tags)})) = ${count})`
  }
})
