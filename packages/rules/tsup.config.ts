import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // Declarations come from tsc (the build script, into dist/types), one .d.ts per module: tsup's
  // bundled ones dropped the values of namespace members that share a type's name
  // (`TicketEvent.TicketEvent`, `Ticket.Ticket`, ...), which the consumer test caught.
  dts: false,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["@tessera/core", "effect"]
})
