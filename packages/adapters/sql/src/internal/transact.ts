/**
 * One write transaction, the way every writer of this package needs it when it reads first
 * (a migration, an append, a contact's email check). On SQLite it takes the write lock up front
 * (`BEGIN IMMEDIATE`), so another process holding it makes this one wait on `busy_timeout`; a
 * deferred `BEGIN` would read first and then fail at once with "database is locked" when it
 * tries to write. Retrying what a transaction refused is left to its callers.
 */
import { type Kysely, sql } from "kysely"
import type { Dialect } from "../Database.js"

/**
 * Runs `body` in one write transaction and commits what it did, or rolls it all back when it
 * throws. SQLite: `BEGIN IMMEDIATE` on kysely's single connection, whose mutex keeps this
 * process's other fibers out until the transaction ends. PostgreSQL: kysely's transaction
 * (row locks are taken by the statements themselves).
 *
 * @category combinators
 * @since 0.1.0
 */
export const transact = <DB, A>(db: Kysely<DB>, dialect: Dialect, body: (trx: Kysely<DB>) => Promise<A>): Promise<A> =>
  dialect === "postgres"
    ? db.transaction().execute(body)
    : db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection)
        let result: A
        try {
          result = await body(connection)
        } catch (cause) {
          await sql`rollback`.execute(connection).catch(() => undefined)
          throw cause
        }
        try {
          await sql`commit`.execute(connection)
        } catch (cause) {
          await sql`rollback`.execute(connection).catch(() => undefined)
          throw cause
        }
        return result
      })
