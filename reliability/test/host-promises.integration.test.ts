/**
 * Found by measuring (issue 14): the SQL store on PostgreSQL tied each statement to its fiber
 * through an `AsyncLocalStorage`, and on Node 20 one in use installs a hook on every promise of
 * the process. After the store's first query, 200,000 `await`s of the host application took
 * 107 ms instead of 22. The store now binds an operation to the connection it holds instead.
 * Each store, used through the Promise client in a process of its own, must leave the process's
 * promises without hooks: `executionAsyncId()` in a promise continuation stays 0.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { startWorker } from "../support/processes.js"
import { report } from "../support/report.js"
import { freshPgSchema, mysqlUrl } from "../support/servers.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-host-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `body` on a schema of its own on the suite's PostgreSQL server, dropped after. */
const onPostgres = async <A>(body: (url: string) => Promise<A>): Promise<A> => {
  const { url, drop } = await freshPgSchema("host")
  try {
    return await body(url)
  } finally {
    await drop()
  }
}

interface Probed {
  readonly before: ReadonlyArray<number>
  readonly after: ReadonlyArray<number>
  readonly operations: number
}

const probe = async (store: string, url: string): Promise<Probed> => {
  const worker = startWorker("host-promises", ["--url", url])
  const { code } = await worker.exited
  const probed = worker.messages.find(
    (m): m is Probed & { type: string } => (m as { type?: unknown }).type === "probed"
  )
  if (code !== 0 || probed === undefined) throw new Error(`host-promises worker (${store}) failed:\n${worker.stderr()}`)
  report(`host-promises`, { store, operations: probed.operations, before: probed.before, after: probed.after })
  return probed
}

describe("the host's promises", () => {
  const cases: ReadonlyArray<readonly [string, (run: (url: string) => Promise<Probed>) => Promise<Probed>]> = [
    ["postgres", (run) => onPostgres(run)],
    ["sqlite", (run) => run(`sqlite:${join(dir, "host.db")}`)],
    ["mysql", (run) => run(mysqlUrl())]
  ]
  for (const [store, on] of cases) {
    it(`a help desk on ${store} leaves every promise of its process without async hooks`, async () => {
      const probed = await on((url) => probe(store, url))
      expect(probed.operations).toBe(6)
      expect(probed.before).toEqual([0, 0, 0])
      expect(probed.after).toEqual([0, 0, 0])
    }, 60_000)
  }
})
