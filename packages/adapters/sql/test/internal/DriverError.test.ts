/**
 * How driver failures read to callers (#12): a connection the server ended or refused, and a
 * statement past the statement timeout, each say so; anything else keeps the driver's message.
 */
import { describe, expect, it } from "vitest"
import * as DriverError from "../../src/internal/DriverError.js"

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" })
const socketError = (code: string, message: string) => Object.assign(new Error(message), { code })

describe("DriverError.reasonOf", () => {
  it.each([
    ["a terminated backend", pgError("57P01", "terminating connection due to administrator command")],
    ["a server shutting down", pgError("57P03", "the database system is shutting down")],
    ["an idle-session timeout", pgError("57P05", "terminating connection due to idle-session timeout")],
    ["a connection exception", pgError("08006", "connection failure")],
    ["a refused connection", socketError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["a reset socket", socketError("ECONNRESET", "read ECONNRESET")],
    ["a socket closed under pg", new Error("Connection terminated unexpectedly")],
    ["a dead client used again", new Error("Client has encountered a connection error and is not queryable")]
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
    ["a string SQLite cannot hold", socketError("SQLITE_TOOBIG", "string or blob too big")]
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
