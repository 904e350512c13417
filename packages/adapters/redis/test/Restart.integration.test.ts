// A private redis-server restarted in the middle of a run of timers. With AOF and an fsync per
// write, no timer is lost; without persistence, Redis comes back empty and the relay rebuilds the
// timers from the store (with no store behind, the same restart loses them: shown for contrast).
import { type Ids, MemoryTicketStore, Timers } from "@tessera/core"
import { DateTime, Effect, Layer, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { RedisClient, RedisTimers } from "../src/index.js"
import { privateRedis } from "./support/localRedis.js"

const ws = "restart" as Ids.WorkspaceId
const total = 2_000
const leaseMillis = 2_000

interface Run {
  readonly results: Map<string, number>
  readonly executions: number
  readonly failedRounds: number
  readonly heldAfterRestart: { readonly due: number; readonly leased: number }
  readonly seconds: number
}

/**
 * Runs the timers on `timers` (scheduled by `schedule`, due over the next three seconds): a runner
 * claims batches, records each handler's result once (by timer id) and completes; once a quarter of
 * the results are in, the server is stopped, left down for a second and started again. The runner
 * sees typed failures meanwhile and keeps going; the run ends when every result is in or at `deadline`.
 */
const runAcrossRestart = async (
  server: Awaited<ReturnType<typeof privateRedis>>,
  timers: RedisTimers.Shape,
  schedule: (all: ReadonlyArray<Timers.Timer>) => Promise<void>,
  deadlineMillis: number
): Promise<Run> => {
  const base = Date.now() + 500
  const all = Array.from({ length: total }, (_, i) =>
    Timers.make(ws, `ticket-${i}` as Ids.TicketId, "sla", DateTime.makeUnsafe(base + (i % 3_000)))
  )
  await schedule(all)
  const results = new Map<string, number>()
  let executions = 0
  let failedRounds = 0
  let restarted = false
  let heldAfterRestart = { due: -1, leased: -1 }
  const started = Date.now()
  const restart = (async () => {
    while (results.size < total / 4) await new Promise((r) => setTimeout(r, 5))
    await server.stop()
    await new Promise((r) => setTimeout(r, 1_000))
    await server.start()
    for (;;) {
      const counts = await Effect.runPromiseExit(timers.counts(ws))
      if (counts._tag === "Success") {
        heldAfterRestart = counts.value
        break
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    restarted = true
  })()
  while ((results.size < total || !restarted) && Date.now() - started < deadlineMillis) {
    const claimed = await Effect.runPromiseExit(timers.claimDue(ws, DateTime.makeUnsafe(Date.now()), 100, leaseMillis))
    if (claimed._tag === "Failure") {
      failedRounds++
      await new Promise((r) => setTimeout(r, 50))
      continue
    }
    if (claimed.value.length === 0) await new Promise((r) => setTimeout(r, 20))
    for (const timer of claimed.value) {
      executions++
      if (!results.has(timer.id)) results.set(timer.id, executions)
      // A completion lost in the outage leaves the timer to come back after its lease: the
      // handler's result is keyed by timer id, so it runs again without a second result.
      await Effect.runPromiseExit(timers.complete(timer.id))
    }
  }
  await restart
  return { results, executions, failedRounds, heldAfterRestart, seconds: (Date.now() - started) / 1000 }
}

const report = (label: string, run: Run) =>
  console.log(
    `${label}: ${run.results.size} of ${total} timers with a result, ${run.executions} handler executions, ` +
      `${run.failedRounds} rounds failed with StoreUnavailable during the restart (others waited for the reconnection); Redis held ` +
      `${run.heldAfterRestart.due} due + ${run.heldAfterRestart.leased} leased right after it; ${run.seconds.toFixed(1)} s`
  )

/** Timers on `server` through the library's own connection layer (its reconnect settings). */
const runtimeOn = (url: string, source?: Timers.Timers["Service"]) =>
  ManagedRuntime.make(
    (source === undefined
      ? RedisTimers.layerStandalone()
      : RedisTimers.layer({ rebuildMillis: 1_000 }).pipe(Layer.provide(Layer.succeed(Timers.Timers, source)))
    ).pipe(Layer.provide(RedisClient.layer({ url, prefix: "restart:" })))
  )

describe("timers across a Redis restart", () => {
  it("with AOF (appendfsync always) no timer is lost", async () => {
    const server = await privateRedis({ aof: true })
    const runtime = runtimeOn(server.url)
    try {
      const timers = await runtime.runPromise(RedisTimers.RedisTimers)
      const run = await runAcrossRestart(server, timers, (all) => runtime.runPromise(timers.scheduleAll(all)), 60_000)
      report("AOF on", run)
      expect(run.results.size).toBe(total)
      expect(run.heldAfterRestart.due + run.heldAfterRestart.leased, "the AOF brought the timers back").toBeGreaterThan(
        0
      )
    } finally {
      await runtime.dispose()
      await server.close()
    }
  }, 90_000)

  it("without persistence Redis comes back empty and the relay rebuilds the timers from the store", async () => {
    const server = await privateRedis({ aof: false })
    const store = await Effect.runPromise(MemoryTicketStore.makeStore())
    const runtime = runtimeOn(server.url, store.timers)
    try {
      const timers = await runtime.runPromise(RedisTimers.RedisTimers)
      // Written in the store alone, as the store's appends write them.
      const run = await runAcrossRestart(
        server,
        timers,
        (all) => Effect.runPromise(Effect.forEach(all, store.timers.schedule, { discard: true })),
        60_000
      )
      report("no persistence, store behind", run)
      expect(run.heldAfterRestart).toEqual({ due: 0, leased: 0 })
      expect(run.results.size).toBe(total)
      const left = await Effect.runPromise(
        store.timers.claimDue(ws, DateTime.makeUnsafe(Date.now() + 3_600_000), 10, 1)
      )
      expect(left, "every timer completed in the store too").toEqual([])
    } finally {
      await runtime.dispose()
      await server.close()
    }
  }, 90_000)

  it("for contrast: without persistence and with no store behind, the restart loses timers", async () => {
    const server = await privateRedis({ aof: false })
    const runtime = runtimeOn(server.url)
    try {
      const timers = await runtime.runPromise(RedisTimers.RedisTimers)
      const run = await runAcrossRestart(server, timers, (all) => runtime.runPromise(timers.scheduleAll(all)), 8_000)
      report("no persistence, no store", run)
      console.log(`no persistence, no store: ${total - run.results.size} timers lost`)
      expect(run.heldAfterRestart).toEqual({ due: 0, leased: 0 })
      expect(run.results.size).toBeLessThan(total)
    } finally {
      await runtime.dispose()
      await server.close()
    }
  }, 90_000)
})
