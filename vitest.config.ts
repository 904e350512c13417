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
    // One file more than there are cores (vitest's default is one fewer: a single worker on a
    // two-core CI machine). Most integration files spend their time waiting on a database
    // server, a child process or a socket, so a worker that waits leaves its core to another.
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: SlowFilesFirst },
    reporters: ["default", "./scripts/summary-reporter.ts"]
  }
})
