/**
 * The consumer test: Tessera as a user gets it from npm. Every publishable package is packed,
 * the tarballs are installed with npm into a fresh project outside the workspace together with
 * the newest versions their peer ranges allow, one unrelated package is installed after them,
 * and small applications (ES module, CommonJS, TypeScript, rules), the `examples/` and every
 * program of the docs and the READMEs (`scripts/snippets.mjs`) run there on the built packages. Needs the npm registry; it fails, never skips, when npm cannot install.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { extractSnippets } from "../../scripts/snippets.mjs"
import {
  copyIntoProject,
  documentedInstall,
  installedVersion,
  installProject,
  localPrebuilds,
  type Manifest,
  npm,
  type Packed,
  packAll,
  peerSpecs,
  repoRoot,
  run,
  runInProject,
  tarballFiles,
  tempDir
} from "./project.js"

/**
 * The optional peers, all installed: the database drivers (SQLite's by the README's line), and
 * vitest and fast-check, which `@tessera/core/testing` (the conformance suites) runs on.
 */
const optionalPeers = ["better-sqlite3", "pg", "mysql2", "vitest", "fast-check"]

/** The examples with a `start` script, each run from the installed packages. */
const examples = ["quickstart", "sla", "merge", "custom-routing", "observability", "email", "reporting"]

const rootManifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Manifest
const pinned = (name: string): string => {
  const version = rootManifest.devDependencies?.[name]
  if (version === undefined) throw new Error(`the root package.json pins no ${name}`)
  return `${name}@${version}`
}

/** What the examples need besides Tessera and effect (OpenTelemetry, tsx), as they pin it. */
const exampleDeps = (): ReadonlyArray<string> => {
  const specs = new Map<string, string>()
  for (const name of examples) {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "examples", name, "package.json"), "utf8")) as Manifest
    for (const [dep, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (!version.startsWith("workspace:") && dep !== "effect") specs.set(dep, `${dep}@${version}`)
    }
  }
  return [...specs.values()]
}

/** The file extension a snippet of `lang` is written with. */
const snippetExtension = (lang: string) =>
  lang === "ts" || lang === "typescript" ? "ts" : lang === "cjs" ? "cjs" : "mjs"

const lines = (text: string): ReadonlyArray<string> => text.trimEnd().split("\n")

describe("the packed packages, installed with npm into a fresh project", () => {
  let packs = ""
  let project = ""
  let packed: ReadonlyArray<Packed> = []
  let peers: ReadonlyArray<string> = []
  let prebuilds: Readonly<Record<string, string>> = {}

  beforeAll(async () => {
    packs = await tempDir("packs")
    project = await tempDir("consumer")
    packed = await packAll(packs)
    peers = peerSpecs(packed, optionalPeers)
    prebuilds = await localPrebuilds()
    // The README's install line (tarballs for the @tessera packages), the other drivers, tools.
    const documented = documentedInstall()
    const named = (spec: string) => spec.slice(0, spec.lastIndexOf("@") > 0 ? spec.lastIndexOf("@") : undefined)
    await installProject(
      project,
      packed,
      [
        ...documented,
        ...peers.filter((spec) => !documented.some((d) => named(d) === named(spec))),
        pinned("typescript"),
        pinned("@types/node"),
        pinned("tsx"),
        // The peers above come at the newest version their ranges allow, not an example's pin.
        ...exampleDeps().filter((spec) => !peers.some((peer) => named(peer) === named(spec)))
      ],
      prebuilds
    )
    await copyIntoProject(project, "test/consumer/apps", "apps")
  }, 900_000)

  afterAll(() => {
    for (const dir of [project, packs, ...Object.values(prebuilds)]) {
      if (dir !== "") rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it("packs @tessera/cli, @tessera/core, @tessera/email, @tessera/rules and @tessera/sql, with workspace ranges rewritten", () => {
    expect(packed.map((p) => p.name).sort()).toEqual([
      "@tessera/cli",
      "@tessera/core",
      "@tessera/email",
      "@tessera/rules",
      "@tessera/sql"
    ])
    for (const { manifest } of packed) {
      expect(JSON.stringify(manifest)).not.toContain("workspace:")
    }
  })

  it("each tarball holds both builds, the declarations, the README and the LICENSE, and no tests", async () => {
    for (const { name, tarball, manifest } of packed) {
      const files = await tarballFiles(tarball)
      expect(files, name).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js"]))
      // The CommonJS build, for the packages that declare one (the command line is ESM only).
      if (JSON.stringify(manifest.exports).includes('"require"')) expect(files, name).toContain("dist/index.cjs")
      expect(files, name).toContain("dist/types/index.d.ts")
      expect(
        files.filter((file) => /^test\/|\.test\.ts$/.test(file)),
        name
      ).toEqual([])
    }
  })

  it("installs the newest versions the peer ranges allow", async () => {
    expect(peers.map((spec) => spec.slice(0, spec.lastIndexOf("@"))).sort()).toEqual(
      ["better-sqlite3", "effect", "fast-check", "kysely", "mysql2", "pg", "vitest"].sort()
    )
    for (const spec of peers) {
      const name = spec.slice(0, spec.lastIndexOf("@"))
      const { stdout } = await npm(project, ["view", spec, "version", "--json"])
      const allowed = JSON.parse(stdout) as string | ReadonlyArray<string>
      const newest = typeof allowed === "string" ? allowed : allowed.at(-1)
      expect(installedVersion(project, name), spec).toBe(newest)
    }
  }, 120_000)

  it("installs one more unrelated package afterwards without a peer conflict", async () => {
    const { stdout, stderr } = await npm(project, ["install", "is-number@7"])
    expect(`${stdout}${stderr}`).not.toMatch(/ERESOLVE|peer dep/i)
    expect(installedVersion(project, "is-number")).toMatch(/^7\./)
  }, 300_000)

  it("an ES module app keeps its tickets in SQLite through createHelpdesk({ database }), found again by a second run", async () => {
    const first = lines((await runInProject(project, "apps/helpdesk.mjs")).stdout)
    expect(first[0]).toBe("found 1")
    expect(first[1]).toMatch(/^#\d+ "Charged twice": solved, assigned to mary$/)
    expect(first.slice(2)).toEqual([
      "TicketOpened by contact",
      "AssigneeChanged by mary",
      "StatusChanged by mary: new → open",
      "ReplyAdded by mary",
      "NoteAdded by mary",
      "StatusChanged by mary: open → solved"
    ])
    expect(existsSync(join(project, "helpdesk.db"))).toBe(true)

    const again = lines((await runInProject(project, "apps/helpdesk.mjs", ["again"])).stdout)
    expect(again).toEqual(first)
  }, 120_000)

  it("a CommonJS app requires the packages and gets their tagged errors", async () => {
    const out = lines((await runInProject(project, "apps/helpdesk.cjs")).stdout)
    expect(out).toEqual([
      "loaded function function",
      "opened #100 new",
      "rejected with TicketNotFound, a helpdesk error: true, an instance: true"
    ])
  }, 120_000)

  it("a TypeScript app type-checks with --strict and module NodeNext, then runs", async () => {
    const typed = join(project, "apps", "typed")
    await run(join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: typed })
    const esm = lines((await runInProject(typed, "build/app.js")).stdout)
    expect(esm).toEqual(["promise: #1 new, 1 event", "effect: #1"])
    const cjs = lines((await runInProject(typed, "build/app-cjs.cjs")).stdout)
    expect(cjs).toEqual(["cjs: function function function"])
  }, 300_000)

  it("a rules app as docs/rules.md shows it routes a premium billing ticket", async () => {
    const out = lines((await runInProject(project, "apps/rules.mjs")).stdout)
    expect(out[0]).toBe("#1: group billing_seniors, priority high")
    expect(out).toContain("GroupChanged by rule billing-premium v2")
    expect(out.at(-1)).toMatch(/^broken rule set: [1-9]\d* problem\(s\)$/)
  }, 120_000)

  it("the tessera command checks a rule file from the project's node_modules/.bin", async () => {
    const tessera = join(project, "node_modules", ".bin", "tessera")
    await run(tessera, ["check", "apps/rules.json"], { cwd: project })
    const broken = join(project, "apps", "broken-rules.json")
    writeFileSync(
      broken,
      JSON.stringify([
        { id: "x", version: 1, kind: "trigger", on: ["created"], if: { field: "tags", op: "lt", value: 3 } }
      ])
    )
    await expect(run(tessera, ["check", broken], { cwd: project })).rejects.toThrow(/exited with 1\b/)
  }, 120_000)

  it("examples/adapter passes the conformance suite of @tessera/core/testing, run by the project's vitest", async () => {
    for (const part of ["src", "test"])
      await copyIntoProject(project, `examples/adapter/${part}`, `examples/adapter/${part}`)
    const { stdout } = await run(join(project, "node_modules", ".bin", "vitest"), ["run", "examples/adapter"], {
      cwd: project,
      env: { NO_COLOR: "1" }
    })
    const plain = stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "")
    expect(plain).toMatch(/Tests +\d+ passed/)
    expect(plain).not.toMatch(/\d+ (failed|skipped)/)
  }, 300_000)

  it("the examples type-check against the published declarations", async () => {
    for (const name of examples) await copyIntoProject(project, `examples/${name}/src`, `examples/${name}/src`)
    writeFileSync(
      join(project, "tsconfig.examples.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          types: ["node"],
          resolveJsonModule: true,
          // The libraries' declarations were checked with the TypeScript app above.
          skipLibCheck: true,
          noEmit: true
        },
        include: ["examples/*/src/**/*.ts", "examples/*/test/**/*.ts"]
      })
    )
    await run(join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.examples.json"], { cwd: project })
  }, 300_000)

  it.each(examples)(
    "examples/%s prints the same from the installed packages as from the sources",
    async (name) => {
      if (!existsSync(join(project, "examples", name, "src"))) {
        await copyIntoProject(project, `examples/${name}/src`, `examples/${name}/src`)
      }
      const installed = await runInProject(project, `examples/${name}/src/main.ts`)
      const exampleDir = join(repoRoot, "examples", name)
      const sources = await run(
        join(exampleDir, "node_modules", ".bin", "tsx"),
        ["--conditions=@tessera/source", "src/main.ts"],
        { cwd: exampleDir }
      )
      if (name === "observability") {
        // Spans carry random trace ids and real times: compare what they are, not their ids.
        const spanNames = (text: string) => [...text.matchAll(/name: '([^']+)'/g)].map((m) => m[1]).sort()
        expect(spanNames(installed.stdout)).toContain("Helpdesk.open")
        expect(spanNames(installed.stdout)).toEqual(spanNames(sources.stdout))
      } else {
        expect(installed.stdout.length).toBeGreaterThan(0)
        expect(installed.stdout).toBe(sources.stdout)
      }
    },
    120_000
  )

  it("every program of the docs and the READMEs runs alone in the project, on the installed packages", async () => {
    const runnable = extractSnippets(repoRoot).filter((s) => s.run)
    expect(runnable.length).toBeGreaterThan(20)
    const dir = join(project, "snippets")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "vitest.config.mjs"), 'export default { test: { include: ["*.test.ts"] } }\n')
    const failures: Array<string> = []
    let ran = 0
    for (const s of runnable) {
      const where = `${s.file}:${s.line}`
      const missing = s.packages.filter((name) => !existsSync(join(project, "node_modules", name, "package.json")))
      const unset = s.env.filter((name) => process.env[name] === undefined)
      if (missing.length > 0 || unset.length > 0) {
        failures.push(`${where}: needs ${[...missing, ...unset].join(", ")}`)
        continue
      }
      const file = join(
        dir,
        `${s.file.replace(/[^\w]+/g, "_")}_${s.line}${s.runner === "vitest" ? ".test" : ""}.${snippetExtension(s.lang)}`
      )
      writeFileSync(file, s.lang === "cjs" ? s.code : `${s.code}\nexport {}\n`)
      // Each program starts in a fresh folder, as in a new project (a SQLite file of its own).
      const cwd = await tempDir("snippet")
      try {
        await (s.runner === "vitest"
          ? run(join(project, "node_modules", ".bin", "vitest"), ["run", "--root", dir, file], { cwd: dir })
          : run(join(project, "node_modules", ".bin", "tsx"), [file], { cwd }))
        ran += 1
      } catch (error) {
        failures.push(`${where}: ${String(error).slice(0, 2_000)}`)
      } finally {
        rmSync(cwd, { recursive: true, force: true })
      }
    }
    console.log(`${ran} of ${runnable.length} programs of the docs ran on the installed packages`)
    expect(failures).toEqual([])
  }, 900_000)
})
