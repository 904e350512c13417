/**
 * Which fiber a query belongs to, as seen from the driver: the stores run each query inside the
 * `AbortSignal` that `Effect.tryPromise` aborts when the calling fiber is interrupted, and the
 * PostgreSQL clients `Connection.open` creates read it back (through async context, across
 * kysely's awaits) to cancel that query on the server. Clients the user builds ignore it.
 */
import { AsyncLocalStorage } from "node:async_hooks"

const scope = new AsyncLocalStorage<AbortSignal>()

/**
 * Runs `query` with `signal` as the signal of every statement it sends.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = <A>(signal: AbortSignal, query: () => Promise<A>): Promise<A> => scope.run(signal, query)

/**
 * The signal of the query being sent, if a store runs it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const current = (): AbortSignal | undefined => scope.getStore()
