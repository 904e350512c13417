/**
 * MariaDB and MySQL 8 as the SQL store sees them (mysql2, many writers at once): writers lock
 * the rows they read, claims skip rows another claim locked (`for update skip locked`, then an
 * update, in one transaction: there is no `update ... returning`), and there is no `ON
 * CONFLICT` (`on duplicate key update` instead). Text columns are `utf8mb4_bin`, which compares
 * code points as JavaScript compares the store's ids but ignores trailing spaces, so keys never
 * end with one (`key`). Full-text search is a table of words with a B-tree index, written by the
 * store beside each text, so a prefix search answers exactly what the memory store answers
 * whatever the server's full-text settings.
 */
import { type SqlBool, sql } from "kysely"
import { inChunks } from "../internal/Chunks.js"
import * as DriverError from "../internal/DriverError.js"
import type { Claimed, Ddl, FullText, Positions, SqlDialect, TagFilter, TextWrites } from "./Dialect.js"
import * as EmailIds from "./EmailIds.js"
import { createCounter } from "./eventPositions.js"
import * as TicketChanges from "./TicketChanges.js"

/** Text compared and ordered by code point, the same on MariaDB and MySQL 8. */
const binary = (type: string) => sql`${sql.raw(type)} character set utf8mb4 collate utf8mb4_bin`

/** Insertion order of timers and outbox rows, for ties: an auto-increment column. */
const insertionOrder = sql<number>`${sql.ref("seq")}`

// `utf8mb4_bin` pads: 'a' = 'a ' and a unique key holds only one of them. A key that ends with a
// space, or holds the escape character, is escaped injectively and ended with U+0001 U+0004, so
// that no stored key ends with a space and equal keys are equal strings.
const ESCAPE = "\u0001"
const END = "\u0001\u0004"

const key = (value: string): string =>
  value.endsWith(" ") || value.includes(ESCAPE) ? `${value.replaceAll(ESCAPE, ESCAPE + ESCAPE)}${END}` : value

const unkey = (value: string): string => {
  if (!value.endsWith(END)) return value
  let out = ""
  for (let i = 0; i < value.length - END.length; i++) {
    const c = value.charAt(i)
    out += c
    if (c === ESCAPE) i++
  }
  return out
}

/** A LIKE pattern for the words that start with `term` (escaped, though terms are letters and digits). */
const prefixPattern = (term: string): string => `${term.replace(/[!%_]/g, (c) => `!${c}`)}%`

/** The words of a text that match `term`: its index is `ticket_words_prefix` (word first). */
const wordLike = (term: string) => sql<SqlBool>`w.word like ${prefixPattern(term)} escape '!'`

/** Searches for requesters (`searchIn: "public"`) leave internal notes out (#12): the word's text must be public. */
const publicText = (publicOnly: boolean) =>
  publicOnly
    ? sql` and exists (select 1 from ticket_texts as x where x.ticket_id = w.ticket_id and x.n = w.n and x.visibility = 'public')`
    : sql``

/**
 * The words a search matches, each cut to 64 characters (code points, as MySQL counts them): a
 * term is at most 64 characters (`TicketQuery.searchTerms`), so "a word starts with the term"
 * is unchanged, and the index entry stays small.
 */
const WORD_LENGTH = 64

/** The distinct words of a text, cut to `WORD_LENGTH`. */
const wordsOf = (words: string): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const word of words.split(" ")) {
    if (word === "") continue
    out.add(word.length <= WORD_LENGTH ? word : Array.from(word).slice(0, WORD_LENGTH).join(""))
  }
  return [...out]
}

const search: FullText = {
  // The ticket's own words, through the primary key (ticket_id, word, n): one range per term.
  hasTerm: (term, publicOnly) =>
    sql<SqlBool>`exists (select 1 from ticket_words as w where w.ticket_id = tickets.id and ${wordLike(term)}${publicText(publicOnly)})`,
  withTerm: (term, _common, publicOnly) =>
    sql<SqlBool>`tickets.id in (select w.ticket_id from ticket_words as w where ${wordLike(term)}${publicText(publicOnly)})`,
  // Counting stops at the cap: at most `cap` index entries read, whatever the term.
  matchingTexts: async (db, term, cap) => {
    const counted = await sql<{
      readonly count: number
    }>`select count(*) as count from (select 1 from ticket_words as w where ${wordLike(term)} limit ${sql.lit(cap)}) as m`.execute(
      db
    )
    return Number(counted.rows[0]?.count ?? cap)
  },
  rareTexts: 2_000,
  commonTermsAsSets: false,
  // Every term's words in one pass of `ticket_words_prefix` (ticket ids included), grouped by
  // ticket in a temporary table (the session allows it 64 MB in memory, see `mysqlConnection`):
  // about 0.2 s for two words of 30,000 matches each at 500,000 tickets, where looking up the
  // ticket of each match of the longest term took 8-14 s (a random read per match).
  everyTerm: (terms, publicOnly) =>
    sql<SqlBool>`tickets.id in (select w.ticket_id from ticket_words as w where (${sql.join(
      terms.map(wordLike),
      sql` or `
    )})${publicText(publicOnly)} group by w.ticket_id having ${sql.join(
      terms.map((term) => sql`max(${wordLike(term)}) = 1`),
      sql` and `
    )})`
}

/** When every tag is common, tags are counted this far to find the rarest (MySQL keeps no value statistics). */
const COUNTED = 10_000

/** A string as a row of the tag table, in the columns' collation (a literal's would not compare with them). */
const tagValue = (tag: string) => sql`convert(${tag} using utf8mb4) collate utf8mb4_bin`

const tags: TagFilter = {
  hint: "",
  table: (list) =>
    sql.join(
      list.map((tag) => sql`select ${tagValue(tag)}`),
      sql` union all `
    ),
  among: (list) => sql<SqlBool>`a.tag in (${sql.join(list)})`,
  rarest: (counted) => sql`(select u.tag from u order by ${counted(COUNTED)} limit 1)`,
  // MariaDB cannot see `u` from inside a derived table, so the count is capped by a bound
  // instead: only tickets up to the `cap`-th (in index order) are counted, or all when fewer.
  counted: (workspace, cap) =>
    sql<number>`(select count(*) from ticket_tags as c where c.workspace_id = ${workspace} and c.tag = u.tag and c.ticket_id <= coalesce((select b.ticket_id from ticket_tags as b where b.workspace_id = ${workspace} and b.tag = u.tag order by b.ticket_id limit 1 offset ${sql.lit(cap - 1)}), c.ticket_id))`
}

/** The JSON path `path` as MySQL writes it: `$.a.b`. */
const jsonPath = (path: ReadonlyArray<string>) => sql.lit(`$.${path.join(".")}`)

/** An index of the queue order after `leading`, `category` last (MySQL has no partial index). */
const unresolvedIndex: Ddl["unresolvedIndex"] = async (db, name, leading) => {
  await sql`create index ${sql.id(name)} on tickets (${sql.join(leading.map((c) => sql.id(c)))}, sla_missing, sla_due_at, id, category)`.execute(
    db
  )
}

const ddl: Ddl = {
  // A ticket's id: at most 128 characters (`TicketId`).
  id: binary("varchar(128)"),
  // Any other opaque id of the domain (workspace, contact, agent, group): also at most 128.
  ref: binary("varchar(128)"),
  // InnoDB indexes at most 3,072 bytes per key, 4 per character: room for this in every index.
  key: binary("varchar(255)"),
  text: binary("longtext"),
  position: (t) => t.addColumn("position", "bigint", (c) => c.primaryKey().autoIncrement()),
  // MySQL makes an auto-increment column the first of some index (index names are per table).
  insertionOrder: (t) =>
    t.addColumn("seq", "bigint", (c) => c.notNull().autoIncrement()).addUniqueConstraint("insertion_order", ["seq"]),
  ticketColumns: (t) => t,
  textColumns: (t) => t,
  textIdentity: (t) => t.addPrimaryKeyConstraint("ticket_texts_pk", ["ticket_id", "n"]),
  // An email id may be 998 characters, past what InnoDB indexes: the key is its SHA-256.
  emailIdentity: (t) =>
    t
      .addColumn("message_key", sql`binary(32)`, (c) => c.generatedAlwaysAs(sql`unhex(sha2(message_id, 256))`).stored())
      .addUniqueConstraint("email_message_ids_key", ["workspace_id", "message_key"]),
  // No partial or expression indexes: `sla_missing` is the generated column `sla_due_at is null`,
  // which the queue's order names (`slaMissing`); `category` last lets the index filter it.
  // A group's queue (001) is one of the unresolved-ticket indexes (007), on a stored column.
  queueIndex: async (db, unresolved) => {
    await sql`alter table tickets add column sla_missing boolean as (sla_due_at is null) stored`.execute(db)
    await unresolvedIndex(db, "tickets_group_queue", ["workspace_id", "group_id"], unresolved)
  },
  unresolvedIndex,
  // The words of each text, one row each (see `texts.index`); a text's words go with it.
  fullText: async (db) => {
    await sql`create table ticket_words (
      ticket_id ${binary("varchar(128)")} not null,
      n integer not null,
      word ${binary(`varchar(${WORD_LENGTH})`)} not null,
      constraint ticket_words_pk primary key (ticket_id, word, n),
      constraint ticket_words_text foreign key (ticket_id, n) references ticket_texts (ticket_id, n) on delete cascade
    ) engine = InnoDB`.execute(db)
    await sql`create index ticket_words_prefix on ticket_words (word)`.execute(db)
  },
  jsonText: (column, path) => sql`json_unquote(json_extract(${sql.raw(column)}, ${jsonPath(path)}))`,
  jsonWithText: (column, path, value) => sql`json_set(${sql.raw(column)}, ${jsonPath(path)}, ${sql.lit(value)})`
}

/** What a cut message list reads as: no JSON, so that it is never taken for the whole list. */
const CUT = "<messages cut by group_concat_max_len or max_allowed_packet>"

/** Values one statement carries (see `parameterLimit`). */
const PARAMETERS = 65_535

/**
 * Bytes of values one multi-row statement carries at most, counted generously (three per UTF-16
 * unit): far below `max_allowed_packet` (16 MB by default on MariaDB, 64 MB on MySQL 8), which
 * the server enforces on every statement. A single value past the packet is `ValueTooLarge`.
 */
const STATEMENT_BYTES = 4 * 1024 * 1024

/** Texts are numbered from 0 only bounded by `Limits`; each text's distinct words go in `ticket_words`. */
const texts: TextWrites = {
  perTicket: Number.POSITIVE_INFINITY,
  columns: () => ({}),
  index: (trx, ticketId, rows) =>
    inChunks(PARAMETERS, STATEMENT_BYTES)(
      rows.flatMap((row) => wordsOf(row.words).map((word) => ({ ticket_id: ticketId, n: row.n, word }))),
      (slice) => trx.insertInto("ticket_words").values(slice).execute()
    )
}

/**
 * Positions in commit order (see `SqlDialect.positions`): InnoDB takes an auto-increment value at
 * insert, so overlapping transactions could commit a smaller position after a larger one. The
 * counter moves with `last_insert_id(expr)`, which hands the new value back in the statement's
 * result: one round trip, no `update ... returning`.
 */
const positions: Positions = {
  create: async (db) => {
    await createCounter(db)
    // No auto-increment any more: an insert without a position (an older process) fails.
    await sql`alter table events modify position bigint not null`.execute(db)
  },
  take: async (trx, count) => {
    const result = await sql`update event_positions set last = last_insert_id(last + ${count}) where id = 1`.execute(
      trx
    )
    // The migration seeds the row; without it no event could be numbered.
    if (result.insertId === undefined) throw new Error("event_positions has no row: run the migrations")
    return Number(result.insertId) - count + 1
  }
}

/** The duplicate entry MySQL names ("Duplicate entry 'w-5' for key ..."), cut at 64 bytes with "...". */
const duplicateEntry = (cause: unknown): string | undefined =>
  /^Duplicate entry '(.*)' for key '[^']*'$/s.exec(DriverError.messageOf(cause))?.[1]

/**
 * MariaDB and MySQL 8.
 *
 * @category dialects
 * @since 0.1.0
 */
export const mysql: SqlDialect = {
  name: "mysql",
  title: "MySQL",
  // mysql2 sends values inside the statement's text: the bound is the statement's size
  // (`max_allowed_packet`), kept well below by this many values per statement.
  parameterLimit: PARAMETERS,
  statementBytes: STATEMENT_BYTES,
  key,
  unkey,
  // The directory does not escape: a value ending with a space matches nothing (it would match
  // the value without it).
  storable: (value) => !value.endsWith(" "),
  binaryOrder: (column) => sql.raw(column),
  // Kysely's transaction, at the connection's isolation (READ COMMITTED on clients `Connection.open`
  // creates); row locks are taken by the statements themselves.
  transact: (db, body) => db.transaction().execute(body),
  rowLocks: true,
  versionFirst: true,
  // `group_concat` cuts its result silently (at `group_concat_max_len`, at `max_allowed_packet`):
  // a cut list is returned as text that is no JSON, so the reader replays the events instead of
  // reading a ticket without its last messages.
  joinOrdered: (column, order) => {
    const joined = sql`group_concat(${sql.raw(column)} order by ${sql.raw(order)} separator ',')`
    const whole = sql`sum(length(${sql.raw(column)})) + count(*) - 1`
    return sql<
      string | null
    >`case when count(*) = 0 then null when ${whole} = length(${joined}) then ${joined} else ${sql.lit(CUT)} end`
  },
  insertionOrder,
  numeric: (value) => sql<number>`${value}`,
  // Not `insert ignore`, which would also turn a value too long for its column into a cut one: a
  // duplicate sets a column to itself (the conflict's first, else `workspace_id`, which every
  // table the writers insert into this way has).
  insertOrIgnore: (query, conflict) => {
    const column = (conflict?.[0] ?? "workspace_id") as never
    return query.onDuplicateKeyUpdate({ [column]: sql.ref(column) } as never)
  },
  upsert: (query, _conflict, set) => query.onDuplicateKeyUpdate(set as never),
  // One statement: `last_insert_id(expr)` hands the new value back in the result. A new row
  // reports none (then it is `first`), a changed one two affected rows; a row left as it was
  // (at `max`) reports one (or none, without mysql2's FOUND_ROWS flag).
  nextInSequence: async (db, workspace, first, max) => {
    const result = await db
      .insertInto("public_id_sequences")
      .values({ workspace_id: workspace, last_value: first })
      .onDuplicateKeyUpdate({
        last_value: sql`last_insert_id(case when last_value < ${first} then ${first} when last_value < ${max} then last_value + 1 else last_value end)`
      })
      .executeTakeFirst()
    if (result.insertId === undefined) return first
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 2 ? Number(result.insertId) : undefined
  },
  claim: (db, claim) =>
    db.transaction().execute(async (trx) => {
      // The two tables share the columns a claim touches; kysely cannot see that through `T`.
      const table = claim.table as "timers"
      const rows = (await claim
        .pick(trx)
        .clearSelect()
        .select([...new Set(["id", ...claim.columns])] as Array<"id">)
        .select(insertionOrder.as("seq"))
        .forUpdate()
        .skipLocked()
        .execute()) as unknown as ReadonlyArray<{ readonly id: string; readonly seq: number }>
      if (rows.length > 0) {
        await trx
          .updateTable(table)
          .set({ available_at: claim.leaseUntil })
          .where(
            "id",
            "in",
            rows.map((row) => row.id)
          )
          .execute()
      }
      return rows as unknown as ReadonlyArray<Claimed<typeof claim.table, (typeof claim.columns)[number]>>
    }),
  tickets: TicketChanges.writes({ numbered: false, onConflict: (insert, set) => insert.onDuplicateKeyUpdate(set) }),
  texts,
  search,
  tags,
  emailIds: EmailIds.byHash,
  slaMissing: sql`sla_missing`,
  orderedUnionRow: undefined,
  positions,
  errors: {
    violates: (cause, constraint) =>
      DriverError.fieldOf(cause, "code") === "ER_DUP_ENTRY" && DriverError.constraintOf(cause) === constraint.name,
    // The entry is the key's values joined by '-', cut at 64 bytes (then ending with "...").
    names: (cause, values) => {
      const entry = duplicateEntry(cause)
      if (entry === undefined) return false
      const joined = values.join("-")
      return entry.endsWith("...") ? joined.startsWith(entry.slice(0, -3)) : entry === joined
    },
    // InnoDB broke a lock cycle and rolled this transaction back: the caller reloads and decides again.
    lostRace: DriverError.isDeadlock
  },
  ddl,
  // MySQL commits each DDL statement as it goes; kysely takes a server-wide named lock
  // (`get_lock`) for the run, so processes starting together take turns. Tables are created on
  // InnoDB whatever the server's default engine (others have no transactions).
  migrate: (db, migrator) =>
    db.connection().execute(async (connection) => {
      await sql`set session default_storage_engine = InnoDB`.execute(connection)
      return migrator(connection, undefined).migrateToLatest()
    })
}
