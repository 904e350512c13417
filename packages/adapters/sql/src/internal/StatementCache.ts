/**
 * Statements compiled once and run many times: kysely builds and compiles a query on every call
 * (its operation tree, frozen node by node, then visited into SQL), which costs a command more
 * CPU than some of its statements take to run. A hot statement is built once per shape on
 * placeholders, compiled, and then run with new parameters; a shape is a name the caller gives
 * (a multi-row insert's row count, an update's columns), and a cache holds the most recently
 * used ones. What a statement says stays with the module that writes it.
 */
import { Lru } from "@tessera/core"
import {
  type Compilable,
  type CompiledQuery,
  createQueryId,
  type Kysely,
  type QueryResult,
  type RawBuilder
} from "kysely"
import type { Database } from "../Database.js"

/** A placeholder for the `index`-th value of a run, where the builder would take a value. */
class Slot {
  constructor(readonly index: number) {}
}

/** A compiled statement: its SQL, its parameters with the placeholders' positions, its tree. */
interface Template {
  readonly sql: string
  readonly query: CompiledQuery["query"]
  readonly parameters: ReadonlyArray<unknown>
  /** `[position, value index]` of each placeholder among `parameters`. */
  readonly slots: ReadonlyArray<readonly [number, number]>
}

/**
 * The placeholder for value `index` of a run (`values[index]`), typed as the value it stands for
 * so that builders accept it. Only a builder that passes values through may take one: a
 * function that looks at a value (`Number.isSafeInteger(x)`) would see the placeholder.
 *
 * @category models
 * @since 0.1.0
 */
export type Placeholder = <T>(index: number) => T

/**
 * Builds one shape of a statement on `db`, with placeholders where its values go: a query
 * builder, or raw SQL (`sql\`...\``).
 *
 * @category models
 * @since 0.1.0
 */
export type Build<R> = (db: Kysely<Database>, $: Placeholder) => Compilable<R> | RawBuilder<R>

/**
 * Runs one compiled statement on the driver itself, synchronously, with the result kysely would
 * give for it (see `SqlDialect.direct`). `fixed`, when given, stands for this SQL with these very
 * parameters on every run (a shape compiled with all its values, such as a queue's first page):
 * the runner may keep a statement bound to them, identified by that object, rather than bind
 * the values again on each run.
 *
 * @category models
 * @since 0.1.0
 */
export type Runner = (sql: string, parameters: ReadonlyArray<unknown>, fixed?: object) => QueryResult<unknown>

/**
 * A cache of compiled statements, shared by the modules of one store.
 *
 * @category models
 * @since 0.1.0
 */
export interface StatementCache {
  /**
   * Runs the statement of shape `shape` on `db` (a client or a transaction) with `values`:
   * compiled from `build` the first time the shape is seen (or after it was forgotten), reused
   * after. A shape names one SQL text: two statements that differ by more than their values
   * need two shapes.
   */
  readonly execute: <R>(
    db: Kysely<Database>,
    shape: string,
    build: Build<R>,
    values: ReadonlyArray<unknown>
  ) => Promise<QueryResult<R>>
  /** Compilations and runs of compiled statements so far (for tests and benchmarks). */
  readonly stats: () => { readonly compiled: number; readonly reused: number; readonly shapes: number }
}

const placeholder: Placeholder = <T>(index: number) => new Slot(index) as T

const compile = <R>(db: Kysely<Database>, build: Build<R>): Template => {
  const query = build(db, placeholder)
  const compiled = "isRawBuilder" in query ? query.compile(db) : query.compile()
  const slots: Array<readonly [number, number]> = []
  compiled.parameters.forEach((parameter, position) => {
    if (parameter instanceof Slot) slots.push([position, parameter.index])
  })
  return { sql: compiled.sql, query: compiled.query, parameters: compiled.parameters, slots }
}

/**
 * A cache keeping the `capacity` most recently used shapes. `direct`: the dialect's runner for a
 * client, when it has one then (`SqlDialect.direct`); statements go through kysely otherwise.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (capacity: number, direct?: (db: object) => Runner | undefined): StatementCache => {
  const templates = Lru.make<string, Template>(capacity)
  let compiled = 0
  let reused = 0
  return {
    execute: (db, shape, build, values) => {
      let template = templates.get(shape)
      if (template === undefined) {
        template = compile(db, build)
        templates.set(shape, template)
        compiled += 1
      } else reused += 1
      const parameters = template.parameters.slice()
      for (const [position, index] of template.slots) {
        if (index >= values.length) {
          return Promise.reject(new Error(`statement "${shape}" has no value ${index} (${values.length} given)`))
        }
        parameters[position] = values[index]
      }
      const run = direct?.(db)
      if (run !== undefined) {
        try {
          const fixed = template.slots.length === 0 ? template : undefined
          return Promise.resolve(run(template.sql, parameters, fixed) as QueryResult<never>)
        } catch (cause) {
          return Promise.reject(cause)
        }
      }
      return db.executeQuery({ sql: template.sql, query: template.query, parameters, queryId: createQueryId() })
    },
    stats: () => ({ compiled, reused, shapes: templates.size })
  }
}
