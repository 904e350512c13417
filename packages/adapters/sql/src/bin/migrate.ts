#!/usr/bin/env node
/**
 * `tessera-sql migrate --url <url>`: brings a SQLite file, a PostgreSQL or a MariaDB/MySQL database to the latest
 * schema and prints the migrations it applied. Expected failures (a bad URL, an unreachable
 * server, a failed migration) print one line and exit 1; only a bug prints a stack trace.
 */
import { Cause, Effect, Exit, Option, Result } from "effect"
import * as Connection from "../Connection.js"
import * as Migrations from "../Migrations.js"

const usage = `Usage: tessera-sql migrate --url <url>

  <url>  sqlite:<path>                        a SQLite file (created if missing), e.g. sqlite:helpdesk.db
         postgres://user:pass@host:port/db    a PostgreSQL database
         mysql://user:pass@host:port/db       a MariaDB or MySQL database (also mariadb://)

Brings the database to the latest schema of @tessera/sql and prints the migrations applied.`

type Command = { readonly _tag: "help" } | { readonly _tag: "migrate"; readonly url: string }

/** Reads the command line (without `node` and the script). */
const parseArgs = (args: ReadonlyArray<string>): Result.Result<Command, string> => {
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) return Result.succeed({ _tag: "help" })
  const [command, ...rest] = args
  if (command !== "migrate") return Result.fail(`unknown command ${JSON.stringify(command)}`)
  let url: string | undefined
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? ""
    if (arg === "--url") {
      const value = rest[i + 1]
      if (value === undefined || value.startsWith("--")) return Result.fail("--url needs a value")
      url = value
      i++
    } else if (arg.startsWith("--url=")) {
      url = arg.slice("--url=".length)
    } else {
      return Result.fail(`unexpected argument ${JSON.stringify(arg)}`)
    }
  }
  return url === undefined || url === "" ? Result.fail("missing --url") : Result.succeed({ _tag: "migrate", url })
}

const migrate = (url: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      // A migration step run on purpose may rewrite a large table: no statement timeout.
      const connection = yield* Connection.scoped(url, { statementTimeout: 0 })
      return yield* Migrations.migrate(connection.db, connection.dialect)
    })
  )

const main = async (args: ReadonlyArray<string>): Promise<number> => {
  const parsed = parseArgs(args)
  if (Result.isFailure(parsed)) {
    process.stderr.write(`tessera-sql: ${parsed.failure}\n\n${usage}\n`)
    return 1
  }
  if (parsed.success._tag === "help") {
    process.stdout.write(`${usage}\n`)
    return 0
  }
  const url = parsed.success.url
  const exit = await Effect.runPromiseExit(migrate(url))
  if (Exit.isSuccess(exit)) {
    const target = Connection.redact(url)
    if (exit.value.length === 0) process.stdout.write(`${target} is up to date: no migration to apply\n`)
    else for (const name of exit.value) process.stdout.write(`applied ${name}\n`)
    if (exit.value.length > 0) process.stdout.write(`${target} is up to date\n`)
    return 0
  }
  const error = Cause.findErrorOption(exit.cause)
  if (Option.isSome(error)) {
    process.stderr.write(`tessera-sql: ${error.value.message}\n`)
    return 1
  }
  process.stderr.write(`tessera-sql: unexpected failure (a bug)\n${Cause.pretty(exit.cause)}\n`)
  return 2
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
