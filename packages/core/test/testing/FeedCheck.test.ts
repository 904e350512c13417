/**
 * `FeedCheck` counts each way a feed reader can be let down, and `follow` catches the failure the
 * feed exists to prevent: an event that becomes visible after a larger position was read (a
 * position taken at insert, committed late) is missed by a poller that asks "after the last
 * position I saw".
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import type { CommittedEvent } from "../../src/ports/EventFeed.js"
import { FeedCheck } from "../../src/testing/index.js"
import { minutesLater, noted, ticketIn } from "../../src/testing/internal/fixtures.js"
import type { WorkspaceId } from "../../src/values/Ids.js"

const ws = "acme" as WorkspaceId
const a = ticketIn(ws, "a")
const b = ticketIn(ws, "b")

const item = (position: number, ticketId: typeof a, version: number): CommittedEvent => ({
  position,
  workspaceId: ws,
  ticketId,
  version,
  event: noted(ticketId, minutesLater(version), "note", `${ticketId}.${version}`)
})

const committed = [
  { ticketId: a, version: 1 },
  { ticketId: a, version: 2 },
  { ticketId: b, version: 1 }
]

describe("FeedCheck.compare", () => {
  it("every committed event once, in position order, is clean", () => {
    const report = FeedCheck.compare(committed, [item(1, a, 1), item(4, b, 1), item(7, a, 2)])
    expect(report).toMatchObject({ committed: 3, seen: 3, missed: 0, duplicated: 0, outOfOrder: 0, unexpected: 0 })
    expect(FeedCheck.isClean(report)).toBe(true)
  })

  it("counts missed, duplicated, out-of-order and unexpected events, and names the first problems", () => {
    const missed = FeedCheck.compare(committed, [item(1, a, 1), item(2, a, 2)])
    expect(missed).toMatchObject({ missed: 1, duplicated: 0, outOfOrder: 0, unexpected: 0 })
    expect(missed.examples).toEqual([`${b}@1 committed but was never seen`])

    const duplicated = FeedCheck.compare(committed, [item(1, a, 1), item(2, a, 2), item(3, b, 1), item(3, b, 1)])
    expect(duplicated).toMatchObject({ missed: 0, duplicated: 1, outOfOrder: 1, unexpected: 0 })

    const backwards = FeedCheck.compare(committed, [item(1, a, 1), item(5, b, 1), item(3, a, 2)])
    expect(backwards).toMatchObject({ missed: 0, duplicated: 0, outOfOrder: 1, unexpected: 0 })

    const versions = FeedCheck.compare(committed, [item(1, a, 2), item(2, a, 1), item(3, b, 1)])
    expect(versions).toMatchObject({ missed: 0, duplicated: 0, outOfOrder: 1, unexpected: 0 })

    const rolledBack = FeedCheck.compare(committed, [item(1, a, 1), item(2, a, 2), item(3, b, 1), item(4, b, 2)])
    expect(rolledBack).toMatchObject({ missed: 0, duplicated: 0, outOfOrder: 0, unexpected: 1 })
    expect(FeedCheck.isClean(rolledBack)).toBe(false)
    expect(FeedCheck.format(rolledBack)).toBe(
      `committed 3, seen 4: 0 missed, 0 duplicated, 0 out of order, 1 unexpected; ${b}@2 at position 4 never committed`
    )
  })
})

describe("FeedCheck.follow", () => {
  it("a poller misses an event whose position was taken before a larger one but committed after it was read", async () => {
    // Position 2 is taken first and commits last, as a sequence taken at insert allows.
    const visible: Array<CommittedEvent> = [item(1, a, 1), item(3, b, 1)]
    let reads = 0
    const read = (after: number) =>
      Effect.sync(() => {
        reads++
        if (reads === 2) visible.push(item(2, a, 2))
        return visible.filter((e) => e.position > after).sort((x, y) => x.position - y.position)
      })
    const followed = await Effect.runPromise(FeedCheck.follow(read, { from: 0, done: Effect.sync(() => reads >= 2) }))
    expect(followed.events.map((e) => e.position)).toEqual([1, 3])
    const report = FeedCheck.compare(committed, followed.events)
    expect(report).toMatchObject({ missed: 1, duplicated: 0, outOfOrder: 0, unexpected: 0 })
  })

  it("reads until an empty page after the writers are done, so the last commits are seen", async () => {
    const visible: Array<CommittedEvent> = []
    let step = 0
    const writes = [item(1, a, 1), item(2, b, 1), item(3, a, 2)]
    const read = (after: number) => Effect.sync(() => visible.filter((e) => e.position > after).slice(0, 1))
    // Each pause lets one more event commit; the writers are done once all three have.
    const pause = Effect.sync(() => {
      const next = writes[step++]
      if (next !== undefined) visible.push(next)
    })
    const followed = await Effect.runPromise(
      FeedCheck.follow(read, { from: 0, done: Effect.sync(() => step >= writes.length), pause })
    )
    expect(FeedCheck.compare(committed, followed.events)).toMatchObject({ missed: 0, duplicated: 0, outOfOrder: 0 })
    expect(followed.reads).toBeGreaterThan(3)
  })

  it("ends against a store that ignores the position instead of reading the same page forever", async () => {
    const page = [item(1, a, 1)]
    const followed = await Effect.runPromise(
      FeedCheck.follow(() => Effect.succeed(page), { from: 5, done: Effect.succeed(true) })
    )
    expect(followed.reads).toBe(1)
    expect(FeedCheck.compare(committed, followed.events).missed).toBe(2)
  })
})
