/**
 * What an editor shows for the facade's methods (issue 15): every input and output is a named,
 * exported type (`OpenInput`, `Promise<TicketJson>`), not an anonymous struct of a dozen members.
 * The test asks the TypeScript checker for the text it prints on hover.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const here = dirname(fileURLToPath(import.meta.url))

const printed = (): ReadonlyArray<readonly [string, string]> => {
  const file = join(here, "../../src/client/Client.ts")
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["@tessera/source"],
    strict: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    noEmit: true
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  if (source === undefined) throw new Error("Client.ts is not in the program")
  const client = checker.getExportsOfModule(checker.getSymbolAtLocation(source) as ts.Symbol)
  const find = (name: string) => {
    const symbol = client.find((s) => s.name === name)
    if (symbol === undefined) throw new Error(`${name} is not exported`)
    return checker.getDeclaredTypeOfSymbol(symbol)
  }
  return [find("HelpdeskClient"), find("RequesterClient")].flatMap((type) =>
    checker.getPropertiesOfType(type).flatMap((member) => {
      const signature = checker.getSignaturesOfType(checker.getTypeOfSymbol(member), ts.SignatureKind.Call)[0]
      if (signature === undefined) return []
      const text = checker.signatureToString(signature, undefined, ts.TypeFormatFlags.NoTruncation)
      return [[member.name, text] as const]
    })
  )
}

describe("the facade's inputs and outputs on hover", () => {
  it("are named types: no method shows an anonymous struct", () => {
    const methods = printed()
    expect(methods.length).toBeGreaterThan(35)
    expect(new Map(methods).get("open")).toBe("(input: OpenInput): Promise<TicketJson>")
    expect(methods.filter(([, text]) => text.includes("{")).map(([name]) => name)).toEqual([])
  }, 120_000)
})
