/**
 * The assignment state of `@tessera/rules` (`AssignmentState`: the roster with its round-robin
 * cursors and loads, and what each ticket was given) on Redis, so that several app nodes assign
 * as one: the roster is one versioned record, written only by a compare-and-set Lua script that
 * also records the ticket's agent. Ranking stays in `@tessera/rules`; this module stores JSON and
 * needs no import of it (the roster's type is a parameter).
 */
import { StoreError } from "@tessera/core"
import { Effect } from "effect"
import * as Lua from "./internal/luaScript.js"
import { RedisClient } from "./RedisClient.js"

/**
 * Options: the state's `name` (one per roster; default `default`), the roster to start from when
 * Redis holds none, and how long what a ticket was given is remembered (default 7 days).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<Roster> {
  readonly name?: string
  readonly initial: Roster
  readonly rememberMillis?: number
}

/**
 * The state's operations, the shape of `@tessera/rules`'s `AssignmentState.AssignmentState`
 * with the roster's type as a parameter.
 *
 * @category models
 * @since 0.1.0
 */
export interface State<Roster> {
  /** The roster, its version, and the agent already given for `key` (a ticket) if any. */
  readonly read: (key: string) => Effect.Effect<
    {
      readonly roster: Roster
      readonly version: number
      readonly given: { readonly agent: string | undefined } | undefined
    },
    StoreError.StoreError
  >
  /** Writes the new roster and the agent given for `key` if the version is still `expected`; false when another node wrote first. */
  readonly commit: (
    expected: number,
    key: string,
    agent: string | undefined,
    roster: Roster
  ) => Effect.Effect<boolean, StoreError.StoreError>
  /** Replaces the roster (agents came or went). */
  readonly set: (roster: Roster) => Effect.Effect<void, StoreError.StoreError>
}

// KEYS: state hash, the request's given key. Gives roster (or false), version, given (or false).
const readScript = Lua.make(
  "assign.read",
  `local state = redis.call('HMGET', KEYS[1], 'roster', 'version')
return {state[1], state[2] or '0', redis.call('GET', KEYS[2])}`
)

// KEYS: state hash, given key. ARGV: expected version, roster JSON, given value, remember ms.
const commitScript = Lua.make(
  "assign.commit",
  `local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'roster', ARGV[2], 'version', version + 1)
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return 1`
)

// KEYS: state hash. ARGV: roster JSON.
const setScript = Lua.make(
  "assign.set",
  `redis.call('HSET', KEYS[1], 'roster', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 0`
)

const parse = <Roster>(text: string): Effect.Effect<Roster, StoreError.StoreUnavailable> =>
  Effect.try({
    try: () => JSON.parse(text) as Roster,
    catch: (cause) =>
      new StoreError.StoreUnavailable({ operation: "assign.read", reason: "the stored roster is not JSON", cause })
  })

/**
 * Builds the state on the client in context.
 *
 * @example
 * const state = yield* RedisAssignmentState.make({ initial: roster })
 * const triggers = RuleTriggers.make(rules, { assign: RuleTriggers.sharedAssigner(state).assign })
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <Roster>(options: Options<Roster>): Effect.Effect<State<Roster>, never, RedisClient> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    const base = `${prefix}assign:${options.name ?? "default"}`
    const stateKey = `${base}:state`
    const givenKey = (key: string) => `${base}:given:${key}`
    const remember = Math.max(1, Math.round(options.rememberMillis ?? 7 * 24 * 60 * 60 * 1000))
    return {
      read: (key) =>
        Effect.gen(function* () {
          const [roster, version, given] = (yield* Lua.run(redis, readScript, [stateKey, givenKey(key)], [])) as [
            string | null,
            string,
            string | null
          ]
          return {
            roster: roster === null ? options.initial : yield* parse<Roster>(roster),
            version: Number(version),
            // `=agent`, or `-` for a request nobody could take.
            given: given === null ? undefined : { agent: given.startsWith("=") ? given.slice(1) : undefined }
          }
        }),
      commit: (expected, key, agent, roster) =>
        Effect.map(
          Lua.run(
            redis,
            commitScript,
            [stateKey, givenKey(key)],
            [expected, JSON.stringify(roster), agent === undefined ? "-" : `=${agent}`, remember]
          ),
          (written) => Number(written) === 1
        ),
      set: (roster) => Effect.asVoid(Lua.run(redis, setScript, [stateKey], [JSON.stringify(roster)]))
    }
  })
