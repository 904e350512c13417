/**
 * The Lua scripts behind `RedisTimers`, each one atomic on the server: add timers (a timer already
 * known is left alone, leased or not), replace a ticket's pending timers of one purpose, claim due
 * timers under a lease (expired leases first come back), complete. Scripts run by `EVALSHA`, and
 * by `EVAL` when the server answers `NOSCRIPT` (after a restart its script cache is empty).
 *
 * Keys, under the client's prefix `P` and one hash tag so that a cluster keeps them in one slot:
 * `P{timers}:data` (hash: id -> `[id, workspace, ticket, purpose, due]` as JSON), per workspace
 * `P{timers}:due:WS` (sorted set, score = due time) and `P{timers}:lease:WS` (sorted set, score =
 * lease end), and per ticket and purpose `P{timers}:slot:WS:TICKET:PURPOSE` (set of timer ids).
 */
import { createHash } from "node:crypto"
import type { Redis } from "ioredis"

/**
 * A Lua script and its SHA-1 (what `EVALSHA` names it by).
 *
 * @category models
 * @since 0.1.0
 */
export interface Script {
  readonly lua: string
  readonly sha: string
}

const script = (lua: string): Script => ({ lua, sha: createHash("sha1").update(lua).digest("hex") })

/**
 * Runs `s` with no declared keys: `EVALSHA`, then `EVAL` once if the server no longer knows it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const evaluate = (redis: Redis, s: Script, args: ReadonlyArray<string | number>): Promise<unknown> =>
  redis
    .evalsha(s.sha, 0, ...args)
    .catch((error: unknown) =>
      error instanceof Error && error.message.startsWith("NOSCRIPT")
        ? redis.eval(s.lua, 0, ...args)
        : Promise.reject(error)
    )

// Shared by the scripts: key names and the one way a timer is added.
const common = `
local P = ARGV[1]
local data = P .. '{timers}:data'
local function dueKey(ws) return P .. '{timers}:due:' .. ws end
local function leaseKey(ws) return P .. '{timers}:lease:' .. ws end
local function slotKey(ws, ticket, purpose) return P .. '{timers}:slot:' .. ws .. ':' .. ticket .. ':' .. purpose end
local function add(id, ws, ticket, purpose, due, json)
  if redis.call('HSETNX', data, id, json) == 0 then return 0 end
  redis.call('ZADD', dueKey(ws), due, id)
  redis.call('SADD', slotKey(ws, ticket, purpose), id)
  return 1
end
`

/**
 * Adds timers, six arguments each after the prefix (id, workspace, ticket, purpose, due, JSON); a
 * timer whose id is known (due or leased) is left as it is. Returns how many were added.
 *
 * @category constructors
 * @since 0.1.0
 */
export const addAll = script(`${common}
local added = 0
for i = 2, #ARGV, 6 do
  added = added + add(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
end
return added
`)

/**
 * Replaces the pending (not leased) timers of the ticket and purpose with the one given (same six
 * arguments as `addAll`), in one step; a leased timer is being fired and stays. Returns the ids
 * it removed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const replace = script(`${common}
local id, ws, ticket, purpose = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local slot = slotKey(ws, ticket, purpose)
local removed = {}
for _, old in ipairs(redis.call('SMEMBERS', slot)) do
  if old ~= id and redis.call('ZREM', dueKey(ws), old) == 1 then
    redis.call('HDEL', data, old)
    redis.call('SREM', slot, old)
    removed[#removed + 1] = old
  end
end
add(id, ws, ticket, purpose, ARGV[6], ARGV[7])
return removed
`)

/**
 * Claims a workspace's due timers (prefix, workspace, now, limit, lease end): leases that ended
 * by now put their timers back first, then the earliest due timers up to the limit move to the
 * lease set. Returns id, JSON, id, JSON, ...
 *
 * @category constructors
 * @since 0.1.0
 */
export const claim = script(`${common}
local ws, now, limit, leaseUntil = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local due, lease = dueKey(ws), leaseKey(ws)
for _, id in ipairs(redis.call('ZRANGEBYSCORE', lease, '-inf', now)) do
  redis.call('ZREM', lease, id)
  local json = redis.call('HGET', data, id)
  if json then
    local ok, timer = pcall(cjson.decode, json)
    redis.call('ZADD', due, (ok and type(timer) == 'table' and tonumber(timer[5])) or 0, id)
  end
end
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)) do
  redis.call('ZREM', due, id)
  redis.call('ZADD', lease, leaseUntil, id)
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', data, id) or ''
end
return out
`)

/**
 * Removes timers by id (prefix, then ids), wherever they are. Returns how many existed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const complete = script(`${common}
local removed = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local json = redis.call('HGET', data, id)
  if json then
    local ok, timer = pcall(cjson.decode, json)
    if ok and type(timer) == 'table' and timer[2] then
      redis.call('ZREM', dueKey(timer[2]), id)
      redis.call('ZREM', leaseKey(timer[2]), id)
      if timer[3] and timer[4] then redis.call('SREM', slotKey(timer[2], timer[3], timer[4]), id) end
    end
    redis.call('HDEL', data, id)
    removed = removed + 1
  end
end
return removed
`)

/**
 * Removes an entry that does not decode from a workspace's sets and the data (prefix, workspace, id).
 *
 * @category constructors
 * @since 0.1.0
 */
export const drop = script(`${common}
redis.call('ZREM', dueKey(ARGV[2]), ARGV[3])
redis.call('ZREM', leaseKey(ARGV[2]), ARGV[3])
return redis.call('HDEL', data, ARGV[3])
`)
