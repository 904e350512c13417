/**
 * One subscriber process of the crash test: reads the bus in group `g` as consumer `node-1` and
 * records each event it handles (RPUSH of its position). On the poisoned position its handler
 * crashes the process (SIGKILL, after counting the call), as a handler that runs out of memory
 * or hits a native bug would; the entry stays pending for the next start.
 *
 * Arguments: redis URL, key prefix, poisoned position, maxDeliveries.
 */
import { Effect } from "effect"
import { Redis } from "ioredis"
import { RedisClient, RedisEventBus } from "../../src/index.js"

const [url, prefix, poisonArg, maxArg] = process.argv.slice(2) as [string, string, string, string]
const poisoned = Number(poisonArg)
const redis = new Redis(url, { maxRetriesPerRequest: 1 })

const program = RedisEventBus.subscribe(
  { group: "g", consumer: "node-1", batchSize: 4, block: 100, maxDeliveries: Number(maxArg) },
  (event) =>
    Effect.promise(async () => {
      if (event.position === poisoned) {
        await redis.incr(`${prefix}poison-calls`)
        process.kill(process.pid, "SIGKILL")
        await new Promise(() => {})
      }
      await redis.rpush(`${prefix}handled`, String(event.position))
    })
)

console.log("started")
Effect.runFork(program.pipe(Effect.provide(RedisClient.layerClient(redis, prefix))))
