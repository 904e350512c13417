/**
 * The conformance suite of the `TicketStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests in parts an adapter may select (`Options.parts`, all by
 * default), one module each under `ticketStore/`: streams and versions, public numbers, email
 * Message-IDs, batches,
 * the feed of committed events, queries (examples and properties over random and hostile data),
 * search as the store's capabilities declare it, snapshots (`load` is the fold of `read`), the
 * SLA fold kept beside them, the declared capabilities, a model-based run of random help desk
 * operations, concurrent writers (issue 2), and the `Timers` and `Outbox` suites of the same
 * store. Each test builds its own store from the layer (a property, once for all its runs) and
 * writes only to workspaces, streams and outbox channels no other test or run uses, so a shared
 * durable store needs no cleanup between runs. A failing test's message lists the store calls it
 * made (operation, input, answer).
 */
import type { Effect } from "effect"
import { describe } from "vitest"
import type { WorkspaceId } from "../values/Ids.js"
import * as Fixtures from "./internal/fixtures.js"
import * as OutboxSuite from "./OutboxSuite.js"
import * as TimersSuite from "./TimersSuite.js"
import * as Batches from "./ticketStore/Batches.js"
import * as Capabilities from "./ticketStore/Capabilities.js"
import * as Concurrency from "./ticketStore/Concurrency.js"
import * as EmailIds from "./ticketStore/EmailIds.js"
import * as Feed from "./ticketStore/Feed.js"
import * as HostileQueries from "./ticketStore/HostileQueries.js"
import * as ModelRun from "./ticketStore/ModelRun.js"
import * as PublicIds from "./ticketStore/PublicIds.js"
import * as Queries from "./ticketStore/Queries.js"
import * as Search from "./ticketStore/Search.js"
import * as Snapshots from "./ticketStore/Snapshots.js"
import * as StoredSla from "./ticketStore/StoredSla.js"
import * as Streams from "./ticketStore/Streams.js"
import type { Settings } from "./ticketStore/Support.js"
import * as VisibilityFilter from "./ticketStore/VisibilityFilter.js"

// The concurrency helpers, for an adapter's own tests (documented where they are defined).
export {
  type ConcurrencyReport,
  concurrentWriters,
  expectNothingLost,
  interleaving
} from "./ticketStore/Concurrency.js"

/**
 * The parts of the suite, in the order `run` registers them:
 * - `streams`: read, load and append one stream with optimistic concurrency.
 * - `publicIds`: `nextPublicId` and `resolve`, per workspace.
 * - `emailIds`: `findByEmailId`, and each email Message-ID recorded once per workspace, also by
 *   appends of the same mail at the same moment (issue 16).
 * - `batches`: `appendAll`, all or nothing, within `capabilities.maxBatch`.
 * - `feed`: `readAll` gives every committed event once, in commit order, per workspace and
 *   overall, and a poller following it while fibers append misses nothing (`FeedCheck`).
 * - `queries`: `query`'s filters, sorts, cursors and SLA due times against the reference, on
 *   random and hostile data, workspace by workspace, and with the access policy's visibility
 *   filter (issue 18).
 * - `search`: `query`'s search as `capabilities.search` declares it.
 * - `snapshots`: `load` is the fold of `read` after every kind of write.
 * - `storedSla`: the SLA fold an append gives is kept beside the snapshot, `load` returns it
 *   with its version (a store that keeps none leaves this part out).
 * - `capabilities`: the declaration itself.
 * - `model`: random help desk operations on the store, checked step by step.
 * - `concurrency`: concurrent writers on one ticket lose nothing (issue 2).
 * - `timers` and `outbox`: `TimersSuite` and `OutboxSuite` on the same store.
 *
 * @category models
 * @since 0.1.0
 */
export const parts = [
  "streams",
  "publicIds",
  "emailIds",
  "batches",
  "feed",
  "queries",
  "search",
  "snapshots",
  "storedSla",
  "capabilities",
  "model",
  "concurrency",
  "timers",
  "outbox"
] as const

/**
 * One part of the suite (see `parts`).
 *
 * @category models
 * @since 0.1.0
 */
export type Part = (typeof parts)[number]

/**
 * How much of the suite to run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** The parts to run (default: every part, see `parts`). */
  readonly parts?: ReadonlyArray<Part>
  /** Runs of the model-based property (default 200). */
  readonly numRuns?: number
  /** Runs of each other property: queries, hostile input, workspaces, timers, outbox (default 100). */
  readonly propertyRuns?: number
  /** Most operations in one model-based run (default 50). */
  readonly maxCommands?: number
  /** Seed and path of the model-based run, to replay a failure as fast-check reported it. */
  readonly seed?: number
  readonly path?: string
  /** Concurrent writers on one ticket (default 8, as issue 2 requires). */
  readonly writers?: number
  /** Commands each writer sends (default 500, as issue 2 requires). */
  readonly commandsPerWriter?: number
  /** Timeout of each property test, in milliseconds (default 10 minutes). */
  readonly timeout?: number
}

/**
 * A workspace id no other test or run uses, even in a durable store shared between runs: the
 * time, some randomness and a counter.
 *
 * @category testing
 * @since 0.1.0
 */
export const freshWorkspace: Effect.Effect<WorkspaceId> = Fixtures.freshWorkspace

/** The parts registered inside the suite's `describe`, by name. */
const registered: Record<Exclude<Part, "timers" | "outbox">, ReadonlyArray<typeof Streams.register>> = {
  streams: [Streams.register],
  publicIds: [PublicIds.register],
  emailIds: [EmailIds.register],
  batches: [Batches.register],
  feed: [Feed.register],
  queries: [Queries.register, HostileQueries.register, VisibilityFilter.register],
  search: [Search.register],
  snapshots: [Snapshots.register],
  storedSla: [StoredSla.register],
  capabilities: [Capabilities.register],
  model: [ModelRun.register],
  concurrency: [Concurrency.register]
}

/**
 * Registers the conformance tests of a `TicketStore` adapter: every part, or those of
 * `options.parts`. Each test builds its own store from `layer`.
 *
 * @example
 * TicketStoreSuite.run("memory", MemoryTicketStore.layer())
 * TicketStoreSuite.run("memory, no search", MemoryTicketStore.layer({ capabilities: { search: "none" } }), {
 *   parts: ["search", "queries"]
 * })
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: Fixtures.StoreLayer<E>, options: Options = {}): void => {
  const settings: Settings = {
    numRuns: options.numRuns ?? 200,
    propertyRuns: options.propertyRuns ?? 100,
    maxCommands: options.maxCommands ?? 50,
    seed: options.seed,
    path: options.path,
    writers: options.writers ?? 8,
    commandsPerWriter: options.commandsPerWriter ?? 500,
    timeout: options.timeout ?? 600_000
  }
  const selected = new Set<Part>(options.parts ?? parts)
  for (const part of selected) {
    if (!parts.includes(part))
      throw new Error(`TicketStoreSuite.run: no part ${String(part)} (parts: ${parts.join(", ")})`)
  }
  describe(`TicketStore conformance: ${name}`, () => {
    for (const part of parts) {
      if (part === "timers" || part === "outbox" || !selected.has(part)) continue
      for (const register of registered[part]) register(layer, settings)
    }
  })
  const suiteOptions = {
    numRuns: settings.propertyRuns,
    timeout: settings.timeout,
    ...(settings.seed === undefined ? {} : { seed: settings.seed })
  }
  if (selected.has("timers")) TimersSuite.run(name, layer, suiteOptions)
  if (selected.has("outbox")) OutboxSuite.run(name, layer, suiteOptions)
}
