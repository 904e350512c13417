/**
 * Database differences live in the dialect records (`src/dialect/`): no other module of the SQL
 * store branches on a database's name. Each source file outside `dialect/` is parsed, and any
 * string literal naming a database (`"postgres"`, `'sqlite'`, `"mysql"`), any `pg` identifier and
 * any property access by a database's name is a failure, except where a name is data rather than
 * a branch: a type (`Dialect = "sqlite" | ...`), an import, and `Connection.parse`, which reads
 * the URL's scheme into a `Target`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const src = join(dirname(fileURLToPath(import.meta.url)), "../../src")

const DATABASES = new Set(["postgres", "postgresql", "sqlite", "mysql", "mariadb"])

/** Functions whose database names are data: the URL parser says which database a URL names. */
const ALLOWED_FUNCTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([["Connection.ts", new Set(["parse"])]])

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith(".ts") ? [path] : []
  })

/** The function (a `const name = ...` or `function name`) a node is in, outermost first. */
const enclosingNames = (node: ts.Node): Array<string> => {
  const names: Array<string> = []
  for (let at: ts.Node | undefined = node.parent; at !== undefined; at = at.parent) {
    if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name)) names.unshift(at.name.text)
    if (ts.isFunctionDeclaration(at) && at.name !== undefined) names.unshift(at.name.text)
  }
  return names
}

const inType = (node: ts.Node): boolean => {
  for (let at: ts.Node | undefined = node.parent; at !== undefined; at = at.parent) {
    if (ts.isTypeNode(at) || ts.isTypeAliasDeclaration(at) || ts.isInterfaceDeclaration(at)) return true
    if (ts.isImportDeclaration(at) || ts.isExportDeclaration(at)) return true
  }
  return false
}

/**
 * The places in `text` (a module named `file`, relative to `src`) that name a database in code:
 * `file:line: what`.
 */
const branchesIn = (file: string, text: string): Array<string> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const allowed = ALLOWED_FUNCTIONS.get(file)
  const found: Array<string> = []
  const report = (node: ts.Node, what: string) => {
    if (inType(node)) return
    if (allowed !== undefined && enclosingNames(node).some((name) => allowed.has(name))) return
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source))
    found.push(`${file}:${line + 1}: ${what}`)
  }
  const visit = (node: ts.Node): void => {
    if (
      (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) &&
      DATABASES.has(node.text.toLowerCase())
    ) {
      report(node, `the string ${JSON.stringify(node.text)}`)
    } else if (ts.isTemplateExpression(node)) {
      const parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)]
      if (parts.some((part) => DATABASES.has(part.toLowerCase()))) report(node, "a template naming a database")
    } else if (ts.isIdentifier(node) && node.text === "pg") {
      report(node, "the identifier pg")
    } else if (ts.isPropertyAccessExpression(node) && DATABASES.has(node.name.text.toLowerCase())) {
      report(node, `the property access .${node.name.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

describe("no branch on the database's name outside src/dialect/", () => {
  it("the checker catches a branch, a pg flag and a record picked by name, and lets types, imports and comments be", () => {
    const branchy = [
      'import type { Dialect } from "./Database.js"',
      'type Names = "sqlite" | "postgres"',
      '// when the dialect is "postgres", ...',
      "/** PostgreSQL (pg) escapes keys. */",
      'export const run = (dialect: Dialect) => (dialect === "postgres" ? 1 : 2)',
      'export const pg = (name: string) => name !== "sqlite"',
      "export const pick = (records: Record<Dialect, number>) => records.mysql",
      "export const tagged = (name: string) => name === `postgres`"
    ].join("\n")
    expect(branchesIn("ticketStore/Example.ts", branchy)).toEqual([
      'ticketStore/Example.ts:5: the string "postgres"',
      "ticketStore/Example.ts:6: the identifier pg",
      'ticketStore/Example.ts:6: the string "sqlite"',
      "ticketStore/Example.ts:7: the property access .mysql",
      'ticketStore/Example.ts:8: the string "postgres"'
    ])
  })

  it("the URL parser of Connection may name databases, and nothing else in Connection may", () => {
    const connection = [
      "export const parse = (url: string) =>",
      '  url.startsWith("sqlite:") ? { dialect: "sqlite" as const } : { dialect: "postgres" as const }',
      'export const open = (dialect: string) => (dialect === "sqlite" ? 1 : 2)'
    ].join("\n")
    expect(branchesIn("Connection.ts", connection)).toEqual(['Connection.ts:3: the string "sqlite"'])
  })

  it("no module of src outside dialect/ names a database in code", () => {
    const files = sourceFiles(src).filter((path) => !relative(src, path).split(sep).includes("dialect"))
    expect(files.length).toBeGreaterThan(20)
    const found = files.flatMap((path) =>
      branchesIn(relative(src, path).split(sep).join("/"), readFileSync(path, "utf8"))
    )
    expect(found).toEqual([])
  })
})
