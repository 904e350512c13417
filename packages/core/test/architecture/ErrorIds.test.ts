/**
 * Ids in errors are named alike everywhere: a field holding an id ends in `Id`, and the ticket an
 * error is about is `ticketId` (never `ticket`, `stream` or `streamId`). The test reads every
 * tagged error class under `packages/*\/src` and checks the names of its fields, so an error
 * added with `ticket: Schema.String` fails here, whichever package it is in.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, normalize, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const repo = normalize(join(dirname(fileURLToPath(import.meta.url)), "../../../.."))

interface TaggedErrorClass {
  readonly file: string
  readonly name: string
  readonly fields: ReadonlyArray<string>
}

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return name.endsWith(".ts") ? [path] : []
  })

const packageSources = (): Array<string> =>
  ["packages", "packages/adapters"].flatMap((parent) =>
    readdirSync(join(repo, parent)).flatMap((name) => {
      const src = join(repo, parent, name, "src")
      return statSync(src, { throwIfNoEntry: false })?.isDirectory() === true ? sourceFiles(src) : []
    })
  )

/** The classes declared as `extends Schema.TaggedError<X>()("X", { ...fields })`, with their field names. */
const taggedErrors = (file: string, text: string): Array<TaggedErrorClass> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Array<TaggedErrorClass> = []
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) && node.name !== undefined) {
      for (const clause of node.heritageClauses ?? []) {
        for (const type of clause.types) {
          const call = type.expression
          if (!ts.isCallExpression(call) || !ts.isCallExpression(call.expression)) continue
          if (!call.expression.expression.getText(source).endsWith("TaggedError")) continue
          const fields = call.arguments[1]
          if (fields === undefined || !ts.isObjectLiteralExpression(fields)) continue
          found.push({
            file,
            name: node.name.text,
            fields: fields.properties.flatMap((p) =>
              p.name !== undefined && ts.isIdentifier(p.name) ? [p.name.text] : []
            )
          })
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/**
 * Names that hold an id without saying so: each must be written `<name>Id`. (Role names such as
 * `source` are left out: `InvalidPattern.source` is a pattern's text, not a ticket.)
 */
const bareIdNames: ReadonlySet<string> = new Set([
  "ticket",
  "stream",
  "agent",
  "contact",
  "group",
  "organization",
  "message",
  "requester",
  "assignee",
  "workspace"
])

/** What is wrong with the names of an error's fields, one line each. */
const idProblems = (error: TaggedErrorClass): Array<string> =>
  error.fields.flatMap((field) => {
    const at = `${error.name}.${field}`
    if (/ticket|stream/i.test(field) && field !== "ticketId") return [`${at}: a ticket's id is named ticketId`]
    if (bareIdNames.has(field)) return [`${at}: an id is named ${field}Id`]
    if (/_id$/i.test(field)) return [`${at}: an id is named in camelCase, ending in Id`]
    if (field === "id" && !error.fields.includes("kind"))
      return [`${at}: an id says whose it is (ticketId, agentId, ...)`]
    return []
  })

describe("ids in errors", () => {
  const errors = packageSources().flatMap((path) =>
    taggedErrors(relative(repo, path).split(sep).join("/"), readFileSync(path, "utf8"))
  )

  it("reads every tagged error of every package", () => {
    expect(errors.length).toBeGreaterThan(30)
    const byName = new Map(errors.map((e) => [e.name, e.fields]))
    expect(byName.get("VersionConflict")).toEqual(["ticketId", "publicId", "expected", "actual"])
    expect(byName.get("TicketNotFound")).toEqual(["ticketId"])
    expect(byName.get("CorruptEvent")).toContain("ticketId")
    // @tessera/sql's open errors are core's (`OpenError`, issue 15); its own is the reports' one.
    expect(byName.get("CorruptMetrics")).toEqual(["ticketId", "issue"])
    expect(byName.get("PackageNotInstalled")).toEqual(["package", "neededBy", "install", "cause"])
    expect(byName.get("InvalidKeys")).toEqual(["reason"])
    expect(new Set(errors.map((e) => e.file.split("/src/")[0]))).toEqual(
      new Set([
        "packages/core",
        "packages/rules",
        "packages/cli",
        "packages/adapters/email",
        "packages/adapters/notify",
        "packages/adapters/sql"
      ])
    )
  })

  it("name a ticket's id ticketId, and every other id <whose>Id", () => {
    expect(errors.flatMap(idProblems)).toEqual([])
  })

  it("the check refuses the names this issue removed", () => {
    const [error] = taggedErrors(
      "example.ts",
      `class Old extends Schema.TaggedError<Old>()("Old", { ticket: Schema.String, streamId: Schema.String,
        agent: Schema.String, ticket_id: Schema.String, id: Schema.String, reason: Schema.String }) {}`
    )
    expect(error === undefined ? [] : idProblems(error)).toEqual([
      "Old.ticket: a ticket's id is named ticketId",
      "Old.streamId: a ticket's id is named ticketId",
      "Old.agent: an id is named agentId",
      "Old.ticket_id: a ticket's id is named ticketId",
      "Old.id: an id says whose it is (ticketId, agentId, ...)"
    ])
  })
})
