/**
 * The docs name only what exists: every backticked name in the prose of `docs/` and the READMEs
 * that looks like an export (`TicketError.TicketClosed`, `MemoryHelpdesk`, `Effect.die`) is
 * checked against what the packages export, read with the TypeScript compiler (types included),
 * and against `effect`'s exports. A name that is neither, nor a module file of the repository,
 * nor a JavaScript global, must be listed below with the reason it may appear.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"
import { markdownFiles } from "../../scripts/snippets.mjs"

const root = fileURLToPath(new URL("../../", import.meta.url))

/** Names the docs may use that no package of this repository or `effect` exports. */
const notExports: Record<string, string> = {
  Billing: "a tag as a user types it (tags.md)",
  UnknownTag: "the `_tag` of a tag policy warning, a plain object",
  Kysely: "kysely's client class",
  AsyncLocalStorage: "Node's async context class (node:async_hooks), which the SQL store does not use (storage.md)",
  NodeSdk: "@effect/opentelemetry's module",
  InMemorySpanExporter: "an OpenTelemetry SDK class",
  InMemoryLogRecordExporter: "an OpenTelemetry SDK class",
  KeyValue: "a module of examples/adapter",
  KeyValueTicketStore: "a module of examples/adapter"
}

const entryPoints = [
  "packages/core/src/index.ts",
  "packages/core/src/testing/index.ts",
  "packages/rules/src/index.ts",
  "packages/adapters/sql/src/index.ts",
  "packages/adapters/email/src/index.ts",
  "packages/adapters/notify/src/index.ts",
  "packages/adapters/redis/src/index.ts",
  "packages/cli/src/index.ts",
  "node_modules/effect/dist/index.d.ts",
  "node_modules/effect/dist/testing/index.d.ts"
].map((file) => join(root, file))

/** Every export of the entry points: namespaces with their members, and the properties of their types. */
const readExports = () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, "tsconfig.typedoc.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: () => undefined
    }
  )
  const program = ts.createProgram(entryPoints, { ...config?.options, noEmit: true })
  const checker = program.getTypeChecker()
  const topLevel = new Set<string>()
  const namespaces = new Map<string, Set<string>>()
  const typeMembers = new Map<string, Set<string>>()
  const membersOf = (symbol: ts.Symbol): Set<string> => {
    const names = new Set<string>()
    for (const member of checker.getExportsOfModule(symbol)) {
      names.add(member.name)
      // A member re-exported from another module (`export { Service } from`) is read where it is declared.
      const declared = member.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(member) : member
      if (declared.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.TypeAlias)) {
        const properties = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(declared)).map((p) => p.name)
        for (const p of properties) names.add(p)
        typeMembers.set(member.name, new Set([...(typeMembers.get(member.name) ?? []), ...properties]))
      }
    }
    return names
  }
  for (const file of entryPoints) {
    const source = program.getSourceFile(file)
    const module = source && checker.getSymbolAtLocation(source)
    if (!module) throw new Error(`cannot read the exports of ${file}`)
    for (const exported of checker.getExportsOfModule(module)) {
      topLevel.add(exported.name)
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      if (target.flags & ts.SymbolFlags.Module) {
        namespaces.set(exported.name, new Set([...(namespaces.get(exported.name) ?? []), ...membersOf(target)]))
      }
    }
  }
  return { topLevel, namespaces, typeMembers }
}

/**
 * The repository's module files and what each declares for export, the internal ones included
 * (`UnitOfWork`, `SqlDialect`): a guide for contributors may name them.
 */
const moduleFiles = (): Set<string> => {
  const names = new Set<string>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts")) {
        names.add(basename(entry.name, ".ts"))
        const declared = readFileSync(path, "utf8").matchAll(
          /^export (?:declare )?(?:const|let|function|class|interface|type|enum) ([A-Za-z_$][\w$]*)/gm
        )
        for (const [, name] of declared) names.add(name as string)
      }
    }
  }
  for (const dir of ["packages/core/src", "packages/rules/src", "packages/adapters/sql/src", "examples"]) {
    if (existsSync(join(root, dir))) walk(join(root, dir))
  }
  return names
}

/** Backticked names in a markdown text's prose (code blocks left out): `Name`, `Name.member(...)`. */
const namesIn = (text: string): ReadonlyArray<string> =>
  Array.from(
    text
      .replace(/^(\s*)(`{3,}|~{3,})[\s\S]*?^\1\2\s*$/gm, "")
      .matchAll(/`([A-Z][A-Za-z0-9_]*(?:\.[A-Za-z_$][\w$]*)*)(?:\([^`]*\))?`/g),
    ([, name]) => name as string
  ).filter((name) => /^[A-Z][a-z]/.test(name) && !/\.(ts|js|mjs|md|json)$/.test(name))

let cached: ((name: string) => boolean) | undefined
/** Whether a name exists: an export (or a member of one), a module file, a global, or listed. */
const exists = (): ((name: string) => boolean) => {
  if (cached) return cached
  const { topLevel, namespaces, typeMembers } = readExports()
  const files = moduleFiles()
  const everyMember = new Set([...namespaces.values()].flatMap((members) => [...members]))
  const known = (head: string) =>
    topLevel.has(head) || everyMember.has(head) || files.has(head) || head in globalThis || head in notExports
  const globals = globalThis as unknown as Record<string, object | undefined>
  cached = (name) => {
    const [head = "", member] = name.split(".")
    if (member === undefined) return known(head)
    const global = globals[head]
    if (global !== undefined && member in global) return true
    const inNamespace = namespaces.get(head)
    if (inNamespace !== undefined) return inNamespace.has(member)
    const ofType = typeMembers.get(head)
    if (ofType !== undefined) return ofType.has(member)
    return known(head)
  }
  return cached
}

describe("the docs name only what exists", () => {
  it("every backticked export-like name is exported, a module, a global, or listed with a reason", {
    timeout: 300_000
  }, () => {
    const check = exists()
    const names = markdownFiles(root).flatMap((file) =>
      namesIn(readFileSync(join(root, file), "utf8")).map((name) => ({ file, name }))
    )
    expect(names.length).toBeGreaterThan(200)
    expect(names.filter(({ name }) => !check(name)).map(({ file, name }) => `${file}: ${name}`)).toEqual([])
  })

  it("a name that does not exist is caught, and names in code blocks are left to the snippet test", {
    timeout: 300_000
  }, () => {
    const check = exists()
    const text =
      "Use `MemoryTimers` and `TicketError.TicketGone`, not `TicketError.TicketClosed`.\n```ts\n`NotProse`\n```\n"
    expect(namesIn(text)).toEqual(["MemoryTimers", "TicketError.TicketGone", "TicketError.TicketClosed"])
    expect(namesIn(text).filter((name) => !check(name))).toEqual(["MemoryTimers", "TicketError.TicketGone"])
    expect(check("Effect.die")).toBe(true)
  })
})
