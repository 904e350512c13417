/**
 * The event bus against a real redis-server, with a real `Helpdesk` on the in-memory store and on
 * SQLite: every committed event reaches a subscriber in position order, once, across a publisher
 * interrupted mid-run (and one whose checkpoint was lost); consumers of a group split the work,
 * claim what a dead consumer left pending, and resume from their acknowledgements.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type EventFeed, Helpdesk, IdGenerator, MemoryHelpdesk, TicketStore } from "@tessera/core"
import { FeedCheck } from "@tessera/core/testing"
import { RedisClient, RedisEventBus, RedisEventPublisher } from "@tessera/redis"
import { SqlStore } from "@tessera/sql"
import { Effect, Fiber, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { dropPrefix, redisUrl, uniquePrefix, waitUntil } from "./support/localRedis.js"

const config = { workspaceId: "acme" }
const dirs: Array<string> = []
const prefixes: Array<string> = []
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  for (const prefix of prefixes) await dropPrefix(redisUrl(), prefix)
})

type DeskLayer = Layer.Layer<Helpdesk.Helpdesk | TicketStore.TicketStore, unknown>
const stores: ReadonlyArray<readonly [string, () => DeskLayer]> = [
  ["memory", () => MemoryHelpdesk.layer(config, { ids: "sequential" })],
  [
    "sqlite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "tessera-bus-"))
      dirs.push(dir)
      return Helpdesk.layer(config).pipe(
        Layer.provideMerge(
          Layer.merge(SqlStore.layerUrl({ url: `sqlite:${join(dir, "desk.db")}` }), IdGenerator.layerTimeOrdered)
        )
      )
    }
  ]
]

/** A node: a help desk over its store, and a Redis client under the test's prefix. */
const node = (desk: DeskLayer, prefix: string, url = redisUrl()) =>
  ManagedRuntime.make(Layer.merge(desk, RedisClient.layer({ url, prefix })))
type Node = ReturnType<typeof node>

/** Commands that write events: tickets opened, and replies and notes on some of them. */
const write = (runtime: Node, tickets: number, from = 0) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      for (let i = from; i < from + tickets; i++) {
        const ticket = yield* helpdesk.open({
          requester: { email: `customer${i % 5}@example.com` },
          subject: `VPN drops ${i}`,
          text: "It drops every hour.",
          channel: "email"
        })
        if (i % 2 === 0) yield* helpdesk.note({ ticket: ticket.id, by: helpdesk.system.actor("test"), text: "seen" })
      }
    })
  )

const committed = (runtime: Node) =>
  runtime.runPromise(Effect.flatMap(TicketStore.TicketStore, (store) => store.readAll(0, 1_000_000)))

const seenOf = (events: ReadonlyArray<EventFeed.CommittedEvent>): Array<FeedCheck.Seen> =>
  events.map((e) => ({ ticketId: e.ticketId, version: e.version, position: e.position }))

/** The positions the stream holds, in stream order. */
const streamPositions = (runtime: Node) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const { redis, prefix } = yield* RedisClient.RedisClient
      const entries = yield* Effect.promise(() => redis.xrange(RedisEventBus.keysOf(prefix).stream, "-", "+"))
      return entries.map(([id]) => RedisEventBus.positionOf(id))
    })
  )

describe.each(stores)("the event bus on the %s store", (_name, deskLayer) => {
  it("a subscriber gets every event once, in position order, across a publisher interrupted mid-run and restarted", async () => {
    const prefix = uniquePrefix("bus-order")
    prefixes.push(prefix)
    const runtime = node(deskLayer(), prefix)
    const seen: Array<EventFeed.CommittedEvent> = []
    const subscriber = runtime.runFork(
      RedisEventBus.subscribe({ group: "audit", consumer: "a1", batchSize: 5, block: 200 }, (event) =>
        Effect.sync(() => void seen.push(event))
      )
    )
    const options = { batchSize: 7, idle: 10 }
    let publisher = runtime.runFork(RedisEventPublisher.run(options))
    const writing = write(runtime, 40)
    // The publisher is interrupted once it has published part of the feed, twice over.
    for (const stop of [10, 40]) {
      await waitUntil(
        `checkpoint past ${stop}`,
        async () => (await runtime.runPromise(RedisEventPublisher.checkpoint())) >= stop
      )
      await runtime.runPromise(Fiber.interrupt(publisher))
      publisher = runtime.runFork(RedisEventPublisher.run(options))
    }
    await writing
    // A checkpoint lost on its own (the publisher died after adding, before the checkpoint):
    // the next rounds read the feed from the start again and add nothing twice.
    await runtime.runPromise(RedisEventPublisher.rewind(0))
    const all = await committed(runtime)
    const last = all.at(-1)?.position ?? 0
    await waitUntil(
      "the publisher caught up",
      async () => (await runtime.runPromise(RedisEventPublisher.checkpoint())) >= last
    )
    await waitUntil("the subscriber saw every event", () => seen.length >= all.length)
    await runtime.runPromise(Fiber.interrupt(publisher))
    await runtime.runPromise(Fiber.interrupt(subscriber))

    const report = FeedCheck.compare(all, seenOf(seen))
    const inStream = await streamPositions(runtime)
    console.log(`bus on ${_name}: ${FeedCheck.format(report)}; stream entries ${inStream.length}`)
    expect(FeedCheck.isClean(report), FeedCheck.format(report)).toBe(true)
    expect(inStream).toEqual(all.map((e) => e.position))
    // Decoded back to core's events, with ticket and workspace.
    expect(seen.map((e) => e.event._tag)).toEqual(all.map((e) => e.event._tag))
    expect(seen.every((e) => e.workspaceId === "acme")).toBe(true)
    await runtime.dispose()
  })

  it("two consumers of a group split the work; each acknowledged event goes to one of them", async () => {
    const prefix = uniquePrefix("bus-split")
    prefixes.push(prefix)
    const runtime = node(deskLayer(), prefix)
    await write(runtime, 30)
    await runtime.runPromise(RedisEventPublisher.publishOnce({ batchSize: 1_000 }))
    const all = await committed(runtime)
    const got = new Map<string, Array<number>>([
      ["w1", []],
      ["w2", []]
    ])
    const fibers = ["w1", "w2"].map((consumer) =>
      runtime.runFork(
        RedisEventBus.subscribe({ group: "workers", consumer, batchSize: 3, block: 100 }, (event) =>
          // A little work per event, so that neither consumer drains the stream alone.
          Effect.sleep(5).pipe(Effect.andThen(Effect.sync(() => void got.get(consumer)?.push(event.position))))
        )
      )
    )
    await waitUntil(
      "every event handled",
      () => (got.get("w1")?.length ?? 0) + (got.get("w2")?.length ?? 0) >= all.length
    )
    for (const fiber of fibers) await runtime.runPromise(Fiber.interrupt(fiber))
    const w1 = got.get("w1") ?? []
    const w2 = got.get("w2") ?? []
    console.log(`bus on ${_name}: ${all.length} events, consumer w1 handled ${w1.length}, w2 ${w2.length}`)
    expect(w1.length).toBeGreaterThan(0)
    expect(w2.length).toBeGreaterThan(0)
    expect([...w1, ...w2].sort((a, b) => a - b)).toEqual(all.map((e) => e.position))
    // Each consumer sees its share in position order.
    expect(w1).toEqual([...w1].sort((a, b) => a - b))
    expect(w2).toEqual([...w2].sort((a, b) => a - b))
    await runtime.dispose()
  })

  it("entries a dead consumer left pending are claimed by another once idle", async () => {
    const prefix = uniquePrefix("bus-claim")
    prefixes.push(prefix)
    const runtime = node(deskLayer(), prefix)
    await write(runtime, 10)
    await runtime.runPromise(RedisEventPublisher.publishOnce({ batchSize: 1_000 }))
    const all = await committed(runtime)
    // The first consumer takes a batch and hangs on its first event: then it dies.
    let taken = 0
    const dying = runtime.runFork(
      RedisEventBus.subscribe({ group: "g", consumer: "dies", batchSize: 8, block: 100 }, () =>
        Effect.sync(() => taken++).pipe(Effect.andThen(Effect.never))
      )
    )
    await waitUntil("the first consumer took a batch", () => taken > 0)
    await runtime.runPromise(Fiber.interrupt(dying))
    const pendingOf = () =>
      runtime.runPromise(
        Effect.gen(function* () {
          const { redis, prefix: p } = yield* RedisClient.RedisClient
          const summary = yield* Effect.promise(() => redis.xpending(RedisEventBus.keysOf(p).stream, "g"))
          return Number((summary as [number])[0])
        })
      )
    const leftPending = await pendingOf()
    expect(leftPending).toBe(8)
    const seen: Array<number> = []
    const rescuer = runtime.runFork(
      RedisEventBus.subscribe({ group: "g", consumer: "rescues", batchSize: 4, block: 100, claimIdle: 300 }, (event) =>
        Effect.sync(() => void seen.push(event.position))
      )
    )
    await waitUntil("every event handled by the second consumer", () => new Set(seen).size >= all.length)
    await runtime.runPromise(Fiber.interrupt(rescuer))
    console.log(
      `bus on ${_name}: ${leftPending} entries left pending by a dead consumer, ${seen.length} handled by the other`
    )
    expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(all.map((e) => e.position))
    expect(await pendingOf()).toBe(0)
    await runtime.dispose()
  })

  it("a restarted subscriber resumes from its last acknowledgement", async () => {
    const prefix = uniquePrefix("bus-resume")
    prefixes.push(prefix)
    const runtime = node(deskLayer(), prefix)
    await write(runtime, 12)
    await runtime.runPromise(RedisEventPublisher.publishOnce({ batchSize: 1_000 }))
    const all = await committed(runtime)
    const acked: Array<number> = []
    let calls = 0
    // Handles six events, then hangs on the seventh (the process is about to stop).
    const first = runtime.runFork(
      RedisEventBus.subscribe({ group: "g", consumer: "node-1", batchSize: 4, block: 100 }, (event) =>
        ++calls > 6 ? Effect.never : Effect.sync(() => void acked.push(event.position))
      )
    )
    await waitUntil("six events handled", () => calls > 6)
    await runtime.runPromise(Fiber.interrupt(first))
    const again: Array<number> = []
    const restarted = runtime.runFork(
      RedisEventBus.subscribe({ group: "g", consumer: "node-1", batchSize: 4, block: 100 }, (event) =>
        Effect.sync(() => void again.push(event.position))
      )
    )
    await waitUntil("the rest handled", () => acked.length + again.length >= all.length)
    await runtime.runPromise(Fiber.interrupt(restarted))
    console.log(`bus on ${_name}: ${acked.length} acknowledged before the restart, ${again.length} after`)
    expect(acked).toHaveLength(6)
    expect(again).toEqual(all.map((e) => e.position).slice(6))
    await runtime.dispose()
  })
})

describe("handler failures", () => {
  it("a handler that keeps failing is retried, then its entry is dead-lettered and acknowledged", async () => {
    const prefix = uniquePrefix("bus-dead")
    prefixes.push(prefix)
    const runtime = node(MemoryHelpdesk.layer(config, { ids: "sequential" }), prefix)
    await write(runtime, 2)
    await runtime.runPromise(RedisEventPublisher.publishOnce())
    const all = await committed(runtime)
    const poisoned = all[1]?.position
    const attempts = new Map<number, number>()
    const handled: Array<number> = []
    const fiber = runtime.runFork(
      RedisEventBus.subscribe({ group: "g", consumer: "c", attempts: 3, retryDelay: 10, block: 100 }, (event) =>
        Effect.suspend(() => {
          attempts.set(event.position, (attempts.get(event.position) ?? 0) + 1)
          return event.position === poisoned
            ? Effect.fail("the mail server refused it")
            : Effect.sync(() => void handled.push(event.position))
        })
      )
    )
    await waitUntil("the other events handled", () => handled.length >= all.length - 1)
    const dead = await runtime.runPromise(
      Effect.gen(function* () {
        const { redis, prefix: p } = yield* RedisClient.RedisClient
        const keys = RedisEventBus.keysOf(p)
        const entries = yield* Effect.promise(() => redis.xrange(keys.dead, "-", "+"))
        const pending = yield* Effect.promise(() => redis.xpending(keys.stream, "g"))
        return { entries, pending: Number((pending as [number])[0]) }
      })
    )
    await runtime.runPromise(Fiber.interrupt(fiber))
    expect(attempts.get(poisoned ?? 0)).toBe(3)
    expect(dead.entries).toHaveLength(1)
    const fields = dead.entries[0]?.[1] ?? []
    expect(fields.slice(0, 8)).toEqual([
      "id",
      `${poisoned}-0`,
      "group",
      "g",
      "consumer",
      "c",
      "reason",
      expect.stringContaining("refused")
    ])
    expect(dead.pending).toBe(0)
    await runtime.dispose()
  })
})

describe("redeliveries", () => {
  // #19: an entry whose consumer dies while handling it was claimed by the next one for ever.
  it("an entry whose consumers keep dying on it is claimed at most maxDeliveries times, then dead-lettered", async () => {
    const prefix = uniquePrefix("bus-redeliver")
    prefixes.push(prefix)
    const runtime = node(MemoryHelpdesk.layer(config, { ids: "sequential" }), prefix)
    await write(runtime, 4)
    await runtime.runPromise(RedisEventPublisher.publishOnce())
    const all = await committed(runtime)
    const poisoned = all[1]?.position
    const handled = new Set<number>()
    let poisonCalls = 0
    const options = { group: "g", batchSize: 3, block: 50, claimIdle: 30, maxDeliveries: 2 }
    const handler = (event: EventFeed.CommittedEvent) =>
      event.position === poisoned
        ? Effect.sync(() => poisonCalls++).pipe(Effect.andThen(Effect.never))
        : Effect.sync(() => void handled.add(event.position))
    // Each consumer hangs on the poisoned event and dies there (interrupted, as a killed node would).
    for (const [n, name] of ["c0", "c1"].entries()) {
      const dying = runtime.runFork(RedisEventBus.subscribe({ ...options, consumer: name }, handler))
      await waitUntil(`${name} took the poisoned event`, () => poisonCalls > n)
      await runtime.runPromise(Fiber.interrupt(dying))
    }
    const last = runtime.runFork(RedisEventBus.subscribe({ ...options, consumer: "c2" }, handler))
    const dead = () =>
      runtime.runPromise(
        Effect.gen(function* () {
          const { redis, prefix: p } = yield* RedisClient.RedisClient
          return yield* Effect.promise(() => redis.xrange(RedisEventBus.keysOf(p).dead, "-", "+"))
        })
      )
    await waitUntil("the poisoned entry dead-lettered", async () => (await dead()).length > 0)
    await waitUntil("every other event handled", () => handled.size >= all.length - 1)
    await runtime.runPromise(Fiber.interrupt(last))
    const [entry] = await dead()
    console.log(`redeliveries: poisoned handler called ${poisonCalls} times, ${handled.size} others handled`)
    expect(poisonCalls).toBe(2)
    expect(entry?.[1].slice(0, 6)).toEqual(["id", `${poisoned}-0`, "group", "g", "consumer", "c2"])
    expect(entry?.[1][7]).toContain("delivered 3 times without an acknowledgement")
    expect([...handled].sort((a, b) => a - b)).toEqual(all.map((e) => e.position).filter((p) => p !== poisoned))
    await runtime.dispose()
  })
})

describe("trimming", () => {
  it("trimAcknowledged removes only what every group has acknowledged", async () => {
    const prefix = uniquePrefix("bus-trim")
    prefixes.push(prefix)
    const runtime = node(MemoryHelpdesk.layer(config, { ids: "sequential" }), prefix)
    await write(runtime, 10)
    await runtime.runPromise(RedisEventPublisher.publishOnce())
    const all = await committed(runtime)
    const result = await runtime.runPromise(
      Effect.gen(function* () {
        const { redis, prefix: p } = yield* RedisClient.RedisClient
        const keys = RedisEventBus.keysOf(p)
        const trim = RedisEventBus.trimAcknowledged()
        const none = yield* trim // no group yet: nothing trimmed
        yield* RedisEventBus.ensureGroup(redis, keys, "fast")
        yield* RedisEventBus.ensureGroup(redis, keys, "slow")
        // "fast" read and acknowledged everything; "slow" read ten and acknowledged five.
        const read = (group: string, count: number) =>
          Effect.promise(
            () =>
              redis.call(
                "XREADGROUP",
                "GROUP",
                group,
                "c",
                "COUNT",
                count,
                "STREAMS",
                keys.stream,
                ">"
              ) as Promise<unknown>
          )
        yield* read("fast", 1_000)
        yield* Effect.promise(() => redis.xack(keys.stream, "fast", ...all.map((e) => `${e.position}-0`)))
        yield* read("slow", 10)
        const whileSlowHoldsAll = yield* trim
        yield* Effect.promise(() => redis.xack(keys.stream, "slow", ...all.slice(0, 5).map((e) => `${e.position}-0`)))
        const afterFive = yield* trim
        const left = yield* Effect.promise(() => redis.xlen(keys.stream))
        return { none, whileSlowHoldsAll, afterFive, left }
      })
    )
    expect(result).toEqual({ none: 0, whileSlowHoldsAll: 0, afterFive: 5, left: all.length - 5 })
    // Republishing after the trim adds nothing back.
    await runtime.runPromise(RedisEventPublisher.rewind(0))
    expect((await runtime.runPromise(RedisEventPublisher.publishOnce())).added).toBe(0)
    await runtime.dispose()
  })
})
