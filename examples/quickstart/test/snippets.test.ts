/**
 * An excerpt in the docs is a copy of code that is compiled and tested. A guide marks each excerpt
 * with the example regions it copies, `<!-- snippet: examples/quickstart/src/main.ts#open-ticket -->`
 * (several regions: `#import,open-ticket`), right above a fenced block; this test fails when the
 * block and the regions differ, so a renamed API cannot leave the docs stale.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))

const markdownFiles = [
  "README.md",
  ...readdirSync(`${root}docs`)
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(`${root}examples`)
    .map((d) => `examples/${d}/README.md`)
    .filter((f) => existsSync(`${root}${f}`)),
  ...["packages", "packages/adapters"].flatMap((dir) =>
    readdirSync(`${root}${dir}`)
      .map((d) => `${dir}/${d}/README.md`)
      .filter((f) => existsSync(`${root}${f}`))
  )
]

const dedent = (lines: ReadonlyArray<string>): string => {
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length))
  return lines.map((l) => l.slice(indent)).join("\n")
}

/** The text of a `// #region name` ... `// #endregion` block, dedented, without blank edges. */
const region = (file: string, name: string): string => {
  const lines = readFileSync(`${root}${file}`, "utf8").split("\n")
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`)
  if (start < 0) throw new Error(`${file} has no region "${name}"`)
  const end = lines.findIndex((l, i) => i > start && l.trim() === "// #endregion")
  return dedent(lines.slice(start + 1, end)).replace(/^\n+|\n+$/g, "")
}

const snippetMarker = /<!-- snippet: (\S+)#(\S+) -->\n```\w*\n([\s\S]*?)\n```/g

describe("docs snippets are copies of example regions", () => {
  // Whole programs in the docs are run by test/docs/Snippets.test.ts; the excerpts checked here
  // are those of the adapter guide and the examples' READMEs.
  it("at least the adapter guide quotes the example adapter", () => {
    expect(readFileSync(`${root}docs/adapters.md`, "utf8")).toMatch(
      /<!-- snippet: examples\/adapter\/src\/KeyValueTicketStore\.ts#/
    )
  })

  for (const doc of markdownFiles) {
    const text = readFileSync(`${root}${doc}`, "utf8")
    // Region markers only: `<!-- snippet: no-run (reason) -->` and the like are the extractor's.
    const markers = text.match(/<!-- snippet: \S+#\S+ -->/g)?.length ?? 0
    const snippets = Array.from(text.matchAll(snippetMarker))
    if (markers === 0) continue
    it(`${doc}: every snippet equals its regions`, () => {
      expect(snippets.length, "each marker must sit right above a fenced code block").toBe(markers)
      for (const [, file, names, block] of snippets) {
        const expected = (names ?? "")
          .split(",")
          .map((name) => region(file ?? "", name))
          .join("\n\n")
        expect(block, `${doc} quotes ${file}#${names}: copy the regions again`).toBe(expected)
      }
    })
  }
})
