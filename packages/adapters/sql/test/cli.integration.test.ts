/**
 * `tessera-sql migrate`, run as users run it: a separate process (the sources bundled into one
 * script, as the package's build does), on a
 * temporary SQLite file, on a fresh PostgreSQL schema and on a fresh MariaDB/MySQL database.
 * Expected failures print one line and
 * exit 1, never a stack trace.
 */
import { execFile } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import pg from "pg"
import { describe, expect, it } from "vitest"
import * as Children from "./children.js"
import { freshMysqlDatabase, freshSchema, mysqlUrl, pgUrl, tempDir, withDatabase, withSearchPath } from "./support.js"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const bin = fileURLToPath(new URL("../src/bin/migrate.ts", import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const cli = async (...args: ReadonlyArray<string>): Promise<Run> => {
  const script = await Children.bundled(bin)
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { cwd: root }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

const noStackTrace = (run: Run) => {
  expect(run.stderr).not.toMatch(/^\s+at /m)
  expect(run.stderr.trim().split("\n")).toHaveLength(1)
}

const scoped = <A>(effect: Effect.Effect<A, never, never>) => Effect.runPromise(effect)

describe("tessera-sql migrate", () => {
  it("migrates a new SQLite file, then finds it up to date", () =>
    scoped(
      Effect.scoped(
        Effect.gen(function* () {
          const file = join(yield* tempDir, "helpdesk.db")
          const first = yield* Effect.promise(() => cli("migrate", "--url", `sqlite:${file}`))
          expect(first).toMatchObject({ code: 0, stderr: "" })
          expect(first.stdout).toContain("applied 001_initial")
          const again = yield* Effect.promise(() => cli("migrate", `--url=sqlite:${file}`))
          expect(again).toMatchObject({ code: 0, stderr: "" })
          expect(again.stdout).toContain("up to date: no migration to apply")
        })
      )
    ))

  it("migrates a PostgreSQL database (a fresh schema), then finds it up to date", () =>
    scoped(
      Effect.scoped(
        Effect.gen(function* () {
          const schema = yield* freshSchema
          const url = withSearchPath(pgUrl(), schema)
          const first = yield* Effect.promise(() => cli("migrate", "--url", url))
          expect(first).toMatchObject({ code: 0, stderr: "" })
          expect(first.stdout).toContain("applied 001_initial")
          const tables = yield* Effect.promise(async () => {
            const client = new pg.Client({ connectionString: pgUrl() })
            await client.connect()
            try {
              const result = await client.query<{ table_name: string }>(
                "select table_name from information_schema.tables where table_schema = $1",
                [schema]
              )
              return result.rows.map((row) => row.table_name)
            } finally {
              await client.end()
            }
          })
          expect(tables).toEqual(expect.arrayContaining(["events", "tickets", "contacts", "contact_emails", "outbox"]))
          const again = yield* Effect.promise(() => cli("migrate", "--url", url))
          expect(again).toMatchObject({ code: 0, stderr: "" })
          expect(again.stdout).toContain("up to date: no migration to apply")
        })
      )
    ))

  it("migrates a MariaDB/MySQL database (a fresh one), then finds it up to date", () =>
    scoped(
      Effect.scoped(
        Effect.gen(function* () {
          const url = withDatabase(mysqlUrl(), yield* freshMysqlDatabase)
          const first = yield* Effect.promise(() => cli("migrate", "--url", url))
          expect(first).toMatchObject({ code: 0, stderr: "" })
          expect(first.stdout).toContain("applied 003_ticket_sla")
          const again = yield* Effect.promise(() => cli("migrate", "--url", url))
          expect(again).toMatchObject({ code: 0, stderr: "" })
          expect(again.stdout).toContain("up to date: no migration to apply")
        })
      )
    ))

  it("a URL it cannot open exits 1 with one line naming the problem", async () => {
    const [unknown, missingDir, refused, refusedMysql] = await Promise.all([
      cli("migrate", "--url", "oracle://scott@localhost/helpdesk"),
      cli("migrate", "--url", "sqlite:/nonexistent-dir/helpdesk.db"),
      cli("migrate", "--url", "postgres://tessera:s3cret@127.0.0.1:1/helpdesk"),
      cli("migrate", "--url", "mysql://tessera:s3cret@127.0.0.1:1/helpdesk")
    ])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("expected sqlite:<path>, postgres://")
    noStackTrace(unknown)
    expect(missingDir.code).toBe(1)
    expect(missingDir.stderr).toContain("Cannot connect to sqlite:/nonexistent-dir/helpdesk.db")
    noStackTrace(missingDir)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain("Cannot connect to postgres://tessera:***@127.0.0.1:1/helpdesk")
    expect(refused.stderr).not.toContain("s3cret")
    noStackTrace(refused)
    expect(refusedMysql.code).toBe(1)
    expect(refusedMysql.stderr).toContain("Cannot connect to mysql://tessera:***@127.0.0.1:1/helpdesk")
    expect(refusedMysql.stderr).not.toContain("s3cret")
    noStackTrace(refusedMysql)
  })

  it("a wrong command line exits 1 with the usage; --help prints it", async () => {
    const wrong = [["frobnicate"], ["migrate"], ["migrate", "--url"], ["migrate", "--url", "sqlite:x.db", "--force"]]
    const [help, ...runs] = await Promise.all([cli("--help"), ...wrong.map((args) => cli(...args))])
    for (const [i, run] of runs.entries()) {
      expect(run.code, wrong[i]?.join(" ")).toBe(1)
      expect(run.stderr).toContain("Usage: tessera-sql migrate --url <url>")
      expect(run.stderr).not.toMatch(/^\s+at /m)
    }
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(help.stdout).toContain("Usage: tessera-sql migrate --url <url>")
  })
})
