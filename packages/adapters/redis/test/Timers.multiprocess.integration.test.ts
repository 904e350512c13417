// Four worker processes share 10,000 timers due within three seconds, claiming them from one
// Redis under a lease: every timer's handler result is recorded exactly once. A second run kills
// one worker with SIGKILL halfway: its leased timers come back to the others when the lease ends,
// every result is still recorded once, and the run ends within the lease plus a bound.
import { join } from "node:path"
import type { Ids } from "@tessera/core"
import { Timers } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { RedisTimers } from "../src/index.js"
import { type Child, exited, killAll, start } from "./children.js"
import { dropPrefix, freshPrefix, rawClient, redisUrl } from "./support.js"

const raw = rawClient()
const prefixes: Array<string> = []
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(raw, prefix)
  raw.disconnect()
})

const total = 10_000
const workers = 4
const leaseMillis = 5_000
const ws = "multiprocess" as Ids.WorkspaceId
const entry = join(import.meta.dirname, "timers", "worker.ts")

/** Schedules the timers (due over the next three seconds), starts the workers, optionally kills one halfway. */
const runWorkers = async (label: string, killHalfway: boolean) => {
  const prefix = freshPrefix(label)
  prefixes.push(prefix)
  const timers = RedisTimers.makeWith({ redis: raw, prefix }, undefined)
  const base = Date.now() + 1_000
  const all = Array.from({ length: total }, (_, i) =>
    Timers.make(ws, `ticket-${i}` as Ids.TicketId, "sla", DateTime.makeUnsafe(base + (i % 3_000)))
  )
  for (let i = 0; i < all.length; i += 500) await Effect.runPromise(timers.scheduleAll(all.slice(i, i + 500)))
  const children: Array<Child> = []
  try {
    for (let w = 0; w < workers; w++) {
      children.push(await start(entry, [redisUrl(), prefix, ws, `w${w}`, String(leaseMillis), String(total)]))
    }
    const started = Date.now()
    let killedAt: number | undefined
    if (killHalfway) {
      while ((await raw.hlen(`${prefix}results`)) < total / 2) await new Promise((r) => setTimeout(r, 5))
      // Killed right after it announced a claim: it dies holding that batch's lease.
      const victim = children[0] as Child
      const claims = () =>
        victim
          .stdout()
          .split("\n")
          .filter((line) => line.startsWith("claimed")).length
      const seen = claims()
      while (claims() === seen) await new Promise((r) => setImmediate(r))
      victim.process.kill("SIGKILL")
      killedAt = Date.now()
    }
    const codes = await Promise.all(children.map(exited))
    const ended = Date.now()
    for (const [i, code] of codes.entries()) {
      if (!(killHalfway && i === 0)) expect(code, (children[i] as Child).stderr()).toBe(0)
    }
    const results = await raw.hgetall(`${prefix}results`)
    const executions = Object.values(await raw.hgetall(`${prefix}executions`)).map(Number)
    const duplicates = await raw.lrange(`${prefix}duplicates`, 0, -1)
    const byWorker = new Map<string, number>()
    for (const w of Object.values(results)) byWorker.set(w, (byWorker.get(w) ?? 0) + 1)
    const executed = executions.reduce((a, b) => a + b, 0)
    console.log(
      `${label}: ${Object.keys(results).length} of ${total} timers with one result each ` +
        `(${[...byWorker].map(([w, n]) => `${w}: ${n}`).join(", ")}); ${executed} handler executions, ` +
        `${duplicates.length} repeated after a crash; ${workers} workers done ${ended - base} ms after the first due time` +
        (killedAt === undefined ? "" : `, ${ended - killedAt} ms after the kill (lease ${leaseMillis} ms)`) +
        `; workers started ${started - base} ms after the first due time`
    )
    expect(Object.keys(results).sort()).toEqual(all.map((t) => t.id).sort())
    return { results, executions, duplicates, killedAt, ended, counts: await Effect.runPromise(timers.counts(ws)) }
  } finally {
    killAll(children)
  }
}

describe("timers on Redis across processes", () => {
  it("four workers share 10,000 timers: each handler result recorded exactly once, each handler run once", async () => {
    const run = await runWorkers("four-workers", false)
    expect(run.duplicates).toEqual([])
    expect(run.executions.every((n) => n === 1)).toBe(true)
    expect(run.counts).toEqual({ due: 0, leased: 0 })
  }, 120_000)

  it("one worker killed by SIGKILL halfway: still exactly once, done within the lease plus a bound", async () => {
    const run = await runWorkers("one-killed", true)
    // Only timers the dead worker held can have run twice, and their first result is its own:
    // a live worker's result written twice would mean two workers held one lease.
    for (const line of run.duplicates) {
      const [, , holder] = line.split(" ")
      expect(holder, line).toBe("w0")
    }
    // At most the one batch (50) it held when it died ran again, once more each.
    const again = run.executions.filter((n) => n > 1)
    expect(again.length).toBeLessThanOrEqual(50)
    expect(again.every((n) => n === 2)).toBe(true)
    expect(run.duplicates.length).toBeLessThanOrEqual(again.length)
    expect(run.counts).toEqual({ due: 0, leased: 0 })
    // The dead worker's timers wait out their lease: the end comes within it and a bound of 15 s
    // (for a busy machine); the bound is not a benchmark.
    const afterKill = run.ended - (run.killedAt as number)
    expect(afterKill, "its batch waited for the lease to end").toBeGreaterThan(leaseMillis - 500)
    expect(afterKill).toBeLessThan(leaseMillis + 15_000)
  }, 120_000)
})
