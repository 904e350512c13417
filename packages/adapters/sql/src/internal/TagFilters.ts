/**
 * The tag filters of a ticket query (`tagsAny`, `tagsAll`) as SQL conditions on `tickets`, the
 * same on every dialect but for the parts `SqlDialect.tags` gives. Their size and depth stay the same for one tag or a thousand
 * (`Limits.valuesPerFilter`): one semi-join per tag made PostgreSQL's planner search for minutes
 * and SQLite refuse the expression as too deep. Keys are escaped by the caller.
 */
import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from "kysely"
import type { Database } from "../Database.js"
import type { TagFilter } from "../dialect/Dialect.js"

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
 * A tag with fewer tickets than this drives the filter as soon as one is found: each tag is
 * counted only this far first, which is all the work when some tag of the filter is rare (the
 * usual case with many tags: a tag no ticket has ends the search at once).
 */
const RARE = 100

const oneOf = (eb: Tickets, tags: ReadonlyArray<string>) =>
  eb
    .selectFrom("ticket_tags")
    .select(sql`1`.as("one"))
    .whereRef("ticket_tags.ticket_id", "=", "tickets.id")
    .where("ticket_tags.tag", tags.length === 1 ? "=" : "in", tags.length === 1 ? (tags[0] as string) : tags)

/** `u.tag`'s tickets in the workspace, counted up to `cap`. */
const counted = (workspace: string, cap: number) =>
  sql<number>`(select count(*) from (select 1 from ticket_tags as c where c.workspace_id = ${workspace} and c.tag = u.tag limit ${sql.lit(cap)}) as n)`

/** The first rare tag of `u` (fewer than `RARE` tickets, as `count` counts them), or null. */
const rare = (count: (cap: number) => RawBuilder<number>) =>
  sql`(select r.tag from (select u.tag, ${count(RARE)} as n from u order by n limit 1) as r where r.n < ${sql.lit(RARE)})`

/**
 * Builds the filters for one dialect.
 *
 * `tagsAll` with more than a few tags reads the tickets of the rarest tag (the first rare one,
 * else the least common) and keeps those whose tags, counted once, include every tag of the
 * filter: the work is bounded by the driving tag's tickets, whatever the number of tags. The
 * tags are one list `u` (`dialect.table`; PostgreSQL: one array parameter). `coalesce` looks
 * past the rare tags only when there are none (`dialect.rarest` finds the least common then).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (dialect: TagFilter): TagFilters => ({
  any: (eb, tags) => eb.exists(oneOf(eb, tags)),
  all: (eb, workspace, tags) => {
    if (tags.length <= FEW_TAGS) return eb.and(tags.map((tag) => eb.exists(oneOf(eb, [tag]))))
    const count = sql.lit(tags.length)
    const upTo = (cap: number) => (dialect.counted ?? counted)(workspace, cap)
    const driver = sql`coalesce(${rare(upTo)}, ${dialect.rarest(upTo)})`
    return sql<SqlBool>`${sql.raw(dialect.hint)}tickets.id in (
          with u(tag) as (${dialect.table(tags)})
          select d.ticket_id from ticket_tags as d
          where d.workspace_id = ${workspace} and d.tag = ${driver}
            and (select count(*) from ticket_tags as a where a.ticket_id = d.ticket_id and ${dialect.among(tags)}) = ${count})`
  }
})
