// `restrictedQueue`: the queue of an agent restricted to 3 of 50 groups against an unrestricted
// agent's, p99 over interleaved samples, on the store bench's cached SQLite database (50 groups).
// TODAY `TicketQuery` filters one group at a time (`group`), and no visibility filter exists in the
// store yet, so the restricted queue is measured as three single-group queue queries merged by
// SLA due time (what a caller must do today); the unrestricted one is the same queue without a
// group filter. When access control puts the visibility filter in the store's query, this
// function is the one to change: one query with the agent's groups.

import { type Ids, TicketQuery } from "@tessera/core"
import { Schema } from "effect"
import { percentile } from "../lib/report.js"
import { groupId, mainWorkspace } from "../store/data.js"
import { getStore, storeRuntime } from "../store/latency.js"
import { buildSqlite } from "../store/load.js"

const decodeQuery = Schema.decodeUnknownSync(TicketQuery.TicketQuery)
const unresolved = ["new", "open", "pending", "on_hold"] as const
const LIMIT = 50
const SAMPLES = 400

export const restrictedQueue = async (tickets: number, log: (line: string) => void) => {
  const built = await buildSqlite(tickets, false)
  log(
    `restrictedQueue: store database of ${tickets} tickets ${built.cached ? "cached" : `built in ${built.seconds.toFixed(0)} s`}`
  )
  const runtime = storeRuntime(`sqlite:${built.path}`)
  try {
    const store = await runtime.runPromise(getStore)
    const ws = mainWorkspace as Ids.WorkspaceId
    const unrestricted = decodeQuery({ category: [...unresolved], sort: "sla_due", limit: LIMIT })
    const restrictedRuns: Array<number> = []
    const unrestrictedRuns: Array<number> = []
    const groupsOf = (sample: number) => [0, 1, 2].map((j) => groupId((sample * 7 + j * 17) % 50))
    const runRestricted = async (sample: number) => {
      const queries = groupsOf(sample).map((g) =>
        decodeQuery({ group: g, category: [...unresolved], sort: "sla_due", limit: LIMIT })
      )
      const t = performance.now()
      const pages = await Promise.all(queries.map((q) => runtime.runPromise(store.query(ws, q))))
      // Merged as the one queue: nearest SLA due first, then by id, the first LIMIT.
      const merged = pages
        .flatMap((p) => p.items)
        .sort((a, b) =>
          TicketQuery.compare("sla_due", "asc", TicketQuery.position("sla_due", a), TicketQuery.position("sla_due", b))
        )
        .slice(0, LIMIT)
      restrictedRuns.push(performance.now() - t)
      return merged.length
    }
    const runUnrestricted = async () => {
      const t = performance.now()
      await runtime.runPromise(store.query(ws, unrestricted))
      unrestrictedRuns.push(performance.now() - t)
    }
    for (let i = 0; i < 20; i++) {
      await runRestricted(i)
      await runUnrestricted()
    }
    restrictedRuns.length = 0
    unrestrictedRuns.length = 0
    for (let i = 0; i < SAMPLES; i++) {
      if (i % 2 === 0) {
        await runRestricted(i)
        await runUnrestricted()
      } else {
        await runUnrestricted()
        await runRestricted(i)
      }
    }
    const p99 = (xs: Array<number>) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        99
      )
    return {
      restricted: p99(restrictedRuns),
      unrestricted: p99(unrestrictedRuns),
      baseline: `the unrestricted queue (no group filter), same store; restricted = 3 single-group queries merged (TicketQuery has no group list or visibility filter yet), ${tickets} tickets`,
      note: "3 single-group queries merged: no visibility filter in the store yet"
    }
  } finally {
    await runtime.dispose()
  }
}
