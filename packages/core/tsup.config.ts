import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/testing/index.ts"],
  format: ["esm", "cjs"],
  // Declarations come from tsc (the build script, into dist/types), one .d.ts per module: tsup's
  // bundled ones dropped the values of namespace members that share a type's name
  // (`TicketEvent.TicketEvent`, `Ticket.Ticket`, ...), which the consumer test caught.
  dts: false,
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
