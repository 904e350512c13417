/**
 * Statements run on better-sqlite3 itself, for the SQLite clients `Connection.open` builds: kysely's
 * `SqliteDialect` wraps each statement in promises and its connection mutex, which costs an
 * append more than some of its statements take to run. A client the user builds is not known
 * here, and keeps kysely's path.
 */
import type { Runner } from "../internal/StatementCache.js"

/** A better-sqlite3 statement, as the runner uses it. */
interface Statement {
  readonly reader: boolean
  /** Runs with `parameters` (an array binds them in order), or with those bound to it. */
  all(parameters?: ReadonlyArray<unknown>): Array<unknown>
  run(parameters?: ReadonlyArray<unknown>): { changes: number; lastInsertRowid: number | bigint }
  bind(parameters: ReadonlyArray<unknown>): Statement
}

/**
 * What a client runs its statements on: the statement cache (`prepare`), a statement of its own
 * (`fresh`, to be bound), and whether a transaction is open.
 */
interface Handle {
  readonly prepare: (sql: string) => Statement
  readonly fresh: (sql: string) => Statement
  readonly inTransaction: () => boolean
}

/** The store's own clients, and the connections of their transactions while these run. */
const clients = new WeakMap<object, { readonly handle: Handle; readonly run: Runner }>()
const transactions = new WeakMap<object, Runner>()

/**
 * The result kysely's `SqliteConnection` gives for the same statement. A statement whose values
 * never change (`fixed`) is kept bound to them: binding a value again expires the statement
 * wherever the planner may look the value up in `sqlite_stat4` (better-sqlite3 builds SQLite
 * with STAT4, and an `ANALYZE` fills it), and the next run then compiles and plans it anew,
 * which costs a queue's page several times what reading it does. Bound once, it is planned for
 * its values once.
 */
const runnerOf = (handle: Handle): Runner => {
  const bound = new WeakMap<object, Statement>()
  const boundTo = (sql: string, parameters: ReadonlyArray<unknown>, fixed: object) => {
    let statement = bound.get(fixed)
    if (statement === undefined) {
      statement = handle.fresh(sql).bind(parameters)
      bound.set(fixed, statement)
    }
    return statement
  }
  return (sql, parameters, fixed) => {
    const statement = fixed === undefined ? handle.prepare(sql) : boundTo(sql, parameters, fixed)
    const values = fixed === undefined ? [parameters] : []
    if (statement.reader) return { rows: statement.all(...values) }
    const { changes, lastInsertRowid } = statement.run(...values)
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
  }
}

/**
 * Marks `db` as a client whose statements may run on `handle` directly.
 *
 * @category constructors
 * @since 0.1.0
 */
export const register = (db: object, handle: Handle): void => {
  clients.set(db, { handle, run: runnerOf(handle) })
}

/**
 * Runs `body` with `connection` (a transaction of `db`, holding kysely's connection) marked as
 * one whose statements may run directly.
 *
 * @category combinators
 * @since 0.1.0
 */
export const inTransaction = <A>(db: object, connection: object, body: () => Promise<A>): Promise<A> => {
  const client = clients.get(db)
  if (client === undefined) return body()
  transactions.set(connection, client.run)
  return body().finally(() => transactions.delete(connection))
}

/**
 * The runner for `db`: a transaction's connection always (it holds the one connection); the
 * client itself only while no transaction is open on it, since a statement run meanwhile would
 * join another fiber's transaction (kysely's path waits for it instead).
 *
 * @category combinators
 * @since 0.1.0
 */
export const runner = (db: object): Runner | undefined => {
  const inside = transactions.get(db)
  if (inside !== undefined) return inside
  const client = clients.get(db)
  return client === undefined || client.handle.inTransaction() ? undefined : client.run
}
