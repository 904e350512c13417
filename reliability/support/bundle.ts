/**
 * Workers as one JavaScript file each, for the scenarios that start dozens of processes (40
 * kills, 40 starts). Through tsx a worker spends about 3 s of CPU loading Effect and the
 * workspace sources module by module before it does anything; bundled once per test file with
 * esbuild (sources, Effect and kysely in one file), it starts in about 0.3 s. The database
 * drivers stay outside the bundle, loaded from `reliability/node_modules` as in any app.
 */
import { randomUUID } from "node:crypto"
import { mkdirSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

/** A bundled worker: its file (for `startWorker`'s `bundle` option) and `remove`, for `afterAll`. */
export interface Bundle {
  readonly file: string
  readonly remove: () => void
}

/**
 * Bundles `reliability/workers/<name>.ts` with the workspace packages from source. The file goes
 * under `reliability/node_modules/.workers/` (ignored by git), where Node finds the drivers.
 */
export const bundleWorker = async (name: string): Promise<Bundle> => {
  const dir = join(root, "node_modules", ".workers")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name}-${randomUUID()}.mjs`)
  await build({
    entryPoints: [join(root, "workers", `${name}.ts`)],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@tessera/source"],
    external: ["better-sqlite3", "pg", "pg-native"],
    // CommonJS dependencies inside an ES module bundle still call `require`.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
    },
    logLevel: "silent"
  })
  return { file, remove: () => rmSync(file, { force: true }) }
}
