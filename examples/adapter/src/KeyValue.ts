/**
 * A small key-value database for the example adapter to translate to, shaped like the clients of
 * real ones (DynamoDB, FoundationDB, Redis with MULTI): keys in buckets (`bucket/name`),
 * asynchronous scans of a bucket, and transactions whose writes are applied all at once, or not
 * at all when the body fails. It keeps everything in one process: the point is the adapter, not
 * the database.
 */

/**
 * A key from its parts, each URI-encoded, joined by `/`: `key("ticket", workspace, id)`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const key = (...parts: ReadonlyArray<string>): string => parts.map(encodeURIComponent).join("/")

/**
 * What a transaction may do: read (its own writes included) and write.
 *
 * @category models
 * @since 0.1.0
 */
export interface Transaction {
  readonly get: (key: string) => string | undefined
  /** The keys of a bucket (`bucket/...`) and their values, in the order they were first written. */
  readonly scan: (bucket: string) => ReadonlyArray<readonly [string, string]>
  readonly put: (key: string, value: string) => void
  readonly delete: (key: string) => void
}

/**
 * The database's client.
 *
 * @category models
 * @since 0.1.0
 */
export interface KeyValue {
  /** The keys of a bucket and their values, in the order they were first written. */
  readonly scan: (bucket: string) => Promise<ReadonlyArray<readonly [string, string]>>
  /**
   * Runs `body` alone (transactions never interleave) and applies its writes when it returns;
   * when it throws, nothing is applied and the promise rejects.
   */
  readonly transact: <A>(body: (tx: Transaction) => A) => Promise<A>
}

const bucketOf = (key: string): string => key.slice(0, Math.max(0, key.lastIndexOf("/")))

/**
 * An empty database.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (): KeyValue => {
  const buckets = new Map<string, Map<string, string>>()
  let queue: Promise<unknown> = Promise.resolve()
  const stored = (bucket: string): ReadonlyArray<readonly [string, string]> => Array.from(buckets.get(bucket) ?? [])
  return {
    scan: async (bucket) => stored(bucket),
    transact: <A>(body: (tx: Transaction) => A): Promise<A> => {
      const run = queue.then(() => {
        const writes = new Map<string, string | undefined>()
        const read = (key: string) => (writes.has(key) ? writes.get(key) : buckets.get(bucketOf(key))?.get(key))
        const result = body({
          get: read,
          scan: (bucket) => {
            const entries = new Map(stored(bucket))
            for (const [key, value] of writes) {
              if (bucketOf(key) !== bucket) continue
              if (value === undefined) entries.delete(key)
              else entries.set(key, value)
            }
            return Array.from(entries)
          },
          put: (key, value) => void writes.set(key, value),
          delete: (key) => void writes.set(key, undefined)
        })
        for (const [key, value] of writes) {
          const bucket = bucketOf(key)
          if (value === undefined) buckets.get(bucket)?.delete(key)
          else {
            const entries = buckets.get(bucket) ?? new Map<string, string>()
            entries.set(key, value)
            buckets.set(bucket, entries)
          }
        }
        return result
      })
      queue = run.catch(() => undefined)
      return run
    }
  }
}
