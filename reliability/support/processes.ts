/**
 * Worker processes for the scenarios that need more than one OS process (concurrent starts,
 * kills in the middle of a write): each runs a TypeScript file of `reliability/workers/` through
 * tsx, with the workspace packages loaded from source as in the tests, and talks by lines of JSON
 * on stdout. The parent decides when a worker dies (`kill("SIGKILL")`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..")
const tsxLoader = createRequire(import.meta.url).resolve("tsx")

/** A running worker: its JSON lines as they come, how it ended, and what it wrote to stderr. */
export interface Worker {
  readonly child: ChildProcessWithoutNullStreams
  /** Every JSON line the worker printed so far (other lines are ignored). */
  readonly messages: ReadonlyArray<unknown>
  /** Resolves with the first JSON line that `matches`, or rejects when the worker exits first. */
  readonly waitFor: (matches: (message: unknown) => boolean) => Promise<unknown>
  /** The exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  readonly stderr: () => string
}

/**
 * Starts `reliability/workers/<name>.ts` with `args`; with `bundle` (see `bundle.ts`), runs that
 * bundled copy of it instead, for scenarios that start many processes.
 */
export const startWorker = (
  name: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {},
  options: { readonly bundle?: string } = {}
): Worker => {
  const script =
    options.bundle === undefined
      ? ["--import", tsxLoader, "--conditions=@tessera/source", join(root, "workers", `${name}.ts`)]
      : [options.bundle]
  const child = spawn(process.execPath, [...script, ...args], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...env }
  })
  let stderr = ""
  child.stderr.setEncoding("utf8")
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk
  })
  const messages: Array<unknown> = []
  const waiters: Array<{ matches: (m: unknown) => boolean; resolve: (m: unknown) => void }> = []
  const lines = createInterface({ input: child.stdout })
  lines.on("line", (line) => {
    if (!line.startsWith("{")) return
    let message: unknown
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    messages.push(message)
    for (const waiter of [...waiters]) {
      if (waiter.matches(message)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(message)
      }
    }
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  const waitFor = (matches: (message: unknown) => boolean): Promise<unknown> => {
    const seen = messages.find(matches)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      waiters.push({ matches, resolve })
      void exited.then(({ code, signal }) =>
        reject(new Error(`worker ${name} exited (${code ?? signal}) first\n--- stderr ---\n${stderr.slice(-4000)}`))
      )
    })
  }
  return { child, messages, waitFor, exited, stderr: () => stderr }
}
