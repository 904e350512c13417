/**
 * PostgreSQL as the SQL store sees it (pg, many writers at once): writers lock the rows they
 * read, claims skip rows another claim locked, text cannot hold U+0000 (keys are escaped), ids
 * compare under `collate "C"`, and full-text search is a generated tsvector with a GIN index,
 * whose term rarity the planner estimates. A simple append is one statement (`postgresAppend.ts`),
 * and event positions come from a counter taken at the end of each transaction, in commit order.
 */
import { type SqlBool, sql } from "kysely"
import * as DriverError from "../internal/DriverError.js"
import { planWithValues } from "../internal/Statements.js"
import type { Ddl, FullText, SqlDialect, TagFilter } from "./Dialect.js"
import * as EmailIds from "./EmailIds.js"
import { createCounter, takeReturning } from "./eventPositions.js"
import { claimReturning, insertOrIgnore, nextInSequence, upsert } from "./OnConflict.js"
import { oneStatement } from "./postgresAppend.js"
import * as TicketChanges from "./TicketChanges.js"

/** Insertion order of timers and outbox rows, for ties: a bigserial. */
const insertionOrder = sql<number>`${sql.ref("seq")}`

// PostgreSQL text cannot hold U+0000: keys are escaped (injectively, so equality is kept)
// rather than failing the statement.
const key = (value: string): string =>
  value.includes("\u0000") || value.includes("\u0001")
    ? value.replaceAll("\u0001", "\u0001\u0001").replaceAll("\u0000", "\u0001\u0002")
    : value

const unkey = (value: string): string => {
  if (!value.includes("\u0001")) return value
  let out = ""
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i)
    if (c === "\u0001") {
      out += value.charAt(i + 1) === "\u0002" ? "\u0000" : "\u0001"
      i++
    } else out += c
  }
  return out
}

/** A term as a tsquery lexeme with a prefix match (not normalised by the cast). */
const prefixQuery = (term: string): string => `'${term.replaceAll("\\", "\\\\").replaceAll("'", "''")}':*`

/**
 * A term's prefix query as a parameter of a statement planned with its values (`planWithValues`
 * keeps it unnamed): the planner must see the term to choose between the GIN index and a scan,
 * which a prepared generic plan cannot, and a term in the SQL text would make every search a
 * text of its own. Terms are letters and digits only (`TicketQuery.searchTerms`), and are
 * escaped all the same.
 */
const tsquery = (term: string) => sql`cast(${prefixQuery(term)} as tsquery) ${sql.raw(planWithValues)}`

/** Searches for requesters (`searchIn: "public"`) leave internal notes out (#12). */
const publicText = (publicOnly: boolean) => (publicOnly ? sql` and ticket_texts.visibility = 'public'` : sql``)

const search: FullText = {
  // A scalar subquery, which the planner cannot turn into a join that first collects every match.
  hasTerm: (term, publicOnly) =>
    sql<SqlBool>`coalesce((select true from ticket_texts where ticket_texts.ticket_id = tickets.id and ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)} limit 1), false)`,
  // A rare term's matches as an array computed once from the GIN index, so the planner looks the
  // tickets up by id instead of walking every ticket to probe its texts; a common one (a search
  // whose walk found too little) as a semi-join, which hashes its many matches.
  withTerm: (term, common, publicOnly) =>
    common
      ? sql<SqlBool>`tickets.id in (select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)})`
      : sql<SqlBool>`tickets.id = any(array(select ticket_id from ticket_texts where ticket_texts.search @@ ${tsquery(term)}${publicText(publicOnly)}))`,
  // The planner's estimate from the column's statistics, read with EXPLAIN: counting needs
  // either a scan (which never stops for a word no text has) or a full GIN bitmap (slow for a
  // common one), while the estimate costs a plan and is good enough to choose.
  matchingTexts: async (db, term, cap) => {
    const explained = await sql<
      Record<string, unknown>
    >`explain (format json) select 1 from ticket_texts where search @@ ${tsquery(term)}`.execute(db)
    const plan = Object.values(explained.rows[0] ?? {})[0]
    const parsed = typeof plan === "string" ? JSON.parse(plan) : plan
    const rows = Array.isArray(parsed)
      ? (parsed[0] as { Plan?: { "Plan Rows"?: unknown } })?.Plan?.["Plan Rows"]
      : undefined
    return typeof rows === "number" ? rows : cap
  },
  // PostgreSQL estimates a word outside its statistics' most common ones at about 0.1% of the
  // texts: a higher bar keeps those words rare.
  rareTexts: 10_000,
  commonTermsAsSets: false
}

/**
 * When every tag is common, tags are counted this far to find the rarest; ties past it are
 * broken with the statistics (the most common values of `ticket_tags.tag`).
 */
const COUNTED = 1_000

const tags: TagFilter = {
  // The tags are one array parameter, with the statement planned with its values (see
  // `planWithValues`), so that the check hashes it.
  hint: `${planWithValues} `,
  table: (list) => sql`select unnest(${list}::text[])`,
  among: (list) => sql<SqlBool>`a.tag = any(${list}::text[])`,
  rarest: (counted) =>
    sql`(select u.tag from u left join (
          select m.tag, m.freq from pg_stats as s
          cross join lateral unnest(s.most_common_vals::text::text[], s.most_common_freqs) as m(tag, freq)
          where s.schemaname = current_schema() and s.tablename = 'ticket_tags' and s.attname = 'tag'
        ) as f on f.tag = u.tag
        order by ${counted(COUNTED)}, f.freq nulls first limit 1)`
}

/** The JSON path `path` as PostgreSQL operators: `-> 'a' ->> 'b'`. */
const jsonPath = (path: ReadonlyArray<string>) =>
  sql.join(
    path.map((step, i) => sql`${sql.raw(i === path.length - 1 ? "->>" : "->")} ${sql.lit(step)}`),
    sql` `
  )

/** An index of the unresolved tickets, nearest SLA due first after `leading` (partial). */
const unresolvedIndex: Ddl["unresolvedIndex"] = async (db, name, leading, unresolved) => {
  await sql`create index ${sql.id(name)} on tickets (${sql.join(leading.map((c) => sql.id(c)))}, (sla_due_at is null), sla_due_at, id) where ${unresolved}`.execute(
    db
  )
}

const ddl: Ddl = {
  // Ids sort and compare bytewise, as JavaScript compares them, whatever the database's default collation.
  id: sql`text collate "C"`,
  ref: "text",
  key: "text",
  text: "text",
  position: (t) => t.addColumn("position", "bigserial", (c) => c.primaryKey()),
  // Claims take rows with the same due time in the order they were inserted.
  insertionOrder: (t) => t.addColumn("seq", "bigserial", (c) => c.notNull()),
  ticketColumns: (t) => t,
  textColumns: (t) => t,
  textIdentity: (t) => t.addPrimaryKeyConstraint("ticket_texts_pk", ["ticket_id", "n"]),
  emailIdentity: (t) => t.addPrimaryKeyConstraint("email_message_ids_pk", ["workspace_id", "message_id"]),
  // A group's queue (001) is one of the unresolved-ticket indexes (007).
  queueIndex: (db, unresolved) => unresolvedIndex(db, "tickets_group_queue", ["workspace_id", "group_id"], unresolved),
  unresolvedIndex,
  fullText: async (db) => {
    // The words as lexemes, unparsed (to_tsvector's parser would split some words differently),
    // each cut to 64 characters: a lexeme may not exceed 2 KB, and a search term is at most 64
    // characters, so prefix matches are unchanged.
    await sql`alter table ticket_texts add column search tsvector generated always as (array_to_tsvector(string_to_array(regexp_replace(words, '(\\S{64})\\S+', '\\1', 'g'), ' '))) stored`.execute(
      db
    )
    await sql`create index ticket_texts_search on ticket_texts using gin (search)`.execute(db)
  },
  jsonText: (column, path) => sql`cast(${sql.raw(column)} as json) ${jsonPath(path)}`,
  jsonWithText: (column, path, value) =>
    sql`cast(jsonb_set(cast(${sql.raw(column)} as jsonb), ${sql.lit(`{${path.join(",")}}`)}, ${sql.lit(JSON.stringify(value))}) as text)`
}

/**
 * PostgreSQL.
 *
 * @category dialects
 * @since 0.1.0
 */
export const postgres: SqlDialect = {
  name: "postgres",
  title: "PostgreSQL",
  parameterLimit: 65_535,
  key,
  unkey,
  // No stored key contains U+0000: such a key matches nothing, and asking the server would only fail.
  storable: (value) => !value.includes("\0"),
  binaryOrder: (column) => sql.raw(`${column} collate "C"`),
  // Kysely's transaction; row locks are taken by the statements themselves.
  transact: (db, body) => db.transaction().execute(body),
  rowLocks: true,
  versionFirst: false,
  joinOrdered: (column, order) => sql<string | null>`string_agg(${sql.raw(column)}, ',' order by ${sql.raw(order)})`,
  insertionOrder,
  slaMissing: sql`(sla_due_at is null)`,
  orderedUnionRow: undefined,
  // A fraction must not be cast to bigint.
  numeric: (value) =>
    Number.isSafeInteger(value) ? sql<number>`${value}` : sql<number>`cast(${value} as double precision)`,
  insertOrIgnore,
  upsert,
  nextInSequence,
  claim: claimReturning({ insertionOrder }, true),
  tickets: TicketChanges.writes({
    numbered: false,
    onConflict: (insert, set) => insert.onConflict((oc) => oc.column("id").doUpdateSet(set))
  }),
  texts: { perTicket: Number.POSITIVE_INFINITY, columns: () => ({}) },
  search,
  tags,
  emailIds: EmailIds.byId,
  oneStatement,
  // Many writers at once: a bigserial taken at insert would let a smaller position commit after
  // a larger one, so positions come from the counter, taken last in each transaction.
  positions: {
    create: async (db) => {
      await createCounter(db)
      await sql`alter table events alter column position drop default`.execute(db)
    },
    take: takeReturning
  },
  errors: {
    violates: (cause, constraint) =>
      DriverError.fieldOf(cause, "code") === "23505" && DriverError.fieldOf(cause, "constraint") === constraint.name,
    // The detail names the key: "Key (workspace_id, public_id)=(w, 5) already exists."
    names: (cause, values) => String(DriverError.fieldOf(cause, "detail") ?? "").includes(`=(${values.join(", ")})`),
    // A deadlock victim lost a race too: the caller reloads and decides again.
    lostRace: (cause) => DriverError.fieldOf(cause, "code") === "40P01"
  },
  ddl,
  // Kysely runs the migrations in a transaction under an advisory lock. Its own tables go in the
  // connection's current schema: left unset, kysely finds them in any schema (say `public`) and
  // then queries them unqualified, through `search_path`, where they may not be.
  migrate: async (db, migrator) => {
    const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    return migrator(db, schema).migrateToLatest()
  }
}
