import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // Declarations come from tsc (the build script, into dist/types), as in the other packages.
  dts: false,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["@tessera/core", "effect", "ioredis"]
})
