/**
 * Child processes for the fault test, a simple variant of `@tessera/sql`'s test harness: the
 * child's TypeScript entry is bundled once with esbuild (the workspace's sources inside, packages
 * installed here left to Node), so a child starts in about a second instead of compiling the
 * sources through tsx.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const outDir = join(packageRoot, "node_modules", ".cache", "tessera-notify-children", String(process.pid))

interface Esbuild {
  readonly build: (options: Record<string, unknown>) => Promise<unknown>
}

/** esbuild as tsx (the workspace's TypeScript runner) brings it. */
const esbuild = (): Esbuild => {
  const require = createRequire(import.meta.url)
  return createRequire(require.resolve("tsx")).call(null, "esbuild") as Esbuild
}

const installedHere = (specifier: string): boolean => {
  const parts = specifier.split("/")
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string)
  return existsSync(join(packageRoot, "node_modules", name))
}

/** `entry` bundled into one ES module; removed when the test process exits. */
export const bundle = async (entry: string): Promise<string> => {
  const outfile = join(outDir, `${entry.split("/").at(-1)?.replace(/\.ts$/, "")}.mjs`)
  mkdirSync(outDir, { recursive: true })
  process.once("exit", () => rmSync(outDir, { recursive: true, force: true }))
  await esbuild().build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@tessera/source"],
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
    },
    logLevel: "warning",
    plugins: [
      {
        name: "installed-packages-stay-external",
        setup: (build: { onResolve: (options: { filter: RegExp }, f: (args: { path: string }) => unknown) => void }) =>
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@tessera/") || !(isBuiltin(args.path) || installedHere(args.path))
              ? undefined
              : { path: args.path, external: true }
          )
      }
    ]
  })
  return outfile
}

/** A running child and what it wrote on stderr so far. */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly stderr: () => string
  /** Resolves when the child has exited (or was killed). */
  readonly exited: Promise<void>
}

/** Starts `node script ...args` in the package's directory. */
export const start = (script: string, args: ReadonlyArray<string>): Child => {
  const child = spawn(process.execPath, [script, ...args], { cwd: packageRoot, stdio: ["pipe", "pipe", "pipe"] })
  let stderr = ""
  child.stderr.setEncoding("utf8")
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk
  })
  child.stdout.resume()
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  return { process: child, stderr: () => stderr, exited }
}
