/**
 * The publishing half of the event bus: it follows the store's ordered event feed
 * (`TicketStore.readAll`) from its own checkpoint and appends each committed event to a Redis
 * Stream under the id `<position>-0`. One Lua script per batch adds the entries and moves the
 * checkpoint together, and skips every position the stream already holds, so a publisher that
 * dies and resumes re-adds nothing and skips nothing, and several publishers are harmless
 * together (they only repeat each other's reads). Reading the stream is `RedisEventBus`'s part.
 */
import { type StoreError, type TicketEvent, TicketStore } from "@tessera/core"
import { type Duration, Effect, Layer } from "effect"
import * as Lua from "./internal/luaScript.js"
import { call, RedisClient } from "./RedisClient.js"
import { keysOf, type StreamOptions } from "./RedisEventBus.js"

/**
 * How a publisher follows the feed: the stream it writes (`RedisEventBus.StreamOptions`), how
 * many events a batch holds (default 100), how long it waits when the feed has nothing new
 * (default 100 ms), and the stream's trimming (`maxLength`: keep about that many entries,
 * `XTRIM MAXLEN ~`; none by default, see `RedisEventBus.trimAcknowledged` for trimming what
 * every group has acknowledged).
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends StreamOptions {
  readonly batchSize?: number
  readonly idle?: Duration.Input
  readonly maxLength?: number
}

/**
 * What one round published: the events read, the entries added, and the checkpoint after it (the last position
 * the stream holds).
 *
 * @category models
 * @since 0.1.0
 */
export interface Published {
  /** Events read from the feed this round. */
  readonly read: number
  readonly added: number
  readonly checkpoint: number
}

// ARGV: maxLength (0 for none), then five per event: position, ticket, workspace, version, event.
// A position at or below the checkpoint, or below the stream's top entry (a checkpoint lost on
// its own), is already there: skipped. Positions are compared as numbers (safe integers are
// exact in Lua's doubles) and written back as the strings they came as.
const publishScript = Lua.make(
  "bus.publish",
  `local checkpoint = tonumber(redis.call('GET', KEYS[2]) or '0')
local last, lastText, added = checkpoint, nil, 0
for i = 2, #ARGV, 5 do
  local position = tonumber(ARGV[i])
  if position > checkpoint then
    local ok = redis.pcall('XADD', KEYS[1], ARGV[i] .. '-0', 't', ARGV[i + 1], 'w', ARGV[i + 2], 'v', ARGV[i + 3], 'e', ARGV[i + 4])
    if type(ok) == 'table' and ok.err then
      if not string.find(ok.err, 'equal or smaller', 1, true) then return ok end
    else
      added = added + 1
    end
    if position > last then last, lastText = position, ARGV[i] end
  end
end
if lastText then redis.call('SET', KEYS[2], lastText) end
if tonumber(ARGV[1]) > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[1]) end
return {added, lastText or tostring(checkpoint)}`
)

/**
 * An event as an entry carries it: core's JSON form (`TicketEvent.TicketEventJson`). Events are
 * schema classes whose JSON is their encoding (dates as ISO strings, optional keys absent), so
 * `JSON.stringify` writes it, four times faster than the schema's encoder; a property test holds
 * the two equal on every event the arbitraries make.
 *
 * @category combinators
 * @since 0.1.0
 */
export const encodeEvent = (event: TicketEvent.TicketEvent): string => JSON.stringify(event)

/**
 * The publisher's checkpoint: the last position the stream holds (0 when it holds none, or
 * Redis lost it: the publisher then starts over from the feed's first event).
 *
 * @category combinators
 * @since 0.1.0
 */
export const checkpoint = (
  options: StreamOptions = {}
): Effect.Effect<number, StoreError.StoreUnavailable, RedisClient> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    const text = yield* call("bus.checkpoint", () => redis.get(keysOf(prefix, options).checkpoint))
    const value = text === null ? 0 : Number(text)
    return Number.isSafeInteger(value) && value >= 0 ? value : 0
  })

/**
 * Sets the checkpoint back (never forward past what the stream holds is the caller's care):
 * the next round republishes from `position`, adding only what the stream lacks. For a stream
 * rebuilt from the store after Redis lost it, `0` or the lowest position a subscriber
 * acknowledged.
 *
 * @category commands
 * @since 0.1.0
 */
export const rewind = (
  position: number,
  options: StreamOptions = {}
): Effect.Effect<void, StoreError.StoreUnavailable, RedisClient> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    yield* call("bus.rewind", () => redis.set(keysOf(prefix, options).checkpoint, String(Math.max(0, position))))
  })

/**
 * One round: reads up to `batchSize` events after the checkpoint from the store's feed and
 * publishes them with the checkpoint, atomically.
 *
 * @category commands
 * @since 0.1.0
 */
export const publishOnce = (
  options: Options = {}
): Effect.Effect<Published, StoreError.StoreError, RedisClient | TicketStore.TicketStore> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    const store = yield* TicketStore.TicketStore
    const keys = keysOf(prefix, options)
    const after = yield* checkpoint(options)
    const events = yield* store.readAll(after, Math.max(1, options.batchSize ?? 100))
    if (events.length === 0) return { read: 0, added: 0, checkpoint: after }
    const args: Array<string | number> = [Math.max(0, Math.floor(options.maxLength ?? 0))]
    for (const committed of events) {
      args.push(
        String(committed.position),
        committed.ticketId,
        committed.workspaceId ?? "",
        committed.version,
        encodeEvent(committed.event)
      )
    }
    const reply = yield* Lua.run(redis, publishScript, [keys.stream, keys.checkpoint], args)
    const [added, last] = reply as [number, string]
    return { read: events.length, added: Number(added), checkpoint: Number(last) }
  })

/**
 * Publishes for as long as it runs: a round right after a full one, a pause of `idle` after one
 * that found the feed caught up, and after a failure (Redis or the store unavailable: logged) a
 * pause of `retryDelay` (default 1 second) before the next round. Never fails; interrupt it to stop.
 *
 * @category commands
 * @since 0.1.0
 */
export const run = (
  options: Options & { readonly retryDelay?: Duration.Input } = {}
): Effect.Effect<never, never, RedisClient | TicketStore.TicketStore> => {
  const idle = options.idle ?? 100
  const batchSize = Math.max(1, options.batchSize ?? 100)
  const round = publishOnce(options).pipe(
    Effect.flatMap((published) => (published.read >= batchSize ? Effect.void : Effect.sleep(idle))),
    Effect.catch((error) =>
      Effect.logWarning(`event bus publisher: ${error.message}`).pipe(
        Effect.andThen(Effect.sleep(options.retryDelay ?? 1_000))
      )
    )
  )
  return Effect.forever(round)
}

/**
 * A publisher running for the layer's lifetime (`run`, forked in the layer's scope).
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (options: Options = {}): Layer.Layer<never, never, RedisClient | TicketStore.TicketStore> =>
  Layer.effectDiscard(Effect.forkScoped(run(options)))
