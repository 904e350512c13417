/**
 * The consumer test's harness: it packs every publishable workspace package as it would be
 * published (`pnpm pack`, which rewrites `workspace:` ranges), installs the tarballs with npm
 * into a fresh project outside the workspace, and runs programs there. Tests that must see
 * Tessera as a user who installed it from npm (the consumer test, the snippet test) build on it.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { mkdtemp } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/** The fields of a package.json this harness reads. */
export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly license?: string
  readonly homepage?: string
  readonly bugs?: { readonly url: string }
  readonly repository?: { readonly type: string; readonly url: string; readonly directory?: string }
  readonly files?: ReadonlyArray<string>
  readonly exports?: unknown
  readonly dependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>
}

/** A workspace package: its folder (relative to the root) and its manifest. */
export interface WorkspacePackage {
  readonly dir: string
  readonly manifest: Manifest
}

/** A packed package: its name, its tarball and the manifest inside the tarball. */
export interface Packed {
  readonly name: string
  readonly tarball: string
  readonly manifest: Manifest
}

const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as Manifest

const packageDirs = (): ReadonlyArray<string> => {
  const dirs: Array<string> = []
  for (const parent of ["packages", "packages/adapters"]) {
    for (const entry of readdirSync(join(repoRoot, parent), { withFileTypes: true })) {
      const dir = `${parent}/${entry.name}`
      if (entry.isDirectory() && existsSync(join(repoRoot, dir, "package.json"))) dirs.push(dir)
    }
  }
  return dirs.sort()
}

/** Every package under `packages/`, published or not. */
export const workspacePackages = (): ReadonlyArray<WorkspacePackage> =>
  packageDirs().map((dir) => ({ dir, manifest: readManifest(dir) }))

/** The packages npm gets: those not marked `private` (the placeholders are). */
export const publishablePackages = (): ReadonlyArray<WorkspacePackage> =>
  workspacePackages().filter((p) => p.manifest.private !== true)

/** The output of a finished command. */
export interface Output {
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs a command and resolves with its output; rejects with the command, its exit status and
 * all of its output when it exits non-zero (so a failed install shows npm's own message).
 */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>> }
): Promise<Output> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      if (code === 0) resolve({ stdout, stderr })
      else
        reject(
          new Error(
            `${command} ${args.join(" ")} (in ${options.cwd}) exited with ${code ?? signal}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`
          )
        )
    })
  })

const newestMtime = (path: string): number => {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))))
}

/**
 * Fails unless a package's `dist` exists and is newer than its `src`: packing an old build would
 * test code that is no longer there. `pnpm test` builds before it runs the tests.
 */
const assertBuilt = (pkg: WorkspacePackage): void => {
  const dist = join(repoRoot, pkg.dir, "dist")
  if (!existsSync(join(dist, "index.js"))) {
    throw new Error(`${pkg.manifest.name} is not built (no ${pkg.dir}/dist): run \`pnpm run build\` first`)
  }
  if (newestMtime(join(repoRoot, pkg.dir, "src")) > statSync(join(dist, "index.js")).mtimeMs) {
    throw new Error(`${pkg.manifest.name}'s dist is older than its src: run \`pnpm run build\` first`)
  }
}

/** A new empty folder under the system's temp folder. */
export const tempDir = (prefix: string): Promise<string> => mkdtemp(join(tmpdir(), `tessera-${prefix}-`))

/**
 * Packs every publishable package with `pnpm pack` into `destination` (a new temp folder by
 * default) and reads the manifest each tarball carries, `workspace:` ranges already rewritten.
 */
export const packAll = async (destination?: string): Promise<ReadonlyArray<Packed>> => {
  const dest = destination ?? (await tempDir("packs"))
  mkdirSync(dest, { recursive: true })
  const packed: Array<Packed> = []
  for (const pkg of publishablePackages()) {
    assertBuilt(pkg)
    const { stdout } = await run("pnpm", ["pack", "--json", "--pack-destination", dest], {
      cwd: join(repoRoot, pkg.dir)
    })
    const tarball = (JSON.parse(stdout) as { readonly filename: string }).filename
    const inside = await run("tar", ["-xzOf", tarball, "package/package.json"], { cwd: dest })
    const manifest = JSON.parse(inside.stdout) as Manifest
    packed.push({ name: pkg.manifest.name, tarball, manifest })
  }
  return packed
}

/** The files a tarball holds, as paths inside the package (`dist/index.js`, `LICENSE`, ...). */
export const tarballFiles = async (tarball: string): Promise<ReadonlyArray<string>> => {
  const { stdout } = await run("tar", ["-tzf", tarball], { cwd: repoRoot })
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""))
}

/**
 * The peer dependencies a consumer installs next to the packed packages, each as `name@range`
 * with the range the packages declare, so npm picks the newest version they allow. Optional
 * peers are left out unless named in `optional`; the packages must agree on each range.
 */
export const peerSpecs = (packed: ReadonlyArray<Packed>, optional: ReadonlyArray<string> = []): Array<string> => {
  const ranges = new Map<string, string>()
  for (const { manifest } of packed) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      if (packed.some((p) => p.name === name)) continue
      if (manifest.peerDependenciesMeta?.[name]?.optional === true && !optional.includes(name)) continue
      const known = ranges.get(name)
      if (known !== undefined && known !== range) {
        throw new Error(`the packages disagree on the range of ${name}: ${known} and ${range}`)
      }
      ranges.set(name, range)
    }
  }
  return [...ranges].map(([name, range]) => `${name}@${range}`)
}

/**
 * The environment of every npm command here. better-sqlite3 has no prebuilt binary it can
 * download on this machine, so node-gyp compiles it against the system's Node headers
 * (`/usr/include/node`) instead of downloading them.
 */
export const npmEnv: Readonly<Record<string, string>> = {
  npm_config_nodedir: process.env.npm_config_nodedir ?? "/usr",
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false"
}

/**
 * A folder holding better-sqlite3's native addon as the workspace built it, packed the way
 * better-sqlite3's installer (`prebuild-install`) looks for a prebuilt binary
 * (`better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`). With the folder set as
 * `npm_config_better_sqlite3_local_prebuilds`, an install of that same version on this Node
 * unpacks it, as a user's install unpacks the binary it downloads, instead of compiling SQLite
 * for a minute or more; any other version finds no file there and is compiled as usual.
 */
export const localPrebuilds = async (): Promise<Readonly<Record<string, string>>> => {
  const require = createRequire(join(repoRoot, "packages", "adapters", "sql", "package.json"))
  const packageDir = dirname(require.resolve("better-sqlite3/package.json"))
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as Manifest
  const addon = "build/Release/better_sqlite3.node"
  if (!existsSync(join(packageDir, addon))) return {}
  const dir = await tempDir("prebuilds")
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
  await run("tar", ["-czf", join(dir, file), "-C", packageDir, addon], { cwd: dir })
  return { npm_config_better_sqlite3_local_prebuilds: dir }
}

/** Runs npm in a project folder with `npmEnv`. */
export const npm = (
  dir: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<Output> => run("npm", args, { cwd: dir, env: { ...npmEnv, ...env } })

/**
 * The packages of the README's install line (`npm i @tessera/core ... better-sqlite3@12`), as
 * specs: what the consumer test installs, so the documented command is the one tested.
 */
export const documentedInstall = (): ReadonlyArray<string> => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8")
  const line = readme.split("\n").find((l) => l.startsWith("npm i @tessera/"))
  if (line === undefined) throw new Error("README.md has no `npm i @tessera/...` install line")
  return line.trim().split(/\s+/).slice(2)
}

/**
 * Makes `dir` a fresh npm project (an ES module package, as `npm init` with `"type": "module"`)
 * and installs into it, in one `npm install` as a user would type it, every packed tarball and
 * `deps` (specs such as `effect@^4.1.5`; a packed package named there is taken from its tarball).
 * Uses npm's own cache; fails when npm does. `env` adds to `npmEnv` (see `localPrebuilds`).
 */
export const installProject = async (
  dir: string,
  packed: ReadonlyArray<Packed>,
  deps: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {}
): Promise<Output> => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "tessera-consumer", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`
  )
  const others = deps.filter((spec) => !packed.some((p) => spec === p.name || spec.startsWith(`${p.name}@`)))
  return npm(dir, ["install", ...packed.map((p) => p.tarball), ...others], env)
}

/** The version of a package installed in a project. */
export const installedVersion = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")) as Manifest).version

/**
 * Runs a file of the project with Node (`.js`, `.mjs`, `.cjs`), or a TypeScript file with the
 * project's `tsx`; `file` is relative to the project. Rejects when it exits non-zero.
 */
export const runInProject = (
  dir: string,
  file: string,
  args: ReadonlyArray<string> = [],
  env: Readonly<Record<string, string>> = {}
): Promise<Output> =>
  /\.[cm]?ts$/.test(file)
    ? run(join(dir, "node_modules", ".bin", "tsx"), [file, ...args], { cwd: dir, env })
    : run(process.execPath, [file, ...args], { cwd: dir, env })

/**
 * Writes `source` to `file` in the project (folders made as needed) and runs it like
 * `runInProject`: how a test runs a snippet copied alone into a fresh project.
 */
export const runSource = (dir: string, file: string, source: string): Promise<Output> => {
  mkdirSync(dirname(join(dir, file)), { recursive: true })
  writeFileSync(join(dir, file), source)
  return runInProject(dir, file)
}

/** Copies a file or folder of the repository into the project (`cp -R`), at `target`. */
export const copyIntoProject = async (dir: string, source: string, target: string): Promise<void> => {
  mkdirSync(join(dir, target, ".."), { recursive: true })
  await run("cp", ["-R", join(repoRoot, source), join(dir, target)], { cwd: repoRoot })
}

/** A path relative to the repository's root, for messages. */
export const fromRoot = (path: string): string => relative(repoRoot, path)
