/**
 * The servers the reliability scenarios run against. PostgreSQL is the one of `TESSERA_PG_URL`
 * (started by `scripts/test-all.sh` in CI); unset, the scenario fails rather than skips, since a
 * skipped run would prove nothing.
 */

/** The PostgreSQL server of the suite. */
export const pgUrl = (): string => {
  const url = process.env.TESSERA_PG_URL
  if (url === undefined || url === "") {
    throw new Error(
      "TESSERA_PG_URL is not set: the reliability suite needs a PostgreSQL server " +
        "(e.g. TESSERA_PG_URL=postgres://postgres@127.0.0.1:55432/postgres); it never skips"
    )
  }
  return url
}

/** The MariaDB/MySQL server of the suite (`TESSERA_MYSQL_URL`), required as `pgUrl` is. */
export const mysqlUrl = (): string => {
  const url = process.env.TESSERA_MYSQL_URL
  if (url === undefined || url === "") {
    throw new Error(
      "TESSERA_MYSQL_URL is not set: the reliability suite needs a MariaDB/MySQL server " +
        "(e.g. TESSERA_MYSQL_URL=mysql://root@127.0.0.1:53306/tessera); it never skips"
    )
  }
  return url
}
