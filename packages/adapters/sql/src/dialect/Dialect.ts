import type {
  ColumnDataType,
  CreateTableBuilder,
  Expression,
  InsertQueryBuilder,
  InsertResult,
  InsertType,
  Kysely,
  MigrationResultSet,
  Migrator,
  RawBuilder,
  Selectable,
  SelectQueryBuilder,
  SqlBool,
  Updateable
} from "kysely"
import type { Database, Dialect, OutboxTable, TicketsTable, TimersTable } from "../Database.js"
import type { Runner, StatementCache } from "../internal/StatementCache.js"
import type { EmailIds } from "./EmailIds.js"

/**
 * A complete row to insert: every column given (null where empty), times as numbers.
 *
 * @category models
 * @since 0.1.0
 */
export type Row<T> = { readonly [K in keyof T]-?: Exclude<InsertType<T[K]>, undefined> }

/**
 * An outbox row as an append writes it: no last error and not dead (both columns default to null).
 *
 * @category models
 * @since 0.1.0
 */
export type OutboxRow = Omit<Row<OutboxTable>, "last_error" | "dead_at">

/**
 * A ticket's projection row as the store writes it (a dialect may add columns of its own, such
 * as SQLite's `num`, when it inserts it).
 *
 * @category models
 * @since 0.1.0
 */
export type TicketRow = Row<Omit<TicketsTable, "num">>

/**
 * One text of a ticket as stored: the subject (`n` 0) or a message (`data`: its JSON).
 *
 * @category models
 * @since 0.1.0
 */
export interface TextRow {
  readonly n: number
  readonly data: string | null
  readonly words: string
  readonly visibility: "public" | "internal"
}

/**
 * A table whose rows are leased by claims: the timers and the outbox.
 *
 * @category models
 * @since 0.1.0
 */
export type ClaimTable = "timers" | "outbox"

/**
 * One claim: lease the rows `pick` selects (due or ready ones, in order, up to a limit) until
 * `leaseUntil`, and give back their `columns` with their insertion order as `seq`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Claim<T extends ClaimTable, C extends keyof Selectable<Database[T]> & string> {
  readonly table: T
  /** The rows to lease, ordered and limited, selecting `id` only; built on the client it is given. */
  readonly pick: (db: Kysely<Database>) => SelectQueryBuilder<Database, T, { id: string }>
  /** The new `available_at` of the leased rows (epoch milliseconds). */
  readonly leaseUntil: number
  readonly columns: ReadonlyArray<C>
}

/**
 * A leased row: the claim's columns and the row's insertion order (`seq`), in no particular order.
 *
 * @category models
 * @since 0.1.0
 */
export type Claimed<T extends ClaimTable, C extends keyof Selectable<Database[T]> & string> = Pick<
  Selectable<Database[T]>,
  C
> & { readonly seq: number | string }

/**
 * A unique constraint the writers tell apart when the database refuses a row: by its name where
 * the driver reports it (PostgreSQL, MySQL), by its table and columns where it does not (SQLite).
 *
 * @category models
 * @since 0.1.0
 */
export interface UniqueConstraint {
  readonly name: string
  readonly table: string
  readonly columns: ReadonlyArray<string>
}

/**
 * Everything a simple append writes (the projection row's update guarded by the expected
 * version, events, new texts, tag and email-id changes, timers, outbox rows and the SLA fold),
 * for a database that can write it as one statement. Keys are already escaped.
 *
 * @category models
 * @since 0.1.0
 */
export interface OneStatementAppend {
  readonly row: TicketRow
  readonly expectedVersion: number
  /** No `slaDueAt` in the effects: the stored due time stays. */
  readonly keepSla: boolean
  readonly events: ReadonlyArray<{
    readonly version: number
    readonly type: string
    readonly data: string
    readonly at: number
  }>
  /** Texts to insert; nothing is deleted on this path. */
  readonly texts: ReadonlyArray<TextRow>
  readonly tagsAdded: ReadonlyArray<string>
  readonly tagsRemoved: ReadonlyArray<string>
  readonly emailIds: ReadonlyArray<string>
  readonly timers: ReadonlyArray<Row<TimersTable>>
  readonly outbox: ReadonlyArray<OutboxRow>
  readonly sla: { readonly version: number; readonly value: string } | undefined
}

/**
 * A column's type in DDL: a type name kysely knows, or raw SQL (`text collate "C"`).
 *
 * @category models
 * @since 0.1.0
 */
export type ColumnType = ColumnDataType | Expression<unknown>

/**
 * Adds columns (or constraints) of the dialect's own to a table being created; the identity for
 * a database that needs none.
 *
 * @category models
 * @since 0.1.0
 */
export type TableHook = (table: CreateTableBuilder<string, string>) => CreateTableBuilder<string, string>

/**
 * The schema differences the migrations need. Column kinds name what a column holds, so that a
 * database with limits on indexed text (MySQL: `varchar(255) collate utf8mb4_bin`) can give each
 * kind its own type while SQLite and PostgreSQL give plain `text`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Ddl {
  /**
   * A column holding a ticket id (`tickets.id` and the columns that point at it): compared and
   * sorted bytewise, as JavaScript compares ids, whatever the database's default collation, and
   * the same type everywhere so that joins use each other's indexes.
   */
  readonly id: ColumnType
  /**
   * Any other opaque id of the domain (a workspace, contact, organization, agent or group: at
   * most 128 characters), where it is indexed or compared. Its own kind so that a database
   * with a bound on index entries (MySQL: 3,072 bytes) can give indexes of several such
   * columns room for all of them.
   */
  readonly ref: ColumnType
  /** Short text that is indexed or compared (stream ids, tags, statuses, channels, emails, timer ids). */
  readonly key: ColumnType
  /** Long text never indexed (JSON documents, summaries, the words of a text). */
  readonly text: ColumnType
  /** Adds `events.position`, the global order of events: an auto-incrementing integer primary key. */
  readonly position: TableHook
  /** Adds the insertion-order column claims break ties with (`insertionOrder`), where the table has none built in. */
  readonly insertionOrder: TableHook
  /** Adds the ticket's own columns the full-text index needs (SQLite: `num`, see `tickets.upsert`). */
  readonly ticketColumns: TableHook
  /** Adds the first columns of `ticket_texts` the full-text index needs (SQLite: `key`, its rowid). */
  readonly textColumns: TableHook
  /** Adds `ticket_texts`' identity on (ticket_id, n): its primary key, or a unique constraint where `key` is. */
  readonly textIdentity: TableHook
  /**
   * Adds `email_message_ids`' identity on (workspace_id, message_id), its `message_id` being
   * `text`: the primary key, or where an email id (up to 998 characters) is past what an index
   * entry holds, a unique key on a hash of it (MySQL).
   */
  readonly emailIdentity: TableHook
  /**
   * Creates `tickets_group_queue`, the index of the queue agents look at most: unresolved
   * tickets (`unresolved`) of a group, nearest SLA due first, tickets without one last, by id.
   */
  readonly queueIndex: (db: Kysely<unknown>, unresolved: RawBuilder<boolean>) => Promise<void>
  /**
   * Creates the index `name` of another queue over the unresolved tickets (`unresolved`): the
   * `leading` columns, then nearest SLA due first, tickets without one last, by id, as
   * `queueIndex` orders them.
   */
  readonly unresolvedIndex: (
    db: Kysely<unknown>,
    name: string,
    leading: ReadonlyArray<string>,
    unresolved: RawBuilder<boolean>
  ) => Promise<void>
  /** Creates the full-text index over `ticket_texts.words` (FTS5 with triggers, a GIN tsvector, ...). */
  readonly fullText: (db: Kysely<unknown>) => Promise<void>
  /** The string at `path` in the JSON text of `column` (SQL null when absent). */
  readonly jsonText: (column: string, path: ReadonlyArray<string>) => RawBuilder<string | null>
  /** The JSON text of `column` with the string at `path` set to `value`. */
  readonly jsonWithText: (column: string, path: ReadonlyArray<string>, value: string) => RawBuilder<string>
}

/**
 * Full-text search: how a word prefix (`TicketQuery.searchTerms`) is matched on the dialect's
 * index, and how rare a term is. Every dialect must find what the memory store finds: a text
 * matches when one of its words (`TicketQuery.words`) starts with the term.
 *
 * @category models
 * @since 0.1.0
 */
export interface FullText {
  /**
   * Some text of the ticket (`tickets`, in the enclosing query) has a word starting with
   * `term`, checked ticket by ticket through the ticket's own texts, never a full-text index
   * lookup: it is what a walk of the query's order checks on each candidate.
   */
  readonly hasTerm: (term: string, publicOnly: boolean) => Expression<SqlBool>
  /**
   * The tickets with a text matching `term`, straight from the full-text index: the condition
   * that drives a query from a rare term, or (`common`) a set built once and probed by a walk.
   */
  readonly withTerm: (term: string, common: boolean, publicOnly: boolean) => Expression<SqlBool>
  /**
   * How many texts match `term`, counted up to `cap` or estimated by the planner; `cap` when
   * finding out would cost more than walking (SQLite: terms under four characters).
   */
  readonly matchingTexts: (db: Kysely<Database>, term: string, cap: number) => Promise<number>
  /** The default of `searchTuning.rare`: fewer matching texts than this make a term rare. */
  readonly rareTexts: number
  /**
   * When every term is common and the walk fell short, every term (not only the driver) is
   * checked as a set (`withTerm(term, true, ...)`) rather than ticket by ticket (SQLite).
   */
  readonly commonTermsAsSets: boolean
  /**
   * The tickets with a text matching each of `terms`, as one set read from the full-text index
   * in one pass, for a search whose terms are all common and whose walk fell short (the terms
   * seldom meet). Absent where the dialect drives from the longest term (`withTerm`) instead.
   * MariaDB: one range scan of the words, grouped by ticket, where looking each match's ticket
   * up would be a random read per match.
   */
  readonly everyTerm?: (terms: ReadonlyArray<string>, publicOnly: boolean) => Expression<SqlBool>
}

/**
 * The parts of the `tagsAll` filter with many tags that differ (see `internal/TagFilters.ts`):
 * the filter's tags as a table `u(tag)`, the check of a ticket's own tags against them, and how
 * the rarest tag is found when every tag is common.
 *
 * @category models
 * @since 0.1.0
 */
export interface TagFilter {
  /** Put before the condition's SQL (with its own trailing space), e.g. a planner hint; "" for none. */
  readonly hint: string
  /** The body of the CTE `u(tag)`: one row per tag (`values ...`, `select unnest(...)`). */
  readonly table: (tags: ReadonlyArray<string>) => RawBuilder<unknown>
  /** `a.tag` (a row of `ticket_tags as a`) is one of `tags`, checked without driving from its index. */
  readonly among: (tags: ReadonlyArray<string>) => RawBuilder<SqlBool>
  /**
   * The rarest tag of `u` when none is rare; `counted(cap)` counts `u.tag`'s tickets in the
   * workspace up to `cap`.
   */
  readonly rarest: (counted: (cap: number) => RawBuilder<number>) => RawBuilder<string>
  /**
   * `u.tag`'s tickets in workspace `workspace`, counted up to `cap`; absent for the shared form
   * (a count over a limited derived table, which MariaDB cannot correlate with `u`).
   */
  readonly counted?: (workspace: string, cap: number) => RawBuilder<number>
}

/**
 * How the projection row of a ticket is written. A dialect may keep columns of its own in it
 * (SQLite: `num`, the ticket's stable number that keys its texts in the full-text index), which
 * the writers then hand to `texts.columns`. Both run on every append: `statements` compiles
 * each shape of them once (see `internal/StatementCache.ts`).
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketWrites {
  /**
   * Sets `changes` on the row of `id` if it is still at `expectedVersion`: the ticket's number
   * (`0` where the dialect keeps none), or `undefined` when no row was at that version.
   */
  readonly update: (
    trx: Kysely<Database>,
    id: string,
    expectedVersion: number,
    changes: Partial<TicketRow>,
    statements: StatementCache
  ) => Promise<number | undefined>
  /** Inserts `row` or, when a row with its id exists, sets `changes` on it; the ticket's number. */
  readonly upsert: (
    trx: Kysely<Database>,
    row: TicketRow,
    changes: Partial<TicketRow>,
    statements: StatementCache
  ) => Promise<number>
}

/**
 * How the texts of a ticket are keyed.
 *
 * @category models
 * @since 0.1.0
 */
export interface TextWrites {
  /**
   * The largest text number `n` (0 the subject, 1.. the messages) a ticket may have on this
   * database; `Infinity` when only `Limits` bounds it. SQLite: `2^24 - 1`, the span of rowids
   * one ticket's texts have in the full-text index.
   */
  readonly perTicket: number
  /** The dialect's own columns of text `n` of the ticket numbered `num` (SQLite: `{ key }`), put first. */
  readonly columns: (num: number, n: number) => { readonly key?: number }
  /**
   * Writes what the full-text index keeps of texts just inserted for ticket `ticketId`, where the
   * database does not keep it itself (MySQL: the words table; its rows go with their text when
   * the text is deleted). Absent where the index follows the texts on its own (triggers, a
   * generated column).
   */
  readonly index?: (trx: Kysely<Database>, ticketId: string, rows: ReadonlyArray<TextRow>) => Promise<void>
}

/**
 * How a driver's errors read, where the shared code must tell them apart.
 *
 * @category models
 * @since 0.1.0
 */
export interface Errors {
  /** The write was refused by `constraint` (a unique or primary key violation of it). */
  readonly violates: (cause: unknown, constraint: UniqueConstraint) => boolean
  /**
   * The refusal names `values` as the duplicate key (PostgreSQL's detail `Key (...)=(a, b)`);
   * false when the driver does not say which values collided.
   */
  readonly names: (cause: unknown, values: ReadonlyArray<string | number>) => boolean
  /** The transaction lost a race it may retry after a reload (a deadlock victim, a serialization failure). */
  readonly lostRace: (cause: unknown) => boolean
}

/**
 * The one-statement append, for a database that has one (PostgreSQL: data-modifying CTEs).
 *
 * @category models
 * @since 0.1.0
 */
export interface OneStatement {
  /** Most rows one such statement writes; a larger append goes through the transaction. */
  readonly maxRows: number
  /**
   * Writes the append; false when the row was not at the expected version (then nothing was
   * written). Its events take their positions as `SqlDialect.positions` hands them out, in the
   * same statement. `statements` compiles each shape of the statement once.
   */
  readonly append: (db: Kysely<Database>, append: OneStatementAppend, statements: StatementCache) => Promise<boolean>
}

/**
 * How events get global positions (`events.position`, what `readAll` pages by) in the order their
 * transactions commit, where the database's own numbering would not give them: an identity
 * column takes its value at insert, so overlapping transactions may commit a smaller position
 * after a larger one, and a reader that already asked "after the larger" never sees it.
 *
 * @category models
 * @since 0.1.0
 */
export interface Positions {
  /**
   * Creates the one-row counter `event_positions (id = 1, last)`, starting after the positions
   * `events` already holds, and stops the identity column from numbering events itself, so that
   * a process still numbering at insert fails rather than writes events no reader would see.
   */
  readonly create: (db: Kysely<unknown>) => Promise<void>
  /**
   * Moves the counter `count` positions forward in the current transaction and returns the
   * first one taken, for the events inserted right after, as the transaction's last statements.
   * The counter's row stays locked until the transaction ends: a transaction that takes
   * positions after another commits after it, and one that rolls back gives them back.
   */
  readonly take: (trx: Kysely<Database>, count: number) => Promise<number>
}

/**
 * One database, as the shared code of the store sees it.
 *
 * @category models
 * @since 0.1.0
 */
export interface SqlDialect {
  /** The name users give (`SqlStore.layer({ dialect })`, the URL's scheme picks it for `layerUrl`). */
  readonly name: Dialect
  /** The database's name in messages ("SQLite", "PostgreSQL"). */
  readonly title: string
  /**
   * Bound parameters one statement may carry (SQLite 32,766; PostgreSQL and MySQL 65,535: their
   * protocols count them in 16 bits); multi-row writes are cut to it (`internal/Chunks.ts`).
   */
  readonly parameterLimit: number
  /**
   * At most this many bytes of values in one statement, where the driver sends values inside the
   * statement's text and the server bounds its size (MySQL: `max_allowed_packet`, 16 MB by
   * default on MariaDB); multi-row writes are cut to it too. Absent: no bound but parameters.
   */
  readonly statementBytes?: number
  /**
   * A value as stored in an indexed text column, injectively (so equality is kept). PostgreSQL
   * text cannot hold U+0000, so it is escaped there; the identity elsewhere.
   */
  readonly key: (value: string) => string
  /** A stored text value as it was given (`key` undone). */
  readonly unkey: (value: string) => string
  /**
   * A value given as it is (not through `key`) can be stored and compared in a text column. The
   * directory store does not escape: an id PostgreSQL could not hold matches nothing.
   */
  readonly storable: (value: string) => boolean
  /**
   * `column` (text) as an ordering key in code-unit order, as JavaScript sorts ids, whatever
   * the database's default collation (PostgreSQL: `collate "C"`).
   */
  readonly binaryOrder: (column: string) => RawBuilder<unknown>
  /**
   * Runs `body` in one write transaction and commits, or rolls back when it throws. Every writer
   * that reads first needs it: SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so that
   * another process makes it wait rather than fail; client-server databases lock rows as they go.
   */
  readonly transact: <DB, A>(db: Kysely<DB>, body: (trx: Kysely<DB>) => Promise<A>) => Promise<A>
  /**
   * The runner of compiled statements on the driver itself for `db` (a client or a transaction's
   * connection) at this moment, or `undefined` for kysely's path (SQLite's own clients only).
   */
  readonly direct?: (db: object) => Runner | undefined
  /**
   * Reads in a write transaction lock the rows they read (`for update`). False where the
   * transaction holds the whole database already (SQLite).
   */
  readonly rowLocks: boolean
  /**
   * A read of a ticket whose snapshot the caller holds (a write's lock read, `loadIfChanged`)
   * reads the version alone first, and the snapshot only when it changed, rather than one
   * statement that leaves the snapshot out when the version matches. MariaDB plans that
   * statement's conditional aggregates in about 0.4 ms, more than the version read costs.
   */
  readonly versionFirst: boolean
  /**
   * `column` of the grouped rows joined with commas in `order` (a column), null for no rows:
   * `string_agg` on PostgreSQL, `group_concat` on SQLite and MySQL.
   */
  readonly joinOrdered: (column: string, order: string) => RawBuilder<string | null>
  /**
   * The column giving the insertion order of timers and outbox rows, to break ties between
   * rows due at the same time (SQLite's `rowid`, a serial column elsewhere; see `ddl.insertionOrder`).
   */
  readonly insertionOrder: RawBuilder<number>
  /**
   * The first sort key of the queue's order (`sla_due`): true for tickets without an SLA due
   * time, which come last. It must be the very key `ddl.queueIndex` indexes: the expression
   * `(sla_due_at is null)`, or a generated column where indexes take no expression (MySQL).
   */
  readonly slaMissing: RawBuilder<unknown>
  /**
   * Where the database merges a compound select's ordered parts as it walks them (SQLite plans
   * `select … union all select … order by … limit n` as `MERGE (UNION ALL)`, stopping when the
   * page is full): the column addressing a ticket's row (SQLite's `rowid`), by which a page merged
   * from parts (a group-scoped agent's queue, one part per group) reads its rows once it has
   * their sort keys. `undefined` where the database would read every part in full and sort them:
   * there each part is its own `limit n` walk, and the page the first `n` of their union.
   */
  readonly orderedUnionRow: string | undefined
  /**
   * A number to compare a bigint column with: PostgreSQL must not cast a fraction to bigint, so
   * a non-integer is sent as double precision there.
   */
  readonly numeric: (value: number) => Expression<number>
  /**
   * `query` that skips a row whose key (`conflict`, default: any unique key) already exists
   * (`on conflict do nothing`; MySQL has no `ON CONFLICT`: `insert ignore`).
   */
  readonly insertOrIgnore: <T extends keyof Database & string>(
    query: InsertQueryBuilder<Database, T, InsertResult>,
    conflict?: ReadonlyArray<keyof Selectable<Database[T]> & string>
  ) => InsertQueryBuilder<Database, T, InsertResult>
  /**
   * `query` that, when a row with the same `conflict` key exists, sets `set` on it instead
   * (`on conflict (...) do update`; MySQL: `on duplicate key update`).
   */
  readonly upsert: <T extends keyof Database & string>(
    query: InsertQueryBuilder<Database, T, InsertResult>,
    conflict: ReadonlyArray<keyof Selectable<Database[T]> & string>,
    set: Updateable<Database[T]>
  ) => InsertQueryBuilder<Database, T, InsertResult>
  /**
   * The next value of workspace `workspace`'s public-number sequence, atomically: `first` for a
   * new workspace or one behind it, else the last value plus one; `undefined` (and the row left
   * alone) once the last value is `max`. SQLite and PostgreSQL: one upsert with `returning`.
   */
  readonly nextInSequence: (
    db: Kysely<Database>,
    workspace: string,
    first: number,
    max: number
  ) => Promise<number | undefined>
  /**
   * Leases the rows a claim picks in one atomic step, so that two processes never lease the same
   * row: SQLite's write lock covers the statement; PostgreSQL skips rows another claim locked
   * (`for update skip locked`); a database without `update ... returning` selects, updates and
   * reads back in one transaction.
   */
  readonly claim: <T extends ClaimTable, C extends keyof Selectable<Database[T]> & string>(
    db: Kysely<Database>,
    claim: Claim<T, C>
  ) => Promise<ReadonlyArray<Claimed<T, C>>>
  /** How the projection row is written, and what the writers learn back from it. */
  readonly tickets: TicketWrites
  /** How texts are keyed for the full-text index. */
  readonly texts: TextWrites
  /** Full-text matching and term rarity. */
  readonly search: FullText
  /** How `email_message_ids` is keyed: the constraint a second recording violates, and lookups. */
  readonly emailIds: EmailIds
  /** The many-tags `tagsAll` filter's parts. */
  readonly tags: TagFilter
  /**
   * A simple append (a snapshot this process holds, texts that only grow) as one statement, one
   * round trip; absent where the database has no such statement, and then the append runs as a
   * transaction of several statements (the same rows, the same outcome).
   */
  readonly oneStatement?: OneStatement
  /**
   * Positions in commit order from a counter (`Positions`), for a database whose transactions
   * overlap (PostgreSQL, MySQL); `undefined` where the database's own numbering already follows
   * commit order (SQLite: one writer at a time numbers and commits in turn).
   */
  readonly positions: Positions | undefined
  /** How the driver's errors read. */
  readonly errors: Errors
  /** The schema's differences. */
  readonly ddl: Ddl
  /**
   * Runs the pending migrations so that processes starting together take turns and a run is
   * atomic where the database allows: SQLite in one `BEGIN IMMEDIATE` transaction (kysely runs
   * its DDL outside any), PostgreSQL through kysely's transaction and advisory lock, with the
   * migrator's tables in the connection's current schema. `migrator(on, schema)` builds the
   * migrator on a client, its own tables in `schema` (the default when `undefined`).
   */
  readonly migrate: <DB>(
    db: Kysely<DB>,
    migrator: (on: Kysely<DB>, schema: string | undefined) => Migrator
  ) => Promise<MigrationResultSet>
}
