/**
 * `createHelpdesk({ database })` from the built packages, as npm installs them (issue 15): a
 * project whose node_modules holds copies of `@tessera/core` and `@tessera/sql` (their
 * `package.json` and `dist`) and links to `effect` and `kysely`, and at first no driver. Without
 * better-sqlite3, or without `@tessera/sql`, the help desk rejects with `PackageNotInstalled`
 * saying what to install, in an ES module and in CommonJS; with both, tickets are stored, and in
 * CommonJS `@tessera/sql` is the CommonJS build sharing the app's copy of `@tessera/core` (its
 * errors are instances of the app's classes). `pnpm test` builds first; a missing build fails.
 */
import { execFileSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const repo = fileURLToPath(new URL("../../../../", import.meta.url))
const core = join(repo, "packages/core")
const sql = join(repo, "packages/adapters/sql")

let project = ""
const modules = () => join(project, "node_modules")

/** A copy of a built package (its manifest and `dist`), as npm would unpack it. */
const install = (from: string, name: string) => {
  const dist = join(from, "dist")
  if (!existsSync(join(dist, "index.js")) || !existsSync(join(dist, "index.cjs"))) {
    throw new Error(`${name} is not built: run \`pnpm run build\` first (\`pnpm test\` does)`)
  }
  const to = join(modules(), name)
  mkdirSync(to, { recursive: true })
  cpSync(join(from, "package.json"), join(to, "package.json"))
  cpSync(dist, join(to, "dist"), { recursive: true })
}
const link = (from: string, name: string) =>
  symlinkSync(realpathSync(join(from, "node_modules", name)), join(modules(), name))

const app = (format: "esm" | "cjs", database: string) => {
  const load =
    format === "esm"
      ? `import { createHelpdesk, OpenError, PromiseHelpdesk } from "@tessera/core"`
      : `const { createHelpdesk, OpenError, PromiseHelpdesk } = require("@tessera/core")`
  return `${load}
const main = async () => {
  try {
    const helpdesk = await createHelpdesk({ database: ${JSON.stringify(database)}, firstPublicId: 69369 })
    const ticket = await helpdesk.open({ requester: { email: "jane@example.com" }, subject: "Hi", text: "Hi", channel: "web" })
    const count = (await helpdesk.asSystem("count").list()).items.length
    await helpdesk.close()
    return { publicId: ticket.publicId, count }
  } catch (error) {
    return {
      tag: error._tag,
      guard: PromiseHelpdesk.isHelpdeskError(error),
      sameCopy: Object.values(OpenError).some((C) => typeof C === "function" && error instanceof C),
      install: error.install,
      message: error.message
    }
  }
}
main().then((result) => console.log(JSON.stringify(result)))
`
}

/** Runs the app in the project and returns what it printed. */
const run = (format: "esm" | "cjs", database = "sqlite:./helpdesk.db"): Record<string, unknown> => {
  const file = join(project, format === "esm" ? "app.mjs" : "app.cjs")
  writeFileSync(file, app(format, database))
  // Without NODE_PATH, which pnpm sets for vitest to its store: an app has only its node_modules.
  const { NODE_PATH: _storePath, ...env } = process.env
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: project, env, encoding: "utf8" })) as Record<
    string,
    unknown
  >
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "tessera-facade-"))
  mkdirSync(join(modules(), "@tessera"), { recursive: true })
  install(core, "@tessera/core")
  link(core, "effect")
  link(core, "sanitize-html")
  link(sql, "kysely")
})
afterAll(() => {
  rmSync(project, { recursive: true, force: true })
})

describe("createHelpdesk({ database }) from the built packages", () => {
  it("without @tessera/sql, rejects with PackageNotInstalled naming it and the driver", () => {
    for (const format of ["esm", "cjs"] as const) {
      expect(run(format)).toMatchObject({
        tag: "PackageNotInstalled",
        guard: true,
        sameCopy: true,
        install: "npm i @tessera/sql better-sqlite3"
      })
    }
  })

  it("with @tessera/sql but without better-sqlite3, rejects saying `npm i better-sqlite3`", () => {
    install(sql, "@tessera/sql")
    for (const format of ["esm", "cjs"] as const) {
      const result = run(format)
      expect(result).toMatchObject({ tag: "PackageNotInstalled", guard: true, install: "npm i better-sqlite3" })
      expect(result.message).toContain("run `npm i better-sqlite3`")
      expect(result.message).not.toContain("Cannot connect")
    }
    expect(run("cjs", "postgres://127.0.0.1:1/helpdesk")).toMatchObject({
      tag: "PackageNotInstalled",
      install: "npm i pg"
    })
  })

  it("with the driver, both formats store tickets and find them again; errors are the app's own classes", () => {
    link(sql, "better-sqlite3")
    expect(run("esm")).toEqual({ publicId: 69369, count: 1 })
    expect(run("cjs")).toEqual({ publicId: 69370, count: 2 })
    for (const format of ["esm", "cjs"] as const) {
      expect(run(format, "sqlite:")).toMatchObject({ tag: "InvalidUrl", guard: true, sameCopy: true })
    }
  })
})
