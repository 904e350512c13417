/**
 * #12, "the limits on every store": the SQL store failed with `StoreUnavailable` ("too many SQL
 * variables", "Expression tree is too large") on inputs the memory store accepted (10,923 tags in
 * one command, `open` with 12,000 tags, a 40,000-value filter, a split of a 20,050-message ticket),
 * and PostgreSQL refused a public number the schema accepted. Every store now runs every case of
 * `LimitsSuite`: at each limit it accepts and answers as the reference does, one beyond it refuses
 * with the same typed error. Per store: cases run and failed, checks at a limit that passed, and
 * refusals beyond one that came with the right error.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MemoryTicketStore } from "@tessera/core"
import { LimitsSuite } from "@tessera/core/testing"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { report } from "../support/report.js"
import { pgUrl } from "../support/servers.js"

const url = pgUrl()

const sqliteFile = (options: LimitsSuite.StoreOptions) =>
  Layer.unwrap(
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => mkdtempSync(join(tmpdir(), "tessera-limits-"))),
        (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
      ),
      (dir) => SqlStore.layerUrl({ url: `sqlite:${join(dir, "tessera.db")}`, ...options })
    )
  )

/** Runs `statement` on the server of the suite, on a connection of its own. */
const onServer = async (statement: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A schema of its own per case, dropped with everything in it at release. */
const postgresSchema = (options: LimitsSuite.StoreOptions) =>
  Layer.unwrap(
    Effect.map(
      Effect.acquireRelease(
        Effect.promise(async () => {
          const schema = `tessera_limits_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
          await onServer(`create schema ${schema}`)
          return schema
        }),
        (schema) => Effect.promise(() => onServer(`drop schema ${schema} cascade`))
      ),
      (schema) => {
        const withPath = new URL(url)
        withPath.searchParams.set("options", `-c search_path=${schema}`)
        return SqlStore.layerUrl({ url: withPath.toString(), connections: 4, ...options })
      }
    )
  )

const stores: ReadonlyArray<readonly [string, LimitsSuite.StoreFor<unknown>]> = [
  ["memory", (options) => MemoryTicketStore.layer(options)],
  ["sqlite", sqliteFile],
  ["postgres", postgresSchema]
]

describe("reliability: the limits on every store", () => {
  it("every store accepts each limit as the memory store does and refuses one beyond with the same error", async () => {
    const reports: Array<LimitsSuite.Report> = []
    for (const [store, storeFor] of stores) {
      const found = await LimitsSuite.check(storeFor, { timeout: 120_000 })
      reports.push(found)
      report("limits-on-every-store", {
        store,
        cases: found.cases,
        failed: found.failures.length,
        checkedAtLimit: found.atLimit,
        refusedBeyondWithTheRightError: found.beyond,
        failures: found.failures.map((f) => `${f.name}: ${f.message}`)
      })
    }
    const [memory] = reports
    for (const [i, found] of reports.entries()) {
      expect(found.failures, stores[i]?.[0]).toEqual([])
      expect(found.atLimit, stores[i]?.[0]).toBe(memory?.atLimit)
      expect(found.beyond, stores[i]?.[0]).toBe(memory?.beyond)
    }
    expect(memory?.atLimit).toBeGreaterThanOrEqual(memory?.cases ?? Number.POSITIVE_INFINITY)
    expect(memory?.beyond).toBeGreaterThanOrEqual(memory?.cases ?? Number.POSITIVE_INFINITY)
  }, 1_200_000)
})
