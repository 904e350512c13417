/**
 * #12: four processes opening tickets for requesters the help desk has not seen before. On
 * SQLite 277 of 400 opens were refused (`database is locked` in `saveContact`), and with the same
 * addresses in several processes an `open` failed with `EmailTaken`. Every open must succeed and
 * each address must end up as one contact, on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Connection, Migrations } from "@tessera/sql"
import { Effect } from "effect"
import { sql } from "kysely"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Bundle, bundleWorker } from "../support/bundle.js"
import { startWorker } from "../support/processes.js"
import { report } from "../support/report.js"
import { pgUrl } from "../support/servers.js"

const processes = 4
const opensPerProcess = 100

let bundle: Bundle
let dir: string
const schemas: Array<string> = []

beforeAll(async () => {
  bundle = await bundleWorker("sqlite-start")
  dir = mkdtempSync(join(tmpdir(), "tessera-new-requesters-"))
}, 60_000)

afterAll(async () => {
  bundle?.remove()
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  if (schemas.length > 0) {
    const client = new pg.Client({ connectionString: pgUrl() })
    await client.connect()
    try {
      for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`)
    } finally {
      await client.end()
    }
  }
})

/** A database of its own for one scenario, migrated: a SQLite file, or a PostgreSQL schema. */
const freshDatabase = async (dialect: "sqlite" | "postgres"): Promise<string> => {
  let url = `sqlite:${join(dir, `${randomUUID()}.db`)}`
  if (dialect === "postgres") {
    const schema = `tessera_reliability_${randomUUID().replaceAll("-", "")}`
    const client = new pg.Client({ connectionString: pgUrl() })
    await client.connect()
    try {
      await client.query(`create schema ${schema}`)
    } finally {
      await client.end()
    }
    schemas.push(schema)
    const parsed = new URL(pgUrl())
    parsed.searchParams.set("options", `-c search_path=${schema}`)
    url = parsed.toString()
  }
  await Effect.runPromise(
    Effect.scoped(Effect.flatMap(Connection.scoped(url), (c) => Migrations.migrate(c.db, c.dialect)))
  )
  return url
}

interface Opened {
  readonly opened: number
  readonly refused: ReadonlyArray<{ readonly email: string; readonly error: string; readonly message: string }>
}

/** What the database holds for the workspace after the run. */
const census = (url: string, workspace: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const { db } = yield* Connection.scoped(url)
        return yield* Effect.promise(async () => {
          const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) =>
            Number((await query.execute(db)).rows[0]?.n ?? 0)
          return {
            tickets: await count(sql`select count(*) as n from tickets where workspace_id = ${workspace}`),
            contacts: await count(sql`select count(*) as n from contacts where workspace_id = ${workspace}`),
            emails: await count(sql`select count(*) as n from contact_emails where workspace_id = ${workspace}`),
            requesters: await count(
              sql`select count(distinct requester) as n from tickets where workspace_id = ${workspace}`
            ),
            // Tickets whose requester is not the contact that holds the address (none may be).
            strayTickets: await count(
              sql`select count(*) as n from tickets t where t.workspace_id = ${workspace} and not exists (
                select 1 from contact_emails e where e.workspace_id = t.workspace_id and e.contact_id = t.requester)`
            )
          }
        })
      })
    )
  )

const scenario = async (dialect: "sqlite" | "postgres", addresses: "distinct" | "same") => {
  const url = await freshDatabase(dialect)
  const workspace = `ws_requesters_${addresses}`
  const workers = Array.from({ length: processes }, (_, i) =>
    startWorker(
      "sqlite-start",
      [
        "requesters",
        "--url",
        url,
        "--workspace",
        workspace,
        "--prefix",
        addresses === "distinct" ? `p${i}-requester` : "shared-requester",
        "--count",
        String(opensPerProcess),
        "--fibers",
        "4"
      ],
      {},
      { bundle: bundle.file }
    )
  )
  const isType = (type: string) => (m: unknown) =>
    typeof m === "object" && m !== null && (m as { readonly type?: unknown }).type === type
  await Promise.all(workers.map((w) => w.waitFor(isType("ready"))))
  for (const w of workers) w.child.stdin.write("go\n")
  const results = (await Promise.all(workers.map((w) => w.waitFor(isType("opened"))))) as ReadonlyArray<Opened>
  await Promise.all(workers.map((w) => w.exited))
  const stored = await census(url, workspace)
  const expectedAddresses = addresses === "distinct" ? processes * opensPerProcess : opensPerProcess
  const refused = results.flatMap((r) => r.refused)
  return report(`new-requesters-${addresses}-${dialect}`, {
    processes,
    opens: processes * opensPerProcess,
    opened: results.reduce((n, r) => n + r.opened, 0),
    refused: refused.length,
    addresses: expectedAddresses,
    ...stored,
    // Each contact holds one address, and an address belongs to one contact: any other
    // contact is a second one made for an address that already had one.
    duplicateContacts: stored.contacts - stored.emails,
    errors: Array.from(new Set(refused.map((r) => `${r.error}: ${r.message}`))).slice(0, 5)
  })
}

const expectNoneRefused = (counts: Awaited<ReturnType<typeof scenario>>) => {
  expect(counts.refused).toBe(0)
  expect(counts.opened).toBe(counts.opens)
  expect(counts.tickets).toBe(counts.opens)
  expect(counts.duplicateContacts).toBe(0)
  expect(counts.emails).toBe(counts.addresses)
  expect(counts.requesters).toBe(counts.addresses)
  expect(counts.strayTickets).toBe(0)
}

describe.each(["sqlite", "postgres"] as const)("new requesters from four processes at once (%s)", (dialect) => {
  it("every open for a distinct new address succeeds, one contact per address", async () => {
    expectNoneRefused(await scenario(dialect, "distinct"))
  }, 120_000)

  it("every open for an address other processes are creating too succeeds, reusing one contact", async () => {
    expectNoneRefused(await scenario(dialect, "same"))
  }, 120_000)
})
