/**
 * Mail from one new address taken in by 4 processes at once, on one PostgreSQL database, creates
 * one contact (`support/contactRace.ts` says what is checked). Needs `TESSERA_PG_URL`, and fails
 * without it.
 */
import { createRequire } from "node:module"
import { describe, expect, it } from "vitest"
import { race } from "./support/contactRace.js"

/** The little of `pg` this test uses (the email package has no `@types/pg`). */
interface PgClient {
  connect(): Promise<void>
  query(text: string, values?: ReadonlyArray<string>): Promise<{ rows: Array<Record<string, unknown>> }>
  end(): Promise<void>
}
const pg = createRequire(import.meta.url)("pg") as {
  Client: new (options: { connectionString: string | undefined }) => PgClient
}

describe("contacts of inbound mail across processes (PostgreSQL)", () => {
  it("4 processes taking in mail from one new address at once create one contact", async () => {
    const adminUrl = process.env.TESSERA_PG_URL
    expect(adminUrl, "TESSERA_PG_URL must name a PostgreSQL server").toBeTruthy()
    const name = `tessera_email_contacts_${process.pid}_${Math.floor(performance.now())}`
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    try {
      await admin.query(`create database ${name}`)
      const url = new URL(adminUrl as string)
      url.pathname = `/${name}`
      await race(url.toString())
      const db = new pg.Client({ connectionString: url.toString() })
      await db.connect()
      const rows = await db.query("select count(*)::int as n from contact_emails where email in ($1, $2)", [
        "new.customer@example.test",
        "copied@example.test"
      ])
      await db.end()
      expect(rows.rows[0]?.n).toBe(2)
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }, 120_000)
})
