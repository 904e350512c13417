/**
 * Mail from one new address taken in by several processes at once, on one SQLite file, creates
 * one contact: every ticket those processes open has that contact as requester, and a CC
 * address found or created in all of them at once is one contact too (`Contacts.findOrCreate`
 * reads the winner's contact when the directory refuses a second owner of the email).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import BetterSqlite3 from "better-sqlite3"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { workspaceId } from "./support/mail.js"

const here = dirname(fileURLToPath(import.meta.url))
const tsx = createRequire(import.meta.url).resolve("tsx")

interface Worker {
  readonly child: ChildProcessWithoutNullStreams
  readonly ready: Promise<void>
  readonly result: Promise<{ requesters: Array<string>; copied: Array<string> }>
}

const start = (url: string, index: number, count: number): Worker => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsx,
      "--conditions=@tessera/source",
      join(here, "support", "contactWorker.ts"),
      "--url",
      url,
      "--count",
      String(count),
      "--index",
      String(index)
    ],
    { cwd: join(here, ".."), stdio: ["pipe", "pipe", "pipe"], env: process.env }
  )
  let stderr = ""
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk)
  })
  const lines = createInterface({ input: child.stdout })
  const seen: Array<string> = []
  let onLine: () => void = () => undefined
  lines.on("line", (line) => {
    seen.push(line)
    onLine()
  })
  const nth = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (seen.length > n) resolve(seen[n] as string)
      }
      const previous = onLine
      onLine = () => {
        previous()
        check()
      }
      check()
      child.on("exit", (code) => {
        if (seen.length <= n) reject(new Error(`worker ${index} exited ${code}\n${stderr.slice(-4000)}`))
      })
    })
  return {
    child,
    ready: nth(0).then(() => undefined),
    result: nth(1).then((line) => JSON.parse(line))
  }
}

describe("contacts of inbound mail across processes", () => {
  it("4 processes taking in mail from one new address at once create one contact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-email-contacts-"))
    const file = join(dir, "store.db")
    const url = `sqlite:${file}`
    try {
      // Migrate once, before the race, as an application's deployment does.
      const migrated = Layer.mergeAll(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered)
      await Effect.runPromise(Effect.scoped(Layer.build(migrated)))
      const raw = new BetterSqlite3(file)
      raw.pragma("journal_mode = wal")
      raw.close()

      const count = 6
      const workers = [0, 1, 2, 3].map((i) => start(url, i, count))
      await Promise.all(workers.map((w) => w.ready))
      for (const w of workers) w.child.stdin.write("go\n")
      const results = await Promise.all(workers.map((w) => w.result))

      const requesters = new Set(results.flatMap((r) => r.requesters))
      const copied = new Set(results.flatMap((r) => r.copied))
      expect(results.flatMap((r) => r.requesters)).toHaveLength(4 * count)
      expect([...requesters].every((r) => r.startsWith("con"))).toBe(true)
      expect(requesters.size).toBe(1)
      expect(copied.size).toBe(1)

      const check = Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        const found = yield* helpdesk.findContactByEmail("new.customer@example.test")
        const page = yield* helpdesk.list({ limit: 100 })
        return { found, tickets: page.items }
      }).pipe(Effect.provide(Helpdesk.layer({ workspaceId }).pipe(Layer.provide(migrated))), Effect.scoped)
      const { found, tickets } = await Effect.runPromise(check)
      expect(found._tag === "Some" && found.value.id).toBe([...requesters][0])
      expect(tickets).toHaveLength(4 * count)
      expect(new Set(tickets.map((t) => t.requester))).toEqual(requesters)
      const db = new BetterSqlite3(file, { readonly: true })
      const rows = db
        .prepare("select count(*) as n from contact_emails where email in (?, ?)")
        .get("new.customer@example.test", "copied@example.test") as { n: number }
      db.close()
      expect(rows.n).toBe(2)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
