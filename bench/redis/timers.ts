// bench/redis, figure `timers`: timers scheduled and claimed through @tessera/redis's
// RedisTimers against raw ioredis ZADD / ZPOPMIN of the same volume, on the same server, in the
// same run.
//
// Ours: `scheduleAll` in batches of `batch` (one Lua script each: the data hash, the due set, the
// ticket's slot), then `claimDue` of `batch` (one script: expired leases back, due entries to the
// lease set, data back) and `completeAll` of what it claimed, until nothing is left. Raw: `ZADD`
// of `batch` members per command, then `ZPOPMIN key batch` until empty. Both await each command
// before the next (one client, no pipelining), so the figure is the cost per timer of what the
// adapter does more: keeping each timer's data, the lease, the completion. Redis timers without a
// store behind (`makeWith(client, undefined)`): the relay from a store is the store's cost.
// `costRatio` = µs per timer through the adapter / µs per timer raw (median of the rounds,
// alternating ours / raw after a warm-up). Target: <= 1.5.
import { type Ids, Timers } from "@tessera/core"
import { RedisTimers } from "@tessera/redis"
import { DateTime, Effect } from "effect"
import { Redis } from "ioredis"
import type { Figure, Row } from "../lib/report.js"

/**
 * What a part of bench/redis gives back: its table rows and its figures (`{ costRatio: ... }`).
 */
export interface PartResult {
  readonly rows: ReadonlyArray<Row>
  readonly figures: Readonly<Record<string, Figure>>
}

export interface TimersOptions {
  readonly url: string
  readonly timers: number
  readonly batch: number
  readonly rounds: number
  readonly log: (message: string) => void
}

const ws = "bench" as Ids.WorkspaceId
const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const dropPrefix = async (redis: Redis, prefix: string) => {
  let cursor = "0"
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000)
    cursor = next
    if (keys.length > 0) await redis.del(...keys)
  } while (cursor !== "0")
}

/** Milliseconds to schedule, then claim and complete, `count` timers through the adapter. */
const ours = async (redis: Redis, prefix: string, all: ReadonlyArray<Timers.Timer>, batch: number) => {
  const timers = RedisTimers.makeWith({ redis, prefix }, undefined)
  const now = DateTime.makeUnsafe(Date.parse("2026-12-07T12:00:00Z"))
  const started = performance.now()
  for (let i = 0; i < all.length; i += batch) await Effect.runPromise(timers.scheduleAll(all.slice(i, i + batch)))
  const scheduled = performance.now()
  let claimed = 0
  for (;;) {
    const got = await Effect.runPromise(timers.claimDue(ws, now, batch, 60_000))
    if (got.length === 0) break
    claimed += got.length
    await Effect.runPromise(timers.completeAll(got.map((t) => t.id)))
  }
  const ended = performance.now()
  if (claimed !== all.length) throw new Error(`adapter claimed ${claimed} of ${all.length} timers`)
  return { schedule: scheduled - started, claim: ended - scheduled }
}

/** Milliseconds to ZADD, then ZPOPMIN, the same timers with raw commands. */
const raw = async (redis: Redis, prefix: string, all: ReadonlyArray<Timers.Timer>, batch: number) => {
  const key = `${prefix}raw-due`
  const started = performance.now()
  for (let i = 0; i < all.length; i += batch) {
    const args: Array<string | number> = []
    for (const t of all.slice(i, i + batch)) args.push(DateTime.toEpochMillis(t.dueAt), t.id)
    await redis.zadd(key, ...args)
  }
  const scheduled = performance.now()
  let claimed = 0
  for (;;) {
    const got = await redis.zpopmin(key, batch)
    if (got.length === 0) break
    claimed += got.length / 2
  }
  const ended = performance.now()
  if (claimed !== all.length) throw new Error(`raw ZPOPMIN claimed ${claimed} of ${all.length} timers`)
  return { schedule: scheduled - started, claim: ended - scheduled }
}

/**
 * Milliseconds for raw commands doing the adapter's work, without its scripts: each timer's data
 * in a hash and its id in the due set (one pipeline), then `ZPOPMIN` of a batch, its lease set and
 * data read in a second pipeline (parsed back), and completion (`ZREM` from the lease set, `HDEL`
 * of the data). Not atomic (a crash between the pop and the lease loses the batch) and no
 * deduplication of known ids: less than the adapter guarantees, never more.
 */
const rawComparable = async (redis: Redis, prefix: string, all: ReadonlyArray<Timers.Timer>, batch: number) => {
  const due = `${prefix}cmp-due`
  const lease = `${prefix}cmp-lease`
  const data = `${prefix}cmp-data`
  const started = performance.now()
  for (let i = 0; i < all.length; i += batch) {
    const scores: Array<string | number> = []
    const fields: Array<string> = []
    for (const t of all.slice(i, i + batch)) {
      const dueAt = DateTime.toEpochMillis(t.dueAt)
      scores.push(dueAt, t.id)
      fields.push(t.id, JSON.stringify([t.id, t.workspaceId, t.ticketId, t.purpose, dueAt]))
    }
    await redis
      .pipeline()
      .hset(data, ...fields)
      .zadd(due, ...scores)
      .exec()
  }
  const scheduled = performance.now()
  let claimed = 0
  const leaseUntil = Date.now() + 60_000
  for (;;) {
    const got = await redis.zpopmin(due, batch)
    if (got.length === 0) break
    const ids = got.filter((_, i) => i % 2 === 0)
    const replies = await redis
      .pipeline()
      .zadd(lease, ...ids.flatMap((id) => [leaseUntil, id]))
      .hmget(data, ...ids)
      .exec()
    const values = (replies?.[1]?.[1] ?? []) as ReadonlyArray<string | null>
    for (const value of values) if (value !== null) JSON.parse(value)
    claimed += ids.length
    await redis
      .pipeline()
      .zrem(lease, ...ids)
      .hdel(data, ...ids)
      .exec()
  }
  const ended = performance.now()
  if (claimed !== all.length) throw new Error(`raw comparable claimed ${claimed} of ${all.length} timers`)
  return { schedule: scheduled - started, claim: ended - scheduled }
}

/** Runs the `timers` part of the bench. */
export const timers = async (options: TimersOptions): Promise<PartResult> => {
  const { url, batch, rounds, log } = options
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  const prefix = `tessera-bench:${process.pid}:`
  try {
    const base = Date.parse("2026-12-07T09:00:00Z")
    const make = (round: number) =>
      Array.from({ length: options.timers }, (_, i) =>
        Timers.make(ws, `r${round}-ticket-${i}` as Ids.TicketId, "sla", DateTime.makeUnsafe(base + (i % 10_000)))
      )
    // Warm-up: the scripts loaded, the JIT settled.
    await ours(redis, prefix, make(-1).slice(0, 2_000), batch)
    await raw(redis, prefix, make(-2).slice(0, 2_000), batch)
    await rawComparable(redis, prefix, make(-3).slice(0, 2_000), batch)
    const oursRuns: Array<{ schedule: number; claim: number }> = []
    const rawRuns: Array<{ schedule: number; claim: number }> = []
    const cmpRuns: Array<{ schedule: number; claim: number }> = []
    for (let round = 0; round < rounds; round++) {
      oursRuns.push(await ours(redis, prefix, make(round), batch))
      rawRuns.push(await raw(redis, prefix, make(round), batch))
      cmpRuns.push(await rawComparable(redis, prefix, make(round), batch))
      log(`timers round ${round + 1}/${rounds}`)
    }
    const perTimer = (ms: number) => (ms * 1000) / options.timers
    const total = (r: { schedule: number; claim: number }) => r.schedule + r.claim
    const oursUs = median(oursRuns.map((r) => perTimer(total(r))))
    const rawUs = median(rawRuns.map((r) => perTimer(total(r))))
    const cmpUs = median(cmpRuns.map((r) => perTimer(total(r))))
    const rate = (us: number) => Math.round(1e6 / us)
    const rows: Array<Row> = [
      {
        part: "timers",
        path: "RedisTimers scheduleAll + claimDue + completeAll",
        "schedule µs/timer": median(oursRuns.map((r) => perTimer(r.schedule))),
        "claim µs/timer": median(oursRuns.map((r) => perTimer(r.claim))),
        "total µs/timer": oursUs,
        "timers/s": rate(oursUs)
      },
      {
        part: "timers",
        path: "raw ZADD + ZPOPMIN",
        "schedule µs/timer": median(rawRuns.map((r) => perTimer(r.schedule))),
        "claim µs/timer": median(rawRuns.map((r) => perTimer(r.claim))),
        "total µs/timer": rawUs,
        "timers/s": rate(rawUs),
        "adapter / this": oursUs / rawUs
      },
      {
        part: "timers",
        path: "raw, comparable: data hash + due set, ZPOPMIN + lease set + data, completion",
        "schedule µs/timer": median(cmpRuns.map((r) => perTimer(r.schedule))),
        "claim µs/timer": median(cmpRuns.map((r) => perTimer(r.claim))),
        "total µs/timer": cmpUs,
        "timers/s": rate(cmpUs),
        "adapter / this": oursUs / cmpUs
      }
    ]
    return {
      rows,
      figures: {
        costRatio: {
          value: oursUs,
          unit: "µs per timer scheduled and claimed",
          baseline: `raw ioredis ZADD + ZPOPMIN of the same ${options.timers} timers in batches of ${batch}`,
          baselineValue: rawUs
        },
        costRatioComparable: {
          value: oursUs,
          unit: "µs per timer scheduled and claimed",
          baseline: `raw ioredis doing the adapter's work without scripts (data hash, due set, ZPOPMIN, lease set, completion), same ${options.timers} timers in batches of ${batch}`,
          baselineValue: cmpUs
        }
      }
    }
  } finally {
    await dropPrefix(redis, prefix)
    redis.disconnect()
  }
}
