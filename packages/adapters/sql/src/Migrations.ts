/**
 * Schema migrations with kysely's `Migrator`: the same list for every database, each migration
 * given its dialect's record (`dialect/`). `migrate` brings a database to the latest schema and
 * is safe to run at every start, from several processes at once: applied migrations are recorded
 * and skipped, runs take turns (SQLite's write lock, an advisory lock on PostgreSQL, a named
 * lock on MySQL), and on SQLite and PostgreSQL a run is one transaction, so a process killed
 * mid-way leaves the schema as it found it; MySQL commits its DDL as it goes
 * (`SqlDialect.migrate` says how, per database).
 */
import { OpenError } from "@tessera/core"
import { Effect, Schedule } from "effect"
import { type Kysely, type Migration, Migrator } from "kysely"
import type { Dialect } from "./Database.js"
import type { SqlDialect } from "./dialect/Dialect.js"
import * as Dialects from "./dialect/index.js"
import * as Initial from "./migrations/001_initial.js"
import * as TextVisibility from "./migrations/002_text_visibility.js"
import * as TicketSla from "./migrations/003_ticket_sla.js"
import * as EventPositions from "./migrations/004_event_positions.js"
import * as OutboxDeadLetters from "./migrations/005_outbox_dead_letters.js"
import * as ReportMetrics from "./migrations/006_report_metrics.js"
import * as QueueIndexes from "./migrations/007_queue_indexes.js"
import * as TicketFollowers from "./migrations/008_ticket_followers.js"

/**
 * A migration failed; the database is left as `migrate` found it (the migrations of one run
 * commit together or not at all). It is `OpenError.MigrationFailed` of `@tessera/core`.
 *
 * @category errors
 * @since 0.1.0
 */
export const MigrationFailed: typeof OpenError.MigrationFailed = OpenError.MigrationFailed
/** @category errors @since 0.1.0 */
export type MigrationFailed = OpenError.MigrationFailed

const all = (dialect: SqlDialect): Record<string, Migration> => ({
  "001_initial": { up: (db) => Initial.up(db, dialect) },
  "002_text_visibility": { up: (db) => TextVisibility.up(db, dialect) },
  "003_ticket_sla": { up: (db) => TicketSla.up(db, dialect) },
  "004_event_positions": { up: (db) => EventPositions.up(db, dialect) },
  "005_outbox_dead_letters": { up: (db) => OutboxDeadLetters.up(db, dialect) },
  "006_report_metrics": { up: (db) => ReportMetrics.up(db, dialect) },
  "007_queue_indexes": { up: (db) => QueueIndexes.up(db, dialect) },
  "008_ticket_followers": { up: (db) => TicketFollowers.up(db, dialect) }
})

/**
 * Brings the database to the latest schema; returns the names of the migrations it applied.
 *
 * @category constructors
 * @since 0.1.0
 */
export const migrate = <DB>(db: Kysely<DB>, dialect: Dialect): Effect.Effect<ReadonlyArray<string>, MigrationFailed> =>
  Effect.tryPromise({
    try: () => {
      const record = Dialects.of(dialect)
      return record.migrate(
        db,
        (on, schema) =>
          new Migrator({
            db: on,
            provider: { getMigrations: async () => all(record) },
            ...(schema === undefined ? {} : { migrationTableSchema: schema })
          })
      )
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
    }),
    // Before migrating, kysely lists the database's tables to find its own; on PostgreSQL a table
    // another session drops in that moment (with its schema, say) fails the listing with
    // undefined_table (42P01), invalid_schema_name (3F000), or undefined_column (42703, from
    // `pg_get_serial_sequence` on a column of a table dropped and made again meanwhile). Nothing
    // was migrated then, so the run is taken again.
    Effect.retry({ while: droppedWhileListing, times: 6, schedule: Schedule.exponential("20 millis") })
  )

/** A setup failure (no migration ran) from a table or schema dropped while kysely listed the tables. */
const droppedWhileListing = (error: MigrationFailed): boolean => {
  if (error.migration !== undefined || typeof error.cause !== "object" || error.cause === null) return false
  const code = (error.cause as { readonly code?: unknown }).code
  return code === "42P01" || code === "3F000" || code === "42703"
}
