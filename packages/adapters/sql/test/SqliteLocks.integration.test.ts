/**
 * #12: SQLite files shared by processes that start, migrate and write at the same time. Another
 * connection holding the write lock must make these wait (the busy timeout), never fail at once
 * with "database is locked"; and a migration that fails part-way must leave nothing behind. The
 * process-level scenarios (kills, 40 starts, 400 opens) are in `reliability/`.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Directory } from "@tessera/core"
import SqliteDatabase from "better-sqlite3"
import { Effect, Schema } from "effect"
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import * as Connection from "../src/Connection.js"
import * as Migrations from "../src/Migrations.js"
import * as SqlDirectoryStore from "../src/SqlDirectoryStore.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-sqlite-locks-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshFile = () => join(dir, `locks-${++files}.db`)

const driver = createRequire(import.meta.url).resolve("better-sqlite3")

/**
 * Another process takes the file's write lock (`BEGIN IMMEDIATE`) and holds it for `millis`.
 * It must be another process: better-sqlite3 waits for a lock synchronously, so a holder in
 * this process could never let go while the waiter waits. Resolves once the lock is held.
 */
const holdWriteLock = async (file: string, millis: number): Promise<{ readonly released: Promise<void> }> => {
  const script = `
    const db = new (require(${JSON.stringify(driver)}))(process.argv[1], { timeout: 5000 })
    db.exec("begin immediate")
    console.log("locked")
    setTimeout(() => { db.exec("commit"); db.close() }, ${millis})`
  const child = spawn(process.execPath, ["-e", script, file], { stdio: ["ignore", "pipe", "inherit"] })
  const released = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => line === "locked" && resolve())
    child.on("exit", (code) => reject(new Error(`the lock holder exited (${code}) before locking`)))
  })
  return { released }
}

const opened = (file: string) => Effect.runPromise(Connection.open(`sqlite:${file}`))

const tablesOf = (file: string): ReadonlyArray<string> => {
  const database = new SqliteDatabase(file)
  try {
    return database
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all() as Array<string>
  } finally {
    database.close()
  }
}

describe("SQLite files shared by several processes", () => {
  it("opening a fresh file while another process holds its write lock waits for it and then uses WAL", async () => {
    // Switching to WAL reads the header, then writes it: SQLite refuses that upgrade at once,
    // whatever the busy timeout, so without a retry this open failed with "database is locked".
    const file = freshFile()
    const seed = new SqliteDatabase(file)
    seed.exec("create table seeded (x)")
    seed.close()
    const { released } = await holdWriteLock(file, 400)
    const started = performance.now()
    const connection = await opened(file)
    try {
      expect(performance.now() - started).toBeGreaterThan(100)
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(connection.db)
      expect(mode.rows[0]?.journal_mode).toBe("wal")
    } finally {
      await Effect.runPromise(connection.close)
      await released
    }
  })

  it("a migration that fails part-way leaves the file as it found it, and a later run applies it whole", async () => {
    const file = freshFile()
    // A table of the user's own that 001_initial also creates, after `events` and `tickets`.
    const seed = new SqliteDatabase(file)
    seed.exec("create table ticket_texts (mine text)")
    seed.close()
    const connection = await opened(file)
    try {
      const failure = await Effect.runPromise(Effect.flip(Migrations.migrate(connection.db, connection.dialect)))
      expect(failure).toMatchObject({ _tag: "MigrationFailed", migration: "001_initial" })
      expect(tablesOf(file)).toEqual(["ticket_texts"])
      await sql`drop table ticket_texts`.execute(connection.db)
      const applied = await Effect.runPromise(Migrations.migrate(connection.db, connection.dialect))
      expect(applied[0]).toBe("001_initial") // and every later migration after it, in the same run
      expect(tablesOf(file)).toEqual(expect.arrayContaining(["events", "tickets", "ticket_texts", "kysely_migration"]))
    } finally {
      await Effect.runPromise(connection.close)
    }
  })

  it("a start on a file already migrated does not wait for another process's write", async () => {
    const file = freshFile()
    const first = await opened(file)
    await Effect.runPromise(Migrations.migrate(first.db, first.dialect))
    await Effect.runPromise(first.close)
    const { released } = await holdWriteLock(file, 2500)
    const started = performance.now()
    const connection = await opened(file)
    try {
      expect(await Effect.runPromise(Migrations.migrate(connection.db, connection.dialect))).toEqual([])
      expect(performance.now() - started).toBeLessThan(1500)
    } finally {
      await Effect.runPromise(connection.close)
      await released
    }
  })

  it("saving a contact while another process writes waits for it instead of failing", async () => {
    // The save reads the contact's emails, then writes: a deferred BEGIN failed at the upgrade.
    const file = freshFile()
    const connection = await opened(file)
    try {
      await Effect.runPromise(Migrations.migrate(connection.db, connection.dialect))
      const directory = await Effect.runPromise(SqlDirectoryStore.make(connection))
      const jane = Schema.decodeUnknownSync(Directory.Contact)({
        id: "jane",
        workspaceId: "acme",
        name: "Jane Sharpe",
        emails: ["jane@example.com"],
        phones: [],
        externalIds: {}
      })
      const { released } = await holdWriteLock(file, 400)
      const started = performance.now()
      await Effect.runPromise(directory.saveContact(jane))
      expect(performance.now() - started).toBeGreaterThan(100)
      await released
      const found = await Effect.runPromise(directory.findContactByEmail(jane.workspaceId, "JANE@example.com"))
      expect(found).toMatchObject({ _tag: "Some", value: { id: "jane" } })
    } finally {
      await Effect.runPromise(connection.close)
    }
  })
})
