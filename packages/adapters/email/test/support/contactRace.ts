/**
 * The contact race of issue 16, for any SQL database: 4 worker processes (`contactWorker.ts`)
 * take in mail from one new address at once on one database, and the checks read what they
 * wrote: one contact for the sender, every ticket with it as requester, one contact for a CC.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { workspaceId } from "./mail.js"

const here = dirname(fileURLToPath(import.meta.url))
const tsx = createRequire(import.meta.url).resolve("tsx")

interface Worker {
  readonly child: ChildProcessWithoutNullStreams
  readonly ready: Promise<void>
  readonly result: Promise<{ requesters: Array<string>; copied: Array<string> }>
}

const start = (url: string, index: number, count: number): Worker => {
  const child = spawn(
    process.execPath,
    [
      "--import",
      tsx,
      "--conditions=@tessera/source",
      join(here, "contactWorker.ts"),
      "--url",
      url,
      "--count",
      String(count),
      "--index",
      String(index)
    ],
    { cwd: join(here, "..", ".."), stdio: ["pipe", "pipe", "pipe"], env: process.env }
  )
  let stderr = ""
  child.stderr.on("data", (chunk) => {
    stderr += String(chunk)
  })
  const lines = createInterface({ input: child.stdout })
  const seen: Array<string> = []
  let onLine: () => void = () => undefined
  lines.on("line", (line) => {
    seen.push(line)
    onLine()
  })
  const nth = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (seen.length > n) resolve(seen[n] as string)
      }
      const previous = onLine
      onLine = () => {
        previous()
        check()
      }
      check()
      child.on("exit", (code) => {
        if (seen.length <= n) reject(new Error(`worker ${index} exited ${code}\n${stderr.slice(-4000)}`))
      })
    })
  return {
    child,
    ready: nth(0).then(() => undefined),
    result: nth(1).then((line) => JSON.parse(line))
  }
}

/**
 * Runs the race on the database at `url` (migrated here first, as a deployment does) and checks
 * it; returns the contact ids the workers saw, for checks of the database's own.
 */
export const race = async (url: string, count = 6) => {
  const migrated = Layer.mergeAll(SqlStore.layerUrl({ url }), IdGenerator.layerTimeOrdered)
  await Effect.runPromise(Effect.scoped(Layer.build(migrated)))
  const workers = [0, 1, 2, 3].map((i) => start(url, i, count))
  await Promise.all(workers.map((w) => w.ready))
  for (const w of workers) w.child.stdin.write("go\n")
  const results = await Promise.all(workers.map((w) => w.result))

  const requesters = new Set(results.flatMap((r) => r.requesters))
  const copied = new Set(results.flatMap((r) => r.copied))
  expect(results.flatMap((r) => r.requesters)).toHaveLength(4 * count)
  expect([...requesters].every((r) => r.startsWith("con_"))).toBe(true)
  expect(requesters.size).toBe(1)
  expect(copied.size).toBe(1)

  const check = Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    const found = yield* helpdesk.findContactByEmail("new.customer@example.test")
    const page = yield* helpdesk.asSystem("test").list({ limit: 100 })
    return { found, tickets: page.items }
  }).pipe(Effect.provide(Helpdesk.layer({ workspaceId }).pipe(Layer.provide(migrated))), Effect.scoped)
  const { found, tickets } = await Effect.runPromise(check)
  expect(found._tag === "Some" && found.value.id).toBe([...requesters][0])
  expect(tickets).toHaveLength(4 * count)
  expect(new Set(tickets.map((t) => t.requester))).toEqual(requesters)
}
