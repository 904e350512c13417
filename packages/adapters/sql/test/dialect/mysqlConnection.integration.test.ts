/**
 * The MariaDB/MySQL clients `Connection.open` creates, on the server of `TESSERA_MYSQL_URL`:
 * every connection is set up as the store expects (strict mode, READ COMMITTED, utf8mb4, a
 * `group_concat` as long as a packet, the statement time bound), a statement past the bound
 * fails as a statement timeout, and a URL that cannot be opened fails with a clear reason and
 * its password masked. The tests use databases of their own, not the store's migrations.
 */
import { type Duration, Effect } from "effect"
import { type Kysely, sql } from "kysely"
import { describe, expect, it } from "vitest"
import * as Connection from "../../src/Connection.js"
import * as DriverError from "../../src/internal/DriverError.js"
import { freshMysqlDatabase, mysqlUrl, withDatabase } from "../support.js"

interface Settings {
  readonly sql_mode: string
  readonly isolation: string
  readonly charset: string
  readonly group_concat: number | string
  readonly statement_time: number | string
  readonly lock_wait: number | string
}

/** The session settings of one connection of `db`. */
const settingsOf = async (db: Kysely<unknown>): Promise<Settings> =>
  db.connection().execute(async (connection) => {
    const rows = await sql<Settings>`select @@session.sql_mode as sql_mode, @@session.tx_isolation as isolation,
      @@session.character_set_connection as charset, @@session.group_concat_max_len as group_concat,
      @@session.max_statement_time as statement_time, @@session.innodb_lock_wait_timeout as lock_wait`.execute(
      connection
    )
    return rows.rows[0] as Settings
  })

/** Runs `use` on a client opened for a fresh database, closed afterwards. */
const withClient = <A>(options: Connection.OpenOptions, use: (db: Kysely<unknown>) => Promise<A>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const database = yield* freshMysqlDatabase
        const connection = yield* Connection.scoped(withDatabase(mysqlUrl(), database), options).pipe(Effect.orDie)
        return yield* Effect.promise(() => use(connection.db as unknown as Kysely<unknown>))
      })
    )
  )

describe("Connection.open (mysql)", () => {
  it("every connection runs in strict mode at READ COMMITTED on utf8mb4, with a long group_concat and the default bound", () =>
    withClient({}, async (db) => {
      // Two connections at once, so that both the first and a later one are checked.
      const both = await Promise.all([0, 1].map(() => settingsOf(db)))
      for (const settings of both) {
        expect(settings.sql_mode.split(",")).toContain("STRICT_ALL_TABLES")
        expect(settings.sql_mode).not.toMatch(/NO_BACKSLASH_ESCAPES|ANSI_QUOTES|PIPES_AS_CONCAT/)
        expect(settings.isolation).toBe("READ-COMMITTED")
        expect(settings.charset).toBe("utf8mb4")
        expect(Number(settings.group_concat)).toBeGreaterThanOrEqual(1024 * 1024 * 1024)
        expect(Number(settings.statement_time)).toBe(30)
        expect(Number(settings.lock_wait)).toBe(30)
      }
    }))

  it("a fraction of a millisecond is rounded up, Infinity and 0 are no bound", async () => {
    for (const [statementTimeout, statementTime, lockWait] of [
      [0.5, 0.001, 1],
      ["2 seconds", 2, 2],
      [Number.POSITIVE_INFINITY, 0, undefined],
      [0, 0, undefined]
    ] as const) {
      await withClient({ statementTimeout }, async (db) => {
        const settings = await settingsOf(db)
        expect(Number(settings.statement_time)).toBe(statementTime)
        // No bound leaves the server's own lock wait (50 s unless configured otherwise).
        if (lockWait !== undefined) expect(Number(settings.lock_wait)).toBe(lockWait)
      })
    }
  })

  it("a statement waiting past the bound fails as a statement timeout", () =>
    withClient({ statementTimeout: "1 second" }, async (db) => {
      await sql`create table items (id integer primary key, label text)`.execute(db)
      await sql`insert into items values (1, 'one')`.execute(db)
      const started = Date.now()
      const failure = await db.connection().execute((holder) =>
        holder.transaction().execute(async (trx) => {
          await sql`select * from items where id = 1 for update`.execute(trx)
          // Another connection of the pool waits for the row lock the holder keeps.
          return sql`update items set label = 'two' where id = 1`.execute(db).then(
            () => undefined,
            (cause: unknown) => cause
          )
        })
      )
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(DriverError.isStatementTimeout(failure)).toBe(true)
      expect(DriverError.reasonOf(failure)).toMatch(/^statement timeout: /)
      expect(DriverError.failure("append", failure)).toMatchObject({ _tag: "StoreUnavailable" })
    }))

  it("a bad statementTimeout is InvalidOption before any connection is tried", async () => {
    // Nothing listens on port 1: a ConnectionFailed would mean the option went unchecked.
    for (const statementTimeout of [-5, "-5 seconds", "forever", Number.NaN] as ReadonlyArray<Duration.Input>) {
      const error = await Effect.runPromise(
        Effect.flip(Connection.open("mysql://nobody@127.0.0.1:1/none", { statementTimeout }))
      )
      expect(error).toMatchObject({ _tag: "InvalidOption", option: "statementTimeout" })
    }
  })

  it("mariadb:// opens the same client as mysql://", () =>
    Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const database = yield* freshMysqlDatabase
          const url = withDatabase(mysqlUrl(), database).replace(/^mysql:/, "mariadb:")
          const connection = yield* Connection.scoped(url).pipe(Effect.orDie)
          expect(connection.dialect).toBe("mysql")
          const rows = yield* Effect.promise(() =>
            sql<{ name: string }>`select database() as name`.execute(connection.db)
          )
          expect(rows.rows).toEqual([{ name: database }])
        })
      )
    ))

  it("an unknown database, a wrong password and a closed port fail with the server's reason, the password masked", async () => {
    const server = new URL(mysqlUrl())
    const unknown = withDatabase(mysqlUrl(), "tessera_no_such_database")
    const denied = new URL(mysqlUrl())
    denied.password = "s3cret-wrong"
    const closed = "mysql://tessera:s3cret@127.0.0.1:1/helpdesk"
    for (const [url, reason] of [
      [unknown, /Unknown database 'tessera_no_such_database'/],
      [denied.toString(), /Access denied for user/],
      [closed, /ECONNREFUSED/]
    ] as const) {
      const error = await Effect.runPromise(Effect.flip(Connection.open(url)))
      expect(error).toMatchObject({ _tag: "ConnectionFailed" })
      expect((error as Connection.ConnectionFailed).reason).toMatch(reason)
      expect(error.message).not.toContain("s3cret")
    }
    expect(Connection.redact(`mysql://u:s3cret@${server.host}/db`)).toBe(`mysql://u:***@${server.host}/db`)
    expect(Connection.redact("mariadb://u:s3cret@db.internal/helpdesk")).toBe("mariadb://u:***@db.internal/helpdesk")
  })
})
