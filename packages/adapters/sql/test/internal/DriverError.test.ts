/**
 * How driver failures read to callers (#12): a connection the server ended or refused, and a
 * statement past the statement timeout, each say so; anything else keeps the driver's message.
 */
import { describe, expect, it } from "vitest"
import * as DriverError from "../../src/internal/DriverError.js"

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" })
const socketError = (code: string, message: string) => Object.assign(new Error(message), { code })
/** An error as mysql2 gives it: the server's code name (none for MariaDB's own), number and SQLSTATE. */
const mysqlError = (code: string | undefined, errno: number, sqlState: string, message: string) =>
  Object.assign(new Error(message), { code, errno, sqlState, sqlMessage: message })

describe("DriverError.reasonOf", () => {
  it.each([
    ["a terminated backend", pgError("57P01", "terminating connection due to administrator command")],
    ["a server shutting down", pgError("57P03", "the database system is shutting down")],
    ["an idle-session timeout", pgError("57P05", "terminating connection due to idle-session timeout")],
    ["a connection exception", pgError("08006", "connection failure")],
    ["a refused connection", socketError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["a reset socket", socketError("ECONNRESET", "read ECONNRESET")],
    ["a socket closed under pg", new Error("Connection terminated unexpectedly")],
    ["a dead client used again", new Error("Client has encountered a connection error and is not queryable")],
    [
      "a MySQL connection closed under a query",
      socketError("PROTOCOL_CONNECTION_LOST", "Connection lost: The server closed the connection.")
    ],
    ["a MariaDB connection killed", mysqlError(undefined, 1927, "70100", "Connection was killed")],
    ["a MySQL server shutting down", mysqlError("ER_SERVER_SHUTDOWN", 1053, "08S01", "Server shutdown in progress")],
    ["a MySQL server at its connection limit", mysqlError("ER_CON_COUNT_ERROR", 1040, "08004", "Too many connections")],
    ["a closed mysql2 connection used again", new Error("Can't add new command when connection is in closed state")]
  ])("%s is a lost connection", (_, cause) => {
    expect(DriverError.isConnectionLost(cause)).toBe(true)
    expect(DriverError.reasonOf(cause)).toBe(`connection lost: ${cause.message}`)
  })

  it("a statement cancelled by the statement timeout says so", () => {
    const cause = pgError("57014", "canceling statement due to statement timeout")
    expect(DriverError.isConnectionLost(cause)).toBe(false)
    expect(DriverError.reasonOf(cause)).toBe("statement timeout: canceling statement due to statement timeout")
  })

  it.each([
    [
      "MariaDB's max_statement_time",
      mysqlError(undefined, 1969, "70100", "Query execution was interrupted (max_statement_time exceeded)")
    ],
    [
      "MySQL's max_execution_time",
      mysqlError(
        "ER_QUERY_TIMEOUT",
        3024,
        "HY000",
        "Query execution was interrupted, maximum statement execution time exceeded"
      )
    ],
    [
      "a MySQL lock wait past its bound",
      mysqlError("ER_LOCK_WAIT_TIMEOUT", 1205, "HY000", "Lock wait timeout exceeded; try restarting transaction")
    ]
  ])("%s is a statement timeout", (_, cause) => {
    expect(DriverError.isConnectionLost(cause)).toBe(false)
    expect(DriverError.reasonOf(cause)).toBe(`statement timeout: ${cause.message}`)
  })

  it.each([
    ["a cancel request", pgError("57014", "canceling statement due to user request")],
    ["a unique violation", pgError("23505", 'duplicate key value violates unique constraint "events_stream_version"')],
    ["a busy SQLite file", socketError("SQLITE_BUSY", "database is locked")],
    ["a thrown string", "boom"]
  ])("%s keeps the driver's message", (_, cause) => {
    expect(DriverError.isConnectionLost(cause)).toBe(false)
    expect(DriverError.reasonOf(cause)).toBe(cause instanceof Error ? cause.message : cause)
  })
})

describe("DriverError.failure", () => {
  it.each([
    [
      "an index entry PostgreSQL cannot hold",
      pgError("54000", 'index row size 3016 exceeds btree version 4 maximum 2704 for index "email_message_ids_pk"')
    ],
    ["a string SQLite cannot hold", socketError("SQLITE_TOOBIG", "string or blob too big")],
    [
      "a value longer than its MySQL column",
      mysqlError("ER_DATA_TOO_LONG", 1406, "22001", "Data too long for column 'tag' at row 1")
    ],
    [
      "a statement past MySQL's max_allowed_packet",
      mysqlError("ER_NET_PACKET_TOO_LARGE", 1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes")
    ]
  ])("%s is ValueTooLarge, which no retry fixes, naming the ticket written", (_, cause) => {
    const error = DriverError.failure("append", cause, "tkt_1")
    expect(error).toMatchObject({
      _tag: "ValueTooLarge",
      operation: "append",
      ticketId: "tkt_1",
      reason: cause.message
    })
    expect(error.retryable).toBe(false)
  })

  it.each([
    ["a lost connection", pgError("57P01", "terminating connection due to administrator command")],
    ["a busy SQLite file", socketError("SQLITE_BUSY", "database is locked")]
  ])("%s stays the retryable StoreUnavailable", (_, cause) => {
    const error = DriverError.failure("append", cause)
    expect(error).toMatchObject({ _tag: "StoreUnavailable", operation: "append" })
    expect(error.retryable).toBe(true)
  })
})

describe("DriverError.constraintOf and isDeadlock", () => {
  it.each([
    ["PostgreSQL", Object.assign(pgError("23505", "duplicate key value"), { constraint: "events_stream_version" })],
    ["MariaDB", mysqlError("ER_DUP_ENTRY", 1062, "23000", "Duplicate entry 'tkt-1-3' for key 'events_stream_version'")],
    [
      "MySQL 8 (the table named first)",
      mysqlError("ER_DUP_ENTRY", 1062, "23000", "Duplicate entry 'tkt-1-3' for key 'events.events_stream_version'")
    ]
  ])("a unique violation on %s names its constraint", (_, cause) => {
    expect(DriverError.isUniqueViolation(cause)).toBe(true)
    expect(DriverError.constraintOf(cause)).toBe("events_stream_version")
  })

  it("an entry that looks like a key does not fool the parser", () => {
    const cause = mysqlError("ER_DUP_ENTRY", 1062, "23000", "Duplicate entry 'x' for key 'y'' for key 'PRIMARY'")
    expect(DriverError.constraintOf(cause)).toBe("PRIMARY")
    expect(DriverError.constraintOf(socketError("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed"))).toBe(
      undefined
    )
  })

  it.each([
    ["PostgreSQL", pgError("40P01", "deadlock detected")],
    [
      "MySQL",
      mysqlError(
        "ER_LOCK_DEADLOCK",
        1213,
        "40001",
        "Deadlock found when trying to get lock; try restarting transaction"
      )
    ]
  ])("a deadlock on %s is a deadlock, not a lost connection", (_, cause) => {
    expect(DriverError.isDeadlock(cause)).toBe(true)
    expect(DriverError.isConnectionLost(cause)).toBe(false)
  })
})
