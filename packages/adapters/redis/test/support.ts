/**
 * What the Redis tests share: the server's URL (`TESSERA_REDIS_URL`, required: a test without it
 * fails, never skips), a key prefix of their own per test so that runs on one server keep apart,
 * and the removal of a prefix's keys at the end.
 */
import { randomUUID } from "node:crypto"
import { Redis } from "ioredis"

/** The test server's URL; throws (failing the test) when it is not set. */
export const redisUrl = (): string => {
  const url = process.env.TESSERA_REDIS_URL
  if (url === undefined || url === "") {
    throw new Error(
      "TESSERA_REDIS_URL is not set: the Redis tests need a redis-server (scripts/test-all.sh starts one)"
    )
  }
  return url
}

/** A prefix no other test uses. */
export const freshPrefix = (label: string): string => `tessera-test:${label}:${randomUUID().slice(0, 8)}:`

/** A plain ioredis client on the test server, for the checks the tests make beside the adapter. */
export const rawClient = (url = redisUrl()): Redis => new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 })

/** Deletes every key under `prefix`. */
export const dropPrefix = async (redis: Redis, prefix: string): Promise<number> => {
  let cursor = "0"
  let removed = 0
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000)
    cursor = next
    if (keys.length > 0) removed += await redis.del(...keys)
  } while (cursor !== "0")
  return removed
}
