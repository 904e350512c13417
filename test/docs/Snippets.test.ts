/**
 * Every program in the docs stands alone: each TypeScript or JavaScript block of `docs/` and the
 * READMEs is written to a file of its own and type-checked (strict, NodeNext, as a user's project
 * would be) against the workspace's sources. A snippet that leans on a variable another block
 * defined (`clock`, `print`) fails here. The consumer test (`test/consumer/consumer.test.ts`)
 * runs each one on the packed packages installed with npm; blocks marked
 * `<!-- snippet: no-run (reason) -->` are not run.
 */
import { execFile } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { extractSnippets, importedPackages, type Snippet } from "../../scripts/snippets.mjs"

const root = fileURLToPath(new URL("../../", import.meta.url))
const run = promisify(execFile)
const snippets: ReadonlyArray<Snippet> = extractSnippets(root)
const runnable = snippets.filter((s) => s.run)

const extension = (lang: string) => (lang === "ts" || lang === "typescript" ? "ts" : lang === "cjs" ? "cjs" : "mjs")
const slug = (s: Snippet) => `${s.file.replace(/[^\w]+/g, "_")}_${s.line}`
const dir = join(root, "test/docs/.run")

// Each snippet is a module of its own (so two snippets may both declare `helpdesk`).
const files = new Map(
  runnable.map((s) => {
    const file = join(dir, `${slug(s)}${s.runner === "vitest" ? ".test" : ""}.${extension(s.lang)}`)
    return [s, file] as const
  })
)

const prepare = () => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const [s, file] of files) {
    writeFileSync(file, s.lang === "cjs" ? s.code : `${s.code}\nexport {}\n`)
  }
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      compilerOptions: { types: ["node"], allowJs: false },
      include: ["*.ts"]
    })
  )
}

describe("the extractor", () => {
  it("finds the programs of the docs and the READMEs, the quick start first", () => {
    expect(runnable.length).toBeGreaterThan(20)
    expect(runnable[0]?.file).toBe("README.md")
    expect(runnable[0]?.code).toContain('from "@tessera/core"')
  })

  it("runs every program block but those marked no-run, and says why for each of those", () => {
    const programs = snippets.filter((s) => ["ts", "typescript", "js", "javascript", "mjs", "cjs"].includes(s.lang))
    for (const s of programs.filter((p) => !p.run)) {
      expect(s.reason, `${s.file}:${s.line}`).toMatch(/\w/)
    }
    expect(snippets.filter((s) => s.lang === "sh").every((s) => !s.run)).toBe(true)
  })

  it("reads the packages a program imports, subpaths and node: modules aside", () => {
    expect(
      importedPackages(
        'import { a } from "@tessera/core/testing"\nimport * as fs from "node:fs"\nconst k = await import("kysely")\nconst { b } = require("effect/Schema")'
      )
    ).toEqual(["@tessera/core", "effect", "kysely"])
  })
})

describe("every program in the docs stands alone", () => {
  prepare()

  it("type-checks: strict, NodeNext, nothing undefined", { timeout: 300_000 }, async () => {
    const tsc = join(root, "node_modules/.bin/tsc")
    const result = await run(tsc, ["-p", join(dir, "tsconfig.json"), "--noEmit"], { cwd: root }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, stderr: "" })
    )
    expect(result.stdout.replaceAll(dir, "")).toBe("")
  })
})
