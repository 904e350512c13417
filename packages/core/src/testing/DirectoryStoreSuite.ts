/**
 * The conformance suite of the `DirectoryStore` port: every adapter runs it, the in-memory one
 * included. `run` registers vitest tests: examples of the contract (round-trips, emails unique per
 * workspace and case-insensitive, agents by group and id, workspace isolation, hostile strings)
 * and fast-check properties that replay random directory operations against the store and against
 * `MemoryDirectoryStore`, the reference, comparing every answer. Each test writes only to
 * workspaces no other test or run uses, so a shared durable store needs no cleanup between runs.
 * The parts (records and workspaces, contacts by email, agents and hostile lookups) are one
 * module each under `directoryStore/`.
 */
import type { Layer } from "effect"
import { describe } from "vitest"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import * as Emails from "./directoryStore/Emails.js"
import * as Lookups from "./directoryStore/Lookups.js"
import * as Records from "./directoryStore/Records.js"
import { propertySettings } from "./internal/fixtures.js"

export { hostileStrings } from "./directoryStore/Generators.js"

/**
 * How much of the suite to run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  /** Runs of each property (default 100). */
  readonly numRuns?: number
  /** Seed of the properties, to replay a failure as fast-check reported it. */
  readonly seed?: number
  /** Timeout of each property test, in milliseconds (default 5 minutes). */
  readonly timeout?: number
}

// -- the suite ----------------------------------------------------------------------------------------

/**
 * Registers the conformance tests of a `DirectoryStore` built by `layer` (built afresh for each test).
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: Layer.Layer<DirectoryStore, E>, options: Options = {}): void => {
  const { params, timeout } = propertySettings(options, 300_000)
  describe(`DirectoryStore conformance: ${name}`, () => {
    Records.register(layer, { params, timeout })
    Emails.register(layer, { params, timeout })
    Lookups.register(layer, { params, timeout })
  })
}
