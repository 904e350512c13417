/**
 * The servers the reliability scenarios run against: PostgreSQL (`TESSERA_PG_URL`) and
 * MariaDB/MySQL (`TESSERA_MYSQL_URL`), started by `scripts/test-all.sh` in CI; unset, the
 * scenario fails rather than skips, since a skipped run would prove nothing.
 */
import { randomUUID } from "node:crypto"
import pg from "pg"

/** The URL in `variable`, or an error naming the server the suite needs and an example. */
const required = (variable: string, server: string, example: string): string => {
  const url = process.env[variable]
  if (url === undefined || url === "") {
    throw new Error(
      `${variable} is not set: the reliability suite needs a ${server} server (e.g. ${variable}=${example}); it never skips`
    )
  }
  return url
}

/** The PostgreSQL server of the suite. */
export const pgUrl = (): string =>
  required("TESSERA_PG_URL", "PostgreSQL", "postgres://postgres@127.0.0.1:55432/postgres")

/** The MariaDB/MySQL server of the suite. */
export const mysqlUrl = (): string =>
  required("TESSERA_MYSQL_URL", "MariaDB/MySQL", "mysql://root@127.0.0.1:53306/tessera")

/** Runs one statement on the suite's PostgreSQL server, on a connection of its own. */
const pgAdmin = async (statement: string): Promise<void> => {
  const client = new pg.Client({ connectionString: pgUrl() })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/**
 * A schema of its own on the suite's PostgreSQL server, named after `prefix`: the URL that makes
 * it the search path, and `drop` to remove it with everything in it.
 */
export const freshPgSchema = async (
  prefix: string
): Promise<{ readonly url: string; readonly drop: () => Promise<void> }> => {
  const schema = `${prefix}_${randomUUID().replaceAll("-", "")}`
  await pgAdmin(`create schema ${schema}`)
  const url = new URL(pgUrl())
  url.searchParams.set("options", `-c search_path=${schema}`)
  return { url: url.toString(), drop: () => pgAdmin(`drop schema if exists ${schema} cascade`) }
}
