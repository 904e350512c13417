/**
 * SQLite as the SQL store sees it (better-sqlite3, one writer at a time): a write transaction
 * takes the file's write lock up front, keys are stored as they are, and full-text search is an
 * external-content FTS5 table whose rowids are `num * 2^24 + n`, where `num` is the ticket's
 * stable number, so "this ticket's texts" is one rowid range.
 */
import { CompiledQuery, type Kysely, type MigrationResultSet, type SqlBool, sql } from "kysely"
import * as DriverError from "../internal/DriverError.js"
import type { Ddl, FullText, SqlDialect, TagFilter } from "./Dialect.js"
import * as EmailIds from "./EmailIds.js"
import { claimReturning, insertOrIgnore, nextInSequence, upsert } from "./OnConflict.js"
import * as SqliteDirect from "./sqliteDirect.js"
import * as TicketChanges from "./TicketChanges.js"

/** Full-text rowids: the texts of ticket `num` are `num * textSpan + n` (2^24 per ticket). */
const textSpan = 16_777_216

/**
 * One write transaction: `BEGIN IMMEDIATE` on kysely's single connection, whose mutex keeps this
 * process's other fibers out until it ends. Taking the write lock up front makes another process
 * holding it wait on `busy_timeout`; a deferred `BEGIN` would read first and then fail at once
 * with "database is locked" when it tries to write. On the store's own clients the statements
 * run on better-sqlite3 directly while the transaction holds the connection (`sqliteDirect`).
 */
const transact = <DB, A>(db: Kysely<DB>, body: (trx: Kysely<DB>) => Promise<A>): Promise<A> =>
  db.connection().execute((connection) =>
    SqliteDirect.inTransaction(db, connection, async () => {
      const direct = SqliteDirect.runner(connection)
      // Texts without parameters, sent as they are (nothing to build or compile).
      const run = async (text: string) =>
        direct === undefined ? await connection.executeQuery(CompiledQuery.raw(text)) : direct(text, [])
      await run("begin immediate")
      let result: A
      try {
        result = await body(connection)
      } catch (cause) {
        await run("rollback").catch(() => undefined)
        throw cause
      }
      try {
        await run("commit")
      } catch (cause) {
        await run("rollback").catch(() => undefined)
        throw cause
      }
      return result
    })
  )

/** Insertion order of timers and outbox rows, for ties. */
const insertionOrder = sql<number>`${sql.ref("rowid")}`

/** A term as an FTS5 prefix query (string syntax, so that no character is an operator). */
const prefixQuery = (term: string): string => `"${term.replaceAll('"', '""')}"*`

// Constants in the SQL text: better-sqlite3 binds numbers as REAL, and `rowid / 2^24.0`
// would not be the ticket's number.
const span = sql.lit(textSpan)
const last = sql.lit(textSpan - 1)

/** Searches for requesters (`searchIn: "public"`) leave internal notes out (#12). */
const publicText = (publicOnly: boolean) => (publicOnly ? sql` and ticket_texts.visibility = 'public'` : sql``)

/** The numbers of the tickets with a text matching `term` (public ones: each match looked up by key). */
const ftsMatches = (term: string, publicOnly: boolean) =>
  publicOnly
    ? sql`select ticket_texts.key / ${span} from ticket_texts_fts join ticket_texts on ticket_texts.key = ticket_texts_fts.rowid where ticket_texts_fts match ${prefixQuery(term)}${publicText(true)}`
    : sql`select rowid / ${span} from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)}`

const search: FullText = {
  // A word of the text starts with the term when `' ' || term` occurs in `' ' || words` (both
  // are `TicketQuery.words`); the ticket's texts are one range of the primary key.
  hasTerm: (term, publicOnly) =>
    sql<SqlBool>`exists (select 1 from ticket_texts where ticket_texts.key between tickets.num * ${span} and tickets.num * ${span} + ${last} and instr(' ' || ticket_texts.words, ${` ${term}`}) > 0${publicText(publicOnly)})`,
  withTerm: (term, common, publicOnly) =>
    common
      ? // `+` keeps SQLite from driving the query from this set: each term's set is built once
        // and the walk of the query's order checks tickets against them.
        sql<SqlBool>`+tickets.num in (${ftsMatches(term, publicOnly)})`
      : sql<SqlBool>`tickets.num in (${ftsMatches(term, publicOnly)})`,
  // A term of one to three characters is taken as common without counting. FTS5 merges the
  // doclists of every word it begins, which is what costs (a whole second for "t" at a million
  // tickets); walking finds a page of such a term at once. Others are counted up to the cap
  // (FTS5 stops there).
  matchingTexts: async (db, term, cap) => {
    if (term.length < 4) return cap
    const counted = await sql<{
      readonly count: number
    }>`select count(*) as count from (select 1 from ticket_texts_fts where ticket_texts_fts match ${prefixQuery(term)} limit ${cap}) as m`.execute(
      db
    )
    return Number(counted.rows[0]?.count ?? cap)
  },
  rareTexts: 2_000,
  commonTermsAsSets: true
}

/**
 * When every tag is common, tags are counted this far to find the rarest: SQLite keeps no
 * statistics of the values, and counting further costs it less than driving from a tag ten
 * times too common.
 */
const COUNTED = 100_000

const tags: TagFilter = {
  hint: "",
  table: (list) =>
    sql`values ${sql.join(
      list.map((tag) => sql`(${tag})`),
      sql`, `
    )}`,
  // `+` keeps the check off the index (a lookup per tag and ticket) and on the ticket's own tags.
  among: () => sql<SqlBool>`+a.tag in (select tag from u)`,
  rarest: (counted) => sql`(select u.tag from u order by ${counted(COUNTED)} limit 1)`
}

/** An index of the unresolved tickets, nearest SLA due first after `leading` (partial). */
const unresolvedIndex: Ddl["unresolvedIndex"] = async (db, name, leading, unresolved) => {
  await sql`create index ${sql.id(name)} on tickets (${sql.join(leading.map((c) => sql.id(c)))}, (sla_due_at is null), sla_due_at, id) where ${unresolved}`.execute(
    db
  )
}

const ddl: Ddl = {
  id: sql`text`,
  ref: "text",
  key: "text",
  text: "text",
  position: (t) => t.addColumn("position", "integer", (c) => c.primaryKey().autoIncrement()),
  // Claims take rows with the same due time in the order they were inserted: the rowid.
  insertionOrder: (t) => t,
  // A stable number per ticket (rowids may change on VACUUM); each text of the ticket has the
  // full-text rowid `num * 2^24 + n`, so "this ticket's texts" is one rowid range.
  ticketColumns: (t) => t.addColumn("num", "integer", (c) => c.notNull().unique()),
  textColumns: (t) => t.addColumn("key", "integer", (c) => c.primaryKey()),
  textIdentity: (t) => t.addUniqueConstraint("ticket_texts_ticket_n", ["ticket_id", "n"]),
  emailIdentity: (t) => t.addPrimaryKeyConstraint("email_message_ids_pk", ["workspace_id", "message_id"]),
  // A group's queue (001) is one of the unresolved-ticket indexes (007).
  queueIndex: (db, unresolved) => unresolvedIndex(db, "tickets_group_queue", ["workspace_id", "group_id"], unresolved),
  unresolvedIndex,
  fullText: async (db) => {
    // External-content FTS5 index over ticket_texts.words, kept in step by triggers (texts are
    // only ever inserted and deleted). The `ascii` tokenizer splits only on ASCII punctuation and
    // spaces and folds only ASCII: the words are already `TicketQuery.words` joined by spaces, so
    // its tokens are exactly those words (unicode61 would re-split and fold them by its own
    // Unicode 6.1 tables).
    await sql`create virtual table ticket_texts_fts using fts5(words, content='ticket_texts', content_rowid='key', tokenize='ascii')`.execute(
      db
    )
    await sql`create trigger ticket_texts_fts_insert after insert on ticket_texts begin
      insert into ticket_texts_fts(rowid, words) values (new.key, new.words);
    end`.execute(db)
    await sql`create trigger ticket_texts_fts_delete after delete on ticket_texts begin
      insert into ticket_texts_fts(ticket_texts_fts, rowid, words) values ('delete', old.key, old.words);
    end`.execute(db)
  },
  jsonText: (column, path) => sql`json_extract(${sql.raw(column)}, ${sql.lit(`$.${path.join(".")}`)})`,
  jsonWithText: (column, path, value) =>
    sql`json_set(${sql.raw(column)}, ${sql.lit(`$.${path.join(".")}`)}, ${sql.lit(value)})`
}

/** A run that failed inside its transaction, thrown so that the transaction rolls back. */
class RunFailed extends Error {
  constructor(readonly resultSet: MigrationResultSet) {
    super("migration run failed")
  }
}

/**
 * SQLite.
 *
 * @category dialects
 * @since 0.1.0
 */
export const sqlite: SqlDialect = {
  name: "sqlite",
  title: "SQLite",
  parameterLimit: 32_766,
  key: (value) => value,
  unkey: (value) => value,
  storable: () => true,
  binaryOrder: (column) => sql.raw(column),
  transact,
  direct: SqliteDirect.runner,
  rowLocks: false,
  versionFirst: false,
  joinOrdered: (column, order) => sql<string | null>`group_concat(${sql.raw(column)}, ',' order by ${sql.raw(order)})`,
  insertionOrder,
  slaMissing: sql`(sla_due_at is null)`,
  orderedUnionRow: "rowid",
  numeric: (value) => sql<number>`${value}`,
  insertOrIgnore,
  upsert,
  nextInSequence,
  claim: claimReturning({ insertionOrder }, false),
  tickets: TicketChanges.writes({
    numbered: true,
    onConflict: (insert, set) => insert.onConflict((oc) => oc.column("id").doUpdateSet(set))
  }),
  texts: {
    perTicket: textSpan - 1,
    columns: (num, n) => ({ key: num * textSpan + n })
  },
  search,
  tags,
  emailIds: EmailIds.byId,
  // One writer at a time (`BEGIN IMMEDIATE`): the autoincrement numbers events in commit order.
  positions: undefined,
  errors: {
    // SQLite names no constraint, only the columns: "UNIQUE constraint failed: events.stream_id, events.version".
    violates: (cause, constraint) => {
      const code = DriverError.fieldOf(cause, "code")
      return (
        (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") &&
        DriverError.messageOf(cause).includes(
          constraint.columns.map((column) => `${constraint.table}.${column}`).join(", ")
        )
      )
    },
    names: () => false,
    // One writer at a time: a transaction waits for the lock rather than losing a race.
    lostRace: () => false
  },
  ddl,
  // The pending migrations in one `BEGIN IMMEDIATE` transaction. Processes starting together
  // queue on the write lock (`busy_timeout`), and each sees, once it holds the lock, whether
  // another has migrated meanwhile. A file already up to date is only read, so a start takes no
  // write lock and never waits for other processes' writes.
  migrate: async (db, migrator) => {
    const known = await migrator(db, undefined).getMigrations()
    if (known.every((migration) => migration.executedAt !== undefined)) return { results: [] }
    try {
      return await transact(db, async (connection) => {
        const resultSet = await migrator(connection, undefined).migrateToLatest()
        if (resultSet.error !== undefined) throw new RunFailed(resultSet)
        return resultSet
      })
    } catch (cause) {
      if (cause instanceof RunFailed) return cause.resultSet
      throw cause
    }
  }
}
