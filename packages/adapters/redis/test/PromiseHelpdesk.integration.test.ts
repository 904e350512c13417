/**
 * #19: the Promise path. Two help desks built with `createHelpdesk` (no Effect in the
 * application's code) on one SQLite file, their timers on Redis through `RedisTimers.ports`, fire
 * the SLA timers of the same tickets at the same instants: the timers go through Redis, and each
 * warning and breach is recorded once per metric instance. `TimerLoop.start` runs the same
 * rounds on an interval on both nodes.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BusinessCalendar, createHelpdesk, type PromiseHelpdesk, SlaPolicy } from "@tessera/core"
import { RedisTimers, TimerLoop } from "@tessera/redis"
import { SqlStore } from "@tessera/sql"
import { afterAll, describe, expect, it } from "vitest"
import { waitUntil } from "./support/localRedis.js"
import { dropPrefix, freshPrefix, rawClient, redisUrl } from "./support.js"

const raw = rawClient()
const prefixes: Array<string> = []
const dirs: Array<string> = []
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(raw, prefix)
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  raw.disconnect()
})

type Client = PromiseHelpdesk.HelpdeskClient

/** Two nodes of workspace acme on one SQLite file and one Redis, reading the time from `clock`. */
const nodes = async (label: string, clock: { now: number }) => {
  const prefix = freshPrefix(label)
  prefixes.push(prefix)
  const dir = mkdtempSync(join(tmpdir(), "tessera-promise-timers-"))
  dirs.push(dir)
  const url = `sqlite:${join(dir, "helpdesk.db")}`
  const node = () =>
    createHelpdesk({
      workspaceId: "acme",
      now: () => clock.now,
      sla: { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: BusinessCalendar.alwaysOpen } },
      // A day of store timers copied into Redis at each claim, so the test can count them there.
      layer: RedisTimers.ports(SqlStore.layerUrl({ url }), {
        connection: { url: redisUrl(), prefix },
        horizonMillis: 24 * 3_600_000
      })
    })
  const a = await node()
  const b = await node()
  return { a, b, prefix }
}

const open = (desk: Client, n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      desk.open({
        requester: { email: `customer${i}@example.com` },
        subject: `VPN drops ${i}`,
        text: "It drops every hour.",
        channel: "email"
      })
    )
  )

/** Each ticket's warnings and breaches, as `<tag> <metric>#<instance>`. */
const milestones = async (desk: Client, tickets: ReadonlyArray<{ readonly id: string }>) =>
  Promise.all(
    tickets.map(async (t) =>
      (await desk.asSystem("test").history(t.id)).flatMap((e) =>
        e._tag === "SlaWarningReached" || e._tag === "SlaBreached"
          ? [`${e._tag} ${(e as { metric: string }).metric}#${(e as { instance: number }).instance}`]
          : []
      )
    )
  )

describe("createHelpdesk with RedisTimers.ports", () => {
  it("two nodes fire the same SLA timers from Redis at the same instants: each warning and breach once", async () => {
    const clock = { now: Date.parse("2026-11-30T08:00:00Z") }
    const { a, b, prefix } = await nodes("promise-timers", clock)
    try {
      const tickets = await open(a, 8)
      // The first round of each node relays the store's timers into Redis (none is due yet).
      expect(await Promise.all([a.runDueTimers(), b.runDueTimers()])).toEqual([0, 0])
      const inRedis = await raw.zcard(`${prefix}{timers}:due:acme`)
      expect(inRedis).toBe(tickets.length)
      const fired = { a: 0, b: 0 }
      // Three days in half hours; at each instant both nodes run their timers at once, two at a
      // time, until a round finds none due on either node.
      for (let step = 0; step < 3 * 48; step++) {
        clock.now += 30 * 60_000
        for (;;) {
          const [x, y] = await Promise.all([a.runDueTimers(2), b.runDueTimers(2)])
          fired.a += x
          fired.b += y
          if (x + y === 0) break
        }
      }
      const seen = await milestones(b, tickets)
      console.log(
        `promise path: ${inRedis} timers relayed into Redis; timers fired by node a ${fired.a}, by node b ${fired.b}; ` +
          `${seen.flat().length} warnings and breaches on ${tickets.length} tickets`
      )
      for (const events of seen) {
        expect(events).toContain("SlaWarningReached first_reply#1")
        expect(events).toContain("SlaBreached first_reply#1")
        expect(new Set(events).size).toBe(events.length)
      }
      expect(fired.a + fired.b).toBeGreaterThanOrEqual(2 * tickets.length)
      expect(fired.a).toBeGreaterThan(0)
      expect(fired.b).toBeGreaterThan(0)
      expect(await raw.zcard(`${prefix}{timers}:lease:acme`)).toBe(0)
    } finally {
      await a.close()
      await b.close()
    }
  }, 120_000)

  it("TimerLoop.start fires them on both nodes until stopped", async () => {
    const clock = { now: Date.parse("2026-11-30T08:00:00Z") }
    const { a, b } = await nodes("promise-loop", clock)
    const tickets = await open(a, 3)
    const stops = [TimerLoop.start(a, { every: "20 millis" }), TimerLoop.start(b, { every: "20 millis" })]
    try {
      clock.now += 2 * 24 * 3_600_000
      await waitUntil("every first reply breached", async () =>
        (await milestones(a, tickets)).every((events) => events.includes("SlaBreached first_reply#1"))
      )
    } finally {
      await Promise.all(stops.map((stop) => stop()))
    }
    const seen = await milestones(a, tickets)
    for (const events of seen) expect(new Set(events).size).toBe(events.length)
    // Stopped: a timer due now is left alone.
    const [late] = await open(a, 1)
    clock.now += 2 * 24 * 3_600_000
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await milestones(a, late === undefined ? [] : [late])).flat()).toEqual([])
    await a.close()
    await b.close()
  }, 120_000)
})
