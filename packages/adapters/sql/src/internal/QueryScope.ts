/**
 * Which fiber a query belongs to, as seen from the driver: the stores run each operation's
 * statements inside a signal that is raised when the calling fiber is interrupted. The clients
 * `Connection.open` creates then send none of the operation's later statements but its rollback;
 * PostgreSQL's also cancel the running statement on the server.
 *
 * An operation on such a client runs on one connection of its own (kysely's `db.connection()`),
 * handed to it as the client its statements use. The pool lends that connection out in the very
 * call that asks for it (kysely asks synchronously once its driver is initialised), so the signal
 * is offered (`claim`) for exactly that call, and the pool binds it to the connection it lends
 * (`lend`, in `postgresConnection` and `mysqlConnection`). No async context is needed: on Node 20 an `AsyncLocalStorage` in use
 * makes every promise of the process pay a hook (each `await` about three times slower), a cost
 * a library must not put on its host. On any other client (SQLite's, a pool the user built) an
 * operation runs on the client itself, without a signal.
 */
import { Effect } from "effect"
import { type Kysely, sql } from "kysely"

/**
 * What a statement sees of its fiber's interruption: the `Interruption` of `runner`, lighter than
 * an `AbortController` (whose event target costs a query more than the rest of its scope); an
 * `AbortSignal` has the same shape.
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

/** Statements an interrupted operation still sends: a transaction must not go back to the pool open. */
const ROLLBACK = /^\s*rollback\b/i

/**
 * Whether a connection bound to `signal` sends `text`: every statement until the signal is
 * raised, and then only a `rollback`.
 *
 * @category predicates
 * @since 0.1.0
 */
export const sends = (signal: Signal, text: string): boolean => !signal.aborted || ROLLBACK.test(text)

/**
 * The statement was not sent: the operation that asked for it had been interrupted.
 *
 * @category errors
 * @since 0.1.0
 */
export class NotSent extends Error {
  constructor() {
    super("statement not sent: the calling fiber was interrupted")
    this.name = "NotSent"
  }
}

/** A kysely client, as an operation gets one. */
interface Client<DB> {
  readonly connection: () => { readonly execute: <A>(body: (db: DB) => Promise<A>) => Promise<A> }
}

/** Clients whose connections honour a signal (see `register`). */
const registered = new WeakSet<object>()

/** The signal of the operation asking for a connection right now (see `claim`). */
let offered: Signal | undefined

/**
 * Marks a kysely client whose pool binds `claim`'s signal to the connection it lends, and whose
 * connections cancel a statement when that signal is raised.
 *
 * @category constructors
 * @since 0.1.0
 */
export const register = (db: object): void => {
  registered.add(db)
}

/**
 * Readies a client `Connection.open` built, whose pool binds `claim`'s signal to the connections
 * it lends: runs one statement through kysely (its driver is initialised then, and from then on
 * lends a connection in the very call that asks for it, as `claim` needs), and registers it. A
 * statement that fails ends the client and rejects with the driver's error, so that opening fails
 * with a clear reason rather than the first query.
 *
 * @category constructors
 * @since 0.1.0
 */
export const ready = async <DB>(db: Kysely<DB>): Promise<void> => {
  try {
    await sql`select 1`.execute(db)
  } catch (cause) {
    await db.destroy().catch(() => undefined)
    throw cause
  }
  register(db)
}

/**
 * For the pool of a registered client, when a connection is asked of it: the signal of the
 * operation asking, if it is a store's operation (otherwise `undefined`). Taken once: a second
 * ask within the same call gets none.
 *
 * @category combinators
 * @since 0.1.0
 */
export const claim = (): Signal | undefined => {
  const signal = offered
  offered = undefined
  return signal
}

/**
 * The signal of the store operation each lent-out connection of a pool serves.
 *
 * @category models
 * @since 0.1.0
 */
export type Bindings<C extends object> = WeakMap<C, Signal>

/**
 * Records that the pool lent `connection` to the operation of `signal` (`claim`'s), or to none:
 * what `bindings.get(connection)` answers until it is lent again.
 *
 * @category combinators
 * @since 0.1.0
 */
export const lend = <C extends object>(bindings: Bindings<C>, connection: C, signal: Signal | undefined): void => {
  if (signal === undefined) bindings.delete(connection)
  else bindings.set(connection, signal)
}

/** Runs `query` on a connection of its own, with `signal` bound to it by the pool. */
const onConnection = <DB, A>(db: DB & Client<DB>, signal: Signal, query: (db: DB) => Promise<A>): Promise<A> => {
  offered = signal
  try {
    return db.connection().execute(query)
  } finally {
    offered = undefined
  }
}

/**
 * For a store on `db`: runs an operation's query (given the client to run its statements on) as
 * one effect, failing with `onFailure` of what it rejects with. When `db` can use a signal, the
 * query runs on a connection of its own, bound to an `Interruption` that interrupting the
 * calling fiber raises; otherwise on `db`, as `Effect.tryPromise` would.
 *
 * @category combinators
 * @since 0.1.0
 */
export const runner = <DB extends Client<DB>>(
  db: DB
): (<A, E>(query: (db: DB) => Promise<A>, onFailure: (cause: unknown) => E) => Effect.Effect<A, E>) =>
  registered.has(db)
    ? <A, E>(query: (db: DB) => Promise<A>, onFailure: (cause: unknown) => E) =>
        Effect.callback<A, E>((resume) => {
          const interruption = new Interruption()
          try {
            onConnection(db, interruption, query).then(
              (value) => resume(Effect.succeed(value)),
              (cause: unknown) => resume(Effect.fail(onFailure(cause)))
            )
          } catch (cause) {
            resume(Effect.fail(onFailure(cause)))
          }
          return Effect.sync(() => interruption.abort())
        })
    : (query, onFailure) => Effect.tryPromise({ try: () => query(db), catch: onFailure })
