/**
 * The code of the storage guide (`docs/storage.md`) and of this package's README, run as written:
 * the docs quote the regions below, and `examples/quickstart/test/snippets.test.ts` fails when a
 * copy and its region differ. The snippets name `sqlite:helpdesk.db`, so each test runs in a
 * temporary working directory; the PostgreSQL run sets `DATABASE_URL` to a fresh schema, the
 * MariaDB/MySQL run to a fresh database.
 */
// biome-ignore-all assist/source/organizeImports: the guide quotes the `imports` region as written
// #region imports
import { createHelpdesk } from "@tessera/core"
// #endregion
import { Connection, Migrations } from "@tessera/sql"
import { Effect } from "effect"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { Exit, Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { freshMysqlDatabase, freshSchema, mysqlUrl, pgUrl, tempDir, withDatabase, withSearchPath } from "./support.js"

const openHelpdesk = async () => {
  // #region create-helpdesk
  // The embedded default is a SQLite file; DATABASE_URL=postgres://... switches to PostgreSQL,
  // DATABASE_URL=mysql://... to MariaDB or MySQL.
  const url = process.env.DATABASE_URL ?? "sqlite:helpdesk.db"
  const helpdesk = await createHelpdesk({ workspaceId: "acme", database: url, firstPublicId: 69369 })
  // #endregion
  return helpdesk
}

const migrateFromCode = () =>
  // #region migrate
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const { db, dialect } = yield* Connection.scoped("sqlite:helpdesk.db")
        return yield* Migrations.migrate(db, dialect) // the names of the migrations it applied
      })
    )
  )
// #endregion

/** Opens a ticket, closes the help desk, opens it again and reads the ticket back. */
const ticketSurvivesRestart = async () => {
  const first = await openHelpdesk()
  const ticket = await first.open({
    requester: { email: "jane.sharpe@example.com" },
    subject: "Over-charged for my subscription",
    text: "Hello, I was charged twice this month.",
    channel: "email"
  })
  await first.close()
  // The first public number applies to the new database; ids are time-ordered (issue 15).
  expect(ticket.publicId).toBe(69369)
  expect(ticket.id).toMatch(/^tkt_[0-9a-z]{26}$/)
  const second = await openHelpdesk()
  try {
    // Reopened with the same options, the numbering continues where it was.
    const next = await second.open({
      requester: { email: "jane.sharpe@example.com" },
      subject: "And my invoice",
      text: "Where is my invoice?",
      channel: "email"
    })
    expect(next.publicId).toBe(69370)
    const again = await second.asSystem("test").get(ticket.publicId)
    expect(again.subject).toBe("Over-charged for my subscription")
    expect((await second.findContactByEmail("JANE.SHARPE@example.com"))?.id).toBe(ticket.requester)
  } finally {
    await second.close()
  }
}

const cwd = process.cwd()
const databaseUrl = process.env.DATABASE_URL
let scope: Scope.Closeable | undefined

/**
 * Moves into a temporary directory; with a server, points DATABASE_URL at a fresh schema
 * (PostgreSQL) or database (MariaDB/MySQL) on it.
 */
const enter = async (server?: "postgres" | "mysql"): Promise<string> => {
  scope = Scope.makeUnsafe()
  const url: Effect.Effect<string | undefined, never, Scope.Scope> =
    server === "postgres"
      ? Effect.map(freshSchema, (schema) => withSearchPath(pgUrl(), schema))
      : server === "mysql"
        ? Effect.map(freshMysqlDatabase, (database) => withDatabase(mysqlUrl(), database))
        : Effect.succeed(undefined)
  const { dir, database } = await Effect.runPromise(
    Effect.all({ dir: tempDir, database: url }).pipe(Scope.provide(scope))
  )
  process.chdir(dir)
  if (database === undefined) delete process.env.DATABASE_URL
  else process.env.DATABASE_URL = database
  return dir
}

afterEach(async () => {
  process.chdir(cwd)
  if (databaseUrl === undefined) delete process.env.DATABASE_URL
  else process.env.DATABASE_URL = databaseUrl
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  scope = undefined
})

describe("the storage guide", () => {
  it("by default the help desk keeps its tickets and directory in helpdesk.db, across restarts", async () => {
    const dir = await enter()
    await ticketSurvivesRestart()
    expect(existsSync(join(dir, "helpdesk.db"))).toBe(true)
  })

  it("with DATABASE_URL=postgres://... the same code keeps them in PostgreSQL", async () => {
    const dir = await enter("postgres")
    await ticketSurvivesRestart()
    expect(existsSync(join(dir, "helpdesk.db"))).toBe(false)
  })

  it("with DATABASE_URL=mysql://... the same code keeps them in MariaDB or MySQL", async () => {
    const dir = await enter("mysql")
    await ticketSurvivesRestart()
    expect(existsSync(join(dir, "helpdesk.db"))).toBe(false)
  })

  it("migrations run from code and report what they applied", async () => {
    await enter()
    expect(await migrateFromCode()).toEqual([
      "001_initial",
      "002_text_visibility",
      "003_ticket_sla",
      "004_event_positions",
      "005_outbox_dead_letters",
      "006_report_metrics",
      "007_queue_indexes",
      "008_ticket_followers"
    ])
    expect(await migrateFromCode()).toEqual([])
  })
})
