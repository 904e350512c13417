/**
 * The layers of the code, checked on every file: the folders of `packages/core/src` are layers
 * whose imports only run down (or sideways, without cycles), the packages depend on each other
 * in one direction, and no import closes a cycle anywhere under `packages/*\/src`. There is no
 * list of exceptions: a new folder must be given a layer here, and a new import must respect it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, normalize, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const repo = normalize(join(dirname(fileURLToPath(import.meta.url)), "../../../.."))

/** The layers of `packages/core/src`, bottom first; folders on one line share a layer. */
const coreLayers: ReadonlyArray<ReadonlyArray<string>> = [
  ["internal"],
  ["values"],
  ["ticket"],
  ["sla", "links", "priority", "tags", "query", "directory", "reporting"],
  ["ports"],
  ["helpdesk"],
  ["memory", "testing"],
  ["client"],
  ["."] // index.ts: the public namespaces
]

/** Packages, bottom first: a package may import only packages below it. */
const packageLayers: ReadonlyArray<ReadonlyArray<string>> = [
  ["core"],
  ["rules"],
  ["adapters/sql", "adapters/email", "adapters/redis"],
  ["adapters/notify"],
  ["cli"]
]

interface Graph {
  readonly files: ReadonlyArray<string>
  /** Each file's imports, resolved: repository paths for relative imports, package names otherwise. */
  readonly imports: ReadonlyMap<string, ReadonlyArray<string>>
}

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith(".ts") ? [relative(repo, path).split(sep).join("/")] : []
  })

const packageDirs = (): Array<string> =>
  ["packages", "packages/adapters"].flatMap((parent) =>
    readdirSync(join(repo, parent))
      .map((name) => `${parent}/${name}`)
      .filter(
        (dir) => statSync(join(repo, dir)).isDirectory() && statSync(join(repo, dir, "src"), { throwIfNoEntry: false })
      )
  )

const readGraph = (): Graph => {
  const files = packageDirs().flatMap((dir) => sourceFiles(join(repo, dir, "src")))
  const imports = new Map<string, Array<string>>()
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(repo, file), "utf8"), true, true)
    imports.set(
      file,
      info.importedFiles.map(({ fileName }) =>
        fileName.startsWith(".")
          ? normalize(join(dirname(file), fileName))
              .split(sep)
              .join("/")
              .replace(/\.js$/, ".ts")
          : fileName
      )
    )
  }
  return { files, imports }
}

const packageOf = (file: string): string | undefined =>
  packageLayers.flat().find((p) => file.startsWith(`packages/${p}/src/`))

const rankIn = (layers: ReadonlyArray<ReadonlyArray<string>>, name: string): number =>
  layers.findIndex((layer) => layer.includes(name))

/** The layer folder of a file of the core package (`.` for files at the root of src). */
const coreFolder = (file: string): string => {
  const rest = file.slice("packages/core/src/".length)
  return rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : "."
}

/** Every import that runs up a layer, or into a package or folder that has no layer. */
const upwardImports = (graph: Graph): Array<string> => {
  const found: Array<string> = []
  for (const file of graph.files) {
    const from = packageOf(file)
    if (from === undefined) {
      found.push(`${file}: its package has no layer`)
      continue
    }
    for (const target of graph.imports.get(file) ?? []) {
      const tessera = /^@tessera\/([^/]+)/.exec(target)
      if (tessera !== null) {
        const to = packageLayers.flat().find((p) => p === tessera[1] || p === `adapters/${tessera[1]}`)
        if (to === undefined || rankIn(packageLayers, to) >= rankIn(packageLayers, from)) {
          found.push(`${file} -> ${target}: a package may only import packages below it`)
        }
        continue
      }
      if (!target.startsWith("packages/")) continue
      const to = packageOf(target)
      if (to !== from) {
        found.push(`${file} -> ${target}: another package is imported by name, never by path`)
        continue
      }
      if (from !== "core") continue
      const source = rankIn(coreLayers, coreFolder(file))
      const destination = rankIn(coreLayers, coreFolder(target))
      if (source < 0) found.push(`${file}: folder ${coreFolder(file)} has no layer`)
      else if (destination < 0) found.push(`${file} -> ${target}: folder ${coreFolder(target)} has no layer`)
      else if (destination > source) found.push(`${file} -> ${target}: imports up a layer`)
    }
  }
  return found
}

/** The import cycles (strongly connected components of more than one file, or a self-import). */
const cycles = (graph: Graph): Array<ReadonlyArray<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<ReadonlyArray<string>> = []
  let next = 0
  const visit = (file: string): void => {
    index.set(file, next)
    low.set(file, next)
    next++
    stack.push(file)
    onStack.add(file)
    for (const target of graph.imports.get(file) ?? []) {
      if (!graph.imports.has(target)) continue
      if (!index.has(target)) {
        visit(target)
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0))
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0))
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: Array<string> = []
      let member: string | undefined
      do {
        member = stack.pop()
        if (member === undefined) break
        onStack.delete(member)
        component.push(member)
      } while (member !== file)
      if (component.length > 1 || (graph.imports.get(file) ?? []).includes(file)) found.push(component.sort())
    }
  }
  for (const file of graph.files) if (!index.has(file)) visit(file)
  return found
}

describe("layers", () => {
  const graph = readGraph()

  it("reads every source file of every package", () => {
    expect(graph.files.length).toBeGreaterThan(100)
    expect(graph.files).toContain("packages/core/src/helpdesk/Helpdesk.ts")
    expect(graph.files.some((f) => f.startsWith("packages/rules/src/"))).toBe(true)
    expect(graph.files.some((f) => f.startsWith("packages/adapters/sql/src/"))).toBe(true)
  })

  it("every core folder has a layer", () => {
    const folders = new Set(graph.files.filter((f) => f.startsWith("packages/core/src/")).map(coreFolder))
    expect([...folders].filter((f) => rankIn(coreLayers, f) < 0)).toEqual([])
  })

  it("no import runs up a layer", () => {
    expect(upwardImports(graph)).toEqual([])
  })

  it("no import closes a cycle", () => {
    expect(cycles(graph)).toEqual([])
  })

  it("the checks catch an upward import, a package imported by path, and a cycle", () => {
    const a = "packages/core/src/ticket/A.ts"
    const b = "packages/core/src/helpdesk/B.ts"
    const c = "packages/rules/src/C.ts"
    const fake: Graph = {
      files: [a, b, c],
      imports: new Map([
        [a, [b]],
        [b, [a]],
        [c, ["packages/core/src/ticket/A.ts", "@tessera/sql"]]
      ])
    }
    expect(upwardImports(fake)).toEqual([
      `${a} -> ${b}: imports up a layer`,
      `${c} -> ${a}: another package is imported by name, never by path`,
      `${c} -> @tessera/sql: a package may only import packages below it`
    ])
    expect(cycles(fake)).toEqual([[b, a].sort()])
  })
})
