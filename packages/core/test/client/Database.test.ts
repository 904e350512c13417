/**
 * Where the facade keeps tickets (issue 15): `@tessera/sql` is loaded only for `database`, and
 * when it is not installed the help desk says what to install. The package not being there is
 * real: the loader imports a name that no package has (its only seam), exactly as it imports
 * `@tessera/sql`. A `layer` gets the time-ordered id generator when it has none, and one without a
 * store is refused by name, never with "Service not found".
 */
import { Effect, Exit, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import * as Database from "../../src/client/Database.js"
import {
  createHelpdesk,
  type DirectoryStore,
  MemoryDirectoryStore,
  MemoryTicketStore,
  OpenError,
  PromiseHelpdesk,
  type TicketStore
} from "../../src/index.js"

const missing = "@tessera/sql-that-is-not-installed"

const failureOf = async <A, E>(effect: Effect.Effect<A, E>): Promise<unknown> => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return exit.cause
}

describe("loading @tessera/sql for a database", () => {
  it("a package that is not installed is PackageNotInstalled, naming it and the URL's driver", async () => {
    for (const [url, install] of [
      ["sqlite:./helpdesk.db", `npm i ${missing} better-sqlite3`],
      ["postgres://tessera:s3cret@db:5432/helpdesk", `npm i ${missing} pg`],
      ["mysql://root@db/helpdesk", `npm i ${missing} mysql2`],
      ["redis://cache", `npm i ${missing}`]
    ] as const) {
      const error = await Effect.runPromise(Effect.flip(Database.loadSql(url, missing)))
      expect(error).toBeInstanceOf(OpenError.PackageNotInstalled)
      expect(error).toMatchObject({ package: missing, install })
      expect(error.message).toContain(`run \`${install}\``)
      expect(error.message).not.toContain("s3cret")
      expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(true)
    }
  })

  it("the package itself loads when it is installed", async () => {
    const sql = await Effect.runPromise(Database.loadSql("sqlite::memory:"))
    expect(typeof sql.SqlStore.layerUrl).toBe("function")
  })

  it("a package that loads but is no @tessera/sql is a bug to report, not a missing package", async () => {
    const cause = await failureOf(Database.loadSql("sqlite::memory:", "effect"))
    expect(String(cause)).toContain("effect does not export SqlStore.layerUrl")
  })
})

describe("the options that say where tickets are kept", () => {
  const open: Array<PromiseHelpdesk.HelpdeskClient> = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()))
  })

  it("database and layer exclude each other; sequential ids are for memory only", async () => {
    const both = await createHelpdesk({
      database: "sqlite::memory:",
      layer: Layer.mergeAll(MemoryTicketStore.layer(), MemoryDirectoryStore.layer)
    }).catch((e: unknown) => e)
    expect(both).toMatchObject({ _tag: "InvalidConfig", problems: [{ path: ["database"] }] })
    const sequential = await createHelpdesk({ database: "sqlite::memory:", ids: "sequential" }).catch((e: unknown) => e)
    expect(sequential).toMatchObject({ _tag: "InvalidConfig", problems: [{ path: ["ids"] }] })
    const empty = await createHelpdesk({ database: "" }).catch((e: unknown) => e)
    expect(empty).toMatchObject({ _tag: "InvalidConfig", problems: [{ path: ["database"] }] })
  })

  it("a layer without an id generator gets the time-ordered one", async () => {
    const helpdesk = await createHelpdesk({
      layer: Layer.mergeAll(MemoryTicketStore.layer(), MemoryDirectoryStore.layer)
    })
    open.push(helpdesk)
    const ticket = await helpdesk.open({
      requester: { email: "jane@example.com" },
      subject: "Hi",
      text: "Hi",
      channel: "web"
    })
    expect(ticket.id).toMatch(/^tkt_[0-9a-z]{26}$/)
  })

  it("a layer without a store is InvalidConfig naming it, not 'Service not found'", async () => {
    const withoutDirectory = Layer.effectContext(
      Effect.map(Layer.build(MemoryTicketStore.layer()), (context) => context)
    ) as unknown as Layer.Layer<TicketStore.TicketStore | DirectoryStore.DirectoryStore>
    const error = await createHelpdesk({ layer: withoutDirectory as never }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      _tag: "InvalidConfig",
      problems: [{ path: ["layer"], message: "provides no DirectoryStore" }]
    })
    expect(String((error as Error).message)).not.toContain("Service not found")
  })
})
