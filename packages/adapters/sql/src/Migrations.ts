/**
 * Schema migrations with kysely's `Migrator`: the same list for SQLite and PostgreSQL, each
 * migration told which dialect it runs on. `migrate` brings a database to the latest schema and
 * is safe to run at every start, from several processes at once: applied migrations are recorded
 * and skipped, runs take turns (SQLite's write lock, an advisory lock on PostgreSQL), and a run
 * is one transaction, so a process killed mid-way leaves the schema as it found it. Kysely runs
 * SQLite's DDL outside any transaction, so on SQLite this module opens that transaction itself.
 */
import { Effect, Schema } from "effect"
import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from "kysely"
import type { Dialect } from "./Database.js"
import { transact } from "./internal/transact.js"
import * as Initial from "./migrations/001_initial.js"
import * as TextVisibility from "./migrations/002_text_visibility.js"
import * as TicketSla from "./migrations/003_ticket_sla.js"

/**
 * A migration failed; the database is left as `migrate` found it (the migrations of one run
 * commit together or not at all).
 *
 * @category errors
 * @since 0.1.0
 */
export class MigrationFailed extends Schema.TaggedError<MigrationFailed>()("MigrationFailed", {
  migration: Schema.optionalKey(Schema.String),
  reason: Schema.String,
  cause: Schema.optionalKey(Schema.Unknown)
}) {
  override get message() {
    return `Migration ${this.migration ?? "(setup)"} failed: ${this.reason}`
  }
}

const all = (dialect: Dialect): Record<string, Migration> => ({
  "001_initial": { up: (db) => Initial.up(db, dialect) },
  "002_text_visibility": { up: (db) => TextVisibility.up(db, dialect) },
  "003_ticket_sla": { up: (db) => TicketSla.up(db, dialect) }
})

/**
 * The schema the migrator's own tables go in on PostgreSQL: the connection's current one. Left
 * unset, kysely finds them in any schema (say `public`) and then queries them unqualified, through
 * `search_path`, where they may not be.
 */
const migrationTableSchema = async <DB>(db: Kysely<DB>, dialect: Dialect): Promise<string | undefined> =>
  dialect === "postgres"
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined

/** A run that failed inside its transaction, thrown so that the transaction rolls back. */
class RunFailed extends Error {
  constructor(readonly resultSet: MigrationResultSet) {
    super("migration run failed")
  }
}

/**
 * SQLite: the pending migrations in one `BEGIN IMMEDIATE` transaction. Processes starting
 * together queue on the write lock (`busy_timeout`), and each sees, once it holds the lock,
 * whether another has migrated meanwhile. A file already up to date is only read, so a start
 * takes no write lock and never waits for other processes' writes.
 */
const migrateSqlite = async <DB>(
  db: Kysely<DB>,
  migrator: (db: Kysely<DB>) => Migrator
): Promise<MigrationResultSet> => {
  const known = await migrator(db).getMigrations()
  if (known.every((migration) => migration.executedAt !== undefined)) return { results: [] }
  try {
    return await transact(db, "sqlite", async (connection) => {
      const resultSet = await migrator(connection).migrateToLatest()
      if (resultSet.error !== undefined) throw new RunFailed(resultSet)
      return resultSet
    })
  } catch (cause) {
    if (cause instanceof RunFailed) return cause.resultSet
    throw cause
  }
}

/**
 * Brings the database to the latest schema; returns the names of the migrations it applied.
 *
 * @category constructors
 * @since 0.1.0
 */
export const migrate = <DB>(db: Kysely<DB>, dialect: Dialect): Effect.Effect<ReadonlyArray<string>, MigrationFailed> =>
  Effect.tryPromise({
    try: async () => {
      const schema = await migrationTableSchema(db, dialect)
      const migrator = (on: Kysely<DB>) =>
        new Migrator({
          db: on,
          provider: { getMigrations: async () => all(dialect) },
          ...(schema === undefined ? {} : { migrationTableSchema: schema })
        })
      // PostgreSQL: kysely runs the migrations in a transaction under an advisory lock.
      return dialect === "sqlite" ? migrateSqlite(db, migrator) : migrator(db).migrateToLatest()
    },
    catch: (cause) => new MigrationFailed({ reason: String(cause), cause })
  }).pipe(
    Effect.flatMap(({ error, results }) => {
      const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName)
      if (error === undefined) return Effect.succeed(applied)
      const failed = (results ?? []).find((r) => r.status === "Error")
      return Effect.fail(
        new MigrationFailed({
          ...(failed === undefined ? {} : { migration: failed.migrationName }),
          reason: error instanceof Error ? error.message : String(error),
          cause: error
        })
      )
    })
  )
