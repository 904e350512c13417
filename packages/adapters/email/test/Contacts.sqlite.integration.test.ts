/**
 * Mail from one new address taken in by 4 processes at once, on one SQLite file, creates one
 * contact (`support/contactRace.ts` says what is checked); the file holds one email row each
 * for the sender and the CC.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import BetterSqlite3 from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { race } from "./support/contactRace.js"

describe("contacts of inbound mail across processes (SQLite)", () => {
  it("4 processes taking in mail from one new address at once create one contact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-email-contacts-"))
    const file = join(dir, "store.db")
    try {
      await race(`sqlite:${file}`)
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
