/**
 * Core's `IntakeGuard` on Redis, shared by every process on the server: idempotency claims and
 * sliding-window counts are each one Lua script, so a claim or a count is atomic across
 * processes (which is what makes intake idempotent between them). Time is the caller's: `now`
 * comes from Effect's `Clock` and goes into the scripts (never Redis `TIME`), so expiries and
 * windows follow a `TestClock`; Redis's own expiry only collects keys some time after they lapsed.
 */
import { IntakeGuard } from "@tessera/core"
import { Clock, Effect, Layer } from "effect"
import * as Lua from "./internal/luaScript.js"
import { RedisClient } from "./RedisClient.js"

/**
 * Options: `margin`, how long after it lapsed (by the `Clock`) a key stays in Redis before
 * Redis collects it (default 1 minute; clocks of processes and of Redis may differ by less).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly margin?: number
}

// A claim is `C|<until>`, a completed key `D|<until>|<result>`; `until` is epoch ms by the Clock.
// ARGV: now, ttl, margin.
const claimScript = Lua.make(
  "guard.claim",
  `local now, ttl, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local value = redis.call('GET', KEYS[1])
if value then
  local state, untilText, result = string.match(value, '^(%a)|(%-?%d+)|?(.*)$')
  if state and tonumber(untilText) > now then
    if state == 'D' then return {'Done', result} end
    return {'InProgress'}
  end
end
redis.call('SET', KEYS[1], 'C|' .. string.format('%d', now + ttl), 'PX', math.max(1, ttl + margin))
return {'Claimed'}`
)

// ARGV: none. Gives a claim up; a completed key stays.
const releaseScript = Lua.make(
  "guard.release",
  `local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, 2) == 'C|' then redis.call('DEL', KEYS[1]) end
return 0`
)

// KEYS: the window's sorted set, its sequence. ARGV: now, window, margin. The window holds the
// counts made after now - window; each member is unique (time and sequence).
const countScript = Lua.make(
  "guard.count",
  `local now, window, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - window))
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1] .. ':' .. seq)
local count = redis.call('ZCARD', KEYS[1])
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local keep = math.max(1, window + margin)
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return {count, oldest[2]}`
)

// ARGV: the value, its expiry in ms. A plain SET, as a script so every write of the guard is one.
const completeScript = Lua.make("guard.complete", `redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\nreturn 0`)

const asMillis = (n: number) => Math.max(0, Math.round(n))

/**
 * Builds the guard on the client in context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<IntakeGuard.IntakeGuard["Service"], never, RedisClient> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    const margin = asMillis(options.margin ?? 60_000)
    const claimKey = (key: string) => `${prefix}guard:claim:${key}`
    const windowKey = (key: string) => `${prefix}guard:rate:${key}`
    return IntakeGuard.IntakeGuard.of({
      claim: (key, ttlMillis) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const reply = (yield* Lua.run(redis, claimScript, [claimKey(key)], [now, asMillis(ttlMillis), margin])) as
            | ["Claimed"]
            | ["InProgress"]
            | ["Done", string]
          return reply[0] === "Done" ? { _tag: "Done" as const, result: reply[1] } : { _tag: reply[0] }
        }),
      complete: (key, result, ttlMillis) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const ttl = asMillis(ttlMillis)
          yield* Lua.run(
            redis,
            completeScript,
            [claimKey(key)],
            [`D|${now + ttl}|${result}`, Math.max(1, ttl + margin)]
          )
        }),
      release: (key) => Effect.asVoid(Lua.run(redis, releaseScript, [claimKey(key)], [])),
      count: (key, limit, windowMillis) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const window = asMillis(windowMillis)
          const [count, oldest] = (yield* Lua.run(
            redis,
            countScript,
            [windowKey(key), `${windowKey(key)}:seq`],
            [now, window, margin]
          )) as [number, string]
          const counted = Number(count)
          return { allowed: counted <= limit, count: counted, resetAt: Number(oldest) + window }
        })
    })
  })

/**
 * The guard as a layer over the client in context (`RedisClient.layer` or `layerClient`).
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<IntakeGuard.IntakeGuard, never, RedisClient> =>
  Layer.effect(IntakeGuard.IntakeGuard, make(options))
