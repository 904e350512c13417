/**
 * `createHelpdesk({ database })` on each database (issue 15): no Effect in sight, ids and
 * migrations handled inside, `firstPublicId` the first number of a new database while a
 * database already numbered past it carries on, and every failure of opening the database a
 * typed error the facade's guard knows, the URL's password masked.
 */
import { join } from "node:path"
import { createHelpdesk, PromiseHelpdesk } from "@tessera/core"
import { Effect, Exit, Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { freshMysqlDatabase, freshSchema, mysqlUrl, pgUrl, tempDir, withDatabase, withSearchPath } from "./support.js"

let scope: Scope.Closeable | undefined
afterEach(async () => {
  if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
  scope = undefined
})

/** A URL of an empty database of the kind, removed after the test. */
const fresh = async (kind: "sqlite" | "postgres" | "mysql"): Promise<string> => {
  scope = Scope.makeUnsafe()
  const url =
    kind === "sqlite"
      ? Effect.map(tempDir, (dir) => `sqlite:${join(dir, "helpdesk.db")}`)
      : kind === "postgres"
        ? Effect.map(freshSchema, (schema) => withSearchPath(pgUrl(), schema))
        : Effect.map(freshMysqlDatabase, (database) => withDatabase(mysqlUrl(), database))
  return Effect.runPromise(url.pipe(Scope.provide(scope)))
}

const openOne = (helpdesk: PromiseHelpdesk.HelpdeskClient, subject: string) =>
  helpdesk.open({ requester: { email: "jane@example.com" }, subject, text: subject, channel: "email" })

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error("expected a rejection")
    },
    (error: unknown) => error
  )

describe.each(["sqlite", "postgres", "mysql"] as const)("createHelpdesk({ database }) on %s", (kind) => {
  it("firstPublicId numbers a new database; reopened, numbering carries on; each workspace its own", async () => {
    const url = await fresh(kind)
    const first = await createHelpdesk({ database: url, firstPublicId: 69369 })
    const a = await openOne(first, "First")
    const b = await openOne(first, "Second")
    await first.close()
    expect([a.publicId, b.publicId]).toEqual([69369, 69370])
    expect(a.id).toMatch(/^tkt_[0-9a-z]{26}$/)

    // The same options again (a restart): the database already numbers past 69369.
    const again = await createHelpdesk({ database: url, firstPublicId: 69369 })
    try {
      expect((await openOne(again, "Third")).publicId).toBe(69371)
      expect((await again.asSystem("test").get(69369)).subject).toBe("First")
    } finally {
      await again.close()
    }
    // Another workspace of the same database starts at its own first number.
    const other = await createHelpdesk({ database: url, workspaceId: "beta", firstPublicId: 500 })
    try {
      expect((await openOne(other, "Beta")).publicId).toBe(500)
    } finally {
      await other.close()
    }
  })
})

describe("opening a database that cannot be opened", () => {
  it("a URL that names no database is InvalidUrl", async () => {
    for (const database of ["redis://127.0.0.1:6379", "sqlite:"]) {
      const error = await rejection(createHelpdesk({ database }))
      expect(error).toMatchObject({ _tag: "InvalidUrl" })
      expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(true)
    }
  })

  it("a database that cannot be reached is ConnectionFailed, its password masked", async () => {
    const file = await rejection(createHelpdesk({ database: "sqlite:/nonexistent-directory/helpdesk.db" }))
    expect(file).toMatchObject({ _tag: "ConnectionFailed", url: "sqlite:/nonexistent-directory/helpdesk.db" })
    const server = await rejection(createHelpdesk({ database: "postgres://tessera:s3cret@127.0.0.1:1/helpdesk" }))
    expect(server).toMatchObject({ _tag: "ConnectionFailed", url: "postgres://tessera:***@127.0.0.1:1/helpdesk" })
    expect((server as Error).message).not.toContain("s3cret")
    expect(PromiseHelpdesk.isHelpdeskError(file) && PromiseHelpdesk.isHelpdeskError(server)).toBe(true)
  })
})
