/**
 * Migrating while other sessions drop tables (found when CI ran test files two at a time on one
 * PostgreSQL server): kysely lists the database's tables before it migrates, and a table dropped
 * during that listing failed the whole run with undefined_table (42P01), or with undefined_column
 * (42703) when its column was looked up after the drop. `migrate` takes such a setup failure
 * again; here other schemas come and go while fresh schemas are migrated, and a table is made
 * again and again under its name, with other columns, while one is.
 */
import { Effect, Fiber } from "effect"
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import { freshSchema, pgUrl, withSearchPath } from "./support.js"

/** The migrations applied to a fresh schema, on a connection of its own. */
const migrateFresh = Effect.gen(function* () {
  const schema = yield* freshSchema
  const connection = yield* Connection.scoped(withSearchPath(pgUrl(), schema), { connections: 1 })
  return yield* Migrations.migrate(connection.db, "postgres")
})

describe("migrating on PostgreSQL while other schemas are dropped", () => {
  it(
    "every migration run succeeds",
    () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const churn = yield* Connection.scoped(pgUrl(), { connections: 1 })
            let stop = false
            let dropped = 0
            const churning = Effect.promise(async () => {
              for (let n = 0; !stop; n++) {
                const schema = `tessera_churn_${process.pid}_${n}`
                await sql
                  .raw(`create schema ${schema}; create table ${schema}.t${n} (a int, b text, c text, d text)`)
                  .execute(churn.db)
                await sql.raw(`drop schema ${schema} cascade`).execute(churn.db)
                dropped++
                // A test suite's pace, and then some: a schema dropped every 20 milliseconds.
                await new Promise((resolve) => setTimeout(resolve, 20))
              }
            })
            const fiber = yield* Effect.forkChild(churning)
            let migrated = 0
            for (let run = 0; run < 12; run++) {
              const applied = yield* migrateFresh
              expect(applied.length).toBeGreaterThan(0)
              migrated++
            }
            stop = true
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
            console.log(`migrate race: ${migrated} fresh schemas migrated while ${dropped} other schemas were dropped`)
            expect(migrated).toBe(12)
            expect(dropped).toBeGreaterThan(0)
            void fiber
          })
        )
      ),
    120_000
  )

  it(
    "a run that finds a table made again with other columns while it lists the tables takes its setup again",
    () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            // For 400 ms, a table is dropped and made again under its name with other columns,
            // as fast as the server allows: a listing that read its old columns then asks for
            // one that no longer exists (42703). The run's retries outlast the swapping.
            const churn = yield* Connection.scoped(pgUrl(), { connections: 1 })
            const stable = `tessera_swap_${process.pid}`
            yield* Effect.promise(() => sql.raw(`create schema ${stable}`).execute(churn.db))
            yield* Effect.addFinalizer(() =>
              Effect.promise(() => sql.raw(`drop schema if exists ${stable} cascade`).execute(churn.db))
            )
            let swaps = 0
            const swapping = Effect.promise(async () => {
              const until = Date.now() + 400
              for (let n = 0; Date.now() < until; n++) {
                const column = n % 2 === 0 ? "id" : "key"
                await sql
                  .raw(
                    `drop table if exists ${stable}.agents; create table ${stable}.agents (${column} serial, name text)`
                  )
                  .execute(churn.db)
                swaps++
              }
            })
            const fiber = yield* Effect.forkChild(swapping)
            const applied = yield* migrateFresh
            yield* Fiber.join(fiber)
            console.log(`migrate race: migrated while a table was made again ${swaps} times`)
            expect(applied.length).toBeGreaterThan(0)
            expect(swaps).toBeGreaterThan(0)
          })
        )
      ),
    60_000
  )
})
