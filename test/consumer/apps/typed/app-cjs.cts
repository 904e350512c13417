// The same packages seen from a CommonJS TypeScript module (`.cts`): the `require` conditions'
// declarations (`.d.cts`) under `module: NodeNext`.
import core = require("@tessera/core")
import rules = require("@tessera/rules")
import sql = require("@tessera/sql")

export const loaded: ReadonlyArray<string> = [
  typeof core.createHelpdesk,
  typeof rules.RuleTriggers.make,
  typeof sql.SqlStore.layerUrl
]
console.log(`cjs: ${loaded.join(" ")}`)
