/**
 * The one cache of Tessera, the core's and the adapters' alike (exported as `Lru`): a bounded
 * map that forgets its least recently used entry first.
 * It is synchronous on purpose: a read-compare-write (keep the newer of two snapshots) happens
 * in one step, with no fiber able to slip in between, which an effectful cache cannot promise.
 * What to keep and for how long (versions, expiry times) is its callers' business.
 */

/**
 * A bounded map, least recently used entry forgotten first.
 *
 * @category models
 * @since 0.1.0
 */
export interface Lru<K, V> {
  /** How many entries it keeps at most (0: none). */
  readonly capacity: number
  /** How many entries it holds now. */
  readonly size: number
  /** The entry for `key`, now the most recently used. */
  readonly get: (key: K) => V | undefined
  /** The entry for `key`, leaving the order of use as it is. */
  readonly peek: (key: K) => V | undefined
  /** Keeps `value` for `key` as the most recently used entry, forgetting the least recently used past `capacity`. */
  readonly set: (key: K, value: V) => void
  /** Forgets `key`; whether it was there. */
  readonly delete: (key: K) => boolean
  /** The keys, least recently used first. */
  readonly keys: () => ReadonlyArray<K>
  /** Forgets every entry. */
  readonly clear: () => void
}

/**
 * An empty cache keeping at most `capacity` entries (a non-negative integer or `Infinity`).
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = <K, V>(capacity: number): Lru<K, V> => {
  // A Map iterates in insertion order: deleting and setting again makes an entry the newest.
  const entries = new Map<K, V>()
  return {
    capacity,
    get size() {
      return entries.size
    },
    get: (key) => {
      const value = entries.get(key)
      // One lookup when the entry is there and not `undefined` (the common case).
      if (value === undefined && !entries.has(key)) return undefined
      entries.delete(key)
      entries.set(key, value as V)
      return value
    },
    peek: (key) => entries.get(key),
    set: (key, value) => {
      if (capacity <= 0) return
      entries.delete(key)
      entries.set(key, value)
      while (entries.size > capacity) {
        const oldest = entries.keys().next()
        if (oldest.done === true) break
        entries.delete(oldest.value)
      }
    },
    delete: (key) => entries.delete(key),
    keys: () => Array.from(entries.keys()),
    clear: () => entries.clear()
  }
}
