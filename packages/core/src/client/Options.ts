/**
 * The options of `createHelpdesk`, and the ports they give. The service's own options keep the
 * names they have on the Effect side (the configuration's `workspaceId`, `maxAttempts`, ...,
 * and `sla`, `triggers`, `tagPolicy`): `Options` extends both, so an option added there is one
 * here. Besides them, the facade says where tickets are kept (`database`, `layer`, or memory)
 * and checks every option at once, so that one `InvalidConfig` lists every problem.
 */
import { Context, Effect, Layer, Result, Schema } from "effect"
import * as Config from "../helpdesk/Config.js"
import type * as Helpdesk from "../helpdesk/Helpdesk.js"
import * as In from "../helpdesk/HelpdeskInput.js"
import * as MemoryDirectoryStore from "../memory/MemoryDirectoryStore.js"
import * as MemoryTicketStore from "../memory/MemoryTicketStore.js"
import { DirectoryStore } from "../ports/DirectoryStore.js"
import { type IdGenerator, layerSequential, layerTimeOrdered } from "../ports/IdGenerator.js"
import { TicketStore } from "../ports/TicketStore.js"
import { Timers } from "../ports/Timers.js"
import type { InvalidConfig } from "../values/ConfigError.js"
import * as ConfigError from "../values/ConfigError.js"
import * as Limits from "../values/Limits.js"
import * as Database from "./Database.js"

/**
 * The ports a help desk runs on. A layer that provides them replaces the in-memory ones.
 *
 * @category models
 * @since 0.1.0
 */
export type Ports = TicketStore | DirectoryStore | IdGenerator | Timers

/**
 * The ports a `layer` must provide: an `IdGenerator` it leaves out is the time-ordered one.
 *
 * @category models
 * @since 0.1.0
 */
export type StorePorts = TicketStore | DirectoryStore | Timers

/**
 * The help desk's configuration as `Helpdesk.layer` takes it (`HelpdeskInput.Config`), every key
 * optional here (`workspaceId` is `"default"` when absent).
 *
 * @category models
 * @since 0.1.0
 */
export interface ConfigOptions extends Partial<Schema.Codec.Encoded<typeof In.Config>> {}

/**
 * Options of `createHelpdesk`: the help desk's configuration and options, named as on the Effect
 * side (`ConfigOptions`, `Helpdesk.Options`), and where its tickets are kept.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends ConfigOptions, Helpdesk.Options {
  /**
   * The database tickets are kept in: `sqlite:./helpdesk.db` (a file, created if missing),
   * `sqlite::memory:`, `postgres://user@host:port/database` or `mysql://user@host:port/database`.
   * It is migrated when the help desk starts, and ids are time-ordered. It needs `@tessera/sql`
   * and the database's driver installed (`npm i @tessera/sql better-sqlite3`; `pg`, `mysql2`);
   * without them `createHelpdesk` rejects with `PackageNotInstalled`, which says what to install.
   * Not with `layer`.
   */
  readonly database?: string
  /**
   * The first public ticket number of a workspace that has none yet (default 1): in memory, or
   * in a new `database`. A workspace whose numbers already passed it continues where it is.
   */
  readonly firstPublicId?: number
  /** In-memory ports only: `sequential` ids (`tkt_1`) for demos and tests; time-ordered by default. */
  readonly ids?: "sequential" | "timeOrdered"
  /**
   * Where the help desk reads the time, in milliseconds since the epoch or as a `Date` (default:
   * the system clock). For demos, imports and tests that need a chosen time; it becomes the Effect
   * `Clock` the service reads, so timers and timestamps follow it.
   */
  readonly now?: () => number | Date
  /**
   * Other ports (Redis timers, a store of your own, ...) instead of the in-memory ones: a layer
   * that provides a `TicketStore`, a `DirectoryStore` and `Timers`, and may provide an
   * `IdGenerator` (time-ordered when it does not). Not with `database`.
   */
  readonly layer?: Layer.Layer<StorePorts, unknown>
  /**
   * Where the help desk's spans (`Helpdesk.<operation>`) and logs go: a layer that sets Effect's
   * tracer and loggers, such as `NodeSdk.layer` of `@effect/opentelemetry`
   * (`docs/observability.md`). Built before the ports and released after them, on `close`.
   */
  readonly observability?: Layer.Layer<never, unknown>
}

/** The options of `Helpdesk.Options`: the compiler checks that the list is complete. */
const serviceOptions: Readonly<Record<keyof Helpdesk.Options, true>> = {
  sla: true,
  triggers: true,
  tagPolicy: true,
  system: true,
  surveys: true,
  defaultLanguage: true
}

/** The facade's own options. */
const facadeOptions: Readonly<Record<Exclude<keyof Options, keyof ConfigOptions | keyof Helpdesk.Options>, true>> = {
  database: true,
  firstPublicId: true,
  ids: true,
  now: true,
  layer: true,
  observability: true
}

const configKeys: ReadonlyArray<string> = Object.keys(In.Config.fields)
const optionKeys: ReadonlySet<string> = new Set([
  ...configKeys,
  ...Object.keys(serviceOptions),
  ...Object.keys(facadeOptions)
])

/**
 * The configuration `Helpdesk.layer` gets: the configuration keys of the options, with the
 * default workspace when none is given.
 *
 * @category constructors
 * @since 0.1.0
 */
export const configOf = (options: Options): typeof In.Config.Encoded =>
  Object.fromEntries([
    ["workspaceId", "default"],
    ...configKeys.flatMap((key) => {
      const value = (options as Record<string, unknown>)[key]
      return value === undefined ? [] : [[key, value]]
    })
  ]) as typeof In.Config.Encoded

/**
 * `Helpdesk.Options` out of the options.
 *
 * @category constructors
 * @since 0.1.0
 */
export const serviceOptionsOf = (options: Options): Helpdesk.Options => ({
  ...(options.sla === undefined ? {} : { sla: options.sla }),
  ...(options.triggers === undefined ? {} : { triggers: options.triggers }),
  ...(options.tagPolicy === undefined ? {} : { tagPolicy: options.tagPolicy }),
  ...(options.system === undefined ? {} : { system: options.system }),
  ...(options.surveys === undefined ? {} : { surveys: options.surveys }),
  ...(options.defaultLanguage === undefined ? {} : { defaultLanguage: options.defaultLanguage })
})

const StorageOptions = Schema.Struct({
  database: Schema.optionalKey(Schema.NonEmptyString),
  firstPublicId: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: Limits.publicIdMax }))),
  ids: Schema.optionalKey(Schema.Literals(["sequential", "timeOrdered"]))
})

/** The services a `layer` must provide, by name for the problem that says one is missing. */
const required: ReadonlyArray<readonly [Context.Key<StorePorts, unknown>, string]> = [
  [TicketStore, "TicketStore"],
  [DirectoryStore, "DirectoryStore"],
  [Timers, "Timers"]
]

/**
 * The user's layer over the time-ordered id generator (theirs wins when it has one), checked
 * when built: a service it lacks is an `InvalidConfig` naming it, not a "Service not found".
 */
const completed = (layer: Layer.Layer<StorePorts, unknown>): Layer.Layer<Ports, unknown> =>
  Layer.effectContext(
    Effect.gen(function* () {
      const context = yield* Layer.build(Layer.merge(layerTimeOrdered, layer))
      const missing = required.filter(([key]) => Context.getOption(context, key)._tag === "None")
      if (missing.length > 0) {
        return yield* ConfigError.invalid(
          "helpdesk",
          missing.map(([, name]) => ({ path: ["layer"], message: `provides no ${name}` }))
        )
      }
      return context
    })
  )

/**
 * The ports of the options: a `database`, the user's `layer`, or in-memory ones shaped by
 * `firstPublicId` and `ids`. Every option is checked here, with the help desk's configuration
 * (`Config.check`), so that one `InvalidConfig` lists every problem of them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const portsOf = (options: Options): Effect.Effect<Layer.Layer<Ports, unknown>, InvalidConfig> =>
  Effect.gen(function* () {
    // Callers without TypeScript deserve to hear about a misspelt option too.
    const problems: Array<ConfigError.Problem> = Object.keys(options)
      .filter((key) => !optionKeys.has(key))
      .map((key) => ({ path: [key], message: "Unexpected key" }))
    const decoded = Schema.decodeUnknownResult(StorageOptions)(
      {
        ...(options.database === undefined ? {} : { database: options.database }),
        ...(options.firstPublicId === undefined ? {} : { firstPublicId: options.firstPublicId }),
        ...(options.ids === undefined ? {} : { ids: options.ids })
      },
      { errors: "all", onExcessProperty: "error" }
    )
    if (Result.isFailure(decoded)) problems.push(...ConfigError.problems(decoded.failure.issue))
    const storage = Result.isSuccess(decoded) ? decoded.success : {}
    if (options.layer !== undefined) {
      if (options.database !== undefined) {
        problems.push({ path: ["database"], message: "give `database` or `layer`, not both" })
      }
      for (const key of ["firstPublicId", "ids"] as const) {
        if (storage[key] !== undefined) {
          problems.push({ path: [key], message: "applies to the in-memory ports and `database` only, not to `layer`" })
        }
      }
    } else if (storage.database !== undefined && storage.ids === "sequential") {
      // A database outlives the process: sequential ids would start at tkt_1 again.
      problems.push({ path: ["ids"], message: "sequential ids apply to the in-memory ports only, not to `database`" })
    }
    const checked = yield* Effect.result(Config.check(configOf(options), { sla: options.sla }))
    if (problems.length > 0) {
      const more = Result.isSuccess(checked)
        ? []
        : checked.failure.config === "helpdesk"
          ? checked.failure.problems
          : ConfigError.invalid("helpdesk", checked.failure.problems, ["sla", "policies"]).problems
      return yield* ConfigError.invalid("helpdesk", [...problems, ...more])
    }
    if (Result.isFailure(checked)) return yield* checked.failure
    if (options.layer !== undefined) return completed(options.layer)
    const first = storage.firstPublicId === undefined ? {} : { firstPublicId: storage.firstPublicId }
    if (storage.database !== undefined) return Database.layer(storage.database, first)
    return Layer.mergeAll(
      MemoryTicketStore.layer(first),
      MemoryDirectoryStore.layer,
      storage.ids === "sequential" ? layerSequential : layerTimeOrdered
    )
  })
