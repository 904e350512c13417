import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/bin/tessera.ts"],
  // A command line and its programmatic entry: ESM only, as `effect` itself is.
  format: ["esm"],
  // Declarations come from tsc (the build script, into dist/types), one .d.ts per module: tsup's
  // bundled ones drop the values of namespace members that share a type's name.
  dts: false,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["@tessera/core", "@tessera/rules", "@tessera/sql", "effect", "kysely", "better-sqlite3", "pg", "mysql2"]
})
