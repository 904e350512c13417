/**
 * The child processes of the workspace's multi-process tests (SQL concurrency workers and feed
 * writers, Redis timer workers, the notification worker killed mid-batch): a child's TypeScript
 * entry is bundled once per test process with esbuild (the workspace's sources inside, packages
 * installed in the testing package left to Node), so that each child starts in about a second of
 * CPU instead of compiling the sources through tsx, which cost several seconds per process and,
 * four at once on a busy two-core machine, made workers miss their start timeouts. What the
 * children run is the same source either way; how they talk to the parent stays in each harness.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { createRequire, isBuiltin } from "node:module"
import { join } from "node:path"

interface Esbuild {
  readonly build: (options: Record<string, unknown>) => Promise<unknown>
}

/** esbuild as tsx (the workspace's TypeScript runner) brings it: no dependency of its own. */
const esbuild = (): Esbuild => {
  const require = createRequire(import.meta.url)
  return createRequire(require.resolve("tsx")).call(null, "esbuild") as Esbuild
}

/** A running child: the process, and what it wrote so far (for failure messages). */
export interface Child {
  readonly process: ChildProcessWithoutNullStreams
  readonly stderr: () => string
  /** What it wrote on stdout, when started with `stdout: "collect"` (else empty). */
  readonly stdout: () => string
  /** Its exit code, or the signal that ended it. */
  readonly exited: Promise<number | string>
}

/** How to start a child. */
export interface StartOptions {
  readonly nodeArgs?: ReadonlyArray<string>
  /** `leave` (the default) leaves stdout to the harness; `collect` reads it into `Child.stdout`. */
  readonly stdout?: "leave" | "collect"
}

/**
 * The bundler and starter of one package's children: bundles go below `packageRoot`'s
 * node_modules, so the bundle's imports of installed packages resolve as the sources' do.
 */
export const make = (packageRoot: string) => {
  const outDir = join(packageRoot, "node_modules", ".cache", "tessera-test-children", String(process.pid))
  const bundles = new Map<string, Promise<string>>()
  let removeOnExit = false

  /**
   * Whether the package's node_modules holds `specifier`'s package: such imports stay external.
   * A dependency of another workspace package only (core's sanitize-html) is bundled instead,
   * found from the importing source as Node would find it from that package.
   */
  const installedHere = (specifier: string): boolean => {
    const parts = specifier.split("/")
    const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string)
    return existsSync(join(packageRoot, "node_modules", name))
  }

  /**
   * `entry` (a path to a `.ts` file) bundled into one ES module, once per test process: the
   * workspace's packages are read from their sources (`@tessera/source`), every other package is
   * imported at run time from `node_modules`. The bundle goes when the test process exits.
   */
  const bundled = (entry: string): Promise<string> => {
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

  /** Starts `node <bundle of entry> ...args` in the package's directory, collecting its stderr. */
  const start = async (entry: string, args: ReadonlyArray<string>, options: StartOptions = {}): Promise<Child> => {
    const script = await bundled(entry)
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      cwd: packageRoot,
      stdio: ["pipe", "pipe", "pipe"],
      env: process.env
    })
    let stderr = ""
    let stdout = ""
    child.stderr.setEncoding("utf8")
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk
    })
    if (options.stdout === "collect") {
      child.stdout.setEncoding("utf8")
      child.stdout.on("data", (chunk: string) => {
        stdout += chunk
      })
    }
    const exited = new Promise<number | string>((resolve) =>
      child.once("exit", (code, signal) => resolve(code ?? (signal as string)))
    )
    return { process: child, stderr: () => stderr, stdout: () => stdout, exited }
  }

  return { bundled, start }
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
