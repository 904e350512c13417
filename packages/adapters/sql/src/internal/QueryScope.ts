/**
 * Which fiber a query belongs to, as seen from the driver: the stores run each query inside a
 * signal that is raised when the calling fiber is interrupted, and the PostgreSQL clients
 * `Connection.open` creates read it back (through async context, across kysely's awaits) to
 * cancel that query on the server. Only those clients are registered here: on any other client
 * (SQLite's, or a pool the user built) queries run without a scope, since async context costs
 * every promise of the process something once it is in use.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { Effect } from "effect"

/**
 * What a statement sees of its fiber's interruption: an `AbortSignal`, or the lighter
 * `Interruption` of `runner` (an `AbortController` and its event target cost a query more than
 * the rest of its scope).
 *
 * @category models
 * @since 0.1.0
 */
export interface Signal {
  readonly aborted: boolean
  readonly addEventListener: (type: "abort", listener: () => void, options?: { readonly once?: boolean }) => void
  readonly removeEventListener: (type: "abort", listener: () => void) => void
}

/** A `Signal` raised once, by `abort`, calling its listeners then. */
class Interruption implements Signal {
  aborted = false
  private listeners: Array<() => void> | undefined = undefined
  addEventListener(_type: "abort", listener: () => void): void {
    if (this.listeners === undefined) this.listeners = [listener]
    else this.listeners.push(listener)
  }
  removeEventListener(_type: "abort", listener: () => void): void {
    const listeners = this.listeners
    if (listeners === undefined) return
    const at = listeners.indexOf(listener)
    if (at >= 0) listeners.splice(at, 1)
  }
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) listener()
  }
}

const scope = new AsyncLocalStorage<Signal>()

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
 * For a store on `db`: runs an operation's query as one effect, failing with `onFailure` of what
 * it rejects with, as `Effect.tryPromise` with `of(db)` does. When `db` can use the scope, the
 * query runs inside an `Interruption` that interrupting the calling fiber raises.
 *
 * @category combinators
 * @since 0.1.0
 */
export const runner = (
  db: object
): (<A, E>(query: () => Promise<A>, onFailure: (cause: unknown) => E) => Effect.Effect<A, E>) =>
  registered.has(db)
    ? <A, E>(query: () => Promise<A>, onFailure: (cause: unknown) => E) =>
        Effect.callback<A, E>((resume) => {
          const interruption = new Interruption()
          try {
            scope.run(interruption, query).then(
              (value) => resume(Effect.succeed(value)),
              (cause: unknown) => resume(Effect.fail(onFailure(cause)))
            )
          } catch (cause) {
            resume(Effect.fail(onFailure(cause)))
          }
          return Effect.sync(() => interruption.abort())
        })
    : (query, onFailure) => Effect.tryPromise({ try: () => query(), catch: onFailure })

/**
 * The signal of the query being sent, if a store runs it in a scope.
 *
 * @category combinators
 * @since 0.1.0
 */
export const current = (): Signal | undefined => scope.getStore()
