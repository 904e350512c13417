/**
 * The child processes of the multi-process tests (the concurrency workers, the feed writers): a
 * child's TypeScript entry is bundled once per test process with esbuild (the workspace's sources
 * inside, installed packages left to Node), so that each child starts in about a second of CPU
 * instead of compiling the sources through tsx, which cost several seconds per process and, four
 * at once on a busy two-core machine, made the workers miss their start timeout. What the children
 * run is the same source either way; how they talk to the parent stays in each harness.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..")
// Below the package, so that the bundle's imports of installed packages resolve as the sources' do.
const outDir = join(packageRoot, "node_modules", ".cache", "tessera-test-children", String(process.pid))

interface Esbuild {
  readonly build: (options: Record<string, unknown>) => Promise<unknown>
}

/** esbuild as tsx (the workspace's TypeScript runner) brings it: no dependency of its own. */
const esbuild = (): Esbuild => {
  const require = createRequire(import.meta.url)
  return createRequire(require.resolve("tsx")).call(null, "esbuild") as Esbuild
}

const bundles = new Map<string, Promise<string>>()

/**
 * Whether this package's node_modules holds `specifier`'s package: such imports stay external.
 * A dependency of another workspace package only (core's sanitize-html) is bundled instead, found
 * from the importing source as Node would find it from that package.
 */
const installedHere = (specifier: string): boolean => {
  const parts = specifier.split("/")
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string)
  return existsSync(join(packageRoot, "node_modules", name))
}
let removeOnExit = false

/**
 * `entry` (a path to a `.ts` file) bundled into one ES module, once per test process: the
 * workspace's packages are read from their sources (`@tessera/source`), every other package is
 * imported at run time from `node_modules`. The bundle goes when the test process exits.
 */
export const bundled = (entry: string): Promise<string> => {
  const known = bundles.get(entry)
  if (known !== undefined) return known
  const outfile = join(outDir, `${bundles.size}-${entry.split("/").at(-1)?.replace(/\.ts$/, "")}.mjs`)
  const building = (async () => {
    mkdirSync(outDir, { recursive: true })
    if (!removeOnExit) process.once("exit", () => rmSync(outDir, { recursive: true, force: true }))
    removeOnExit = true
    await esbuild().build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["@tessera/source"],
      // A bundled CommonJS dependency (sanitize-html and its parser) requires Node's modules.
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

/** A running child: the process, and all it wrote on stderr so far (for failure messages). */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly stderr: () => string
}

/** Starts `node <bundle of entry> ...args` in the package's directory, collecting its stderr. */
export const start = async (
  entry: string,
  args: ReadonlyArray<string>,
  nodeArgs: ReadonlyArray<string> = []
): Promise<Child> => {
  const script = await bundled(entry)
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: packageRoot,
    stdio: ["pipe", "pipe", "pipe"],
    env: process.env
  })
  let stderr = ""
  child.stderr.setEncoding("utf8")
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk
  })
  return { process: child, stderr: () => stderr }
}

/** Kills what is still running of `children` (at the end of a run, failed or not). */
export const killAll = (children: ReadonlyArray<{ readonly process: ChildProcessWithoutNullStreams }>): void => {
  for (const { process: child } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
}

/** `promise`, or a rejection naming `what` after `ms` milliseconds. */
export const withTimeout = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })
