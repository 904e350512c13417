// Core's Timers conformance suite on Redis, with the in-memory store behind (its appends write
// the timers, which every claim relays into Redis first).
import { MemoryTicketStore, Outbox, TicketStore, Timers } from "@tessera/core"
import { TimersSuite } from "@tessera/core/testing"
import { Context, Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { RedisClient, RedisTimers } from "../src/index.js"
import { dropPrefix, freshPrefix, rawClient, redisUrl } from "./support.js"

const prefix = freshPrefix("conformance")
afterAll(async () => {
  const redis = rawClient()
  await dropPrefix(redis, prefix)
  redis.disconnect()
})

const layer = Layer.effectContext(
  Effect.gen(function* () {
    const store = yield* MemoryTicketStore.makeStore()
    const timers = RedisTimers.makeWith(yield* RedisClient.RedisClient, store.timers)
    return Context.make(TicketStore.TicketStore, store.tickets).pipe(
      Context.add(Timers.Timers, timers),
      Context.add(Outbox.Outbox, store.outbox)
    )
  })
).pipe(Layer.provide(RedisClient.layer({ url: redisUrl(), prefix })))

TimersSuite.run("redis (memory store behind)", layer)
