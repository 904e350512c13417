/**
 * The built package, as users get it: every entry point of the exports map loads in each format
 * it declares (ESM through `import()`, CommonJS through `require()`), exposes exactly what its
 * source entry exports, and runs a ticket through the facade. `pnpm test` builds first; a missing
 * build fails here rather than skipping, since a skipped check would pass a broken package.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import * as source from "../src/index.js"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const require = createRequire(import.meta.url)

interface Target {
  readonly types: string
  readonly default: string
}
interface Manifest {
  readonly name: string
  readonly exports: Record<string, string | { readonly import?: Target; readonly require?: Target }>
}
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Manifest

/** Each entry point and format the exports map declares, with its source for comparison. */
const targets = Object.entries(manifest.exports).flatMap(([subpath, conditions]) =>
  typeof conditions === "string"
    ? []
    : (["import", "require"] as const).flatMap((format) => {
        const target = conditions[format]
        const src = (conditions as Record<string, string | undefined>)["@tessera/source"]
        return target === undefined || src === undefined ? [] : [{ subpath, format, target, src }]
      })
)

/** The absolute path of a built file, or a failure that says how to build it. */
const built = (relative: string): string => {
  const file = fileURLToPath(new URL(relative, pathToFileURL(`${packageDir}/`)))
  if (!existsSync(file)) {
    throw new Error(
      `${manifest.name}: ${relative} is missing. Build the package first: \`pnpm run build\` at the root ` +
        "(`pnpm test` runs it before vitest)."
    )
  }
  return file
}

const load = async (format: "import" | "require", relative: string): Promise<Record<string, unknown>> =>
  format === "import" ? await import(pathToFileURL(built(relative)).href) : require(built(relative))

const publicNames = (module: object) =>
  Object.keys(module)
    .filter((key) => key !== "default" && key !== "__esModule")
    .sort()

type Core = typeof source

describe(`${manifest.name} built output`, () => {
  it("declares an import and a require build for the main entry", () => {
    expect(targets.filter((t) => t.subpath === ".").map((t) => t.format)).toEqual(["import", "require"])
  })

  for (const { subpath, format, target, src } of targets) {
    it(`${subpath} (${format}) exposes exactly what ${src} exports, with its types`, async () => {
      built(target.types)
      const dist = await load(format, target.default)
      const expected = await import(pathToFileURL(fileURLToPath(new URL(`../${src}`, import.meta.url))).href)
      // A difference here usually means dist is stale: rebuild.
      expect(publicNames(dist)).toEqual(publicNames(expected))
    })
  }

  for (const format of ["import", "require"] as const) {
    it(`opens a ticket through the ${format === "import" ? "ESM" : "CommonJS"} build`, async () => {
      const main = targets.find((t) => t.subpath === "." && t.format === format)
      if (main === undefined) throw new Error(`no ${format} build declared for "."`)
      const core = (await load(format, main.target.default)) as unknown as Core
      expect(Object.keys(core)).toEqual(expect.arrayContaining(["createHelpdesk", "Helpdesk", "Ticket"]))

      const helpdesk = await core.createHelpdesk({ firstPublicId: 69369, ids: "sequential" })
      try {
        const ticket = await helpdesk.open({
          requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
          subject: "Over-charged for my subscription",
          text: "I was charged twice this month.",
          channel: "email",
          tags: ["billing"]
        })
        expect(ticket).toMatchObject({ publicId: 69369, status: "new", tags: ["billing"] })
        expect(typeof ticket.createdAt).toBe("string")

        const refused = await helpdesk
          .changeStatus({ ticket: 69369, by: helpdesk.system.actor("test"), status: "closed" })
          .then(
            () => undefined,
            (error: unknown) => error
          )
        // Each build has its own classes: the error is an instance of this build's class.
        expect(refused).toBeInstanceOf(core.TicketError.TransitionNotAllowed)
        expect(refused).toMatchObject({ _tag: "TransitionNotAllowed", from: "new", to: "closed" })
      } finally {
        await helpdesk.close()
      }
    })
  }

  it("resolves by package name through the exports map in plain Node (no source condition)", () => {
    // One Node process, as a user's app runs: no vitest resolver, no `@tessera/source` condition.
    for (const { target } of targets) built(target.default)
    const specifiers = targets.map(({ subpath, format }) => ({
      name: subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      format
    }))
    const script = `
      import { createRequire } from "node:module"
      const require = createRequire(process.cwd() + "/")
      const out = []
      for (const { name, format } of ${JSON.stringify(specifiers)}) {
        const mod = format === "import" ? await import(name) : require(name)
        const names = Object.keys(mod).filter((k) => k !== "default" && k !== "__esModule").sort()
        let publicId
        if (name === ${JSON.stringify(manifest.name)}) {
          const helpdesk = await mod.createHelpdesk({ firstPublicId: 7 })
          const ticket = await helpdesk.open({ requester: { email: "a@example.com" }, subject: "s", text: "t", channel: "web" })
          await helpdesk.close()
          publicId = ticket.publicId
        }
        out.push({ name, format, names, publicId })
      }
      console.log(JSON.stringify(out))`
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: packageDir,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" }
    })
    const results = JSON.parse(output) as ReadonlyArray<{ name: string; format: string; publicId?: number }>
    expect(results.map((r) => `${r.name} (${r.format})`)).toEqual(specifiers.map((s) => `${s.name} (${s.format})`))
    for (const result of results.filter((r) => r.name === manifest.name)) {
      expect(result).toEqual({ name: manifest.name, format: result.format, names: publicNames(source), publicId: 7 })
    }
  })
})
