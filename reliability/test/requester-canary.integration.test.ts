/**
 * Issue 12, "requester views never show an internal note": the canary property on the SQL store,
 * on a SQLite file and on PostgreSQL (a schema of its own on the server of `TESSERA_PG_URL`). Here
 * requester searches go through FTS5 and tsvector conditions, and texts through `ticket_texts`.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Effect, Exit, Layer, Scope } from "effect"
import pg from "pg"
import { it } from "vitest"
import { report } from "../support/report.js"
import * as Canary from "../support/requesterCanary.js"
import { pgUrl } from "../support/servers.js"

/** Runs the property on the store of `url`, built once for every run and closed at the end. */
const onStore = async (scenario: string, url: string, numRuns: number) => {
  const scope = await Effect.runPromise(Scope.make())
  try {
    const ports = await Effect.runPromise(
      Layer.buildWithScope(Layer.mergeAll(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered), scope)
    )
    const outcome = await Canary.run(ports, { numRuns })
    report(scenario, outcome.counts)
    Canary.expectNoLeak(outcome)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

it("requester-facing operations never return a note's text, on SQLite (canary property)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-canary-"))
  try {
    await onStore("requester-canary-sqlite", `sqlite:${join(dir, "canary.db")}`, 30)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 300_000)

it("requester-facing operations never return a note's text, on PostgreSQL (canary property)", async () => {
  const schema = `tessera_canary_${randomUUID().replaceAll("-", "")}`
  const admin = new pg.Client({ connectionString: pgUrl() })
  await admin.connect()
  try {
    await admin.query(`create schema ${schema}`)
    const url = new URL(pgUrl())
    url.searchParams.set("options", `-c search_path=${schema}`)
    await onStore("requester-canary-postgres", url.toString(), 20)
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`)
    await admin.end()
  }
}, 300_000)
