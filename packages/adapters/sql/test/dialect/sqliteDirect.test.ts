/**
 * On the SQLite clients `Connection.open` builds, compiled statements run on better-sqlite3
 * directly (issue 14): inside a write transaction always, outside one only while no transaction
 * is open, since a statement run then would join another fiber's transaction. A client the user
 * builds keeps kysely's path. On an in-memory database.
 */
import SqliteDatabase from "better-sqlite3"
import { Effect } from "effect"
import { Kysely, SqliteDialect, sql } from "kysely"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import * as Connection from "../../src/Connection.js"
import type { Database } from "../../src/Database.js"
import * as Dialects from "../../src/dialect/index.js"
import * as SqliteDirect from "../../src/dialect/sqliteDirect.js"
import * as StatementCache from "../../src/internal/StatementCache.js"

const sqlite = Dialects.of("sqlite")
let connection: Connection.Connection
let statements: StatementCache.StatementCache

beforeEach(async () => {
  connection = await Effect.runPromise(Connection.open("sqlite::memory:"))
  await sql`create table ticket_tags (workspace_id text, ticket_id text, tag text, primary key (ticket_id, tag))`.execute(
    connection.db
  )
  statements = StatementCache.make(8, sqlite.direct)
})

afterEach(async () => {
  await Effect.runPromise(connection.close)
})

const insertTag = (db: Kysely<Database>, tag: string) =>
  statements.execute(
    db,
    "insert tag",
    (on, $) => on.insertInto("ticket_tags").values({ workspace_id: $(0), ticket_id: $(1), tag: $(2) }),
    ["ws", "tkt_1", tag]
  )

const countTags = (db: Kysely<Database>) =>
  statements
    .execute(
      db,
      "count tags",
      (on) => on.selectFrom("ticket_tags").select((eb) => eb.fn.countAll<number>().as("n")),
      []
    )
    .then((result) => Number((result.rows[0] as { n: number }).n))

describe("statements on better-sqlite3 directly", () => {
  it("a transaction's statements run directly, with the results kysely gives", async () => {
    const inserted = await sqlite.transact(connection.db, async (trx) => {
      expect(sqlite.direct?.(trx)).toBeDefined()
      return insertTag(trx, "vpn")
    })
    expect(inserted.numAffectedRows).toBe(1n)
    expect(await countTags(connection.db)).toBe(1)
  })

  it("a read outside waits for another fiber's open transaction instead of joining it", async () => {
    let outside: Promise<number> | undefined
    const failed = await sqlite
      .transact(connection.db, async (trx) => {
        await insertTag(trx, "vpn")
        // Another fiber's read while this transaction is open, and the transaction then rolls back.
        expect(sqlite.direct?.(connection.db)).toBeUndefined()
        outside = countTags(connection.db)
        await new Promise((resolve) => setTimeout(resolve, 5))
        throw new Error("roll back")
      })
      .catch((cause: unknown) => cause)
    expect(failed).toBeInstanceOf(Error)
    // Had it joined the transaction, it would have counted the row rolled back.
    expect(await outside).toBe(0)
    expect(sqlite.direct?.(connection.db)).toBeDefined()
  })

  it("a failing statement rejects as through kysely, and the transaction rolls back", async () => {
    const failed = await sqlite
      .transact(connection.db, async (trx) => {
        await insertTag(trx, "vpn")
        await insertTag(trx, "vpn")
      })
      .catch((cause: unknown) => cause)
    expect((failed as { code?: string }).code).toBe("SQLITE_CONSTRAINT_PRIMARYKEY")
    expect(await countTags(connection.db)).toBe(0)
  })

  it("a kysely client the user builds keeps kysely's path", async () => {
    const own = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }) })
    try {
      expect(sqlite.direct?.(own)).toBeUndefined()
      await sqlite.transact(own, async (trx) => {
        expect(sqlite.direct?.(trx)).toBeUndefined()
      })
    } finally {
      await own.destroy()
    }
  })

  it("a statement compiled with all its values is bound to them once, and sees every later write", async () => {
    // A client of our own, registered with a handle that counts the statements it binds.
    const file = new SqliteDatabase(":memory:")
    file.exec("create table ticket_tags (workspace_id text, ticket_id text, tag text, primary key (ticket_id, tag))")
    const own = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) })
    let bound = 0
    SqliteDirect.register(own, {
      prepare: (text) => file.prepare(text),
      fresh: (text) => {
        bound += 1
        return file.prepare(text)
      },
      inTransaction: () => file.inTransaction
    })
    try {
      const counts: Array<number> = []
      for (const tag of ["vpn", "billing", "login"]) {
        counts.push(await countTags(own))
        await insertTag(own, tag)
      }
      counts.push(await countTags(own))
      await sqlite.transact(own, async (trx) => {
        await insertTag(trx, "refund")
        counts.push(await countTags(trx))
      })
      // Every run saw the rows written before it, on one statement bound once; the insert,
      // whose values change from run to run, is bound on each run instead.
      expect(counts).toEqual([0, 1, 2, 3, 4])
      expect(bound).toBe(1)
    } finally {
      await own.destroy()
    }
  })
})
