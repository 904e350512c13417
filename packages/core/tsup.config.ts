import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/testing/index.ts"],
  format: ["esm", "cjs"],
  // tsup 8.5 injects `baseUrl` into the d.ts build, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["effect", "vitest", "fast-check", "@tessera/sql"],
  // `createHelpdesk({ database })` imports @tessera/sql at run time: in the CommonJS build through
  // `require`, so that it loads @tessera/sql's CommonJS build, which shares this copy of the package.
  esbuildOptions(options, { format }) {
    if (format === "cjs") options.supported = { ...options.supported, "dynamic-import": false }
  }
})
