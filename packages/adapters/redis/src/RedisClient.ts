/**
 * The one Redis connection the adapter's modules share, and the one way they call it: every
 * command runs as an Effect that fails with core's retryable `StoreUnavailable` (the operation
 * named, the driver's reason kept) instead of rejecting, so a lost connection is a typed error the
 * caller can retry while ioredis reconnects. Keys are prefixed, so several help desks (or tests)
 * can share one server.
 */
import { StoreError } from "@tessera/core"
import { Context, Effect, Layer } from "effect"
import { Redis, type RedisOptions } from "ioredis"

/**
 * The connection and the prefix of every key the adapter writes.
 *
 * @category services
 * @since 0.1.0
 */
export class RedisClient extends Context.Service<
  RedisClient,
  {
    readonly redis: Redis
    /** Prepended to every key (`tessera:` by default). */
    readonly prefix: string
  }
>()("@tessera/redis/RedisClient") {}

/**
 * How to connect: a `redis://` URL and ioredis options (the adapter sets its own defaults for
 * reconnection and offline queueing, which `options` may override).
 *
 * @category models
 * @since 0.1.0
 */
export interface Config {
  readonly url: string
  readonly prefix?: string
  readonly options?: RedisOptions
}

const defaults: RedisOptions = {
  // A command sent while the connection is down waits for one reconnection at most, then fails:
  // the caller gets a typed error and decides (timers and the bus retry on their next round).
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  lazyConnect: true
}

/**
 * A connection opened from a URL (the layer fails with `StoreUnavailable` when the first
 * connection cannot be made) and closed (QUIT, else disconnect) when the layer's scope ends.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (config: Config): Layer.Layer<RedisClient, StoreError.StoreUnavailable> =>
  Layer.effect(
    RedisClient,
    Effect.acquireRelease(
      Effect.suspend(() => {
        // ioredis's option types mark `replyMapping` optional without `undefined`, which
        // `exactOptionalPropertyTypes` rejects for a spread; the adapter never sets it.
        const redis = new Redis(config.url, { ...defaults, ...config.options } as Omit<RedisOptions, "replyMapping">)
        // Connection errors reach callers through their commands (typed); without a listener
        // ioredis would also print each one.
        redis.on("error", () => {})
        return call("connect", () => redis.connect()).pipe(
          Effect.tapError(() => Effect.sync(() => redis.disconnect())),
          Effect.as(RedisClient.of({ redis, prefix: config.prefix ?? "tessera:" }))
        )
      }),
      ({ redis }) => Effect.promise(() => redis.quit().catch(() => redis.disconnect()))
    )
  )

/**
 * A connection the application owns (it opens and closes it).
 *
 * @category layers
 * @since 0.1.0
 */
export const layerClient = (redis: Redis, prefix = "tessera:"): Layer.Layer<RedisClient> =>
  Layer.succeed(RedisClient, RedisClient.of({ redis, prefix }))

/**
 * Where the Promise-side functions connect: a URL (`Config`: the connection is opened, and closed
 * with what uses it), or an ioredis client the application owns, with an optional prefix.
 *
 * @category models
 * @since 0.1.0
 */
export type Connection = Config | { readonly redis: Redis; readonly prefix?: string }

/**
 * The layer of a `Connection`: `layer` for a URL, `layerClient` for a client.
 *
 * @category layers
 * @since 0.1.0
 */
export const layerConnection = (connection: Connection): Layer.Layer<RedisClient, StoreError.StoreUnavailable> =>
  "redis" in connection ? layerClient(connection.redis, connection.prefix) : layer(connection)

/**
 * Runs one Redis call as an Effect: a rejection becomes a retryable `StoreUnavailable` naming
 * `operation`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const call = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, StoreError.StoreUnavailable> =>
  Effect.tryPromise({
    try: run,
    catch: (cause) =>
      new StoreError.StoreUnavailable({
        operation,
        reason: cause instanceof Error ? cause.message : String(cause),
        cause
      })
  })
