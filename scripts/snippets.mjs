/**
 * Extracts the code blocks of the docs (`docs/*.md`, the README of the repository, of each
 * package and of each example, CONTRIBUTING.md) so that tests can run each one alone, as a user
 * who copies it into a fresh project would. A TypeScript or JavaScript block is runnable unless
 * a comment right above it says otherwise: `<!-- snippet: no-run (reason) -->`. A block that
 * needs a server says which variable holds its URL (`<!-- snippet: env TESSERA_PG_URL -->`), and
 * a test file says so (`<!-- snippet: vitest -->`: run it with vitest, not node).
 * How the blocks are run (against the workspace, or against packed packages) is the caller's.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** The languages of blocks that are programs; every other block (shell, output, JSON) is not run. */
const programLanguages = new Set(["ts", "typescript", "js", "javascript", "mjs", "cjs"])

/** The markdown files whose blocks are snippets, relative to `root`, in a stable order. */
export const markdownFiles = (root) => {
  const readmes = (dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${dir}/${entry.name}/README.md`)
          .filter((file) => existsSync(join(root, file)))
          .sort()
      : []
  const docs = existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs"))
        .filter((file) => file.endsWith(".md"))
        .sort()
        .map((file) => `docs/${file}`)
    : []
  return [
    ...["README.md", "CONTRIBUTING.md"].filter((file) => existsSync(join(root, file))),
    ...docs,
    ...readmes("packages"),
    ...readmes("packages/adapters"),
    ...readmes("examples")
  ]
}

/** The package names a program imports or requires (`@tessera/core`, `effect`, not `node:fs`). */
export const importedPackages = (code) => {
  const names = new Set()
  const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g
  for (const [, specifier] of code.matchAll(specifiers)) {
    if (specifier.startsWith(".") || specifier.startsWith("node:") || specifier.startsWith("/")) continue
    const parts = specifier.split("/")
    names.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0])
  }
  return [...names].sort()
}

/**
 * Every fenced code block of the docs: `file` (relative to `root`), `line` (1-based, of the
 * opening fence), `lang`, `code`, `run` (whether it is a program to run), `reason` (why not,
 * when it is a program that is not run), `runner` (`node`, or `vitest` for a test file), `env`
 * (variables it needs) and `packages` (what it imports, for the project it runs in).
 */
export const extractSnippets = (root) =>
  markdownFiles(root).flatMap((file) => {
    const lines = readFileSync(join(root, file), "utf8").split("\n")
    const snippets = []
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i])
      if (!open) continue
      const [, indent, fence, lang] = open
      const start = i
      const body = []
      for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence); i++) {
        body.push(lines[i].startsWith(indent) ? lines[i].slice(indent.length) : lines[i])
      }
      // The HTML comments right above the fence (no blank line between) are its markers.
      const markers = []
      for (let j = start - 1; j >= 0 && /^\s*<!--.*-->\s*$/.test(lines[j]); j--) markers.push(lines[j].trim())
      const noRun = markers.map((m) => /^<!-- snippet: no-run\s*\((.+)\)\s*-->$/.exec(m)).find(Boolean)
      const env = markers.flatMap((m) => /^<!-- snippet: env ([\w ]+) -->$/.exec(m)?.[1].trim().split(/\s+/) ?? [])
      const vitest = markers.includes("<!-- snippet: vitest -->")
      const code = body.join("\n")
      const program = programLanguages.has(lang.toLowerCase())
      snippets.push({
        file,
        line: start + 1,
        lang: lang.toLowerCase(),
        code,
        run: program && noRun === undefined,
        ...(program && noRun ? { reason: noRun[1] } : {}),
        runner: vitest ? "vitest" : "node",
        env,
        packages: program ? importedPackages(code) : []
      })
    }
    return snippets
  })
