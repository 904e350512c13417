/**
 * The clients `Connection.open` creates, on real databases: SQLite prepares each SQL text once
 * (statements cached per connection, streams included), and PostgreSQL runs a repeated query as a
 * named prepared statement while DDL, one-off queries and transactions behave as before. The
 * tests use tables of their own, not the store's migrations.
 */
import { join } from "node:path"
import SqliteDatabase from "better-sqlite3"
import { type Duration, Effect, type Scope } from "effect"
import { type Kysely, sql } from "kysely"
import { afterEach, describe, expect, it, vi } from "vitest"
import * as Connection from "../src/Connection.js"
import { planWithValues } from "../src/internal/Statements.js"
import { freshSchema, pgUrl, tempDir, withSearchPath } from "./support.js"

interface Items {
  readonly items: { readonly id: number; readonly label: string }
}

/** Runs `use` on a client `Connection.open` opened for the URL, closed afterwards. */
const withConnection = <A>(
  url: Effect.Effect<string, never, Scope.Scope>,
  use: (db: Kysely<Items>) => Promise<A>
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(yield* url).pipe(Effect.orDie)
        // The tests' own table, not the store's schema.
        return yield* Effect.promise(() => use(connection.db as unknown as Kysely<Items>))
      })
    )
  )

const sqliteUrl = Effect.map(tempDir, (dir) => `sqlite:${join(dir, "tessera.db")}`)
const postgresUrl = Effect.map(freshSchema, (schema) => withSearchPath(pgUrl(), schema))

const createItems = async (db: Kysely<Items>, rows: number) => {
  await sql`create table items (id integer primary key, label text not null unique)`.execute(db)
  for (let id = 1; id <= rows; id++) {
    await db
      .insertInto("items")
      .values({ id, label: `item ${id}` })
      .execute()
  }
}

const byIdQuery = (db: Kysely<Items>, id: number) => db.selectFrom("items").select(["id", "label"]).where("id", "=", id)

const byId = (db: Kysely<Items>, id: number) => byIdQuery(db, id).executeTakeFirst()

describe("Connection.open (sqlite)", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("prepares a repeated query once and reads the right row for every parameter", () =>
    withConnection(sqliteUrl, async (db) => {
      await createItems(db, 50)
      const prepare = vi.spyOn(SqliteDatabase.prototype, "prepare")
      for (let round = 0; round < 3; round++) {
        for (let id = 1; id <= 50; id++) {
          expect(await byId(db, id)).toEqual({ id, label: `item ${id}` })
        }
      }
      expect(await byId(db, 51)).toBeUndefined()
      const prepared = prepare.mock.calls.filter(([text]) => text === byIdQuery(db, 0).compile().sql)
      expect(prepared).toHaveLength(1)
    }))

  it("keeps at most 256 statements, dropping the least recently used", () =>
    withConnection(sqliteUrl, async (db) => {
      const numbered = (n: number) => sql<{ n: number }>`select ${sql.lit(n)} as n`
      const prepare = vi.spyOn(SqliteDatabase.prototype, "prepare")
      for (let n = 0; n <= 256; n++) {
        expect((await numbered(n).execute(db)).rows).toEqual([{ n }])
        // 0 stays recently used, so 1 is the oldest when the 257th statement arrives.
        await numbered(0).execute(db)
      }
      await numbered(0).execute(db)
      await numbered(1).execute(db)
      const times = (n: number) => prepare.mock.calls.filter(([text]) => text === `select ${n} as n`).length
      expect([times(0), times(1), times(2)]).toEqual([1, 2, 1])
    }))

  it("a cached insert reports its changes each time, and a failing one leaves the cache usable", () =>
    withConnection(sqliteUrl, async (db) => {
      await createItems(db, 0)
      for (let id = 1; id <= 3; id++) {
        const result = await db
          .insertInto("items")
          .values({ id, label: `item ${id}` })
          .executeTakeFirst()
        expect(result.numInsertedOrUpdatedRows).toBe(1n)
        expect(result.insertId).toBe(BigInt(id))
      }
      await expect(db.insertInto("items").values({ id: 4, label: "item 1" }).execute()).rejects.toMatchObject({
        code: "SQLITE_CONSTRAINT_UNIQUE"
      })
      await db.insertInto("items").values({ id: 4, label: "item 4" }).execute()
      expect(await db.selectFrom("items").select("id").orderBy("id").execute()).toEqual(
        [1, 2, 3, 4].map((id) => ({ id }))
      )
    }))

  it("a stream of a query runs beside the same query text, and after a stream left half-read", () =>
    withConnection(sqliteUrl, async (db) => {
      await createItems(db, 20)
      const all = () => db.selectFrom("items").select(["id", "label"]).where("id", ">", 0).orderBy("id")
      // Left half-read: the stream's statement must not block the next run of the same text.
      for await (const row of all().stream()) {
        if (row.id === 5) break
      }
      expect(await all().execute()).toHaveLength(20)
      // Issued together: kysely runs them one after the other on SQLite's single connection.
      const streamed: Array<number> = []
      const [, executed] = await Promise.all([
        (async () => {
          for await (const row of all().stream()) streamed.push(row.id)
        })(),
        all().execute()
      ])
      expect(streamed).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect(executed.map((row) => row.id)).toEqual(streamed)
      // The same text while a stream of it is open, on the connection the stream holds (what a
      // driver does; through `db` the second query would wait for the stream to end).
      // better-sqlite3 refuses to run a statement that is still being iterated.
      const query = all().compile()
      const rows = await db.getExecutor().provideConnection(async (connection) => {
        const seen: Array<unknown> = []
        for await (const chunk of connection.streamQuery(query, 1)) {
          seen.push(...chunk.rows)
          const again = await connection.executeQuery(query)
          expect(again.rows).toHaveLength(20)
          if (seen.length === 3) break
        }
        return seen
      })
      expect(rows).toEqual([1, 2, 3].map((id) => ({ id, label: `item ${id}` })))
      expect(await all().execute()).toHaveLength(20)
    }))
})

interface Prepared {
  readonly name: string
  readonly statement: string
}

/** The statements this connection has prepared by name (kysely's `connection()` pins one). */
const preparedOn = async (db: Kysely<Items>): Promise<ReadonlyArray<Prepared>> =>
  (await sql<Prepared>`select name, statement from pg_prepared_statements`.execute(db)).rows

describe("Connection.open (postgres)", () => {
  it("a repeated query runs as a named prepared statement, with the right rows for every parameter", () =>
    withConnection(postgresUrl, async (db) => {
      await createItems(db, 10)
      const text = byIdQuery(db, 0).compile().sql
      const prepared = await db.connection().execute(async (connection) => {
        for (const id of [3, 7, 11, 1]) {
          expect(await byId(connection, id)).toEqual(id > 10 ? undefined : { id, label: `item ${id}` })
        }
        return preparedOn(connection)
      })
      expect(prepared.filter((row) => row.statement === text)).toEqual([
        { name: expect.stringMatching(/^tessera_\d+$/), statement: text }
      ])
    }))

  it("one-off texts leave the hot statements named, and a connection keeps at most 256 prepared (issue 14)", () =>
    withConnection(postgresUrl, async (db) => {
      await createItems(db, 10)
      const hot = byIdQuery(db, 0).compile().sql
      const numbered = (n: number) => sql<{ n: number }>`select ${sql.lit(n)}::int as n`
      const latecomer = (on: Kysely<Items>, id: number) => on.selectFrom("items").select("label").where("id", "=", id)
      const { before, after, most } = await db.connection().execute(async (connection) => {
        for (const id of [1, 2]) await byId(connection, id)
        const before = (await preparedOn(connection)).find((row) => row.statement === hot)
        let most = 0
        // 1,000 distinct texts, each run twice (so each earns a name), the hot query between them.
        for (let n = 0; n < 1_000; n++) {
          for (let round = 0; round < 2; round++) {
            expect((await numbered(n).execute(connection)).rows).toEqual([{ n }])
          }
          if (n % 10 === 0) expect(await byId(connection, 1)).toEqual({ id: 1, label: "item 1" })
          if (n % 100 === 99) most = Math.max(most, (await preparedOn(connection)).length)
        }
        // A query first run after all of them still earns a name.
        for (const id of [1, 2]) await latecomer(connection, id).execute()
        const after = await preparedOn(connection)
        return { before, after, most }
      })
      expect(before).toEqual({ name: expect.stringMatching(/^tessera_\d+$/), statement: hot })
      expect(after.find((row) => row.statement === hot)).toEqual(before)
      const late = latecomer(db, 0).compile().sql
      expect(after.find((row) => row.statement === late)?.name).toMatch(/^tessera_\d+$/)
      // The latest one-off texts hold names; the earliest were deallocated.
      const statements = after.map((row) => row.statement)
      expect(statements).toContain("select 999::int as n")
      expect(statements).not.toContain("select 0::int as n")
      expect(most).toBeLessThanOrEqual(256)
      expect(new Set(after.map((row) => row.name)).size).toBe(after.length)
    }))

  it("a text that asks to be planned with its values, or a very long one, is never named", () =>
    withConnection(postgresUrl, async (db) => {
      // #12: a thousand tags as one array parameter; a generic plan could not hash it.
      const marked = (n: number) => sql<{ n: number }>`${sql.raw(planWithValues)} select ${n}::int as n`
      const long = (n: number) => sql<{ n: number }>`select ${n}::int as n ${sql.raw(`-- ${"x".repeat(9_000)}`)}`
      const prepared = await db.connection().execute(async (connection) => {
        for (const n of [1, 2, 3, 4]) {
          expect((await marked(n).execute(connection)).rows).toEqual([{ n }])
          expect((await long(n).execute(connection)).rows).toEqual([{ n }])
        }
        return preparedOn(connection)
      })
      expect(prepared.filter((row) => row.statement.includes("::int as n"))).toEqual([])
    }))

  it("every connection runs without JIT, and the caller's own settings (search_path) still apply", () =>
    withConnection(postgresUrl, async (db) => {
      // Two connections at once, so that both the first and a later one are checked.
      const settings = await Promise.all(
        [0, 1].map(() =>
          db.connection().execute(async (connection) => {
            const jit = await sql<{ readonly jit: string }>`show jit`.execute(connection)
            const path = await sql<{ readonly search_path: string }>`show search_path`.execute(connection)
            return [jit.rows[0]?.jit, path.rows[0]?.search_path] as const
          })
        )
      )
      for (const [jit, path] of settings) {
        expect(jit).toBe("off")
        expect(path).toMatch(/tessera_test_/)
      }
    }))

  it("DDL, transaction control and one-off queries run unnamed", () =>
    withConnection(postgresUrl, async (db) => {
      const prepared = await db.connection().execute(async (connection) => {
        for (let round = 0; round < 3; round++) {
          await sql`create table if not exists other (id integer)`.execute(connection)
          await connection.transaction().execute((trx) => sql`select 1`.execute(trx))
        }
        await sql`select count(*) from other`.execute(connection)
        return preparedOn(connection)
      })
      expect(prepared.map((row) => row.statement)).toEqual(["select 1"])
    }))

  it("transactions commit and roll back around named statements", () =>
    withConnection(postgresUrl, async (db) => {
      await createItems(db, 0)
      const insert = (trx: Kysely<Items>, id: number) =>
        trx
          .insertInto("items")
          .values({ id, label: `item ${id}` })
          .execute()
      // The insert is first named inside a transaction that rolls back: the statement outlives it.
      await expect(
        db.transaction().execute(async (trx) => {
          for (const id of [1, 2, 3]) await insert(trx, id)
          throw new Error("roll back")
        })
      ).rejects.toThrow("roll back")
      await db.transaction().execute(async (trx) => {
        for (const id of [4, 5, 6]) await insert(trx, id)
      })
      await insert(db, 7)
      expect(await db.selectFrom("items").select("id").orderBy("id").execute()).toEqual(
        [4, 5, 6, 7].map((id) => ({ id }))
      )
    }))

  it("a unique violation in a named statement fails with pg's error 23505, and the statement still runs", () =>
    withConnection(postgresUrl, async (db) => {
      await createItems(db, 0)
      const insert = (trx: Kysely<Items>, id: number, label: string) =>
        trx.insertInto("items").values({ id, label }).execute()
      await db.connection().execute(async (connection) => {
        for (const id of [1, 2, 3]) await insert(connection, id, `item ${id}`)
        await expect(insert(connection, 1, "another")).rejects.toMatchObject({
          code: "23505",
          constraint: "items_pkey"
        })
        expect((await preparedOn(connection)).map((row) => row.name)).toContainEqual(
          expect.stringMatching(/^tessera_\d+$/)
        )
        await expect(insert(connection, 4, "item 1")).rejects.toMatchObject({
          code: "23505",
          constraint: "items_label_key"
        })
        await insert(connection, 4, "item 4")
      })
      expect(await db.selectFrom("items").select("id").orderBy("id").execute()).toHaveLength(4)
    }))

  it("a named query on a table that does not exist yet runs once the table is created", () =>
    withConnection(postgresUrl, async (db) => {
      await db.connection().execute(async (connection) => {
        for (let round = 0; round < 2; round++) {
          await expect(byId(connection, 1)).rejects.toMatchObject({ code: "42P01" })
        }
        await createItems(connection, 1)
        expect(await byId(connection, 1)).toEqual({ id: 1, label: "item 1" })
      })
    }))

  it("a query prepared before its table changed runs again, planned anew", () =>
    withConnection(postgresUrl, async (db) => {
      await createItems(db, 1)
      const everything = (trx: Kysely<Items>) => trx.selectFrom("items").selectAll().where("id", "=", 1).execute()
      await db.connection().execute(async (connection) => {
        for (let round = 0; round < 3; round++) {
          expect(await everything(connection)).toEqual([{ id: 1, label: "item 1" }])
        }
        await sql`alter table items add column note text default 'new'`.execute(connection)
        expect(await everything(connection)).toEqual([{ id: 1, label: "item 1", note: "new" }])
        // Named again, then changed again: inside a transaction the changed plan fails it (the
        // transaction is aborted, nothing can run again there); the next run is planned anew.
        for (let round = 0; round < 2; round++) await everything(connection)
        await sql`alter table items add column extra integer default 2`.execute(connection)
        await expect(connection.transaction().execute((trx) => everything(trx))).rejects.toMatchObject({
          code: "0A000"
        })
        const changed = [{ id: 1, label: "item 1", note: "new", extra: 2 }]
        expect(await everything(connection)).toEqual(changed)
        // The stale name is forgotten: transactions no longer meet the old plan.
        await expect(connection.transaction().execute((trx) => everything(trx))).resolves.toEqual(changed)
      })
    }))
})

describe("statementTimeout", () => {
  // #12 (a new user's trial): -5 became "no bound" and "forever" the default, silently.
  it("a value that is no duration, or a negative one, is InvalidOption before any connection is tried", async () => {
    // Nothing listens on port 1: a ConnectionFailed would mean the option went unchecked.
    const unreachable = "postgres://nobody@127.0.0.1:1/none"
    // "forever" is no `Duration.Input` for TypeScript, but plain JavaScript may pass it.
    for (const statementTimeout of [-5, "-5 seconds", "forever", Number.NaN] as ReadonlyArray<Duration.Input>) {
      const error = await Effect.runPromise(Effect.flip(Connection.open(unreachable, { statementTimeout })))
      expect(error).toMatchObject({ _tag: "InvalidOption", option: "statementTimeout" })
      expect((error as Connection.InvalidOption).retryable).toBe(false)
    }
  })

  it("a fraction of a millisecond is rounded up, Infinity and 0 are no bound", async () => {
    for (const [statementTimeout, expected] of [
      [0.5, "1ms"],
      [Number.POSITIVE_INFINITY, "0"],
      [0, "0"],
      ["2 seconds", "2s"]
    ] as const) {
      const connection = await Effect.runPromise(Connection.open(pgUrl(), { statementTimeout }))
      try {
        const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(connection.db)
        expect(shown.rows[0]?.statement_timeout).toBe(expected)
      } finally {
        await Effect.runPromise(connection.close)
      }
    }
  })
})
