/**
 * What a driver failure means for the caller, read from pg's, mysql2's and better-sqlite3's errors: a lost
 * connection (the server ended it, restarted, or cannot be reached) and a statement that ran past
 * the statement timeout get reasons that say so, since both are worth a retry; a busy SQLite file
 * and a unique violation are told apart for the callers that handle them, and a value too large
 * for the database is `ValueTooLarge`, which no retry fixes. Which errors are refusals
 * (conflicts, taken numbers) stays the stores' to decide.
 */
import { StoreError } from "@tessera/core"

/**
 * A field of a driver error (`code`, `constraint`, `detail`), if it has one.
 *
 * @category combinators
 * @since 0.1.0
 */
export const fieldOf = (cause: unknown, key: string): unknown =>
  typeof cause === "object" && cause !== null && key in cause ? (cause as Record<string, unknown>)[key] : undefined

/**
 * The driver's own message for a failure.
 *
 * @category combinators
 * @since 0.1.0
 */
export const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/**
 * SQLite could not take a lock another connection holds (`SQLITE_BUSY` and its variants).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isBusy = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  return typeof code === "string" && code.startsWith("SQLITE_BUSY")
}

/**
 * A unique or primary key constraint refused the write (PostgreSQL `23505`, MySQL's
 * `ER_DUP_ENTRY` 1062, SQLite's constraint codes).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isUniqueViolation = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  return (
    code === "23505" ||
    code === "ER_DUP_ENTRY" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "SQLITE_CONSTRAINT_UNIQUE"
  )
}

/**
 * The unique constraint (index) a unique violation names: pg's `constraint` field, or the key of
 * MySQL's message ("Duplicate entry '...' for key 'name'", MySQL 8 prefixing the table:
 * `'events.name'`); undefined when the driver names none (SQLite names columns instead).
 *
 * @category combinators
 * @since 0.1.0
 */
export const constraintOf = (cause: unknown): string | undefined => {
  const constraint = fieldOf(cause, "constraint")
  if (typeof constraint === "string") return constraint
  if (fieldOf(cause, "code") !== "ER_DUP_ENTRY") return undefined
  return /for key '(?:[^']*\.)?([^'.]*)'$/.exec(messageOf(cause))?.[1]
}

/**
 * The database broke a lock cycle by failing this transaction (PostgreSQL `40P01`, MySQL's
 * `ER_LOCK_DEADLOCK` 1213, which rolls the whole transaction back): a lost race, worth deciding again.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isDeadlock = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  return code === "40P01" || code === "ER_LOCK_DEADLOCK"
}

/**
 * SQLSTATEs of a connection the server ended or refused: class 08 (connection exception),
 * `57P01` administrator command (`pg_terminate_backend`, a fast shutdown), `57P02` crash,
 * `57P03` cannot connect now (starting up, shutting down), `57P04` database dropped and `57P05`
 * idle-session timeout.
 */
const LOST_STATES = /^(?:08[0-9A-Z]{3}|57P0[1-5])$/

/** Socket failures: the server went away or cannot be reached (yet). */
const LOST_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN"
])

/**
 * mysql2's codes for a connection that closed under a query or was used after a fatal error, and
 * the server's for one it ended (a shutdown) or cannot accept now (too many connections).
 */
const LOST_MYSQL = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR",
  "PROTOCOL_ENQUEUE_AFTER_QUIT",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_SERVER_SHUTDOWN",
  "ER_CON_COUNT_ERROR"
])

/**
 * The server's error number of a mysql2 error, where mysql2 has no name for it: MariaDB's own
 * errors (1900 and up) keep `code` undefined.
 */
const errnoOf = (cause: unknown): number | undefined => {
  const errno = fieldOf(cause, "errno")
  return typeof errno === "number" && fieldOf(cause, "sqlState") !== undefined ? errno : undefined
}

/** MariaDB's `ER_CONNECTION_KILLED`: `KILL` ended the connection the statement ran on. */
const CONNECTION_KILLED = 1927

/** MariaDB's `ER_STATEMENT_TIMEOUT`: the statement ran past `max_statement_time`. */
const STATEMENT_TIMEOUT = 1969

/**
 * pg's own words when the socket closed under a client, or a dead client was used; mysql2's when
 * a connection that is closed was asked to run a query.
 */
const LOST_MESSAGES =
  /^(?:Connection terminated|Client has encountered a connection error|Client was closed|timeout expired|Connection ended|Can't add new command when connection is in closed state)/

/**
 * The connection a query ran on is gone, or no new one could be made: retrying on a fresh
 * connection may succeed.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isConnectionLost = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  if (typeof code === "string" && (LOST_STATES.test(code) || LOST_ERRNOS.has(code) || LOST_MYSQL.has(code))) return true
  if (errnoOf(cause) === CONNECTION_KILLED) return true
  return LOST_MESSAGES.test(messageOf(cause))
}

/**
 * MySQL's codes for a statement stopped by the time bound: MySQL's `max_execution_time` (3024)
 * and a lock wait past `innodb_lock_wait_timeout` (1205), which is how a bounded statement
 * waiting for a row lock may end there; MariaDB's `max_statement_time` is `STATEMENT_TIMEOUT`.
 */
const MYSQL_TIMEOUTS = new Set(["ER_QUERY_TIMEOUT", "ER_LOCK_WAIT_TIMEOUT"])

/**
 * The database stopped the statement because it ran past its time bound: PostgreSQL's
 * `statement_timeout` (`57014`, which also covers cancel requests: those say "user request"
 * instead) or MySQL's (see `MYSQL_TIMEOUTS`).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isStatementTimeout = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  return (
    (code === "57014" && /statement timeout/i.test(messageOf(cause))) ||
    (typeof code === "string" && MYSQL_TIMEOUTS.has(code)) ||
    errnoOf(cause) === STATEMENT_TIMEOUT
  )
}

/**
 * The reason a store reports for a driver failure: "connection lost: ..." and
 * "statement timeout: ..." for those two, the driver's message otherwise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const reasonOf = (cause: unknown): string => {
  const message = messageOf(cause)
  if (isConnectionLost(cause)) return `connection lost: ${message}`
  if (isStatementTimeout(cause)) return `statement timeout: ${message}`
  return message
}

/**
 * MySQL's refusals of a value's size: longer than its column (`ER_DATA_TOO_LONG` 1406, strict
 * mode), a statement past `max_allowed_packet` (1153; the server then closes the connection), a
 * row past the engine's row size (1118).
 */
const MYSQL_TOO_LARGE = new Set(["ER_DATA_TOO_LONG", "ER_NET_PACKET_TOO_LARGE", "ER_TOO_BIG_ROWSIZE"])

/**
 * The database refused a value as larger than it can hold, however often it is retried:
 * PostgreSQL's `54000` (program limit exceeded: an index entry past its page's share, a tsvector
 * past 1 MB, a value past 1 GB), MySQL's (see `MYSQL_TOO_LARGE`) and SQLite's `SQLITE_TOOBIG`
 * (a string or blob past its maximum length).
 *
 * @category predicates
 * @since 0.1.0
 */
export const isTooLarge = (cause: unknown): boolean => {
  const code = fieldOf(cause, "code")
  return code === "54000" || code === "SQLITE_TOOBIG" || (typeof code === "string" && MYSQL_TOO_LARGE.has(code))
}

/**
 * A driver failure of a store's `operation`, as the store error it stands for: `ValueTooLarge`
 * (not retryable) when the database refused a value's size (`isTooLarge`), the retryable
 * `StoreUnavailable` otherwise. `ticketId` names the ticket written, when there is one.
 *
 * @category constructors
 * @since 0.1.0
 */
export const failure = (
  operation: string,
  cause: unknown,
  ticketId?: string
): StoreError.StoreUnavailable | StoreError.ValueTooLarge =>
  isTooLarge(cause)
    ? new StoreError.ValueTooLarge({
        operation,
        reason: messageOf(cause),
        cause,
        ...(ticketId === undefined ? {} : { ticketId })
      })
    : unavailable(operation, cause)

/**
 * A driver failure of a store's `operation`, as the retryable `StoreUnavailable` with its reason.
 *
 * @category constructors
 * @since 0.1.0
 */
export const unavailable = (operation: string, cause: unknown): StoreError.StoreUnavailable =>
  new StoreError.StoreUnavailable({ operation, reason: reasonOf(cause), cause })
