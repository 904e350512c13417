/**
 * One worker process of the multi-process timer test: claims the workspace's due timers from
 * Redis (batches of 50, under a lease), runs each one's handler and completes it, until every
 * timer has a result. The handler counts its executions and records its result with an
 * idempotent write keyed by the timer id (HSETNX); a write that finds a result already there is
 * logged as a duplicate with the worker that holds it, for the parent to judge. Each claimed batch
 * is announced on stdout before a short pause, so the parent can kill a worker that holds a lease.
 *
 * Arguments: redis URL, key prefix, workspace, worker name, lease (ms), total timers.
 */
import type { Ids, Timers } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { Redis } from "ioredis"
import { RedisTimers } from "../../src/index.js"

const [url, prefix, workspace, worker, leaseArg, totalArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string
]
const lease = Number(leaseArg)
const total = Number(totalArg)
const ws = workspace as Ids.WorkspaceId
const redis = new Redis(url, { maxRetriesPerRequest: 1 })
const timers = RedisTimers.makeWith({ redis, prefix }, undefined)
const results = `${prefix}results`
const executions = `${prefix}executions`
const duplicates = `${prefix}duplicates`

const handle = async (timer: Timers.Timer) => {
  await redis.hincrby(executions, timer.id, 1)
  if ((await redis.hsetnx(results, timer.id, worker)) === 0) {
    await redis.rpush(duplicates, `${timer.id} ${worker} ${await redis.hget(results, timer.id)}`)
  }
}

let handled = 0
for (;;) {
  const batch = await Effect.runPromise(timers.claimDue(ws, DateTime.makeUnsafe(Date.now()), 50, lease))
  if (batch.length === 0) {
    if ((await redis.hlen(results)) >= total) break
    await new Promise((resolve) => setTimeout(resolve, 20))
    continue
  }
  // Say so (the parent kills a worker right after this line, while it holds the batch's lease),
  // then "work" a moment before the handlers start.
  process.stdout.write(`claimed ${batch.length}\n`)
  await new Promise((resolve) => setTimeout(resolve, 20))
  // The batch's handlers run side by side (ioredis pipelines their commands); each completes its timer.
  await Promise.all(
    batch.map(async (timer) => {
      await handle(timer)
      await Effect.runPromise(timers.complete(timer.id))
      handled++
    })
  )
}
process.stdout.write(`${worker} handled ${handled}\n`)
redis.disconnect()
