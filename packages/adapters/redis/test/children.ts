/**
 * Child processes of the multi-process tests: a child's TypeScript entry is bundled once per test
 * process with esbuild (as packages/adapters/sql/test/children.ts does: the workspace's sources
 * inside, packages installed here left to Node), so each child starts in about a second instead of
 * compiling the sources through tsx.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..")
const outDir = join(packageRoot, "node_modules", ".cache", "tessera-test-children", String(process.pid))

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

const bundles = new Map<string, Promise<string>>()

/** `entry` bundled into one ES module, once per test process; removed when the process exits. */
export const bundled = (entry: string): Promise<string> => {
  const known = bundles.get(entry)
  if (known !== undefined) return known
  const outfile = join(outDir, `${bundles.size}-${entry.split("/").at(-1)?.replace(/\.ts$/, "")}.mjs`)
  const building = (async () => {
    mkdirSync(outDir, { recursive: true })
    if (bundles.size === 1) process.once("exit", () => rmSync(outDir, { recursive: true, force: true }))
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
          setup: (build: {
            onResolve: (options: { filter: RegExp }, f: (args: { path: string }) => unknown) => void
          }) =>
            build.onResolve({ filter: /^[^./]/ }, (args) =>
              args.path.startsWith("@tessera/") || !(isBuiltin(args.path) || installedHere(args.path))
                ? undefined
                : { path: args.path, external: true }
            )
        }
      ]
    })
    return outfile
  })()
  bundles.set(entry, building)
  return building
}

/** A running child and what it wrote on stderr so far. */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly stderr: () => string
  readonly stdout: () => string
}

/** Starts `node <bundle of entry> ...args` in the package's directory. */
export const start = async (entry: string, args: ReadonlyArray<string>): Promise<Child> => {
  const script = await bundled(entry)
  const child = spawn(process.execPath, [script, ...args], { cwd: packageRoot, stdio: ["pipe", "pipe", "pipe"] })
  let stderr = ""
  let stdout = ""
  child.stderr.setEncoding("utf8")
  child.stdout.setEncoding("utf8")
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk
  })
  child.stdout.on("data", (chunk: string) => {
    stdout += chunk
  })
  return { process: child, stderr: () => stderr, stdout: () => stdout }
}

/** Resolves with the exit code (or signal) of a child. */
export const exited = (child: Child): Promise<number | string> =>
  child.process.exitCode !== null || child.process.signalCode !== null
    ? Promise.resolve(child.process.exitCode ?? (child.process.signalCode as string))
    : new Promise((resolve) => child.process.once("exit", (code, signal) => resolve(code ?? (signal as string))))

/** Kills what is still running of `children`. */
export const killAll = (children: ReadonlyArray<Child>): void => {
  for (const { process: child } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
}
