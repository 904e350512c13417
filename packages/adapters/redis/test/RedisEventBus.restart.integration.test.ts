/**
 * The event bus across a Redis restart, on a redis-server of the test's own: with AOF
 * (`appendfsync always`) a subscriber that acknowledges loses no event; without persistence Redis
 * comes back empty, and republishing from the store's feed (from 0, or from the subscriber's last
 * acknowledged position) still loses nothing. The counts are printed.
 */
import { type EventFeed, Helpdesk, MemoryHelpdesk, TicketStore } from "@tessera/core"
import { RedisClient, RedisEventBus, RedisEventPublisher } from "@tessera/redis"
import { Effect, Fiber, Layer, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { privateRedis, redisUrl, waitUntil } from "./support/localRedis.js"

// Required like every Redis test, although these run on servers of their own.
redisUrl()

const node = (url: string) =>
  ManagedRuntime.make(
    Layer.merge(
      MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" }),
      RedisClient.layer({ url, prefix: "restart:" })
    )
  )
type Node = ReturnType<typeof node>

const write = (runtime: Node, from: number, tickets: number) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      for (let i = from; i < from + tickets; i++) {
        yield* helpdesk.open({
          requester: { email: `customer${i % 5}@example.com` },
          subject: `Invoice ${i} is wrong`,
          text: "The total is off.",
          channel: "email"
        })
      }
    })
  )

const committed = (runtime: Node) =>
  runtime.runPromise(Effect.flatMap(TicketStore.TicketStore, (store) => store.readAll(0, 1_000_000)))

/** A subscriber that records each delivery (duplicates included). */
const subscriber = (runtime: Node, seen: Array<number>) =>
  runtime.runFork(
    RedisEventBus.subscribe({ group: "mirror", consumer: "m1", block: 100, retryDelay: 50 }, (event) =>
      Effect.sync(() => void seen.push(event.position))
    )
  )

const publisher = (runtime: Node) => runtime.runFork(RedisEventPublisher.run({ idle: 10, retryDelay: 100 }))

const missing = (all: ReadonlyArray<EventFeed.CommittedEvent>, seen: ReadonlyArray<number>) => {
  const got = new Set(seen)
  return all.filter((e) => !got.has(e.position)).length
}

describe("the event bus across a Redis restart", () => {
  it("with AOF, a subscriber that acknowledges loses no event when Redis is killed and restarted mid-run", async () => {
    const server = await privateRedis({ aof: true })
    const runtime = node(server.url)
    try {
      const seen: Array<number> = []
      const sub = subscriber(runtime, seen)
      const pub = publisher(runtime)
      await write(runtime, 0, 30)
      await waitUntil("some events delivered", () => seen.length > 10)
      await server.kill()
      // Commands keep committing in the store while Redis is down.
      const during = write(runtime, 30, 20)
      await server.start()
      await during
      await write(runtime, 50, 20)
      const all = await committed(runtime)
      await waitUntil("every committed event delivered", () => missing(all, seen) === 0, 30_000)
      await runtime.runPromise(Fiber.interrupt(pub))
      await runtime.runPromise(Fiber.interrupt(sub))
      const unique = new Set(seen).size
      console.log(
        `AOF restart: committed ${all.length}, delivered ${seen.length} (${unique} distinct, ${seen.length - unique} redelivered), missed ${missing(all, seen)}`
      )
      expect(missing(all, seen)).toBe(0)
      expect(unique).toBe(all.length)
    } finally {
      await runtime.dispose()
      await server.close()
    }
  })

  it("without persistence Redis comes back empty; republishing from the feed loses nothing", async () => {
    const server = await privateRedis({ aof: false })
    const runtime = node(server.url)
    try {
      // From 0: the publisher finds no checkpoint and starts over; the group is made again.
      const seen: Array<number> = []
      const sub = subscriber(runtime, seen)
      let pub = publisher(runtime)
      await write(runtime, 0, 20)
      let all = await committed(runtime)
      await waitUntil("the first events delivered", () => missing(all, seen) === 0)
      const before = seen.length
      await server.kill()
      await server.start()
      await write(runtime, 20, 10)
      all = await committed(runtime)
      await waitUntil("every event delivered after the loss", () => missing(all, seen.slice(before)) === 0, 30_000)
      console.log(
        `lost everything, republished from 0: committed ${all.length}, delivered ${seen.length} (${before} before the loss, ${seen.length - before} after), missed ${missing(all, seen)}`
      )
      expect(missing(all, seen)).toBe(0)

      // From the subscriber's last acknowledged position: nothing delivered twice.
      await runtime.runPromise(Fiber.interrupt(pub))
      const lastAcked = Math.max(...seen)
      const mark = seen.length
      await server.kill()
      await server.start()
      await write(runtime, 30, 10)
      await runtime.runPromise(RedisEventPublisher.rewind(lastAcked))
      pub = publisher(runtime)
      all = await committed(runtime)
      const expected = all.filter((e) => e.position > lastAcked).map((e) => e.position)
      await waitUntil(
        "the events after the last acknowledged one delivered",
        () => seen.length - mark >= expected.length,
        30_000
      )
      await runtime.runPromise(Fiber.interrupt(pub))
      await runtime.runPromise(Fiber.interrupt(sub))
      console.log(
        `lost everything, republished from ${lastAcked}: ${expected.length} events after it, delivered ${seen.length - mark}`
      )
      expect(seen.slice(mark)).toEqual(expected)
      expect(missing(all, seen)).toBe(0)
    } finally {
      await runtime.dispose()
      await server.close()
    }
  })
})
