/**
 * #19: an event whose handler crashes its consumer process came back after every restart, for
 * ever (its entry stays pending, and the restarted consumer reads its own pending entries first).
 * Here a real subscriber process dies by SIGKILL on one event and is started again each time:
 * once Redis's delivery count of that entry passes `maxDeliveries`, the entry goes to the
 * dead-letter stream unhandled and the subscriber carries on with the rest.
 */
import { join } from "node:path"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { RedisClient, RedisEventBus, RedisEventPublisher } from "@tessera/redis"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { type Child, exited, killAll, start } from "./children.js"
import { redisUrl, uniquePrefix } from "./support/localRedis.js"
import { dropPrefix, rawClient } from "./support.js"

const raw = rawClient()
const prefixes: Array<string> = []
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(raw, prefix)
  raw.disconnect()
})

const entry = join(import.meta.dirname, "bus", "consumer.ts")

describe("a handler that crashes its consumer process", () => {
  it("is given its event at most maxDeliveries times; then the entry is dead-lettered and the rest handled", async () => {
    const prefix = uniquePrefix("bus-crash")
    prefixes.push(prefix)
    const maxDeliveries = 3
    const runtime = ManagedRuntime.make(
      Layer.merge(
        MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" }),
        RedisClient.layer({ url: redisUrl(), prefix })
      )
    )
    const positions = await runtime.runPromise(
      Effect.gen(function* () {
        const desk = yield* Helpdesk.Helpdesk
        for (let i = 0; i < 6; i++) {
          yield* desk.open({
            requester: { email: `customer${i}@example.com` },
            subject: `Crash ${i}`,
            text: "x",
            channel: "email"
          })
        }
        yield* RedisEventPublisher.publishOnce({ batchSize: 100 })
        const { redis } = yield* RedisClient.RedisClient
        const entries = yield* Effect.promise(() => redis.xrange(RedisEventBus.keysOf(prefix).stream, "-", "+"))
        return entries.map(([id]) => RedisEventBus.positionOf(id) ?? 0)
      })
    )
    await runtime.dispose()
    const poisoned = positions[2] as number
    const keys = RedisEventBus.keysOf(prefix)
    await raw.xgroup("CREATE", keys.stream, "g", "0")
    const children: Array<Child> = []
    let crashes = 0
    try {
      // Restarted after each crash, as a process supervisor would; ten starts at most.
      for (let run = 0; run < 10; run++) {
        const child = await start(entry, [redisUrl(), prefix, String(poisoned), String(maxDeliveries)])
        children.push(child)
        const outcome = await Promise.race([
          exited(child),
          (async () => {
            const deadline = Date.now() + 20_000
            for (;;) {
              const handled = new Set(await raw.lrange(`${prefix}handled`, 0, -1))
              const pending = Number(((await raw.xpending(keys.stream, "g")) as [number])[0])
              if (handled.size === positions.length - 1 && pending === 0) return "done"
              if (Date.now() > deadline) return "timeout"
              await new Promise((r) => setTimeout(r, 50))
            }
          })()
        ])
        if (outcome === "SIGKILL") {
          crashes++
          continue
        }
        const state = `crashes ${crashes}, handled ${await raw.lrange(`${prefix}handled`, 0, -1)}, pending ${JSON.stringify(await raw.xpending(keys.stream, "g"))}, dead ${await raw.xlen(keys.dead)}, calls ${await raw.get(`${prefix}poison-calls`)} of ${positions} poison ${poisoned}`
        expect(outcome, `${state}\n${child.stdout()}${child.stderr()}`).toBe("done")
        break
      }
      const calls = Number(await raw.get(`${prefix}poison-calls`))
      const dead = await raw.xrange(keys.dead, "-", "+")
      const handled = await raw.lrange(`${prefix}handled`, 0, -1)
      console.log(
        `crash test: ${crashes} crashes on position ${poisoned}, its handler called ${calls} times ` +
          `(maxDeliveries ${maxDeliveries}), ${dead.length} dead letter(s), ` +
          `${new Set(handled).size} of ${positions.length - 1} other events handled (${handled.length} calls)`
      )
      expect(crashes).toBe(maxDeliveries)
      expect(calls).toBe(maxDeliveries)
      expect(dead).toHaveLength(1)
      const fields = dead[0]?.[1] ?? []
      expect(fields.slice(0, 6)).toEqual(["id", `${poisoned}-0`, "group", "g", "consumer", "node-1"])
      expect(fields[7]).toContain(`delivered ${maxDeliveries + 1} times without an acknowledgement`)
      expect([...new Set(handled)].map(Number).sort((a, b) => a - b)).toEqual(positions.filter((p) => p !== poisoned))
    } finally {
      killAll(children)
    }
  }, 120_000)
})
