/**
 * Issue 14's ordering proof, on every database of `targets`: 4 writer processes (4 connections
 * each, on SQLite its one connection; 4 loops each) append to 16 tickets in overlapping
 * transactions, some rolled back on purpose, while a poller follows `readAll(after = last seen)`;
 * over 10 rounds it sees every committed event exactly once and in position order, and nothing
 * that rolled back (see `feed/harness.ts`). SQLite has one writer at a time (`BEGIN IMMEDIATE`),
 * so its commits already come in position order; the test holds it to that.
 */
import { describe, it } from "vitest"
import { targets } from "./concurrency/harness.js"
import * as FeedOrder from "./feed/harness.js"

describe.each(targets)("the feed's order on $name", (target) => {
  it("a poller following readAll while 4 processes append (some rolling back) misses nothing and sees nothing twice, over 10 rounds", async () => {
    const database = await target.prepare()
    try {
      const rounds = await FeedOrder.run({
        url: database.url,
        processes: 4,
        connections: target.pooled ? 4 : 1,
        fibers: 4,
        tickets: 16,
        rounds: 10,
        roundMs: 700
      })
      for (const round of rounds) console.log(`feed order (${target.dialect}) ${FeedOrder.format(round)}`)
      console.log(`feed order (${target.dialect}): ${FeedOrder.summary(rounds)}`)
      FeedOrder.expectTrusted(rounds)
    } finally {
      await database.cleanup()
    }
  }, 240_000)
})
