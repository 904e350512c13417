// RedisTimers against a real redis-server: claims under a lease, batches, concurrent claimers,
// completion, atomic rescheduling, the relay that rebuilds what Redis lost from the store, and
// typed failures when Redis cannot be reached.
import { type Ids, MemoryTicketStore, type StoreError, Timers } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { Redis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import { RedisClient, RedisTimers } from "../src/index.js"
import { dropPrefix, freshPrefix, rawClient } from "./support.js"

const raw = rawClient()
const prefixes: Array<string> = []
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(raw, prefix)
  raw.disconnect()
})

const ws = "acme" as Ids.WorkspaceId
const t0 = Date.parse("2026-12-07T09:00:00Z")
const at = (ms: number) => DateTime.makeUnsafe(t0 + ms)
const timer = (ticket: string, dueMs: number, purpose: Timers.TimerPurpose = "sla") =>
  Timers.make(ws, ticket as Ids.TicketId, purpose, at(dueMs))
const ids = (timers: ReadonlyArray<Timers.Timer>) => timers.map((t) => t.id)

/** Timers on a fresh prefix, with the in-memory store behind unless `standalone`. */
const setup = (label: string, options: RedisTimers.Options & { readonly standalone?: boolean } = {}) =>
  Effect.gen(function* () {
    const prefix = freshPrefix(label)
    prefixes.push(prefix)
    const store = yield* MemoryTicketStore.makeStore()
    const timers = RedisTimers.makeWith({ redis: raw, prefix }, options.standalone ? undefined : store.timers, options)
    return { prefix, store, timers }
  })

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

describe("RedisTimers", () => {
  it("claims due timers in due order under a lease; they come back when it ends, never once completed", () =>
    run(
      Effect.gen(function* () {
        const { timers } = yield* setup("lease")
        const [a, b, c] = [timer("t1", 3_000), timer("t2", 1_000), timer("t3", 60_000)]
        for (const t of [a, b, c]) yield* timers.schedule(t)
        yield* timers.schedule(a) // kept once
        expect(ids(yield* timers.claimDue(ws, at(5_000), 10, 10_000))).toEqual([b.id, a.id])
        expect(yield* timers.claimDue(ws, at(14_999), 10, 10_000), "still leased").toEqual([])
        expect(yield* timers.counts(ws)).toEqual({ due: 1, leased: 2 })
        yield* timers.complete(b.id)
        expect(ids(yield* timers.claimDue(ws, at(15_000), 10, 10_000)), "a's lease ended").toEqual([a.id])
        yield* timers.complete(a.id)
        expect(ids(yield* timers.claimDue(ws, at(3_600_000), 10, 10_000))).toEqual([c.id])
        yield* timers.complete(c.id)
        expect(yield* timers.counts(ws)).toEqual({ due: 0, leased: 0 })
        expect(yield* timers.claimDue(ws, at(7_200_000), 10, 10_000)).toEqual([])
      })
    ))

  it("claims in batches of `limit`, each timer once", () =>
    run(
      Effect.gen(function* () {
        const { timers } = yield* setup("batches", { standalone: true })
        const all = Array.from({ length: 250 }, (_, i) => timer(`t${i}`, i))
        yield* timers.scheduleAll(all)
        const sizes: Array<number> = []
        const seen: Array<string> = []
        for (;;) {
          const batch = yield* timers.claimDue(ws, at(1_000), 100, 60_000)
          if (batch.length === 0) break
          sizes.push(batch.length)
          seen.push(...ids(batch))
        }
        expect(sizes).toEqual([100, 100, 50])
        expect(seen).toEqual(ids(all))
      })
    ))

  it("concurrent claimers on their own connections get each due timer exactly once", async () => {
    const prefix = freshPrefix("concurrent")
    prefixes.push(prefix)
    const clients = Array.from({ length: 6 }, () => rawClient())
    try {
      const nodes = clients.map((redis) => RedisTimers.makeWith({ redis, prefix }, undefined))
      const all = Array.from({ length: 3_000 }, (_, i) => timer(`t${i}`, i % 500))
      await run((nodes[0] as RedisTimers.Shape).scheduleAll(all))
      const claimed = await Promise.all(
        nodes.map(async (node) => {
          const mine: Array<string> = []
          for (;;) {
            const batch = await run(node.claimDue(ws, at(1_000), 37, 60_000))
            if (batch.length === 0) return mine
            mine.push(...ids(batch))
          }
        })
      )
      const flat = claimed.flat()
      console.log(
        `concurrent claimers: ${claimed.map((c) => c.length).join(" + ")} = ${flat.length} claims of ${all.length} timers`
      )
      expect(flat.length).toBe(all.length)
      expect(new Set(flat).size).toBe(all.length)
      expect(claimed.filter((c) => c.length > 0).length, "the work was shared").toBeGreaterThan(1)
    } finally {
      for (const c of clients) c.disconnect()
    }
  })

  it("rescheduling replaces the ticket's pending timer of that purpose in one step, in Redis and the store", () =>
    run(
      Effect.gen(function* () {
        const { prefix, store, timers } = yield* setup("reschedule")
        const first = timer("t1", 60_000)
        const close = timer("t1", 30_000, "close_solved")
        const other = timer("t2", 60_000)
        expect(yield* timers.reschedule(first)).toEqual([])
        yield* timers.reschedule(close)
        yield* timers.reschedule(other)
        const moved = timer("t1", 20_000)
        expect(yield* timers.reschedule(moved)).toEqual([first.id])
        expect(yield* timers.reschedule(moved), "again: nothing left to replace").toEqual([])
        // A timer set by `schedule` is one more timer (the port keeps each): not replaced.
        const extra = timer("t1", 25_000)
        yield* timers.schedule(extra)
        // The old one fires nowhere: not from Redis, and the store (the relay's source) lost it too.
        const claimed = yield* timers.claimDue(ws, at(120_000), 10, 600_000)
        expect(ids(claimed)).toEqual([moved.id, extra.id, close.id, other.id])
        const inStore = yield* store.timers.claimDue(ws, at(10_000_000), 10, 1)
        expect(ids(inStore).sort()).toEqual([close.id, extra.id, moved.id, other.id].sort())
        // Completing the current timer clears the ticket's pointer: the next one replaces nothing.
        yield* timers.complete(moved.id)
        expect(yield* Effect.promise(() => raw.hlen(`${prefix}{timers}:current:${ws}`))).toBe(2)
        expect(yield* timers.reschedule(timer("t1", 90_000))).toEqual([])
      })
    ))

  it("rescheduling leaves a timer that is being fired (leased) to complete", () =>
    run(
      Effect.gen(function* () {
        const { timers } = yield* setup("reschedule-leased", { standalone: true })
        const first = timer("t1", 1_000)
        yield* timers.reschedule(first)
        expect(ids(yield* timers.claimDue(ws, at(1_000), 10, 60_000))).toEqual([first.id])
        const next = timer("t1", 5_000)
        expect(yield* timers.reschedule(next)).toEqual([])
        expect(ids(yield* timers.claimDue(ws, at(5_000), 10, 60_000))).toEqual([next.id])
        expect(yield* timers.counts(ws)).toEqual({ due: 0, leased: 2 })
      })
    ))

  it("timers the store's appends wrote reach Redis on the next claim, and come back from the store after Redis lost them", () =>
    run(
      Effect.gen(function* () {
        const { prefix, store, timers } = yield* setup("rebuild", { rebuildMillis: 10_000, horizonMillis: 60_000 })
        // Written by the store alone, as an append's `AppendEffects.timers` would be.
        const written = [timer("t1", 1_000), timer("t2", 30_000), timer("t3", 120_000)]
        for (const t of written) yield* store.timers.schedule(t)
        expect(yield* timers.relay(ws, at(0)), "due within the horizon").toBe(2)
        expect(yield* timers.counts(ws)).toEqual({ due: 2, leased: 0 })
        expect(ids(yield* timers.claimDue(ws, at(2_000), 10, 60_000))).toEqual([written[0]?.id])
        // Redis loses everything.
        yield* Effect.promise(() => dropPrefix(raw, prefix))
        expect(yield* timers.claimDue(ws, at(9_999), 10, 60_000), "the store still leases them to the relay").toEqual(
          []
        )
        const back = yield* timers.claimDue(ws, at(10_000), 10, 60_000)
        expect(ids(back), "the relay lease ended: rebuilt from the store").toEqual([written[0]?.id])
        yield* timers.complete(written[0]?.id as string)
        expect(ids(yield* timers.claimDue(ws, at(121_000), 10, 60_000))).toEqual([written[1]?.id, written[2]?.id])
        expect(yield* store.timers.claimDue(ws, at(10_000_000), 10, 1), "completed in the store too").toHaveLength(2)
      })
    ))

  it("an entry that does not decode is dropped, and the claim goes on", () =>
    run(
      Effect.gen(function* () {
        const { prefix, timers } = yield* setup("garbage", { standalone: true })
        const good = timer("t1", 1_000)
        yield* timers.schedule(good)
        yield* Effect.promise(() =>
          raw
            .multi()
            .hset(`${prefix}{timers}:data`, "junk", "{not json")
            .zadd(`${prefix}{timers}:due:${ws}`, t0, "junk")
            .exec()
        )
        expect(ids(yield* timers.claimDue(ws, at(5_000), 10, 60_000))).toEqual([good.id])
        expect(yield* Effect.promise(() => raw.hexists(`${prefix}{timers}:data`, "junk"))).toBe(0)
      })
    ))

  it("fails with a typed, retryable StoreUnavailable when Redis cannot be reached", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null
    })
    dead.on("error", () => {})
    const timers = RedisTimers.makeWith({ redis: dead, prefix: "unreachable:" }, undefined)
    const error = await run(Effect.flip(timers.claimDue(ws, at(0), 10, 1_000)))
    expect(error._tag).toBe("StoreUnavailable")
    expect((error as StoreError.StoreUnavailable).retryable).toBe(true)
    expect((error as StoreError.StoreUnavailable).operation).toBe("claimDue")
    const opened = await run(
      Effect.flip(
        Effect.scoped(
          Effect.asVoid(RedisClient.layer({ url: "redis://127.0.0.1:1" }).pipe((l) => Effect.provide(Effect.void, l)))
        )
      )
    )
    expect(opened._tag).toBe("StoreUnavailable")
    dead.disconnect()
  })
})
