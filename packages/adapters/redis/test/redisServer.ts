/**
 * A private redis-server for the tests that stop and restart one: a free port on 127.0.0.1, a
 * temporary directory for its files, started in the foreground as a child of the test (so the
 * test can SIGTERM it, start it again on the same directory, and never leaves it running).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** A port nothing listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))
      )
    })
  })

export interface PrivateRedis {
  readonly url: string
  readonly dir: string
  /** Starts the server (again) on the same port and directory; resolves once it accepts connections. */
  readonly start: () => Promise<void>
  /** Stops it with SIGTERM (a clean shutdown: with AOF on, everything acknowledged is on disk) and waits for the exit. */
  readonly stop: () => Promise<void>
  /** Stops it if it runs, and removes its directory. */
  readonly dispose: () => Promise<void>
}

/** A private server; `persistence` turns on AOF with an fsync per write, else nothing is kept. */
export const privateRedis = async (persistence: boolean): Promise<PrivateRedis> => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-restart-"))
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    ...(persistence ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"])
  ]
  let child: ChildProcess | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const server = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] })
      child = server
      let output = ""
      server.stdout?.setEncoding("utf8")
      server.stdout?.on("data", (chunk: string) => {
        output += chunk
        if (output.includes("Ready to accept connections")) resolve()
      })
      server.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)))
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      const server = child
      if (server === undefined || server.exitCode !== null || server.signalCode !== null) return resolve()
      server.once("exit", () => resolve())
      server.kill("SIGTERM")
    })
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    dir,
    start,
    stop,
    dispose: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
