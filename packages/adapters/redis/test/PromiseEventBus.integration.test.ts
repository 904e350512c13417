/**
 * The Promise facade of the bus: a Promise handler receives every event, in order, until the
 * returned function stops it; an unreachable Redis rejects with the typed `StoreUnavailable`.
 */
import { type EventFeed, Helpdesk, MemoryHelpdesk, TicketStore } from "@tessera/core"
import { PromiseEventBus, RedisClient, RedisEventPublisher } from "@tessera/redis"
import { Effect, Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { dropPrefix, freePort, redisUrl, uniquePrefix, waitUntil } from "./support/localRedis.js"

const prefix = uniquePrefix("bus-promise")
afterAll(() => dropPrefix(redisUrl(), prefix))

describe("PromiseEventBus", () => {
  it("a Promise handler gets every event in position order until stopped", async () => {
    const committed = await Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        for (let i = 0; i < 5; i++)
          yield* helpdesk.open({ requester: { email: "jo@example.com" }, subject: `Q${i}`, text: "?", channel: "web" })
        yield* RedisEventPublisher.publishOnce()
        return yield* Effect.flatMap(TicketStore.TicketStore, (store) => store.readAll(0, 100))
      }).pipe(
        Effect.provide(
          Layer.merge(
            MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" }),
            RedisClient.layer({ url: redisUrl(), prefix })
          )
        )
      )
    )
    const seen: Array<EventFeed.CommittedEvent> = []
    const stop = await PromiseEventBus.subscribe(
      { connection: { url: redisUrl(), prefix }, group: "promise", consumer: "p1", block: 100 },
      async (event) => {
        seen.push(event)
      }
    )
    await waitUntil("every event handled", () => seen.length >= committed.length)
    await stop()
    expect(seen.map((e) => e.position)).toEqual(committed.map((e) => e.position))
    expect(seen[0]?.event._tag).toBe("TicketOpened")
  })

  it("rejects with StoreUnavailable when Redis cannot be reached", async () => {
    const port = await freePort()
    await expect(
      PromiseEventBus.subscribe(
        {
          connection: { url: `redis://127.0.0.1:${port}`, options: { retryStrategy: () => null } },
          group: "g",
          consumer: "c"
        },
        () => undefined
      )
    ).rejects.toMatchObject({ _tag: "StoreUnavailable" })
  })
})
