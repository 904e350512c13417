/**
 * Issue 3's concurrency proof, on every database of `targets` (issue 14 added MariaDB/MySQL): 4
 * OS processes, each with a pool of 8 connections (on SQLite its one connection to the shared
 * WAL file) and 8 command loops, send commands to the same 50 tickets for 6 seconds. Afterwards
 * nothing is lost or duplicated, every stream's versions are contiguous, the `tickets` projection
 * equals the fold of the events, and a poller following `readAll` saw every event once, in order
 * (see `concurrency/harness.ts` for every check). Six seconds are thousands of commands on SQLite
 * and hundreds on the servers, with conflicts on the 50 hot tickets each time (the test requires
 * them); the checks' own test below shows that they catch each kind of damage.
 */
import { sql } from "kysely"
import { describe, expect, it } from "vitest"
import { prepareSqlite, run, targets } from "./concurrency/harness.js"

describe.each(targets)("SQL store under concurrent writers on $name", (target) => {
  it("4 processes x 8 loops appending to 50 tickets lose nothing, duplicate nothing, and the projection equals the fold", async () => {
    const database = await target.prepare()
    try {
      const report = await run({
        database,
        processes: 4,
        connections: target.pooled ? 8 : 1,
        fibers: 8,
        durationMs: 6_000,
        tickets: 50
      })
      console.log(`concurrency report ${JSON.stringify({ ...report, workers: undefined })}`)
      expect(report.problems).toEqual([])
      expect(report.refusedByError).toEqual({})
      expect(report.accepted).toBeGreaterThan(0)
      expect(report.conflicts).toBeGreaterThan(0)
      expect(report.feed.committed, "events the feed's poller could have seen").toBeGreaterThan(0)
      if (target.dialect === "sqlite") {
        // WAL is a property of the file: still set after every process has used it.
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db)
        expect(mode.rows[0]?.journal_mode).toBe("wal")
      }
    } finally {
      await database.cleanup()
    }
  }, 90_000)
})

describe("the concurrency checks", () => {
  it("catch a lost event, a duplicated event, a projection row that drifted and a feed that disagrees", async () => {
    const database = prepareSqlite()
    try {
      const report = await run({
        database,
        processes: 1,
        connections: 1,
        fibers: 2,
        durationMs: 1_000,
        tickets: 5,
        tamper: async (db, workspace) => {
          const events = await db
            .selectFrom("events")
            .selectAll()
            .where("workspace_id", "=", workspace)
            .where("version", ">", 1)
            .orderBy("position")
            .execute()
          const lost = events[0]
          const copied = events.find((e) => e.stream_id !== lost?.stream_id)
          const drifted = events.find((e) => e.stream_id !== lost?.stream_id && e.stream_id !== copied?.stream_id)
          if (lost === undefined || copied === undefined || drifted === undefined) throw new Error("too few events")
          await db.deleteFrom("events").where("position", "=", lost.position).execute()
          const { position: _position, ...copy } = copied
          await db
            .insertInto("events")
            .values({ ...copy, version: events.filter((e) => e.stream_id === copied.stream_id).length + 2 })
            .execute()
          await db.updateTable("tickets").set({ subject: "tampered" }).where("id", "=", drifted.stream_id).execute()
        }
      })
      console.log(`problems found in the damaged database:\n${report.problems.join("\n")}`)
      expect(report.accepted).toBeGreaterThan(0)
      expect(report.problems.some((p) => p.startsWith("lost: "))).toBe(true)
      expect(report.problems.some((p) => p.startsWith("duplicated: "))).toBe(true)
      expect(report.problems.some((p) => p.includes("tickets row differs from the fold: $.subject"))).toBe(true)
      expect(report.problems.some((p) => p.includes("where 2 was due") || p.includes("versions 1.."))).toBe(true)
      // The poller saw the deleted event, and never the copy written after the work.
      expect(
        report.problems.some((p) => p.startsWith("feed: ") && p.includes("1 missed") && p.includes("1 unexpected"))
      ).toBe(true)
    } finally {
      await database.cleanup()
    }
  }, 60_000)
})
