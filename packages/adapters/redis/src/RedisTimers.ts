/**
 * Core's `Timers` port on Redis, so that several app nodes share their timers and each due timer
 * is claimed by one node at a time under a lease. The store stays the only truth: its appends
 * write timers in their transaction, each claim first relays the store's timers due within a
 * horizon into Redis (a store claim leased for `rebuildMillis`, then an add that keeps a known id
 * once), so timers Redis lost come back from the store, and a fired timer is completed in both.
 * Core's timer commands are idempotent, so the rare second firing records nothing; when an SLA
 * due time moves, the old timer stays and fires as such a no-op (as in core's own stores), and
 * `reschedule` is the atomic replacement for timers an application sets itself (docs/redis.md).
 */
import { type Ids, type StoreError, Timers } from "@tessera/core"
import { Context, DateTime, Effect, Layer } from "effect"
import type { Redis } from "ioredis"
import { type Connection, call, layerConnection, RedisClient } from "./RedisClient.js"
import * as TimerScripts from "./scripts/TimerScripts.js"

/**
 * How the timers are relayed from the store.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /**
   * Store timers due within this many milliseconds of a claim's `now` are copied into Redis by
   * that claim (default 300,000: five minutes). Later ones stay in the store until they come close.
   */
  readonly horizonMillis?: number
  /**
   * How long a store timer copied into Redis stays leased in the store before a claim copies it
   * again (default 30,000): the longest a timer lost by Redis stays missing.
   */
  readonly rebuildMillis?: number
  /** How many store timers one relay step copies (default 1,000; it repeats until done). */
  readonly relayBatch?: number
}

/** The `Timers` port's shape. */
type Port = Timers.Timers["Service"]

/**
 * Timers on Redis: the `Timers` port, plus a replacement of a ticket's timer, the relay from the
 * store, and what Redis holds.
 *
 * @category models
 * @since 0.1.0
 */
export interface Shape extends Port {
  /** Schedules several timers in one round trip (ids already known are kept once). */
  readonly scheduleAll: (timers: ReadonlyArray<Timers.Timer>) => Effect.Effect<void, StoreError.StoreError>
  /** Completes several timers in one round trip (in Redis, then in the store). */
  readonly completeAll: (ids: ReadonlyArray<string>) => Effect.Effect<void, StoreError.StoreError>
  /**
   * Makes `timer` the ticket's current timer of its purpose, atomically: the one the previous
   * `reschedule` of that ticket and purpose set cannot fire after this returns, unless it is
   * already leased (being fired: it completes as usual). Timers set by `schedule` are not
   * replaced (the port keeps each one). The store gets the new timer and loses the replaced one.
   * Returns the ids replaced.
   */
  readonly reschedule: (timer: Timers.Timer) => Effect.Effect<ReadonlyArray<string>, StoreError.StoreError>
  /**
   * Copies the store's timers due by `now` + horizon into Redis (each `claimDue` does it first);
   * returns how many store timers it read. Without a store behind, 0.
   */
  readonly relay: (workspaceId: Ids.WorkspaceId, now: DateTime.Utc) => Effect.Effect<number, StoreError.StoreError>
  /** How many of a workspace's timers Redis holds, waiting and leased. */
  readonly counts: (
    workspaceId: Ids.WorkspaceId
  ) => Effect.Effect<{ readonly due: number; readonly leased: number }, StoreError.StoreUnavailable>
}

/**
 * The Redis timers as a service of their own, for what the `Timers` port does not have
 * (`reschedule`, `relay`, `counts`).
 *
 * @category services
 * @since 0.1.0
 */
export class RedisTimers extends Context.Service<RedisTimers, Shape>()("@tessera/redis/RedisTimers") {}

const millis = DateTime.toEpochMillis

/** The six script arguments of a timer (`TimerScripts.addAll`). */
const argsOf = (t: Timers.Timer, current = false): ReadonlyArray<string | number> => {
  const due = millis(t.dueAt)
  // A sixth element marks a timer `reschedule` set: completing it clears the ticket's pointer.
  const json = [t.id, t.workspaceId, t.ticketId, t.purpose, due, ...(current ? [1] : [])]
  return [t.id, t.workspaceId, t.ticketId, t.purpose, due, JSON.stringify(json)]
}

const purposes: ReadonlyArray<string> = ["close_solved", "sla"] satisfies ReadonlyArray<Timers.TimerPurpose>

/** A stored timer back from its JSON, or `undefined` for anything else (never a throw). */
const decodeTimer = (json: string): Timers.Timer | undefined => {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  if (!Array.isArray(value) || value.length < 5 || value.length > 6) return undefined
  const [id, ws, ticket, purpose, due] = value as ReadonlyArray<unknown>
  if (typeof id !== "string" || typeof ws !== "string" || typeof ticket !== "string") return undefined
  if (typeof purpose !== "string" || !purposes.includes(purpose) || typeof due !== "number" || !Number.isFinite(due)) {
    return undefined
  }
  return {
    id,
    workspaceId: ws as Ids.WorkspaceId,
    ticketId: ticket as Ids.TicketId,
    purpose: purpose as Timers.TimerPurpose,
    dueAt: DateTime.makeUnsafe(due)
  }
}

/**
 * Builds the timers on a connection, relaying from `source` (the store's own `Timers`); without a
 * source Redis is the only place the timers live, and a timer Redis loses is gone.
 *
 * @category constructors
 * @since 0.1.0
 */
export const makeWith = (
  client: { readonly redis: Redis; readonly prefix: string },
  source: Timers.Timers["Service"] | undefined,
  options: Options = {}
): Shape => {
  const { redis, prefix } = client
  const horizon = options.horizonMillis ?? 300_000
  const rebuild = options.rebuildMillis ?? 30_000
  const relayBatch = Math.max(1, options.relayBatch ?? 1_000)
  const run = (operation: string, s: TimerScripts.Script, args: ReadonlyArray<string | number>) =>
    call(operation, () => TimerScripts.evaluate(redis, s, [prefix, ...args]))

  const addToRedis = (timers: ReadonlyArray<Timers.Timer>) =>
    timers.length === 0
      ? Effect.void
      : Effect.asVoid(
          run(
            "schedule",
            TimerScripts.addAll,
            timers.flatMap((t) => argsOf(t))
          )
        )

  const relay = (workspaceId: Ids.WorkspaceId, now: DateTime.Utc): Effect.Effect<number, StoreError.StoreError> =>
    source === undefined
      ? Effect.succeed(0)
      : Effect.gen(function* () {
          const until = DateTime.add(now, { milliseconds: horizon })
          let read = 0
          for (;;) {
            const batch = yield* source.claimDue(workspaceId, until, relayBatch, rebuild)
            yield* addToRedis(batch)
            read += batch.length
            if (batch.length < relayBatch) return read
          }
        })

  /** The claim's answer as timers; an entry that does not decode is dropped with a warning. */
  const decodeClaimed = (workspaceId: Ids.WorkspaceId, reply: unknown) =>
    Effect.gen(function* () {
      const flat = Array.isArray(reply) ? (reply as ReadonlyArray<unknown>) : []
      const timers: Array<Timers.Timer> = []
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const id = String(flat[i])
        const timer = decodeTimer(String(flat[i + 1]))
        if (timer !== undefined && timer.id === id && timer.workspaceId === workspaceId) {
          timers.push(timer)
          continue
        }
        yield* Effect.logWarning("A Redis timer entry that does not decode was dropped").pipe(
          Effect.annotateLogs({ "tessera.timer_id": id, "tessera.workspace": workspaceId })
        )
        yield* run("claimDue", TimerScripts.drop, [workspaceId, id])
      }
      return timers
    })

  return {
    schedule: (timer) =>
      Effect.andThen(source === undefined ? Effect.void : source.schedule(timer), addToRedis([timer])),
    scheduleAll: (timers) =>
      Effect.andThen(
        source === undefined ? Effect.void : Effect.forEach(timers, source.schedule, { discard: true }),
        addToRedis(timers)
      ),
    reschedule: (timer) =>
      Effect.gen(function* () {
        if (source !== undefined) yield* source.schedule(timer)
        const reply = yield* run("reschedule", TimerScripts.replace, argsOf(timer, true))
        const removed = Array.isArray(reply) ? reply.map(String) : []
        if (source !== undefined) yield* Effect.forEach(removed, source.complete, { discard: true })
        return removed
      }),
    claimDue: (workspaceId, now, limit, leaseMillis) =>
      Effect.gen(function* () {
        yield* relay(workspaceId, now)
        if (!(limit > 0)) return []
        const at = millis(now)
        const reply = yield* run("claimDue", TimerScripts.claim, [workspaceId, at, Math.floor(limit), at + leaseMillis])
        return yield* decodeClaimed(workspaceId, reply)
      }),
    complete: (id) =>
      Effect.andThen(
        run("complete", TimerScripts.complete, [id]),
        source === undefined ? Effect.void : source.complete(id)
      ),
    completeAll: (ids) =>
      ids.length === 0
        ? Effect.void
        : Effect.andThen(
            run("complete", TimerScripts.complete, ids),
            source === undefined ? Effect.void : Effect.forEach(ids, source.complete, { discard: true })
          ),
    relay,
    counts: (workspaceId) =>
      call("counts", () =>
        redis
          .multi()
          .zcard(`${prefix}{timers}:due:${workspaceId}`)
          .zcard(`${prefix}{timers}:lease:${workspaceId}`)
          .exec()
      ).pipe(
        Effect.map((replies) => ({
          due: Number(replies?.[0]?.[1] ?? 0),
          leased: Number(replies?.[1]?.[1] ?? 0)
        }))
      )
  }
}

/**
 * The timers on the `RedisClient`, relaying from the store's `Timers` found in the context.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (options: Options = {}): Effect.Effect<Shape, never, RedisClient | Timers.Timers> =>
  Effect.gen(function* () {
    const client = yield* RedisClient
    const source = yield* Timers.Timers
    return makeWith(client, source, options)
  })

/**
 * `Timers` on Redis in place of the store's own (which it needs, and relays from), and the
 * `RedisTimers` service. Give it to the `Helpdesk` so that `runDueTimers` claims from Redis.
 *
 * @example
 * const helpdesk = Helpdesk.layer({ workspaceId: "acme" }).pipe(
 *   Layer.provide(RedisTimers.layer()),
 *   Layer.provideMerge(Layer.mergeAll(storeLayer, directoryLayer, ids, RedisClient.layer({ url })))
 * )
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  options: Options = {}
): Layer.Layer<Timers.Timers | RedisTimers, never, RedisClient | Timers.Timers> =>
  Layer.effectContext(
    Effect.map(make(options), (timers) =>
      Context.make(Timers.Timers, timers as Port).pipe(Context.add(RedisTimers, timers))
    )
  )

/**
 * `Timers` on Redis alone, with no store behind (timers the app schedules itself): Redis is then
 * their only copy, so run it with persistence (docs/redis.md), as nothing can rebuild them.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerStandalone = (options: Options = {}): Layer.Layer<Timers.Timers | RedisTimers, never, RedisClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const timers = makeWith(yield* RedisClient, undefined, options)
      return Context.make(Timers.Timers, timers as Port).pipe(Context.add(RedisTimers, timers))
    })
  )

/**
 * What `ports` takes: the relay's options, and where Redis is.
 *
 * @category models
 * @since 0.1.0
 */
export interface PortsOptions extends Options {
  readonly connection: Connection
}

/**
 * The ports of `store` (a layer giving core's `TicketStore`, `DirectoryStore` and `Timers`, such
 * as `SqlStore.layerUrl({ url })` of `@tessera/sql`) with Redis timers in their place (`layer`,
 * relaying from the store's own), and the `RedisTimers` and `RedisClient` services: what
 * `createHelpdesk({ layer })` of `@tessera/core` takes. So an application that does not use
 * Effect runs its SLA timers on Redis, each claimed by one node: every node builds its help desk
 * on the same store and Redis, and calls `runDueTimers` on an interval (`TimerLoop.start`). The
 * connection opened from a URL closes with the help desk (`close`). Building it fails with
 * `StoreUnavailable` when Redis cannot be reached, or with the store's own error.
 *
 * @example
 * const helpdesk = await createHelpdesk({
 *   workspaceId: "acme",
 *   layer: RedisTimers.ports(SqlStore.layerUrl({ url: "postgres://app@db/helpdesk" }), {
 *     connection: { url: "redis://127.0.0.1:6379", prefix: "acme:" }
 *   })
 * })
 * const stop = TimerLoop.start(helpdesk)
 *
 * @category layers
 * @since 0.1.0
 */
export const ports = <ROut, E>(
  store: Layer.Layer<ROut | Timers.Timers, E>,
  options: PortsOptions
): Layer.Layer<ROut | Timers.Timers | RedisTimers | RedisClient, E | StoreError.StoreUnavailable> => {
  const { connection, ...relay } = options
  // The Redis timers are built over the store's, and take their place in what the layer gives.
  return layer(relay).pipe(Layer.provideMerge(Layer.merge(store, layerConnection(connection))))
}
