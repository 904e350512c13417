/**
 * Opening MariaDB or MySQL for `Connection.open` (`mysql://...`, `mariadb://...`): a mysql2 pool,
 * loaded only when such a URL is opened, whose every connection is set up the way the store
 * expects (utf8mb4, strict SQL mode, READ COMMITTED, a `group_concat` as long as a packet, and a
 * statement time bound). The server is asked once which of the two it is, since the variables
 * that bound a statement differ. Migrations and stores are left to their own modules.
 */
import { Duration, Effect, Option, Result } from "effect"
import { CompiledQuery, Kysely, MysqlDialect } from "kysely"
import type { Pool, PoolConnection } from "mysql2"
import type { Database } from "../Database.js"
import * as DriverPackage from "../internal/DriverPackage.js"
import { defaultStatementTimeout, InvalidOption } from "../internal/OpenErrors.js"
import * as QueryScope from "../internal/QueryScope.js"
import type { Driver, DriverOptions } from "./Driver.js"

const ignore = (): void => undefined

/**
 * The SQL mode of the store's sessions: strict, so that a value longer than its column fails
 * (`ValueTooLarge`) instead of being cut; and none of the modes that change how the statements
 * read (`ANSI_QUOTES`, `PIPES_AS_CONCAT`) or how mysql2 escapes values (`NO_BACKSLASH_ESCAPES`).
 */
const SQL_MODE = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

/**
 * `group_concat` results are cut at this many bytes (and at `max_allowed_packet`): the longest
 * a 32-bit server takes, above any packet, so that only the packet bounds a ticket's messages.
 */
const GROUP_CONCAT_MAX = 4_294_967_295

/**
 * The statement time bound in milliseconds (rounded up to a whole one; 0 for none), or
 * `InvalidOption` for what is no duration or a negative one.
 */
const timeoutMillis = (input: Duration.Input = defaultStatementTimeout): Result.Result<number, InvalidOption> => {
  const invalid = (reason: string) => Result.fail(new InvalidOption({ option: "statementTimeout", reason }))
  const timeout = typeof input === "number" && Number.isNaN(input) ? Option.none() : Duration.fromInput(input)
  if (Option.isNone(timeout)) {
    return invalid(`expected a duration ("30 seconds", milliseconds as a number, 0 for no bound), got ${String(input)}`)
  }
  const ms = Duration.toMillis(timeout.value)
  if (ms < 0) return invalid(`a timeout cannot be negative (got ${ms} ms)`)
  return Result.succeed(Number.isFinite(ms) ? Math.ceil(ms) : 0)
}

/** The in-memory temporary tables a session may build (64 MiB; MariaDB's default is 16 MiB). */
const TEMP_TABLE_BYTES = 64 * 1024 * 1024

/**
 * The `set session` statement every connection runs first. The time bound is MariaDB's
 * `max_statement_time` (seconds, every statement) or MySQL's `max_execution_time` (ms, reads
 * only); either way a row lock waits at most as long (`innodb_lock_wait_timeout`, whole seconds).
 * The isolation variable has a different name on each too.
 */
const sessionSettings = (mariadb: boolean, timeout: number): string => {
  const settings = [`sql_mode = '${SQL_MODE}'`, `group_concat_max_len = ${GROUP_CONCAT_MAX}`]
  // A search of common words that seldom meet groups their matches by ticket (`everyTerm`):
  // in memory up to this size, on disk (4-5 times slower) past it. Memory is taken only as used.
  settings.push(`tmp_table_size = ${TEMP_TABLE_BYTES}`, `max_heap_table_size = ${TEMP_TABLE_BYTES}`)
  // READ COMMITTED, as on PostgreSQL: a locking read of a row that does not exist takes no gap
  // lock, so writers opening different tickets never wait on (or deadlock with) each other.
  settings.push(mariadb ? "tx_isolation = 'READ-COMMITTED'" : "transaction_isolation = 'READ-COMMITTED'")
  settings.push(mariadb ? `max_statement_time = ${timeout / 1000}` : `max_execution_time = ${timeout}`)
  if (timeout > 0) settings.push(`innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(timeout / 1000))}`)
  return `set session ${settings.join(", ")}`
}

/**
 * The bytes `text` with `values` takes as sent, when that is more than `packet`; undefined when
 * it fits. An upper bound (three bytes per UTF-16 unit, escapes included) spares the exact count
 * (the formatted statement) to statements that might not fit.
 */
const oversize = (connection: PoolConnection, text: string, values: ReadonlyArray<unknown>, packet: number) => {
  let bound = 3 * text.length
  for (const value of values) bound += typeof value === "string" ? 3 * value.length + 2 : 64
  if (bound < packet) return undefined
  const bytes = Buffer.byteLength(connection.format(text, values as Array<unknown>)) + 1
  return bytes > packet ? bytes : undefined
}

/** The signal of the store operation each lent-out connection serves (`QueryScope`). */
type Signals = QueryScope.Bindings<PoolConnection>

/**
 * Makes `pool.getConnection` bind the signal of the store operation asking (`QueryScope.claim`)
 * to the connection it lends, for as long as that operation holds it; a connection lent any other
 * way (`pool.query`) serves no operation's signal.
 */
const bindSignals = (pool: Pool, signals: Signals): void => {
  const getConnection = pool.getConnection.bind(pool)
  pool.getConnection = ((callback: Parameters<Pool["getConnection"]>[0]) => {
    const signal = QueryScope.claim()
    getConnection((error, connection) => {
      if (connection !== undefined && connection !== null) QueryScope.lend(signals, connection, signal)
      callback(error, connection)
    })
  }) as Pool["getConnection"]
}

/**
 * Makes `connection` refuse, without sending it, a statement past `max_allowed_packet`: the
 * server would close the connection mid-write, and the failure would read as a lost connection
 * (worth a retry) rather than as a value too large (never). The error is the server's own. And
 * once the operation it serves is interrupted (its signal raised), it sends none of that
 * operation's later statements but a `rollback` (`QueryScope.NotSent`); the statement running
 * then runs on to its end (MariaDB and MySQL cancel only from another session).
 */
const guardStatements = (connection: PoolConnection, packetOf: () => number, signals: Signals): void => {
  const query = connection.query.bind(connection) as (...args: Array<unknown>) => unknown
  connection.query = ((...args: Array<unknown>) => {
    const [text, values, callback] = args
    const packet = packetOf()
    if (typeof text === "string" && Array.isArray(values) && typeof callback === "function") {
      const signal = signals.get(connection)
      if (signal !== undefined && !QueryScope.sends(signal, text)) {
        callback(new QueryScope.NotSent())
        return undefined
      }
      const bytes = oversize(connection, text, values, packet)
      if (bytes !== undefined) {
        const message = `Got a packet bigger than 'max_allowed_packet' bytes (a statement of ${bytes} bytes; max_allowed_packet is ${packet})`
        callback(Object.assign(new Error(message), { code: "ER_NET_PACKET_TOO_LARGE", errno: 1153, sqlState: "08S01" }))
        return undefined
      }
    }
    return query(...args)
  }) as PoolConnection["query"]
}

/** Runs one statement on the pool (outside kysely), for the probe at opening. */
const poolQuery = (pool: Pool, text: string): Promise<unknown> =>
  new Promise((resolve, reject) => {
    pool.query(text, (error, rows) => (error ? reject(error) : resolve(rows)))
  })

/**
 * Opens a mysql2 pool on `location` (the URL itself: mysql2 reads user, password, host, port,
 * database and options from it). `connections` sets the pool's size (mysql2's default, 10,
 * when absent).
 *
 * @category constructors
 * @since 0.1.0
 */
export const open: Driver = (url: string, location: string, options: DriverOptions) =>
  Effect.flatMap(Effect.fromResult(timeoutMillis(options.statementTimeout)), (timeout) =>
    Effect.tryPromise({
      try: async () => {
        const mysql = await DriverPackage.load("mysql2", url, () => import("mysql2"))
        const pool = mysql.createPool({
          uri: location,
          charset: "utf8mb4",
          // bigint columns (epoch milliseconds, positions, counts) as numbers: they stay below 2^53.
          supportBigNumbers: true,
          enableKeepAlive: true,
          ...(options.connections === undefined ? {} : { connectionLimit: options.connections })
        })
        // The server's bound on a statement, read by the probe below (the connections it opens
        // first are guarded from then on).
        let packet = Number.POSITIVE_INFINITY
        // The pool hears a connection's first `error` (and drops it), but listens only once: a
        // second one (a write on the closed connection) would be unheard and end the process.
        const signals: Signals = new WeakMap()
        bindSignals(pool, signals)
        pool.on("connection", (connection: PoolConnection) => {
          connection.on("error", ignore)
          guardStatements(connection, () => packet, signals)
        })
        // Fail here, with a clear reason (refused, unknown database, denied), not at the first query.
        try {
          const rows = (await poolQuery(
            pool,
            "select version() as version, @@max_allowed_packet as packet"
          )) as ReadonlyArray<{ version?: unknown; packet?: unknown }>
          packet = Number(rows[0]?.packet ?? Number.POSITIVE_INFINITY)
          return { pool, mariadb: /mariadb/i.test(String(rows[0]?.version ?? "")) }
        } catch (cause) {
          await new Promise<void>((resolve) => pool.end(() => resolve()))
          throw cause
        }
      },
      catch: DriverPackage.failure(url)
    }).pipe(
      Effect.flatMap(({ pool, mariadb }) => {
        const settings = CompiledQuery.raw(sessionSettings(mariadb, timeout))
        const db = new Kysely<Database>({
          dialect: new MysqlDialect({
            pool,
            onCreateConnection: async (connection) => {
              await connection.executeQuery(settings)
            }
          })
        })
        // Its connections send none of an interrupted operation's later statements.
        return Effect.tryPromise({
          try: async () => {
            await QueryScope.ready(db)
            return { db, close: Effect.promise(() => db.destroy()) }
          },
          catch: DriverPackage.failure(url)
        })
      })
    )
  )
