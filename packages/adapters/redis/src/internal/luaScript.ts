/**
 * A Lua script run by its SHA1 (`EVALSHA`), sent in full (`EVAL`) only when the server does not
 * know it yet (a new server, one restarted or flushed): the bus, the intake guard and the shared
 * assignment state each keep their atomic steps in such scripts.
 */
import { createHash } from "node:crypto"
import type { StoreError } from "@tessera/core"
import type { Effect } from "effect"
import type { Redis } from "ioredis"
import { call } from "../RedisClient.js"

/** A script and its SHA1. */
export interface LuaScript {
  readonly name: string
  readonly source: string
  readonly sha: string
}

/** A script from its source. */
export const make = (name: string, source: string): LuaScript => ({
  name,
  source,
  sha: createHash("sha1").update(source).digest("hex")
})

/** Runs a script with its keys and arguments; a server that lost it gets it again. */
export const run = (
  redis: Redis,
  script: LuaScript,
  keys: ReadonlyArray<string>,
  args: ReadonlyArray<string | number>
): Effect.Effect<unknown, StoreError.StoreUnavailable> =>
  call(script.name, () =>
    redis
      .call("EVALSHA", script.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) =>
        error instanceof Error && error.message.startsWith("NOSCRIPT")
          ? redis.call("EVAL", script.source, keys.length, ...keys, ...args)
          : Promise.reject(error)
      )
  )
