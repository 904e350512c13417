/**
 * #12: processes starting on one SQLite file. A process killed while the first migration ran
 * left a file that never opened again (`table "events" already exists`), and processes starting
 * together on a fresh file failed (`MigrationFailed`, `database is locked`). Each worker is a
 * separate OS process (`workers/sqlite-start.ts`), bundled once so that 40 of them start fast.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { Connection, Migrations, SqlStore } from "@tessera/sql"
import BetterSqlite3 from "better-sqlite3"
import { Cause, Effect, Exit, Layer } from "effect"
import type { KyselyPlugin } from "kysely"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Bundle, bundleWorker } from "../support/bundle.js"
import { startWorker, type Worker } from "../support/processes.js"
import { report } from "../support/report.js"

let bundle: Bundle
let dir: string

beforeAll(async () => {
  bundle = await bundleWorker("sqlite-start")
  dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-start-"))
}, 60_000)

afterAll(() => {
  bundle?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
})

const worker = (args: ReadonlyArray<string>): Worker => startWorker("sqlite-start", args, {}, { bundle: bundle.file })

const isType =
  (type: string) =>
  (message: unknown): boolean =>
    typeof message === "object" && message !== null && (message as { readonly type?: unknown }).type === type

const isStatement =
  (n: number) =>
  (message: unknown): boolean =>
    isType("statement")(message) && (message as { readonly n?: unknown }).n === n

/** Runs `task` on every item, at most `concurrency` at a time. */
const pool = async <A, B>(items: ReadonlyArray<A>, concurrency: number, task: (item: A) => Promise<B>) => {
  const results: Array<B> = []
  let next = 0
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as A)
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return results
}

/** What a file holds: nothing of Tessera's (as before any migration), all of 001, or a mix. */
const schemaOf = (file: string): "old" | "new" | "partial" => {
  const database = new BetterSqlite3(file)
  try {
    const tables = new Set(
      database
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .pluck()
        .all() as Array<string>
    )
    if (tables.size === 0) return "old"
    const applied = tables.has("kysely_migration")
      ? (database.prepare("select name from kysely_migration").pluck().all() as Array<string>)
      : []
    const complete = ["events", "tickets", "contacts", "contact_emails", "ticket_texts", "ticket_texts_fts"].every(
      (table) => tables.has(table)
    )
    return complete && applied.includes("001_initial") ? "new" : "partial"
  } finally {
    database.close()
  }
}

/** Opens the file as an app does (migrating it) and opens a ticket; the error's message if it cannot. */
const openAndUse = async (file: string): Promise<string | undefined> => {
  const exit = await Effect.runPromiseExit(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.make({ workspaceId: "ws_start" })
      yield* helpdesk.open({
        requester: { email: "after.restart@example.com" },
        subject: "After the restart",
        text: "Does this file still open?",
        channel: "web"
      })
    }).pipe(Effect.provide(Layer.merge(SqlStore.layerUrl({ url: `sqlite:${file}` }), IdGenerator.layerTimeOrdered)))
  )
  return Exit.isSuccess(exit) ? undefined : String(Cause.squash(exit.cause))
}

/** The statements a first migration runs, in order, as the worker numbers them. */
const firstMigrationStatements = async (): Promise<ReadonlyArray<string>> => {
  const seen: Array<string> = []
  const described = new WeakMap<object, string>()
  // Counted as the worker counts them, when a result comes back: the transaction's `begin
  // immediate` and `commit` are sent precompiled (no `transformQuery`), and read as `edge`.
  const recorder: KyselyPlugin = {
    transformQuery: (args) => {
      const node = args.node
      described.set(args.queryId, node.kind === "RawNode" ? node.sqlFragments.join("?").trim() : node.kind)
      return node
    },
    transformResult: async (args) => {
      seen.push(described.get(args.queryId) ?? "edge")
      return args.result
    }
  }
  await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* Connection.scoped(`sqlite:${join(dir, "calibration.db")}`)
        yield* Migrations.migrate(connection.db.withPlugin(recorder), connection.dialect)
      })
    )
  )
  return seen
}

describe("processes starting on one SQLite file", () => {
  it("a process killed at any point of the first migration leaves a file every later start opens", async () => {
    const statements = await firstMigrationStatements()
    const total = statements.length
    const begin = statements.indexOf("edge") + 1
    const commit = statements.lastIndexOf("edge") + 1
    const kills = 40
    // Kill i lets statements 1..`after` go on, then kills the worker within 2 ms: during
    // statement `after + 1`, or while it waits after that one (it never runs further).
    const plans = Array.from({ length: kills }, (_, i) => ({
      file: join(dir, `kill-${i}.db`),
      after: Math.round((i * total) / (kills - 1))
    }))
    const outcomes = await pool(plans, 4, async ({ file, after }) => {
      const w = worker(["migrate", "--url", `sqlite:${file}`])
      await w.waitFor(isType("ready"))
      w.child.stdin.write("go\n")
      await w.waitFor(isType("migrating"))
      for (let n = 1; n <= after; n++) {
        await w.waitFor(isStatement(n))
        w.child.stdin.write("next\n")
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2))
      w.child.kill("SIGKILL")
      const { signal } = await w.exited
      return { after, killed: signal === "SIGKILL", schema: schemaOf(file), reopen: await openAndUse(file) }
    })
    const counts = report("sqlite-migration-kill", {
      kills,
      statements: total,
      killedByTheSignal: outcomes.filter((o) => o.killed).length,
      killedBeforeDdl: outcomes.filter((o) => o.after < begin).length,
      killedMidMigration: outcomes.filter((o) => o.after >= begin && o.after < commit).length,
      killedAfterCommit: outcomes.filter((o) => o.after >= commit).length,
      leftOldSchema: outcomes.filter((o) => o.schema === "old").length,
      leftNewSchema: outcomes.filter((o) => o.schema === "new").length,
      leftPartial: outcomes.filter((o) => o.schema === "partial").length,
      unopenable: outcomes.filter((o) => o.reopen !== undefined).length,
      errors: Array.from(new Set(outcomes.flatMap((o) => (o.reopen === undefined ? [] : [o.reopen]))))
    })
    expect(counts.unopenable).toBe(0)
    expect(counts.leftPartial).toBe(0)
    expect(counts.killedByTheSignal).toBe(kills)
    // The migration is one transaction, and most kills landed inside it.
    expect(begin).toBe(1)
    expect(commit).toBe(total)
    expect(counts.killedMidMigration).toBeGreaterThanOrEqual(30)
    // Killed before the commit could run: the schema it found; after the commit: the new one.
    for (const outcome of outcomes) {
      if (outcome.after < commit - 1) expect(outcome).toMatchObject({ schema: "old" })
      if (outcome.after >= commit) expect(outcome).toMatchObject({ schema: "new" })
    }
  }, 120_000)

  it("processes starting together on a fresh file all start, one of them migrating it", async () => {
    const files = 10
    const perFile = 4
    const groups = await pool(
      Array.from({ length: files }, (_, i) => join(dir, `start-${i}.db`)),
      2,
      async (file) => {
        const workers = Array.from({ length: perFile }, () => worker(["start", "--url", `sqlite:${file}`]))
        await Promise.all(workers.map((w) => w.waitFor(isType("ready"))))
        for (const w of workers) w.child.stdin.write("go\n")
        return Promise.all(
          workers.map(async (w) => {
            const outcome = (await w.waitFor((m) => isType("started")(m) || isType("failed")(m))) as {
              readonly type: string
              readonly applied?: ReadonlyArray<string>
              readonly message?: string
            }
            await w.exited
            return outcome
          })
        )
      }
    )
    const outcomes = groups.flat()
    const counts = report("sqlite-concurrent-start", {
      files,
      starts: outcomes.length,
      started: outcomes.filter((o) => o.type === "started").length,
      failures: outcomes.filter((o) => o.type !== "started").length,
      filesMigratedByOneProcess: groups.filter(
        (group) => group.filter((o) => o.applied?.includes("001_initial") === true).length === 1
      ).length,
      errors: Array.from(new Set(outcomes.flatMap((o) => (o.message === undefined ? [] : [o.message]))))
    })
    expect(counts.starts).toBe(files * perFile)
    expect(counts.failures).toBe(0)
    expect(counts.filesMigratedByOneProcess).toBe(files)
  }, 120_000)
})
