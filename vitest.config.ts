import { availableParallelism } from "node:os"
import { configDefaults, defineConfig } from "vitest/config"
import SlowFilesFirst from "./scripts/sequencer.js"

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
    // One file per core (vitest's default is one fewer: a single worker on a two-core CI
    // machine, while most integration files wait on a database server, a child process or a
    // socket). Not more: the servers need CPU too, and the wall-clock bounds of the fault tests
    // (30 s per test, a killed process noticed within its lease) must keep their margin.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: SlowFilesFirst },
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
