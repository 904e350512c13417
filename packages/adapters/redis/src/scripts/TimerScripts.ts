/**
 * The Lua scripts behind `RedisTimers`, each one atomic on the server: add timers (a timer already
 * known is left alone, leased or not), replace a ticket's pending timers of one purpose, claim due
 * timers under a lease (expired leases first come back), complete. Scripts run by `EVALSHA`, and
 * by `EVAL` when the server answers `NOSCRIPT` (after a restart its script cache is empty).
 *
 * Keys, under the client's prefix `P` and one hash tag so that a cluster keeps them in one slot:
 * `P{timers}:data` (hash: id -> `[id, workspace, ticket, purpose, due]` as JSON, with a sixth
 * element 1 for a timer set by `replace`), per workspace `P{timers}:due:WS` (sorted set, score =
 * due time), `P{timers}:lease:WS` (sorted set, score = lease end) and `P{timers}:current:WS` (hash:
 * ticket and purpose -> the id `replace` set last).
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
local function currentKey(ws) return P .. '{timers}:current:' .. ws end
local function slot(ticket, purpose) return ticket .. '\\31' .. purpose end
`

/**
 * Adds timers, six arguments each after the prefix (id, workspace, ticket, purpose, due, JSON); a
 * timer whose id is known (due or leased) is left as it is. Returns how many were added.
 *
 * @category constructors
 * @since 0.1.0
 */
export const addAll = script(`${common}
-- One HMGET finds the known ids, one HSET and one ZADD per workspace write the new ones.
local added, seen, fields, pending = 0, {}, {}, {}
for from = 2, #ARGV, 6000 do
  local to = math.min(from + 5999, #ARGV)
  local ids = {}
  for i = from, to, 6 do ids[#ids + 1] = ARGV[i] end
  local known = redis.call('HMGET', data, unpack(ids))
  for j, id in ipairs(ids) do
    local i = from + (j - 1) * 6
    if not known[j] and not seen[id] then
      seen[id] = true
      fields[#fields + 1] = id
      fields[#fields + 1] = ARGV[i + 5]
      local ws = ARGV[i + 1]
      local list = pending[ws]
      if not list then list = {}; pending[ws] = list end
      list[#list + 1] = ARGV[i + 4]
      list[#list + 1] = id
      added = added + 1
    end
  end
end
for from = 1, #fields, 2000 do
  redis.call('HSET', data, unpack(fields, from, math.min(from + 1999, #fields)))
end
for ws, list in pairs(pending) do
  for from = 1, #list, 2000 do
    redis.call('ZADD', dueKey(ws), unpack(list, from, math.min(from + 1999, #list)))
  end
end
return added
`)

/**
 * Makes the timer given (same six arguments as `addAll`, its JSON marked) the ticket's current
 * timer of its purpose, in one step: the one the previous `replace` of that ticket and purpose set
 * is removed if it still waits (a leased one is being fired and stays). Returns the ids removed.
 *
 * @category constructors
 * @since 0.1.0
 */
export const replace = script(`${common}
local id, ws, ticket, purpose, due, json = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local current, field = currentKey(ws), slot(ticket, purpose)
local old = redis.call('HGET', current, field)
local removed = {}
if old and old ~= id and redis.call('ZREM', dueKey(ws), old) == 1 then
  redis.call('HDEL', data, old)
  removed[1] = old
end
redis.call('HSET', current, field, id)
if redis.call('HSETNX', data, id, json) == 1 then redis.call('ZADD', dueKey(ws), due, id) end
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
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'LIMIT', 0, limit)
if #ids == 0 then return {} end
local leased = {}
for i, id in ipairs(ids) do
  leased[2 * i - 1] = leaseUntil
  leased[2 * i] = id
end
local out = {}
for from = 1, #ids, 1000 do
  local to = math.min(from + 999, #ids)
  redis.call('ZREM', due, unpack(ids, from, to))
  redis.call('ZADD', lease, unpack(leased, 2 * from - 1, 2 * to))
  local values = redis.call('HMGET', data, unpack(ids, from, to))
  for i = from, to do
    out[#out + 1] = ids[i]
    out[#out + 1] = values[i - from + 1] or ''
  end
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
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local removed = {}
for from = 1, #ids, 1000 do
  local to = math.min(from + 999, #ids)
  local values = redis.call('HMGET', data, unpack(ids, from, to))
  local byWs = {}
  for i = from, to do
    local id, json = ids[i], values[i - from + 1]
    if json then
      local ok, timer = pcall(cjson.decode, json)
      if ok and type(timer) == 'table' and type(timer[2]) == 'string' then
        local list = byWs[timer[2]]
        if not list then list = {}; byWs[timer[2]] = list end
        list[#list + 1] = id
        if timer[6] == 1 and type(timer[3]) == 'string' and type(timer[4]) == 'string' then
          local current, field = currentKey(timer[2]), slot(timer[3], timer[4])
          if redis.call('HGET', current, field) == id then redis.call('HDEL', current, field) end
        end
      end
      removed[#removed + 1] = id
    end
  end
  for ws, list in pairs(byWs) do
    redis.call('ZREM', dueKey(ws), unpack(list))
    redis.call('ZREM', leaseKey(ws), unpack(list))
  end
end
for from = 1, #removed, 1000 do
  redis.call('HDEL', data, unpack(removed, from, math.min(from + 999, #removed)))
end
return #removed
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
