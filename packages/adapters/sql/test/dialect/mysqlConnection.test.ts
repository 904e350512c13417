/**
 * Opening a MySQL URL without the optional mysql2 driver installed says what to install, and
 * masks the URL's password (issue 14); since issue 15 as a `PackageNotInstalled`, not a
 * connection that failed. The driver's absence is simulated: its import fails as Node fails it
 * for a package that is not there (`test/DriverPackage.test.ts` fails it for real).
 */
import { Effect } from "effect"
import { describe, expect, it, vi } from "vitest"

vi.mock("mysql2", () => {
  throw Object.assign(new Error("Cannot find package 'mysql2' imported from /app/node_modules/@tessera/sql"), {
    code: "ERR_MODULE_NOT_FOUND"
  })
})

describe("Connection.open (mysql) without mysql2", () => {
  it("fails with PackageNotInstalled telling to install mysql2, the password masked", async () => {
    const Connection = await import("../../src/Connection.js")
    const error = await Effect.runPromise(Effect.flip(Connection.open("mysql://tessera:s3cret@127.0.0.1:1/helpdesk")))
    expect(error).toMatchObject({
      _tag: "PackageNotInstalled",
      package: "mysql2",
      install: "npm i mysql2",
      neededBy: "mysql://tessera:***@127.0.0.1:1/helpdesk"
    })
    expect(error.message).toContain("npm i mysql2")
    expect(error.message).not.toContain("s3cret")
  })
})
