/**
 * Which fiber a query belongs to, as seen from the driver: the stores run each query inside the
 * `AbortSignal` that `Effect.tryPromise` aborts when the calling fiber is interrupted, and the
 * PostgreSQL clients `Connection.open` creates read it back (through async context, across
 * kysely's awaits) to cancel that query on the server. Only those clients are registered here:
 * on any other client (SQLite's, or a pool the user built) queries run without a scope, since
 * async context costs every promise of the process something once it is in use.
 */
import { AsyncLocalStorage } from "node:async_hooks"

const scope = new AsyncLocalStorage<AbortSignal>()

/** Clients whose statements honour the scope (see `register`). */
const registered = new WeakSet<object>()

/**
 * Marks a kysely client whose connections cancel a statement when its scope's signal aborts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const register = (db: object): void => {
  registered.add(db)
}

/**
 * For a store on `db`: turns an operation's query into the thunk to give `Effect.tryPromise`,
 * which runs it inside the signal of the calling fiber when `db` can use it, and as it is
 * otherwise (without an `AbortController`).
 *
 * @category combinators
 * @since 0.1.0
 */
export const of = (db: object): (<A>(query: () => Promise<A>) => (signal: AbortSignal) => Promise<A>) =>
  registered.has(db) ? (query) => (signal) => scope.run(signal, query) : (query) => query

/**
 * The signal of the query being sent, if a store runs it in a scope.
 *
 * @category combinators
 * @since 0.1.0
 */
export const current = (): AbortSignal | undefined => scope.getStore()
