/**
 * The `database` option of `createHelpdesk`: a URL (`sqlite:./helpdesk.db`, `postgres://...`,
 * `mysql://...`) becomes the help desk's ports, migrated, with time-ordered ids. The stores are
 * `@tessera/sql`'s, which depends on this package and so cannot be one of its dependencies: it is
 * an optional peer, imported at run time only when `database` is given (`require` in the CommonJS
 * build, so that both sides share one copy of this package), and its absence, or its driver's,
 * is a `PackageNotInstalled` that says what to install.
 */
import { Effect, Layer } from "effect"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import { type IdGenerator, layerTimeOrdered } from "../ports/IdGenerator.js"
import * as OpenError from "../ports/OpenError.js"
import type { TicketStore } from "../ports/TicketStore.js"
import type { Timers } from "../ports/Timers.js"

/** The package that opens databases. */
export const sqlPackage = "@tessera/sql"

/** What the help desk needs of `@tessera/sql`: the layer of every store on one URL. */
interface SqlModule {
  readonly SqlStore: {
    readonly layerUrl: (options: {
      readonly url: string
      readonly firstPublicId?: number
    }) => Layer.Layer<TicketStore | Timers | DirectoryStore, unknown>
  }
}

/** The driver package of each kind of URL, for the install line when `@tessera/sql` is missing. */
const drivers: ReadonlyArray<readonly [RegExp, string]> = [
  [/^sqlite:/i, "better-sqlite3"],
  [/^postgres(ql)?:\/\//i, "pg"],
  [/^(mysql|mariadb):\/\//i, "mysql2"]
]

/** The URL with its password masked (`@tessera/sql`'s errors mask it the same way). */
const redact = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@")

/**
 * Imports a package by name. The name is a value, not a literal, so that neither TypeScript nor
 * a bundler tries to resolve `@tessera/sql` when this package is built.
 */
const importPackage = (name: string): Promise<unknown> => import(name)

const isSqlModule = (u: unknown): u is SqlModule => {
  const store = typeof u === "object" && u !== null && "SqlStore" in u ? u.SqlStore : undefined
  return typeof store === "object" && store !== null && "layerUrl" in store && typeof store.layerUrl === "function"
}

/**
 * Loads `@tessera/sql` for the database at `url`. `name` is the package to import, the one
 * `@tessera/sql` is known by unless a test names another (one that is not installed).
 *
 * @category constructors
 * @since 0.1.0
 */
export const loadSql = (
  url: string,
  name: string = sqlPackage
): Effect.Effect<SqlModule, OpenError.PackageNotInstalled> =>
  Effect.flatMap(Effect.tryPromise({ try: () => importPackage(name), catch: (cause) => cause }), (module) =>
    isSqlModule(module)
      ? Effect.succeed(module)
      : Effect.die(new Error(`${name} does not export SqlStore.layerUrl: install a version that matches @tessera/core`))
  ).pipe(
    Effect.catch((cause) => {
      if (!OpenError.isNotInstalled(cause, name)) return Effect.die(cause)
      const driver = drivers.find(([scheme]) => scheme.test(url))?.[1]
      return Effect.fail(
        new OpenError.PackageNotInstalled({
          package: name,
          neededBy: `createHelpdesk({ database: "${redact(url)}" })`,
          install: `npm i ${name}${driver === undefined ? "" : ` ${driver}`}`,
          cause
        })
      )
    })
  )

/**
 * The ports of a help desk on the database at `url`: `@tessera/sql`'s stores (migrated first;
 * the connection closes with the layer), with time-ordered ids. `firstPublicId` is the first
 * public number of a workspace that has none yet.
 *
 * @category layers
 * @since 0.1.0
 */
export const layer = (
  url: string,
  options: { readonly firstPublicId?: number; readonly packageName?: string } = {}
): Layer.Layer<TicketStore | Timers | DirectoryStore | IdGenerator, unknown> =>
  Layer.unwrap(
    Effect.map(loadSql(url, options.packageName), (sql) =>
      Layer.merge(
        sql.SqlStore.layerUrl({
          url,
          ...(options.firstPublicId === undefined ? {} : { firstPublicId: options.firstPublicId })
        }),
        layerTimeOrdered
      )
    )
  )
