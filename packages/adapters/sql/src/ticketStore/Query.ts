/**
 * `query` on SQL: one page of a workspace's tickets as `TicketQuery.run` defines it, built from
 * the query's filters and sort keys with bound parameters (only the validated page size of a
 * page without search is written into the SQL), paged by keyset after the cursor's position,
 * with `Search`'s conditions when the query searches. A first page without search, a queue, is
 * one step on a statement compiled once; summaries come from the projection row, read once per
 * version.
 */
import { type Ids, type StoreError, TicketQuery, type Visibility } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { type Expression, type Kysely, type OrderByItemBuilder, type SqlBool, sql } from "kysely"
import type { Database } from "../Database.js"
import * as DriverError from "../internal/DriverError.js"
import * as SummaryJson from "../internal/SummaryJson.js"
import * as TagFilters from "../internal/TagFilters.js"
import type { Search, Searcher } from "./Search.js"
import { millis, type Shared, type Tickets } from "./Shared.js"

type OrderBy = OrderByItemBuilder

/** The columns a page reads of each ticket. */
interface Row {
  readonly id: string
  readonly version: number
  readonly summary: string
  readonly sla_due_at: number | null
}

/** The categories of the `tickets_group_queue` partial index (see the migration). */
const unresolvedCategories: ReadonlyArray<string> = ["new", "open", "pending", "on_hold"]
const unresolved = sql<SqlBool>`category in ('new', 'open', 'pending', 'on_hold')`
const never = sql<SqlBool>`1 = 0`
/** Past this many groups, an agent's page is one condition rather than one part per group. */
const maxParts = 8

/**
 * The store's `query`, on its client and search.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (shared: Shared, searcher: Searcher) => {
  const { dialect, key, run, statements, summaries } = shared
  const { numeric } = dialect
  const { hasTerm, withTerm, everyTerm, commonTermsAsSets, walkWindow, rarestTerm } = searcher

  /** `column in (values)`; an empty list matches nothing, as `includes` on `[]` does. */
  const oneOf = (
    eb: Tickets,
    column: "category" | "status" | "priority" | "channel",
    values: ReadonlyArray<string>
  ): Expression<SqlBool> => (values.length === 0 ? never : eb(column, "in", values.map(key)))

  const nullable = (eb: Tickets, column: "assignee" | "group_id", value: string | null): Expression<SqlBool> =>
    value === null ? eb(column, "is", null) : eb(column, "=", key(value))

  const tagFilters = TagFilters.make(dialect.tags)

  const filters = (eb: Tickets, ws: string, query: TicketQuery.TicketQuery): Array<Expression<SqlBool>> => {
    const where: Array<Expression<SqlBool>> = [eb("workspace_id", "=", key(ws))]
    if (query.category !== undefined) {
      // Categories within the unresolved ones also state the partial index's predicate, in
      // its very words, so that both planners can use `tickets_group_queue`.
      const categories: ReadonlyArray<string> = query.category
      const withinUnresolved = categories.length > 0 && categories.every((c) => unresolvedCategories.includes(c))
      if (withinUnresolved) where.push(unresolved)
      if (!withinUnresolved || !unresolvedCategories.every((c) => categories.includes(c))) {
        where.push(oneOf(eb, "category", categories))
      }
    }
    if (query.status !== undefined) where.push(oneOf(eb, "status", query.status))
    if (query.assignee !== undefined) where.push(nullable(eb, "assignee", query.assignee))
    if (query.group !== undefined) where.push(nullable(eb, "group_id", query.group))
    if (query.requester !== undefined) where.push(eb("requester", "=", key(query.requester)))
    if (query.organization !== undefined) where.push(eb("organization", "=", key(query.organization)))
    if (query.priority !== undefined) where.push(oneOf(eb, "priority", query.priority))
    if (query.channel !== undefined) where.push(oneOf(eb, "channel", query.channel))
    if (query.tagsAny !== undefined) {
      where.push(query.tagsAny.length === 0 ? never : tagFilters.any(eb, Array.from(new Set(query.tagsAny), key)))
    }
    if (query.tagsAll !== undefined && query.tagsAll.length > 0) {
      where.push(tagFilters.all(eb, key(ws), Array.from(new Set(query.tagsAll), key)))
    }
    if (query.createdFrom !== undefined) where.push(eb("created_at", ">=", millis(query.createdFrom)))
    if (query.createdTo !== undefined) where.push(eb("created_at", "<", millis(query.createdTo)))
    if (query.updatedFrom !== undefined) where.push(eb("updated_at", ">=", millis(query.updatedFrom)))
    if (query.updatedTo !== undefined) where.push(eb("updated_at", "<", millis(query.updatedTo)))
    if (query.slaDueBefore !== undefined) {
      where.push(eb.and([eb("sla_due_at", "is not", null), eb("sla_due_at", "<", millis(query.slaDueBefore))]))
    }
    return where
  }

  /** The sort keys of `TicketQuery.position`, as SQL expressions, the id last. */
  const sortKeys = (sort: TicketQuery.SortKey): ReadonlyArray<Expression<unknown>> => {
    const ref = (column: "created_at" | "updated_at" | "priority_rank" | "sla_due_at" | "id") =>
      sql`${sql.ref(`tickets.${column}`)}`
    switch (sort) {
      case "created":
        return [ref("created_at"), ref("id")]
      case "updated":
        return [ref("updated_at"), ref("id")]
      case "priority":
        return [ref("priority_rank"), ref("created_at"), ref("id")]
      case "sla_due":
        // Tickets without a due time last, by the key the queue's index holds (see the migration).
        return [dialect.slaMissing, ref("sla_due_at"), ref("id")]
    }
  }

  /** Rows strictly after `after` in the query's order (lexicographic, with each key's direction). */
  const keyset = (
    eb: Tickets,
    sort: TicketQuery.SortKey,
    dirs: ReadonlyArray<1 | -1>,
    after: TicketQuery.Position
  ): Expression<SqlBool> => {
    const [values, id] = after
    const afterId = eb("tickets.id", (dirs[dirs.length - 1] ?? 1) === 1 ? ">" : "<", key(id))
    if (sort === "sla_due" && (values[0] === 0 || values[0] === 1)) {
      // The index-friendly form: tickets without a due time come last, ordered by id.
      if (values[0] === 1) return eb.and([eb("sla_due_at", "is", null), afterId])
      const due = numeric(values[1] ?? 0)
      return eb.or([
        eb("sla_due_at", "is", null),
        eb("sla_due_at", (dirs[1] ?? 1) === 1 ? ">" : "<", due),
        eb.and([eb("sla_due_at", "=", due), afterId])
      ])
    }
    const keys: ReadonlyArray<Expression<unknown>> =
      sort === "sla_due"
        ? [sql`(case when sla_due_at is null then 1 else 0 end)`, sql`coalesce(sla_due_at, 0)`]
        : sortKeys(sort).slice(0, -1)
    // Missing cursor keys count as 0 and extra ones are ignored, as `TicketQuery.compare` does.
    const alternatives: Array<Expression<SqlBool>> = []
    keys.forEach((k, i) => {
      const equal = keys.slice(0, i).map((prior, j) => eb(prior, "=", numeric(values[j] ?? 0)))
      alternatives.push(eb.and([...equal, eb(k, (dirs[i] ?? 1) === 1 ? ">" : "<", numeric(values[i] ?? 0))]))
    })
    alternatives.push(eb.and([...keys.map((k, j) => eb(k, "=", numeric(values[j] ?? 0))), afterId]))
    return eb.or(alternatives)
  }

  /**
   * The access policy's filter (`Visibility.allows`) as one condition: a customer's own, followed
   * (`ticket_followers`, by its contact index) and shared organizations' tickets; an agent's
   * groups (or their own) minus restricted groups.
   */
  const visible = (
    eb: Tickets,
    ws: string,
    visibility: Visibility.Visibility | undefined
  ): Expression<SqlBool> | undefined => {
    if (visibility === undefined || visibility._tag === "Everything") return undefined
    if (visibility._tag === "Customer") {
      const contact = key(visibility.contact)
      const followed = eb(
        "tickets.id",
        "in",
        eb
          .selectFrom("ticket_followers")
          .select("ticket_followers.ticket_id")
          .where("ticket_followers.workspace_id", "=", key(ws))
          .where("ticket_followers.contact_id", "=", contact)
      )
      const mine = [eb("requester", "=", contact), followed]
      return eb.or(
        visibility.organizations.length === 0
          ? mine
          : [...mine, eb("organization", "in", visibility.organizations.map(key))]
      )
    }
    const conditions: Array<Expression<SqlBool>> = []
    if (visibility.hiddenGroups.length > 0) {
      conditions.push(eb.or([eb("group_id", "is", null), eb("group_id", "not in", visibility.hiddenGroups.map(key))]))
    }
    if (visibility.groups !== undefined) {
      const own = eb("assignee", "=", key(visibility.agent))
      conditions.push(
        visibility.groups.length === 0 ? own : eb.or([eb("group_id", "in", visibility.groups.map(key)), own])
      )
    }
    return conditions.length === 0 ? undefined : eb.and(conditions)
  }

  /** What a page's statement is built from, besides the query's filters: its order, size and cursor. */
  interface Plan {
    readonly workspaceId: string
    readonly query: TicketQuery.TicketQuery
    readonly sort: TicketQuery.SortKey
    readonly direction: "asc" | "desc"
    readonly dirs: ReadonlyArray<1 | -1>
    readonly limit: number
    readonly after: TicketQuery.Position | undefined
    /** Who asks: the access policy's filter (`undefined`: everything). */
    readonly visibility: Visibility.Visibility | undefined
  }

  const planOf = (
    workspaceId: string,
    query: TicketQuery.TicketQuery,
    after: TicketQuery.Position | undefined,
    visibility: Visibility.Visibility | undefined
  ): Plan => {
    const { sort, direction } = TicketQuery.ordering(query)
    return {
      workspaceId,
      query,
      sort,
      direction,
      dirs: TicketQuery.directions(sort, direction),
      limit: query.limit ?? TicketQuery.defaultLimit,
      after,
      visibility
    }
  }

  /** `select` ordered by the plan's sort keys, each in its direction. */
  const ordered = <Q extends { orderBy: (...args: Array<never>) => unknown }>(select: Q, plan: Plan): Q => {
    let out = select as unknown as {
      orderBy: (k: Expression<unknown>, d: (ob: OrderBy) => OrderBy) => typeof out
    }
    sortKeys(plan.sort).forEach((k, i) => {
      out = out.orderBy(k, (ob) => ((plan.dirs[i] ?? 1) === 1 ? ob.asc() : ob.desc()))
    })
    return out as unknown as Q
  }

  /** The tickets the query's filters (but not its search) and cursor let through. */
  const candidates = (eb: Tickets, plan: Plan): Expression<SqlBool> => {
    const where = filters(eb, plan.workspaceId, plan.query)
    const allowed = visible(eb, plan.workspaceId, plan.visibility)
    if (allowed !== undefined) where.push(allowed)
    if (plan.after !== undefined) where.push(keyset(eb, plan.sort, plan.dirs, plan.after))
    return eb.and(where)
  }

  /**
   * An agent's groups as disjoint parts, when the agent sees only some groups: one per group, and
   * their own tickets outside those groups (`undefined`: one condition will do).
   */
  const partsOf = (visibility: Visibility.Visibility | undefined) => {
    if (visibility?._tag !== "Agent" || visibility.groups === undefined) return undefined
    const groups = [...new Set(visibility.groups)]
    if (groups.length === 0 || groups.length > maxParts) return undefined
    const rest: Visibility.Agent = { ...visibility, groups: undefined }
    const parts: Array<(eb: Tickets) => Expression<SqlBool>> = groups.map((g) => (eb) => eb("group_id", "=", key(g)))
    parts.push((eb) =>
      eb.and([
        eb("assignee", "=", key(visibility.agent)),
        eb.or([eb("group_id", "is", null), eb("group_id", "not in", groups.map(key))])
      ])
    )
    return { rest, parts }
  }

  /**
   * A page for an agent who sees some groups, as its parts' pages merged: each part (a group, the
   * agent's own tickets elsewhere) is an ordered walk of its own index that reads the sort keys
   * only. As one condition (`group_id in (...) or assignee = ...`), no index holds the rows in
   * order, and the database reads and sorts every queued ticket of those groups. Where the
   * database merges a compound select's ordered parts (`orderedUnionRow`), the keys are that
   * compound select, which stops after a page's rows in all, and the rows are read by their
   * address; elsewhere each part stops after a page's rows, and the first rows of their union,
   * in order, are read again by id.
   */
  const mergedQuery = (
    on: Kysely<Database>,
    plan: Plan,
    split: { readonly rest: Visibility.Agent; readonly parts: ReadonlyArray<(eb: Tickets) => Expression<SqlBool>> }
  ) => {
    const size = sql.lit(plan.limit + 1)
    const keys = sortKeys(plan.sort)
    const alias = (i: number) => (i === keys.length - 1 ? "id" : `k${i}`)
    const orderOf = (prefix: string) =>
      sql.join(
        keys.map(
          (_, i) => sql`${sql.ref(`${prefix}${alias(i)}`)} ${sql.raw((plan.dirs[i] ?? 1) === 1 ? "asc" : "desc")}`
        )
      )
    const keyColumns = keys.map((k, i) => sql`${k}`.as(alias(i)))
    const where = (condition: (eb: Tickets) => Expression<SqlBool>) => (eb: Tickets) =>
      eb.and([candidates(eb, { ...plan, visibility: split.rest }), condition(eb)])
    const row = dialect.orderedUnionRow
    if (row !== undefined) {
      // Each part a flattened subquery: a compound select's parts cannot be parenthesised.
      const part = (condition: (eb: Tickets) => Expression<SqlBool>) =>
        sql`select * from (${on
          .selectFrom("tickets")
          .select([...keyColumns, sql.ref(`tickets.${row}`).as("row")])
          .where(where(condition))})`
      const page = sql`${sql.join(split.parts.map(part), sql` union all `)} order by ${orderOf("")} limit ${size}`
      return sql<Row>`select t.id, t.version, t.summary, t.sla_due_at from (${page}) as p
        cross join tickets as t on ${sql.ref(`t.${row}`)} = ${sql.ref("p.row")} order by ${orderOf("p.")}`
    }
    const part = (condition: (eb: Tickets) => Expression<SqlBool>) =>
      ordered(on.selectFrom("tickets").select(keyColumns).where(where(condition)), plan).limit(size)
    const union = sql.join(
      split.parts.map((condition, i) => sql`select * from (${part(condition)}) as ${sql.ref(`p${i}`)}`),
      sql` union all `
    )
    const first = sql`select id from (select id from (${union}) as parts order by ${orderOf("")} limit ${size}) as page`
    return ordered(
      on
        .selectFrom("tickets")
        .select(["id", "version", "summary", "sla_due_at"])
        .where(sql<SqlBool>`tickets.id in (${first})`),
      plan
    ).limit(size)
  }

  /** The search's conditions on every candidate, as the search's plan (`driven`) has them. */
  const searchConditions = (plan: Plan, driven: Search | undefined): Array<Expression<SqlBool>> => {
    const publicOnly = plan.query.searchIn === "public"
    return driven?.common === true && everyTerm !== undefined
      ? [everyTerm(driven.terms, publicOnly)]
      : (driven?.terms ?? []).map((term) =>
          // Common terms, where the dialect asks: every term's matches as a set (see `withTerm`).
          term === driven?.driver || (commonTermsAsSets && driven?.common === true)
            ? withTerm(term, driven?.common === true, publicOnly)
            : hasTerm(term, publicOnly)
        )
  }

  /**
   * The page in one statement: the candidates, with the search's terms, in order, `limit + 1`
   * rows. Without a search the row count is written into the SQL (a validated integer): with
   * `limit $n`, PostgreSQL costs a prepared statement's generic plan for an unknown count, finds
   * it dearer than the plans made for each run, and plans a queue's statement again on every
   * run (about as long as running it). A search keeps it a parameter, so that its plan stays
   * the one made for its terms.
   */
  const wholeQuery = (on: Kysely<Database>, plan: Plan, driven: Search | undefined) => {
    const split = driven === undefined ? partsOf(plan.visibility) : undefined
    if (split !== undefined) return mergedQuery(on, plan, split)
    return ordered(
      on
        .selectFrom("tickets")
        .select(["id", "version", "summary", "sla_due_at"])
        .where((eb) => eb.and([candidates(eb, plan), ...searchConditions(plan, driven)])),
      plan
    ).limit(driven === undefined ? sql.lit(plan.limit + 1) : plan.limit + 1)
  }

  /** The rows of a page's statement, run once (a merged page may be a compound select in SQL). */
  const rowsOf = async (on: Kysely<Database>, query: ReturnType<typeof wholeQuery>): Promise<ReadonlyArray<Row>> =>
    "isRawBuilder" in query ? (await query.execute(on)).rows : await query.execute()

  /**
   * A first page's shape in the statement cache: the workspace, the question, the search's plan
   * and who asks (two principals never share a compiled statement). A first page (a queue, a dashboard) is asked again and again: the same question is
   * built and compiled once, with its values, and run again as it is (see `StatementCache`).
   */
  const firstPageShape = (
    workspaceId: string,
    query: TicketQuery.TicketQuery,
    driven: Search | undefined,
    visibility: Visibility.Visibility | undefined
  ) =>
    `query ${workspaceId} ${JSON.stringify(query)} ${JSON.stringify(driven ?? null)} ${JSON.stringify(visibility ?? null)}`

  /**
   * A page's row as a summary. The summary column is what this store wrote (`SummaryJson`), read
   * once per version and due time and kept in `Shared.summaries`. A hit is read with `peek`:
   * moving the entry to the newest end of a 20,000-entry map costs a few µs per row, more than
   * the rest of the row's work, so the cache forgets the summary read in longest ago first
   * rather than the one used longest ago.
   */
  const summaryOf = (row: Row): TicketQuery.TicketSummary => {
    const version = Number(row.version)
    const sla = row.sla_due_at === null ? null : Number(row.sla_due_at)
    const cached = summaries.peek(row.id)
    if (cached !== undefined && cached.version === version && cached.sla === sla) return cached.summary
    const decoded = SummaryJson.parse(row.summary)
    const summary = sla === null ? decoded : { ...decoded, slaDueAt: DateTime.makeUnsafe(sla) }
    summaries.set(row.id, { version, sla, summary })
    return summary
  }

  /** The page of `rows` (at most `limit + 1`, in the plan's order), with the next page's cursor. */
  const pageOf = (rows: ReadonlyArray<Row>, plan: Plan): TicketQuery.TicketPage => {
    const { limit, sort, direction } = plan
    const n = Math.min(rows.length, limit)
    const items = new Array<TicketQuery.TicketSummary>(n)
    for (let i = 0; i < n; i++) items[i] = summaryOf(rows[i] as Row)
    const last = items[n - 1]
    return {
      items,
      nextCursor:
        rows.length > limit && last !== undefined
          ? TicketQuery.encodeCursor(sort, direction, TicketQuery.position(sort, last))
          : undefined
    }
  }

  /**
   * A first page that does not search, the path of queues and dashboards: one step, its
   * statement compiled once per question and its rows made into the page as they arrive. A
   * failure to read a row is `StoreUnavailable` as a driver's failure is (`DriverError.failure`).
   */
  const firstPage = (
    workspaceId: Ids.WorkspaceId,
    ticketQuery: TicketQuery.TicketQuery,
    visibility: Visibility.Visibility | undefined
  ): Effect.Effect<TicketQuery.TicketPage, StoreError.StoreError> => {
    const shape = firstPageShape(workspaceId, ticketQuery, undefined, visibility)
    return run("query", async (db) => {
      const plan = planOf(workspaceId, ticketQuery, undefined, visibility)
      const { rows } = await statements.execute(db, shape, (on) => wholeQuery(on, plan, undefined), [])
      return pageOf(rows, plan)
    })
  }

  /** Any other page: after a cursor, or a search (whose plan asks the database first). */
  const anyPage = (
    workspaceId: Ids.WorkspaceId,
    ticketQuery: TicketQuery.TicketQuery,
    visibility: Visibility.Visibility | undefined
  ): Effect.Effect<TicketQuery.TicketPage, StoreError.InvalidCursor | StoreError.StoreError> =>
    Effect.gen(function* () {
      const { sort, direction } = TicketQuery.ordering(ticketQuery)
      const after =
        ticketQuery.cursor === undefined
          ? undefined
          : yield* TicketQuery.decodeCursor(ticketQuery.cursor, sort, direction)
      const plan = planOf(workspaceId, ticketQuery, after, visibility)
      const { limit } = plan
      const terms = ticketQuery.search === undefined ? undefined : TicketQuery.searchTerms(ticketQuery.search)
      const search: Search | undefined =
        terms === undefined || terms.length === 0 ? undefined : { terms, driver: yield* rarestTerm(terms) }
      const whole = (driven: Search | undefined) =>
        run("query", async (db) =>
          after === undefined
            ? (
                await statements.execute(
                  db,
                  firstPageShape(workspaceId, ticketQuery, driven, visibility),
                  (on) => wholeQuery(on, plan, driven),
                  []
                )
              ).rows
            : await rowsOf(db, wholeQuery(db, plan, driven))
        )
      let rows: ReadonlyArray<Row>
      if (search === undefined || search.driver !== undefined) rows = yield* whole(search)
      else {
        // Every term is common: the first `walkWindow` candidates in the query's order
        // usually hold a page. If they do not (the terms are common, their combination is
        // not), and there are more candidates, the longest term drives the query instead.
        const windowed = yield* run("query", (db) =>
          ordered(
            db
              .selectFrom(
                ordered(
                  db
                    .selectFrom("tickets")
                    .selectAll()
                    .where((eb) => candidates(eb, plan)),
                  plan
                )
                  .limit(walkWindow)
                  .as("tickets")
              )
              .select(["id", "version", "summary", "sla_due_at"])
              .where((eb) => eb.and(searchConditions(plan, { terms: search.terms, driver: undefined }))),
            plan
          )
            .limit(limit + 1)
            .execute()
        )
        const exhausted =
          windowed.length > limit ||
          (yield* run("query", (db) =>
            db
              .selectFrom(
                db
                  .selectFrom("tickets")
                  .select("id")
                  .where((eb) => candidates(eb, plan))
                  .limit(walkWindow + 1)
                  .as("c")
              )
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .executeTakeFirstOrThrow()
          )).n <= walkWindow
        const longest = [...search.terms].sort((a, b) => b.length - a.length)[0]
        rows = exhausted ? windowed : yield* whole({ terms: search.terms, driver: longest, common: true })
      }
      return yield* Effect.try({
        try: () => pageOf(rows, plan),
        catch: (cause) => DriverError.unavailable("query", cause)
      })
    })

  const query = (
    workspaceId: Ids.WorkspaceId,
    ticketQuery: TicketQuery.TicketQuery,
    visibility?: Visibility.Visibility
  ): Effect.Effect<TicketQuery.TicketPage, StoreError.InvalidCursor | StoreError.StoreError> =>
    ticketQuery.cursor === undefined && ticketQuery.search === undefined
      ? firstPage(workspaceId, ticketQuery, visibility)
      : anyPage(workspaceId, ticketQuery, visibility)

  return { query }
}
