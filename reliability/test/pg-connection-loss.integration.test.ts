/**
 * #12: when PostgreSQL ended a pooled connection (an administrator's terminate, a restart), pg's
 * unhandled `error` event killed the whole process, idle connection or busy. A help desk runs in
 * a worker process against a server of the test's own, while the test terminates its idle
 * backends, then its backends in the middle of a statement (held on a lock), then restarts the
 * server twice (fast, then immediate: crash recovery). The worker must keep serving, report each
 * failed command as a retryable `StoreUnavailable` ("connection lost"), succeed again once the
 * server is back, and every command it acknowledged must be in the database afterwards.
 */
import pg from "pg"
import { expect, it } from "vitest"
import { startPrivatePostgres } from "../support/privatePostgres.js"
import { startWorker } from "../support/processes.js"
import { report } from "../support/report.js"

interface Ack {
  readonly ack: { readonly kind: string; readonly ticket: string; readonly marker: string }
}
interface Fail {
  readonly fail: { readonly tag: string; readonly retryable: boolean; readonly reason: string; readonly marker: string }
}

const isAck = (m: unknown): m is Ack => typeof m === "object" && m !== null && "ack" in m
const isFail = (m: unknown): m is Fail => typeof m === "object" && m !== null && "fail" in m
const has = (key: string) => (m: unknown) => typeof m === "object" && m !== null && key in m

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> =>
  Promise.race([
    promise,
    sleep(ms).then(() => {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    })
  ])

it("terminated connections and server restarts: the process keeps serving and loses nothing it acknowledged", async () => {
  const server = await startPrivatePostgres()
  const application = "tessera-pg-resilience"
  const worker = startWorker("pg-resilience", [`${server.url}?application_name=${application}`])
  let stopAsked = false
  let crashes = 0
  void worker.exited.then(() => {
    if (!stopAsked) crashes += 1
  })
  const acked = () => worker.messages.filter(isAck).length
  /** Waits for `more` acknowledgements after the ones seen so far. */
  const served = async (more: number, what: string) => {
    const target = acked() + more
    await within(
      20_000,
      `${more} commands ${what}`,
      worker.waitFor((m) => isAck(m) && acked() >= target)
    )
  }
  let terminatedIdle = 0
  let terminatedMidStatement = 0
  let ackedAfterRestarts = 0
  let failure: string | undefined
  try {
    await within(20_000, "the worker to start", worker.waitFor(has("ready")))
    await served(20, "at first")
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    try {
      /** Terminates the worker's backends in `state` (`pg_stat_activity` condition); how many. */
      const terminate = async (client: pg.Client, state: string): Promise<number> => {
        const { rows } = await client.query<{ n: number }>(
          `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and ${state}`,
          [application]
        )
        return rows[0]?.n ?? 0
      }
      // Idle connections of the pool, ended by an administrator.
      for (let attempt = 0; attempt < 200 && terminatedIdle < 4; attempt++) {
        terminatedIdle += await terminate(admin, "state = 'idle'")
        await sleep(10)
      }
      await served(10, "after idle connections were terminated")
      // Connections in the middle of a statement: writes wait on a lock, and are terminated there.
      await admin.query("begin")
      await admin.query("lock table events in exclusive mode")
      const waiting = new pg.Client({ connectionString: server.url })
      await waiting.connect()
      try {
        for (let attempt = 0; attempt < 200 && terminatedMidStatement < 4; attempt++) {
          await sleep(20)
          terminatedMidStatement += await terminate(waiting, "state = 'active' and wait_event_type = 'Lock'")
        }
      } finally {
        await waiting.end()
      }
      await admin.query("rollback")
      await served(10, "after connections were terminated mid-statement")
    } finally {
      await admin.end()
    }
    const ackedBeforeRestarts = acked()
    for (const mode of ["fast", "immediate"] as const) {
      await server.down(mode)
      await sleep(500)
      await server.up()
      await served(10, `after a ${mode} restart`)
    }
    ackedAfterRestarts = acked() - ackedBeforeRestarts
    stopAsked = true
    worker.child.stdin.write("stop\n")
    await within(20_000, "the worker to stop", worker.waitFor(has("done")))
    const exit = await worker.exited
    if (exit.code !== 0) crashes += 1
  } catch (error) {
    failure = String(error).split("\n")[0]
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL")
  }
  try {
    // Every acknowledged command is in the database: its marker is in one of the events.
    const check = new pg.Client({ connectionString: server.url })
    await check.connect()
    const stored = await check.query<{ data: string }>("select data from events").finally(() => check.end())
    const events = stored.rows.map((row) => row.data).join("\n")
    const acks = worker.messages.filter(isAck)
    const failures = worker.messages.filter(isFail).map((m) => m.fail)
    const connectionLost = failures.filter(
      (f) => f.tag === "StoreUnavailable" && f.retryable && f.reason.startsWith("connection lost")
    )
    const counts = report("pg-connection-loss", {
      acknowledged: acks.length,
      acknowledgedAfterRestarts: ackedAfterRestarts,
      terminatedIdle,
      terminatedMidStatement,
      restarts: 2,
      failedConnectionLost: connectionLost.length,
      failedOtherwise: failures.length - connectionLost.length,
      otherFailures: [
        ...new Set(failures.filter((f) => !connectionLost.includes(f)).map((f) => `${f.tag}: ${f.reason}`))
      ].slice(0, 3),
      crashes,
      lost: acks.filter((m) => !events.includes(`#${m.ack.marker}#`)).length,
      error: failure ?? "none"
    })
    expect(counts.crashes).toBe(0)
    expect(counts.error).toBe("none")
    expect(counts.lost).toBe(0)
    expect(counts.terminatedIdle).toBeGreaterThan(0)
    expect(counts.terminatedMidStatement).toBeGreaterThan(0)
    // The terminations and restarts did hit commands, and each failure was a retryable one.
    expect(counts.failedConnectionLost).toBeGreaterThan(0)
    expect(counts.failedOtherwise).toBe(0)
    expect(counts.acknowledgedAfterRestarts).toBeGreaterThanOrEqual(20)
  } finally {
    await server.stop()
  }
}, 150_000)
