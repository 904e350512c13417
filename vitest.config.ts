import { configDefaults, defineConfig } from "vitest/config"

export default defineConfig({
  // Node tests run in Vite's SSR environment, so the source condition goes under `ssr`:
  // a top-level `resolve.conditions` alone would load the workspace packages from dist.
  ssr: { resolve: { conditions: ["@tessera/source"] } },
  test: {
    include: [
      "packages/**/test/**/*.test.ts",
      "examples/*/test/**/*.test.ts",
      "reliability/test/**/*.test.ts",
      "test/**/*.test.ts"
    ],
    // The docs' snippets, written there by test/docs/Snippets.test.ts, which runs them itself.
    exclude: [...configDefaults.exclude, "test/docs/.run/**"],
    testTimeout: 30_000,
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
