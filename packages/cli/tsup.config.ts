import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/bin/tessera.ts"],
  // A command line and its programmatic entry: ESM only, as `effect` itself is.
  format: ["esm"],
  // tsup 8.5 injects `baseUrl` into the d.ts build, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["@tessera/core", "@tessera/rules", "@tessera/sql", "effect", "kysely", "better-sqlite3", "pg", "mysql2"]
})
