/**
 * Issue 3's concurrency proof on PostgreSQL: 4 OS processes, each with a pool of 8 connections
 * and 8 command loops, append to the same 50 tickets for 20 seconds. Afterwards nothing is lost
 * or duplicated, every stream's versions are contiguous, the `tickets` projection equals the
 * fold of the events, and a poller following `readAll` saw every event once, in order (see
 * `concurrency/harness.ts` for every check).
 *
 * Needs `TESSERA_PG_URL` (CI always sets it): without it this test fails, it never skips.
 */
import { describe, expect, it } from "vitest"
import { preparePostgres, run } from "./concurrency/harness.js"
import { pgUrl } from "./support.js"

describe("SQL store under concurrent writers on PostgreSQL", () => {
  it("4 processes x 8 connections appending to 50 tickets for 20 s lose nothing, duplicate nothing, and the projection equals the fold", async () => {
    const database = await preparePostgres(pgUrl())
    try {
      const report = await run({ database, processes: 4, connections: 8, fibers: 8, durationMs: 20_000, tickets: 50 })
      console.log(`concurrency report ${JSON.stringify({ ...report, workers: undefined })}`)
      expect(report.problems).toEqual([])
      expect(report.refusedByError).toEqual({})
      expect(report.accepted).toBeGreaterThan(0)
      expect(report.conflicts).toBeGreaterThan(0)
      expect(report.feed.committed, "events the feed's poller could have seen").toBeGreaterThan(0)
    } finally {
      await database.cleanup()
    }
  }, 90_000)
})
