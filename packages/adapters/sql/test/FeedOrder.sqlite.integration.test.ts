/**
 * Issue 14's ordering proof on SQLite: 4 writer processes (one connection, 4 loops each)
 * append to 16 tickets in overlapping transactions, some rolled back on purpose, while a poller
 * follows `readAll(after = last seen)`; over 10 rounds it sees every committed event exactly once
 * and in position order, and nothing that rolled back (see `feed/harness.ts`).
 *
 * SQLite has one writer at a time (`BEGIN IMMEDIATE`), so its commits already come in position
 * order; the test holds it to that.
 */
import { describe, it } from "vitest"
import { prepareSqlite } from "./concurrency/harness.js"
import * as FeedOrder from "./feed/harness.js"

describe("the feed's order on SQLite", () => {
  it("a poller following readAll while 4 processes append (some rolling back) misses nothing and sees nothing twice, over 10 rounds", async () => {
    const database = prepareSqlite()
    try {
      const rounds = await FeedOrder.run({
        url: database.url,
        processes: 4,
        connections: 1,
        fibers: 4,
        tickets: 16,
        rounds: 10,
        roundMs: 1_500
      })
      for (const round of rounds) console.log(`feed order (sqlite) ${FeedOrder.format(round)}`)
      console.log(`feed order (sqlite): ${FeedOrder.summary(rounds)}`)
      FeedOrder.expectTrusted(rounds)
    } finally {
      await database.cleanup()
    }
  }, 240_000)
})
