/**
 * A PostgreSQL server of a scenario's own, for scenarios that restart or stop the server (the
 * suite's shared server of `TESSERA_PG_URL` is never touched): a fresh cluster in a temporary
 * directory on a free loopback port, run by the `postgres` OS user as PostgreSQL requires, and
 * removed by `stop`. The binaries come from `TESSERA_PG_BIN` or /usr/lib/postgresql/15/bin.
 */
import { execFile } from "node:child_process"
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

const bin = (name: string): string => join(process.env.TESSERA_PG_BIN ?? "/usr/lib/postgresql/15/bin", name)

/** A free TCP port on the loopback interface (the OS picks one; it stays free for the moment). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

/** Runs a PostgreSQL binary as the `postgres` user (initdb and pg_ctl refuse root). */
const asPostgres = async (name: string, args: ReadonlyArray<string>): Promise<string> => {
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0
  const { stdout } = asRoot
    ? await run("runuser", ["-u", "postgres", "--", bin(name), ...args])
    : await run(bin(name), [...args])
  return stdout
}

/** A running private server. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string
  readonly port: number
  /** Stops the server: `fast` ends every session with 57P01, `immediate` kills them (crash recovery follows). */
  readonly down: (mode: "fast" | "immediate") => Promise<void>
  /** Starts it again after `down`. */
  readonly up: () => Promise<void>
  /** Stops the server and removes its directory. */
  readonly stop: () => Promise<void>
}

/** Creates a cluster and starts it; call `stop` in every case (a `finally`). */
export const startPrivatePostgres = async (): Promise<PrivatePostgres> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-pg-"))
  chmodSync(dir, 0o755)
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"])
    const uid = Number(stdout.trim())
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim())
    chownSync(dir, uid, gid)
  }
  const data = join(dir, "data")
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`
  const start = () => asPostgres("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"])
  try {
    await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
    await start()
  } catch (cause) {
    rmSync(dir, { recursive: true, force: true })
    throw cause
  }
  let stopped = false
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    down: async (mode) => {
      await asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"])
    },
    up: async () => {
      await start()
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      try {
        await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
