/**
 * Opening PostgreSQL for `Connection.open` (`postgres://...`): a pg pool, loaded only when such a
 * URL is opened, that reads int8 as numbers, runs with JIT off and a statement timeout, names the
 * SQL texts it runs again and again (prepared once per connection), cancels a statement on the
 * server when the store's fiber is interrupted, and survives connections the server ends.
 */
import { Lru } from "@tessera/core"
import { Duration, Effect, Option, Result } from "effect"
import { Kysely, PostgresDialect } from "kysely"
import type { Pool, PoolClient, QueryResult } from "pg"
import type { Database } from "../Database.js"
import * as DriverError from "../internal/DriverError.js"
import * as DriverPackage from "../internal/DriverPackage.js"
import { defaultStatementTimeout, InvalidOption } from "../internal/OpenErrors.js"
import * as QueryScope from "../internal/QueryScope.js"
import { planWithValues } from "../internal/Statements.js"
import type { Driver, DriverOptions } from "./Driver.js"
import * as PostgresCancel from "./postgresCancel.js"

const ignore = (): void => undefined

/** int8 (`bigint` columns: epoch milliseconds, positions) as numbers, not strings. */
const INT8 = 20

/**
 * PostgreSQL: the most recently used SQL texts that keep a server-side name, per pool; and the
 * most prepared statements one connection keeps (least recently used deallocated first).
 */
const PG_NAMED_STATEMENTS = 256

/** PostgreSQL: texts seen once, remembered so that a second sighting names them (oldest forgotten first). */
const PG_SEEN_ONCE = 1024

/** Statements worth a plan of their own; DDL, transaction control and `set` stay unnamed. */
const PREPARABLE = /^\s*(?:select|insert|update|delete|with|values|merge)\b/i

/**
 * Longer texts stay unnamed: they are one-off queries (long value lists), and the texts seen once
 * are kept until a second sighting, which must not hold megabytes.
 */
const PG_NAMED_LENGTH = 8_192

/** `feature_not_supported`, as in "cached plan must not change result type" after a table changed. */
const PLAN_CHANGED = "0A000"

/**
 * Names for the SQL texts a pool runs again and again, shared by its clients. A text earns a name
 * (`tessera_1`, ...) the second time it is seen: pg parses a named statement once per client and
 * then only binds it, so PostgreSQL stops parsing and planning it every time. The table keeps
 * the `PG_NAMED_STATEMENTS` most recently used texts; a text it forgot takes a new name when it
 * comes back, and a name is never given to another text (pg refuses that), so a run of one-off
 * texts cannot take the names from the hot ones. What each connection keeps prepared is bounded
 * by `Prepared`.
 *
 * @category models
 * @since 0.1.0
 */
export interface StatementNames {
  readonly nameOf: (text: string) => string | undefined
  /** Forgets `text`'s name: its next use takes a new one, so every client parses (and plans) it afresh. */
  readonly forget: (text: string) => void
}

/**
 * An empty table of names, keeping `capacity` texts.
 *
 * @category constructors
 * @since 0.1.0
 */
export const statementNames = (capacity: number = PG_NAMED_STATEMENTS): StatementNames => {
  const named = Lru.make<string, string>(capacity)
  const seenOnce = new Set<string>()
  let issued = 0
  return {
    nameOf: (text) => {
      const name = named.get(text)
      if (name !== undefined) return name
      if (!PREPARABLE.test(text) || text.length > PG_NAMED_LENGTH || text.includes(planWithValues)) return undefined
      if (!seenOnce.delete(text)) {
        if (seenOnce.size >= PG_SEEN_ONCE) {
          const oldest = seenOnce.values().next()
          if (oldest.done !== true) seenOnce.delete(oldest.value)
        }
        seenOnce.add(text)
        return undefined
      }
      issued += 1
      const fresh = `tessera_${issued}`
      named.set(text, fresh)
      return fresh
    },
    forget: (text) => {
      named.delete(text)
    }
  }
}

/**
 * The named statements one client has prepared on its connection, least recently used
 * deallocated first once it holds more than `capacity`. pg remembers every name a client parsed
 * (`connection.parsedStatements`) and PostgreSQL keeps each one for the whole session, so
 * without this a long-lived connection would keep every text that was ever named.
 *
 * @category models
 * @since 0.1.0
 */
export interface Prepared {
  /** Notes that `name` is sent on the client now (prepared, or used again). */
  readonly use: (name: string) => void
  /** The names to deallocate, taken off the list; never one used again since it was evicted. */
  readonly evicted: () => ReadonlyArray<string>
}

const none: ReadonlyArray<string> = []

/**
 * An empty record of a client's prepared statements.
 *
 * @category constructors
 * @since 0.1.0
 */
export const prepared = (capacity: number = PG_NAMED_STATEMENTS): Prepared => {
  const names = Lru.make<string, true>(capacity)
  const pending = new Set<string>()
  return {
    use: (name) => {
      if (names.get(name) !== undefined) return
      // Used again before it was deallocated: it stays.
      pending.delete(name)
      if (names.size >= capacity) {
        const oldest = names.keys()[0]
        if (oldest !== undefined) {
          names.delete(oldest)
          pending.add(oldest)
        }
      }
      names.set(name, true)
    },
    evicted: () => {
      if (pending.size === 0) return none
      const taken = Array.from(pending)
      pending.clear()
      return taken
    }
  }
}

const isPlanChanged = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && (cause as { readonly code?: unknown }).code === PLAN_CHANGED

/** `invalid_sql_statement_name`: no prepared statement of that name on the connection. */
const NO_SUCH_STATEMENT = "26000"

/**
 * Removes `name` from pg's record of the statements a client parsed
 * (`Client.connection.parsedStatements`), so that a later use parses it again.
 */
const forgetParsed = (client: PoolClient, name: string): void => {
  const parsed = (client as unknown as { readonly connection?: { readonly parsedStatements?: Record<string, string> } })
    .connection?.parsedStatements
  if (parsed !== undefined) delete parsed[name]
}

/**
 * Wraps the `client.query(text, values)` calls kysely makes: each is sent as a named statement
 * once its text has a name, and bound to the calling fiber (`PostgresCancel.guard`), so that an
 * interrupted query is cancelled on the server. The statements the client evicted are
 * deallocated before its next statement outside a transaction (inside one, a failed
 * `DEALLOCATE` would abort the caller's transaction), with no wait: pg sends them in order.
 * Every other call shape (callbacks, query configs, cursors) goes through untouched.
 */
const wrapQueries = (client: PoolClient, names: StatementNames, signals: Signals): void => {
  const query = client.query.bind(client) as (...args: Array<unknown>) => unknown
  const kept = prepared()
  /** Deallocates what the client no longer keeps; pg forgets a name once the server has. */
  const deallocate = (name: string) => {
    ;(query(`deallocate ${name}`) as Promise<unknown>).then(
      () => forgetParsed(client, name),
      (cause: unknown) => {
        if (DriverError.fieldOf(cause, "code") === NO_SUCH_STATEMENT) forgetParsed(client, name)
      }
    )
  }
  const send = (text: string, values: ReadonlyArray<unknown> | undefined): Promise<QueryResult> => {
    const name = names.nameOf(text)
    if (name !== undefined) kept.use(name)
    if (client.getTransactionStatus() === "I") for (const old of kept.evicted()) deallocate(old)
    if (name === undefined) return query(text, values) as Promise<QueryResult>
    return (query({ name, text, values }) as Promise<QueryResult>).catch((cause: unknown) => {
      if (!isPlanChanged(cause)) throw cause
      // A table changed under the prepared plan (a migration from another node, say). The failed
      // statement did nothing, so outside a transaction it runs again, planned anew; inside one,
      // the transaction is aborted and the error goes to the caller.
      names.forget(text)
      if (client.getTransactionStatus() !== "I") throw cause
      return query(text, values) as Promise<QueryResult>
    })
  }
  const wrapped = (...args: Array<unknown>): unknown => {
    const [text, values] = args
    if (args.length > 2 || typeof text !== "string" || !(values === undefined || Array.isArray(values))) {
      return query(...args)
    }
    return PostgresCancel.guard(client, signals.get(client), text, () => send(text, values)).catch((cause: unknown) => {
      // The server ended this connection (a terminate, a shutdown): its error reaches the
      // statement before the socket closes, and the pool must not lend the client out again
      // in between. Ending it now makes the pool drop it when kysely gives it back.
      if (DriverError.isConnectionLost(cause)) client.end().catch(ignore)
      throw cause
    })
  }
  client.query = wrapped as PoolClient["query"]
}

/** The signal of the store operation each lent-out client serves (`QueryScope`). */
type Signals = QueryScope.Bindings<PoolClient>

/**
 * Makes `pool.connect` bind the signal of the store operation asking (`QueryScope.claim`) to the
 * client it lends, for as long as that operation holds it; a client lent any other way (a
 * callback, `pool.query`) serves no operation's signal.
 */
const bindSignals = (pool: Pool, signals: Signals): void => {
  const connect = pool.connect.bind(pool) as (...args: Array<unknown>) => unknown
  pool.connect = ((...args: Array<unknown>) => {
    const signal = QueryScope.claim()
    const [callback] = args
    if (typeof callback === "function") {
      return connect((error: unknown, client: PoolClient | undefined, done: unknown) => {
        if (client !== undefined) QueryScope.lend(signals, client, undefined)
        callback(error, client, done)
      })
    }
    return (connect() as Promise<PoolClient>).then((client) => {
      QueryScope.lend(signals, client, signal)
      return client
    })
  }) as Pool["connect"]
}

/**
 * The `statement_timeout` to send in ms (rounded up to a whole one), or none when the URL's own
 * options set one; `InvalidOption` for what is no duration or a negative one.
 */
const statementTimeoutOf = (
  connectionString: string,
  options: DriverOptions
): Result.Result<number | undefined, InvalidOption> => {
  if (options.statementTimeout === undefined) {
    const fromUrl = (() => {
      try {
        return new URL(connectionString).searchParams.get("options") ?? ""
      } catch {
        return ""
      }
    })()
    if (/\bstatement_timeout\s*=/.test(fromUrl)) return Result.succeed(undefined)
  }
  const input = options.statementTimeout ?? defaultStatementTimeout
  const invalid = (reason: string) => Result.fail(new InvalidOption({ option: "statementTimeout", reason }))
  const timeout = typeof input === "number" && Number.isNaN(input) ? Option.none() : Duration.fromInput(input)
  if (Option.isNone(timeout)) {
    return invalid(`expected a duration ("30 seconds", milliseconds as a number, 0 for no bound), got ${String(input)}`)
  }
  const ms = Duration.toMillis(timeout.value)
  if (ms < 0) return invalid(`a timeout cannot be negative (got ${ms} ms)`)
  return Result.succeed(Number.isFinite(ms) ? Math.ceil(ms) : 0)
}

/**
 * The connection string with `-c jit=off` added to the server options it may already carry (a
 * `search_path`, say). The store's statements are short and frequent: JIT compiling one costs
 * more than running it (a rare-word search at 1M tickets: 400 ms with JIT, under 90 ms without).
 * A string that is not a URL is left as it is.
 */
const withoutJit = (connectionString: string): string => {
  try {
    const parsed = new URL(connectionString)
    const options = parsed.searchParams.get("options")
    if (options !== null && /\bjit\s*=/.test(options)) return connectionString // the caller chose
    parsed.searchParams.set("options", options === null ? "-c jit=off" : `${options} -c jit=off`)
    return parsed.toString()
  } catch {
    return connectionString
  }
}

/**
 * Opens a pg pool on `connectionString`: int8 read back as numbers, JIT off, a statement
 * timeout, named statements for repeated texts, statements cancelled when the store's fiber is
 * interrupted, and `error` listeners so that a connection the server ends never ends the process.
 *
 * @category constructors
 * @since 0.1.0
 */
export const open: Driver = (url, connectionString, options) =>
  Effect.flatMap(Effect.fromResult(statementTimeoutOf(connectionString, options)), (statementTimeout) =>
    Effect.tryPromise({
      try: async () => {
        const { default: pg } = await DriverPackage.load("pg", url, () => import("pg"))
        const pool = new pg.Pool({
          connectionString: withoutJit(connectionString),
          ...(options.connections === undefined ? {} : { max: options.connections }),
          ...(statementTimeout === undefined ? {} : { statement_timeout: statementTimeout }),
          types: {
            getTypeParser: ((oid: number, format?: "text" | "binary") =>
              oid === INT8 && format !== "binary"
                ? (value: string) => Number(value)
                : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser
          }
        })
        const names = statementNames()
        const signals: Signals = new WeakMap()
        bindSignals(pool, signals)
        pool.on("connect", (client) => {
          wrapQueries(client, names, signals)
          // pg emits `error` on a client whose connection died (a terminated backend, a restart);
          // while a client is lent out the pool listens to none, and an unhandled `error` event
          // ends the process. The statement in flight fails with that error already, and the pool
          // drops the dead client when it comes back.
          client.on("error", ignore)
        })
        // An idle client whose connection died: the pool has removed it, the next query opens a
        // new one. Unheard, this event too would end the process.
        pool.on("error", ignore)
        const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
        // Fails here, with a clear reason, rather than at the first query. Its clients cancel a
        // store's statement when the store's fiber is interrupted.
        await QueryScope.ready(db)
        return { db, close: Effect.promise(() => db.destroy()) }
      },
      catch: DriverPackage.failure(url)
    })
  )
