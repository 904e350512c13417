/**
 * The reading half of the event bus: subscribers in Redis consumer groups read the stream that
 * `RedisEventPublisher` writes from the store's feed, each entry one committed event under the id
 * `<position>-0`, decoded back to core's `CommittedEvent`. Delivery is at least once: an entry is
 * acknowledged (`XACK`) only after the handler succeeded, a restarted subscriber first takes back
 * its own unacknowledged entries, and the entries a dead consumer left pending are claimed by
 * another (`XAUTOCLAIM`) once idle long enough; such pending entries are delivered again one at a
 * time, so Redis's delivery count of each counts the handlers it reached. A handler that keeps
 * failing is retried, then its entry is moved to a dead-letter stream and acknowledged, and so is
 * an entry delivered more than `maxDeliveries` times (a handler that crashes its process); a
 * handler must therefore be idempotent (the event's position is a ready key).
 */
import { type EventFeed, Ids, type StoreError, TicketEvent } from "@tessera/core"
import { Cause, Duration, Effect, Exit, Result, Schedule, Schema } from "effect"
import type { Redis } from "ioredis"
import { call, RedisClient } from "./RedisClient.js"

/**
 * Which stream: `stream` names it under the client's prefix (default `events`).
 *
 * @category models
 * @since 0.1.0
 */
export interface StreamOptions {
  readonly stream?: string
}

/**
 * The keys of a stream: the stream, the publisher's checkpoint and the dead letters.
 *
 * @category models
 * @since 0.1.0
 */
export interface Keys {
  readonly stream: string
  readonly checkpoint: string
  readonly dead: string
}

/**
 * The keys of a stream under a prefix.
 *
 * @category constructors
 * @since 0.1.0
 */
export const keysOf = (prefix: string, options: StreamOptions = {}): Keys => {
  const stream = `${prefix}bus:${options.stream ?? "events"}`
  return { stream, checkpoint: `${stream}:checkpoint`, dead: `${stream}:dead` }
}

/**
 * How an event travels in an entry (core's JSON form of a `TicketEvent`).
 *
 * @category models
 * @since 0.1.0
 */
export const TicketEventJson = TicketEvent.TicketEventJson

/**
 * How a subscriber reads. `group` and `consumer` are required: a consumer keeps its name across
 * restarts to take back its own unacknowledged entries. Defaults: 100 entries a read, reads that
 * wait up to 1 second for new entries (`block`), entries idle 30 seconds at another consumer
 * claimed (`claimIdle`: longer than a handler may take), 5 attempts per entry 100 ms apart
 * before it is dead-lettered, at most 10 deliveries of an entry (`maxDeliveries`), and a new
 * group that starts at the oldest entry the stream holds (`from: "start"`; `"end"` for new
 * entries only).
 *
 * @category models
 * @since 0.1.0
 */
export interface SubscribeOptions extends StreamOptions {
  readonly group: string
  readonly consumer: string
  readonly batchSize?: number
  readonly block?: Duration.Input
  readonly claimIdle?: Duration.Input
  readonly attempts?: number
  readonly retryDelay?: Duration.Input
  /**
   * How many times an entry may be delivered (to any consumer of the group, Redis's delivery
   * count) before it is dead-lettered unhandled (default 10). An entry comes back without an
   * acknowledgement when its consumer stopped while handling it: a handler that crashes its
   * process on one event would otherwise be given that event again after every restart.
   */
  readonly maxDeliveries?: number
  readonly from?: "start" | "end"
}

/**
 * An entry decoded: the committed event, as the store's feed gave it.
 *
 * @category models
 * @since 0.1.0
 */
export type Delivered = EventFeed.CommittedEvent

/** An entry as Redis gives it: its id and its fields (none when it was trimmed meanwhile). */
type RawEntry = readonly [id: string, fields: ReadonlyArray<string> | null]

const decodeUnion = Schema.decodeUnknownResult(TicketEvent.TicketEvent)
// Each event decoded by its own class, found by its tag: twice as fast as trying the union's. The
// decoding is the schema's own, run synchronously (`Result`): an Effect per entry cost as much again.
const decodeByTag = new Map<string, (input: unknown) => Result.Result<TicketEvent.TicketEvent, Schema.SchemaError>>(
  TicketEvent.TicketEvent.members.map((member) => [
    member.identifier,
    Schema.decodeUnknownResult(member as Schema.Codec<TicketEvent.TicketEvent, unknown>)
  ])
)
const decodeEvent = (json: string | undefined): Result.Result<TicketEvent.TicketEvent, string> => {
  let input: unknown
  try {
    input = JSON.parse(json ?? "")
  } catch {
    return Result.fail("the event is not JSON")
  }
  const tag = typeof input === "object" && input !== null ? (input as { _tag?: unknown })._tag : undefined
  const decode = (typeof tag === "string" ? decodeByTag.get(tag) : undefined) ?? decodeUnion
  return Result.mapError(decode(input), (error) => error.message)
}
const isTicketId = Schema.is(Ids.TicketId)
const isWorkspaceId = Schema.is(Ids.WorkspaceId)

/**
 * The position an entry id stands for (`<position>-0`), if it is one.
 *
 * @category combinators
 * @since 0.1.0
 */
export const positionOf = (id: string): number | undefined => {
  const position = Number(id.split("-")[0])
  return Number.isSafeInteger(position) && position > 0 ? position : undefined
}

/**
 * `decodeEntry` as a `Result`, with no Effect around it: what the subscriber runs on each entry.
 *
 * @category combinators
 * @since 0.1.0
 */
export const decodeEntryResult = (id: string, fields: ReadonlyArray<string>): Result.Result<Delivered, string> => {
  let ticketId: string | undefined
  let workspace = ""
  let versionText: string | undefined
  let json: string | undefined
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1] as string
    switch (fields[i]) {
      case "t":
        ticketId = value
        break
      case "w":
        workspace = value
        break
      case "v":
        versionText = value
        break
      case "e":
        json = value
        break
    }
  }
  const position = positionOf(id)
  const version = Number(versionText)
  if (position === undefined) return Result.fail(`entry id ${id} is no position`)
  if (!isTicketId(ticketId)) return Result.fail(`entry ${id} names no ticket`)
  if (workspace !== "" && !isWorkspaceId(workspace)) return Result.fail(`entry ${id} names no workspace`)
  if (!Number.isSafeInteger(version) || version < 1) return Result.fail(`entry ${id} has no version`)
  const event = decodeEvent(json)
  if (Result.isFailure(event)) return Result.fail(`entry ${id}: ${event.failure}`)
  return Result.succeed({
    position,
    ticketId,
    workspaceId: workspace === "" ? undefined : workspace,
    version,
    event: event.success
  })
}

/**
 * Decodes an entry into the committed event it carries; fails with the reason when it is none
 * (an entry written by something else than the publisher).
 *
 * @category combinators
 * @since 0.1.0
 */
export const decodeEntry = (id: string, fields: ReadonlyArray<string>): Effect.Effect<Delivered, string> =>
  Effect.suspend(() => Effect.fromResult(decodeEntryResult(id, fields)))

const entriesOf = (reply: unknown): ReadonlyArray<RawEntry> => {
  // XREADGROUP on one stream: `[[stream, entries]]` in RESP2, the map `{ stream: entries }` (as
  // `[stream, entries]`) in RESP3, or null when nothing came.
  if (!Array.isArray(reply) || reply.length === 0) return []
  const pair = (typeof reply[0] === "string" ? reply : reply[0]) as [string, ReadonlyArray<RawEntry>]
  return Array.isArray(pair?.[1]) ? pair[1] : []
}

const isNoGroup = (error: StoreError.StoreUnavailable) => error.reason.startsWith("NOGROUP")

/**
 * Creates the consumer group if it is missing (with the stream, if that is missing too).
 *
 * @category commands
 * @since 0.1.0
 */
export const ensureGroup = (
  redis: Redis,
  keys: Keys,
  group: string,
  from: "start" | "end" = "start"
): Effect.Effect<void, StoreError.StoreUnavailable> =>
  call("bus.group", () =>
    redis
      .xgroup("CREATE", keys.stream, group, from === "start" ? "0" : "$", "MKSTREAM")
      .catch((error: unknown) =>
        error instanceof Error && error.message.startsWith("BUSYGROUP") ? "OK" : Promise.reject(error)
      )
  ).pipe(Effect.asVoid)

/**
 * Reads the stream in a consumer group and calls `handler` on each event, one at a time, for as
 * long as it runs (see the module's header): its own pending entries first, then entries other
 * consumers left idle past `claimIdle`, then new ones. An entry is acknowledged after `handler`
 * succeeds; after `attempts` failures (or when it does not decode, or when it was delivered more
 * than `maxDeliveries` times: its own pending and claimed entries are checked with `XPENDING`) it
 * is added to the dead-letter stream (`Keys.dead`, with the group, consumer and reason) and
 * acknowledged without the handler. Redis
 * unavailable is logged and the read tried again; a group Redis lost is created again. Never
 * fails; interrupt it to stop (an entry being handled stays pending, for this consumer's restart
 * or another consumer's claim). Reads on a connection of its own (a `duplicate` of the client's),
 * since a blocking read holds its connection.
 *
 * @category commands
 * @since 0.1.0
 */
export const subscribe = <E, R>(
  options: SubscribeOptions,
  handler: (event: Delivered) => Effect.Effect<void, E, R>
): Effect.Effect<never, never, RedisClient | R> =>
  Effect.scoped(
    Effect.gen(function* () {
      const client = yield* RedisClient
      const keys = keysOf(client.prefix, options)
      const { group, consumer } = options
      const count = Math.max(1, options.batchSize ?? 100)
      const block = Math.max(1, Math.round(Duration.toMillis(options.block ?? 1_000)))
      const claimIdle = Math.max(0, Math.round(Duration.toMillis(options.claimIdle ?? 30_000)))
      const attempts = Math.max(1, options.attempts ?? 5)
      const maxDeliveries = Math.max(1, Math.floor(options.maxDeliveries ?? 10))
      const retryDelay = options.retryDelay ?? 100
      const redis = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const connection = client.redis.duplicate()
          connection.on("error", () => {})
          return connection
        }),
        (connection) => Effect.sync(() => connection.disconnect())
      )

      const deadLetter = (id: string, fields: ReadonlyArray<string>, reason: string) =>
        call("bus.deadLetter", () =>
          redis
            .multi()
            .xadd(keys.dead, "*", "id", id, "group", group, "consumer", consumer, "reason", reason, ...fields)
            .xack(keys.stream, group, id)
            .exec()
        ).pipe(Effect.asVoid)

      // The entries handled are acknowledged together when their batch ends, or when the subscriber
      // is stopped mid-batch (a crash before then redelivers them: at least once, as promised).
      let handled: Array<string> = []
      const ack = (id: string) => Effect.sync(() => void handled.push(id))
      const flushAcks = Effect.suspend(() => {
        const ids = handled
        handled = []
        return ids.length === 0
          ? Effect.void
          : Effect.asVoid(call("bus.ack", () => redis.xack(keys.stream, group, ...ids)))
      })
      // What follows the handler's last attempt: acknowledged, stopped, or dead-lettered.
      const settle = (id: string, fields: ReadonlyArray<string>, outcome: Exit.Exit<void, E>) =>
        Exit.isSuccess(outcome)
          ? ack(id)
          : Cause.hasInterruptsOnly(outcome.cause)
            ? Effect.interrupt
            : deadLetter(id, fields, Cause.pretty(outcome.cause).slice(0, 2_000))
      // No generator per entry: plain code around the handler, the Effect machinery only for it.
      const handle = ([id, fields]: RawEntry) =>
        Effect.suspend(() => {
          // Trimmed away while pending: nothing left to handle.
          if (fields === null) return ack(id)
          const decoded = decodeEntryResult(id, fields)
          if (Result.isFailure(decoded)) return deadLetter(id, fields, decoded.failure)
          const delivered = decoded.success
          // The first attempt alone; the retries are set up only once it failed.
          return Effect.flatMap(Effect.exit(Effect.suspend(() => handler(delivered))), (first) =>
            Exit.isSuccess(first) || attempts === 1 || Cause.hasInterruptsOnly(first.cause)
              ? settle(id, fields, first)
              : Effect.flatMap(
                  Effect.exit(
                    Effect.sleep(retryDelay).pipe(
                      Effect.andThen(
                        Effect.suspend(() => handler(delivered)).pipe(
                          Effect.retry({ times: attempts - 2, schedule: Schedule.spaced(retryDelay) })
                        )
                      )
                    )
                  ),
                  (outcome) => settle(id, fields, outcome)
                )
          )
        })
      const handleAll = (entries: ReadonlyArray<RawEntry>) =>
        Effect.forEach(entries, handle, { discard: true }).pipe(
          Effect.onInterrupt(() => Effect.ignore(flushAcks)),
          Effect.andThen(flushAcks)
        )
      // An entry of this consumer's pending list, delivered again (after a restart, or claimed):
      // handled (or dead-lettered) and acknowledged on its own, unless Redis has delivered it
      // more than `maxDeliveries` times already, this delivery included.
      const handlePending = (entry: RawEntry) =>
        Effect.gen(function* () {
          const [id, fields] = entry
          if (fields === null) return yield* handleAll([entry])
          const pending = yield* call("bus.pending", () =>
            redis.call("XPENDING", keys.stream, group, id, id, 1, consumer)
          )
          const row = Array.isArray(pending) ? (pending as ReadonlyArray<unknown>)[0] : undefined
          const delivered = Array.isArray(row) ? Number(row[3]) : 1
          if (!(delivered > maxDeliveries)) return yield* handleAll([entry])
          return yield* deadLetter(
            id,
            fields,
            `delivered ${delivered} times without an acknowledgement (more than maxDeliveries, ${maxDeliveries}): its handler may stop its process`
          )
        })

      let ownPending = true
      let claimFrom = "0-0"
      const read = (id: string, wait: boolean) =>
        call("bus.read", () =>
          wait
            ? redis.call(
                "XREADGROUP",
                "GROUP",
                group,
                consumer,
                "COUNT",
                count,
                "BLOCK",
                block,
                "STREAMS",
                keys.stream,
                id
              )
            : // Pending entries come back one at a time: reading an entry adds one to its delivery
              // count, so each count then stands for a handler that was given it (a batch would
              // count the entries behind one that crashes the process as delivered too).
              redis.call("XREADGROUP", "GROUP", group, consumer, "COUNT", 1, "STREAMS", keys.stream, id)
        ).pipe(Effect.map(entriesOf))
      let ready = false
      const round = Effect.gen(function* () {
        if (!ready) {
          // The connection opens on its first command (the client's are lazy).
          yield* ensureGroup(redis, keys, group, options.from)
          ready = true
        }
        if (ownPending) {
          // After a restart: this consumer's delivered but unacknowledged entries, oldest first.
          const [mine] = yield* read("0", false)
          if (mine === undefined) ownPending = false
          else yield* handlePending(mine)
          return
        }
        // Claimed by id only (JUSTID leaves their delivery counts alone): they join this
        // consumer's pending entries, which the next rounds deliver one at a time.
        const claimed = yield* call("bus.claim", () =>
          redis.call("XAUTOCLAIM", keys.stream, group, consumer, claimIdle, claimFrom, "COUNT", count, "JUSTID")
        )
        const [next, ids] = claimed as [string, ReadonlyArray<string>]
        claimFrom = next
        if (ids.length > 0) {
          ownPending = true
          return
        }
        yield* handleAll(yield* read(">", true))
      })
      const recover = (error: StoreError.StoreUnavailable) =>
        isNoGroup(error)
          ? Effect.sync(() => {
              // Redis lost the group (a flush, a restart without persistence): make it again.
              ready = false
              ownPending = true
              claimFrom = "0-0"
            })
          : Effect.logWarning(`event bus subscriber ${group}/${consumer}: ${error.message}`).pipe(
              Effect.andThen(Effect.sleep(Duration.max(Duration.fromInputUnsafe(retryDelay), Duration.millis(500))))
            )
      return yield* Effect.forever(Effect.catch(round, recover))
    })
  )

/**
 * Trims the stream of the entries every consumer group has acknowledged (`XTRIM MINID` to the
 * oldest entry some group still needs: its oldest pending entry, else the last one it was
 * given). Nothing is trimmed while the stream has no group. Gives the number of entries removed.
 *
 * @category commands
 * @since 0.1.0
 */
export const trimAcknowledged = (
  options: StreamOptions = {}
): Effect.Effect<number, StoreError.StoreUnavailable, RedisClient> =>
  Effect.gen(function* () {
    const { redis, prefix } = yield* RedisClient
    const keys = keysOf(prefix, options)
    const groups = (yield* call("bus.groups", () =>
      redis
        .call("XINFO", "GROUPS", keys.stream)
        .catch((error: unknown) =>
          error instanceof Error && error.message.includes("no such key") ? [] : Promise.reject(error)
        )
    )) as ReadonlyArray<ReadonlyArray<unknown>>
    if (groups.length === 0) return 0
    let floor: number | undefined
    for (const info of groups) {
      const fields = new Map<string, unknown>()
      for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1])
      const name = String(fields.get("name"))
      const summary = (yield* call("bus.pending", () => redis.call("XPENDING", keys.stream, name))) as [
        number,
        string | null
      ]
      const needed =
        Number(summary[0]) > 0 && summary[1] !== null
          ? positionOf(summary[1])
          : (positionOf(String(fields.get("last-delivered-id"))) ?? 0) + 1
      floor = Math.min(floor ?? Number.MAX_SAFE_INTEGER, needed ?? 0)
    }
    if (floor === undefined || floor <= 1) return 0
    const removed = yield* call("bus.trim", () => redis.xtrim(keys.stream, "MINID", `${floor}-0`))
    return Number(removed)
  })
