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
