/**
 * Redis for the bus, guard and assignment tests: the shared test server (`TESSERA_REDIS_URL`,
 * required: a test without it fails, never skips) under a prefix of its own, and private
 * redis-servers a test starts on a free loopback port in a temporary directory, with or without
 * AOF, to kill and restart them.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Redis } from "ioredis"

export const redisUrl = (): string => {
  const url = process.env.TESSERA_REDIS_URL
  if (url === undefined || url === "") {
    throw new Error("TESSERA_REDIS_URL is not set (redis://127.0.0.1:56379 for the shared test server)")
  }
  return url
}

let serial = 0
/** A key prefix no other test (or run) uses. */
export const uniquePrefix = (name: string): string => `test:${name}:${process.pid}:${Date.now()}:${serial++}:`

/** Deletes every key under a prefix. */
export const dropPrefix = async (url: string, prefix: string): Promise<void> => {
  const redis = new Redis(url, { lazyConnect: true })
  await redis.connect()
  try {
    let cursor = "0"
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== "0")
  } finally {
    redis.disconnect()
  }
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A redis-server of the test's own, on its port and directory: killed with SIGKILL (a crash) or
 * stopped with SIGTERM (a clean shutdown: with AOF on, everything acknowledged is on disk), and
 * started again (resolving once it answers PING).
 */
export interface PrivateRedis {
  readonly url: string
  readonly kill: () => Promise<void>
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Kills it if it runs, and removes its directory. */
  readonly close: () => Promise<void>
}

export const privateRedis = async (options: { readonly aof: boolean }): Promise<PrivateRedis> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"))
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.aof ? "yes" : "no",
    ...(options.aof ? ["--appendfsync", "always"] : [])
  ]
  const start = async () => {
    child = spawn("/usr/bin/redis-server", args, { stdio: "ignore" })
    for (let i = 0; i < 200; i++) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      probe.on("error", () => {})
      try {
        await probe.connect()
        await probe.ping()
        return
      } catch {
        await sleep(25)
      } finally {
        probe.disconnect()
      }
    }
    throw new Error(`redis-server did not start on port ${port}`)
  }
  const end = async (signal: "SIGKILL" | "SIGTERM") => {
    const running = child
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once("exit", resolve))
    running.kill(signal)
    await exited
  }
  const kill = () => end("SIGKILL")
  await start()
  return {
    url,
    kill,
    stop: () => end("SIGTERM"),
    start,
    close: async () => {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Polls `check` every 20 ms until it holds, failing after `timeoutMs` with `what`. */
export const waitUntil = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}
