/**
 * Schema migrations with kysely's `Migrator`: the same list for SQLite and PostgreSQL, each
 * migration told which dialect it runs on. `migrate` brings a database to the latest schema and
 * is safe to run at every start (applied migrations are recorded and skipped).
 */
import { Effect, Schema } from "effect"
import { type Kysely, type Migration, Migrator, sql } from "kysely"
import type { Dialect } from "./Database.js"
import * as Initial from "./migrations/001_initial.js"
import * as TextVisibility from "./migrations/002_text_visibility.js"

/**
 * A migration failed; the database is left at the last migration that succeeded.
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
  "002_text_visibility": { up: (db) => TextVisibility.up(db, dialect) }
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
      return new Migrator({
        db,
        provider: { getMigrations: async () => all(dialect) },
        ...(schema === undefined ? {} : { migrationTableSchema: schema })
      }).migrateToLatest()
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
