/**
 * What npm shows of each package before anyone installs it: peer ranges that follow semver with
 * the workspace testing their lowest version, a README with an install line and an example, the
 * MIT LICENSE, the repository fields, `@since` tags of a release that can exist, and the
 * placeholder packages kept out of the registry. The consumer test installs what this checks.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { publishablePackages, repoRoot, workspacePackages } from "./project.js"

const read = (path: string): string => readFileSync(join(repoRoot, path), "utf8")

const filesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(join(repoRoot, dir)).flatMap((entry) => {
    const path = `${dir}/${entry}`
    return statSync(join(repoRoot, path)).isDirectory() ? filesUnder(path) : [path]
  })

const parse = (version: string): ReadonlyArray<number> => version.split(".").map(Number)
const compare = (a: string, b: string): number => {
  const [x, y] = [parse(a), parse(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

describe("packaging", () => {
  const publishable = publishablePackages()

  it("publishes @tessera/cli, @tessera/core, @tessera/email, @tessera/notify, @tessera/redis, @tessera/rules and @tessera/sql, and keeps the placeholders private", () => {
    expect(publishable.map((p) => p.manifest.name).sort()).toEqual([
      "@tessera/cli",
      "@tessera/core",
      "@tessera/email",
      "@tessera/notify",
      "@tessera/redis",
      "@tessera/rules",
      "@tessera/sql"
    ])
    for (const { dir, manifest } of workspacePackages()) {
      // A package without code is a placeholder: npm must not get it as if it worked.
      if (!existsSync(join(repoRoot, dir, "src"))) expect(manifest.private, dir).toBe(true)
    }
  })

  it.each(publishable.map((p) => [p.manifest.name, p] as const))(
    "%s: peer ranges are caret ranges whose lowest version is the one the workspace tests",
    (_, { manifest }) => {
      const pins = workspacePackages().map((p) => p.manifest.devDependencies ?? {})
      for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (name.startsWith("@tessera/")) {
          expect(range, name).toBe("workspace:^")
          continue
        }
        expect(range, name).toMatch(/^\^\d+\.\d+\.\d+$/)
        // The workspace's tests run on the lowest version the range allows.
        expect(
          pins.some((devDependencies) => devDependencies[name] === range.slice(1)),
          `${name} ${range.slice(1)} is pinned for the tests`
        ).toBe(true)
      }
    }
  )

  it("the workspace pins effect at the lowest version the packages allow", () => {
    const root = JSON.parse(read("package.json")) as { devDependencies: Record<string, string> }
    for (const { manifest } of publishable) {
      // A peer of the libraries; a dependency of the command line, which brings its own.
      const range = manifest.peerDependencies?.effect ?? manifest.dependencies?.effect
      expect(range, manifest.name).toBe(`^${root.devDependencies.effect}`)
    }
  })

  it.each(publishable.map((p) => [p.manifest.name, p] as const))(
    "%s has a README with install lines and an example, the MIT LICENSE and repository fields",
    (_, { dir, manifest }) => {
      const readme = read(`${dir}/README.md`)
      expect(readme.startsWith(`# ${manifest.name}\n`)).toBe(true)
      expect(readme).toMatch(new RegExp(`^npm i (-D )?${manifest.name} `, "m"))
      expect(readme).toMatch(new RegExp(`pnpm add (-D )?${manifest.name} `))
      // Links work on npm's page too: none points into the repository by a relative path.
      expect(readme).not.toMatch(/\]\((?!https?:|#)[^)]*\)/)
      // An example: a program, or for the command line, the commands.
      expect(readme).toMatch(/```(ts|sh)\n[\s\S]+?\n```/)
      expect(manifest.license).toBe("MIT")
      expect(read(`${dir}/LICENSE`)).toBe(read("LICENSE"))
      expect(read("LICENSE")).toMatch(/^MIT License\n/)
      expect(manifest.repository?.directory).toBe(dir)
      expect(manifest.repository?.url).toMatch(/^git\+https:\/\/.+\.git$/)
      expect(manifest.homepage).toMatch(new RegExp(`^https://.+/${dir}#readme$`))
      expect(manifest.bugs?.url).toMatch(/^https:\/\/.+\/issues$/)
    }
  )

  it("the README and the getting-started guide open with the same npm and pnpm install lines", () => {
    const installLines = (text: string) => text.split("\n").filter((l) => /^(npm i|pnpm add) @tessera\//.test(l))
    const readme = installLines(read("README.md"))
    expect(readme.map((l) => l.split(" ")[0])).toEqual(["npm", "pnpm"])
    expect(readme[1]?.replace(/^pnpm add/, "npm i")).toBe(readme[0])
    expect(installLines(read("docs/getting-started.md"))).toEqual(readme)
    // Each comes before the first section after it: the install step is the first thing to read.
    for (const text of [read("README.md"), read("docs/getting-started.md")]) {
      const headings = text.split("\n").filter((l) => l.startsWith("## "))
      expect(headings[0]).toBe("## Install")
    }
  })

  it("CI runs the test command the README gives, and the README installs nothing globally", () => {
    const readme = read("README.md")
    expect(readme).toContain("```sh\nbash scripts/test-all.sh\n```")
    expect(read(".ci/run")).toMatch(/^exec bash scripts\/test-all\.sh$/m)
    for (const text of [readme, read("docs/getting-started.md"), read("scripts/test-all.sh")]) {
      expect(text).not.toMatch(/npm (i|install) (-g|--global)\b/)
    }
  })

  it("every @since tag names the first release, 0.1.0, while the packages are unreleased (0.0.0)", () => {
    for (const { dir, manifest } of publishable) {
      const unreleased = manifest.version === "0.0.0"
      for (const file of filesUnder(`${dir}/src`)) {
        for (const [, version] of read(file).matchAll(/@since (\S+)/g)) {
          if (unreleased) expect(version, file).toBe("0.1.0")
          else expect(compare(version ?? "", manifest.version), file).toBeLessThanOrEqual(0)
        }
      }
    }
  })

  it("changesets version the published packages together and never name a private one", () => {
    const config = JSON.parse(read(".changeset/config.json")) as {
      fixed: ReadonlyArray<ReadonlyArray<string>>
      access: string
      privatePackages: { version: boolean; tag: boolean }
    }
    expect(config.fixed).toEqual([["@tessera/*"]])
    expect(config.access).toBe("public")
    expect(config.privatePackages).toEqual({ version: false, tag: false })
    const names = new Set(publishable.map((p) => p.manifest.name))
    for (const file of readdirSync(join(repoRoot, ".changeset")).filter((f) => f.endsWith(".md"))) {
      if (file === "README.md") continue
      const front = read(`.changeset/${file}`).split("---")[1] ?? ""
      for (const [, name] of front.matchAll(/"(@tessera\/[^"]+)"/g))
        expect(names.has(name ?? ""), `${file}: ${name}`).toBe(true)
    }
  })
})
