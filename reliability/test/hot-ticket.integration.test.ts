/**
 * Issue 12, the hot ticket: 24 writers on one ticket made a command of a caller who passed no
 * `expectedVersion` fail with `VersionConflict` once the 50 attempts ran out. Now commands on a
 * ticket take turns inside a help desk, so 24 writers in one process meet no conflict at all;
 * across 3 processes (8 writers each) they still race through the store, and the retries absorb
 * it. Either way no conflict reaches a caller, and every command is in the stream exactly once.
 * On SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createHelpdesk, IdGenerator, type PromiseHelpdesk } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Layer } from "effect"
import { describe, expect, it } from "vitest"
import { countingConflicts, marker, type Outcomes, withCounted, writeHot } from "../support/hotTicket.js"
import { startWorker, type Worker } from "../support/processes.js"
import { report } from "../support/report.js"
import { freshPgSchema } from "../support/servers.js"

const writers = 24
/** Commands per writer: fewer across processes, where every conflict costs a reload. */
const perWriter = { oneProcess: 15, processes: 9 }

/** A fresh database for one run: a SQLite file, or a schema of its own on the PostgreSQL server. */
const freshDatabase = async (kind: "sqlite" | "postgres") => {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "tessera-hot-"))
    return { url: `sqlite:${join(dir, "hot.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  return freshPgSchema("hot")
}

const open = (url: string, counter: ReturnType<typeof countingConflicts>) =>
  createHelpdesk({
    workspaceId: "hot",
    layer: Layer.merge(withCounted(SqlStore.layerUrl({ url }), counter), IdGenerator.layerTimeOrdered)
  })

/** Mary, and the hot ticket. */
const seed = async (helpdesk: PromiseHelpdesk.HelpdeskClient) => {
  await helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
  return helpdesk.open({
    requester: { email: "jane@example.com", name: "Jane" },
    subject: "Everyone is on this one",
    text: "The VPN is down for the whole office.",
    channel: "email"
  })
}

/** What the stream holds: how many times each marker was written, and whether versions are contiguous. */
const audit = async (helpdesk: PromiseHelpdesk.HelpdeskClient, ticket: string) => {
  const history = await helpdesk.asSystem("test").history(ticket)
  const written = new Map<string, number>()
  for (const event of history) {
    const markers =
      event._tag === "ReplyAdded" || event._tag === "NoteAdded"
        ? [event.message.text]
        : event._tag === "TagsChanged"
          ? event.added
          : []
    for (const m of markers) written.set(m, (written.get(m) ?? 0) + 1)
  }
  const current = await helpdesk.asSystem("test").get(ticket)
  return { written, events: history.length, versionsContiguous: current.version === history.length }
}

const check = async (
  scenario: string,
  kind: "sqlite" | "postgres",
  processes: number,
  commandsPerWriter: number,
  helpdesk: PromiseHelpdesk.HelpdeskClient,
  ticket: string,
  runs: ReadonlyArray<{ readonly label: string; readonly outcomes: Outcomes; readonly storeConflicts: number }>
) => {
  const { written, events, versionsContiguous } = await audit(helpdesk, ticket)
  const sent = runs.flatMap(({ label }) =>
    Array.from({ length: writers / processes }, (_, w) =>
      Array.from({ length: commandsPerWriter }, (_, i) => marker(label, w, i))
    ).flat()
  )
  const accepted = runs.flatMap((r) => r.outcomes.accepted)
  const failures: Record<string, number> = {}
  for (const r of runs)
    for (const [tag, n] of Object.entries(r.outcomes.failures)) failures[tag] = (failures[tag] ?? 0) + n
  const counts = report(scenario, {
    store: kind,
    processes,
    writers,
    commands: sent.length,
    accepted: accepted.length,
    conflictsReachingCallers: failures.VersionConflict ?? 0,
    otherFailures: Object.entries(failures)
      .filter(([tag]) => tag !== "VersionConflict")
      .reduce((n, [, k]) => n + k, 0),
    conflictsRetried: runs.reduce((n, r) => n + r.storeConflicts, 0),
    lost: accepted.filter((m) => written.get(m) === undefined).length,
    duplicated: [...written.values()].filter((n) => n > 1).length,
    events,
    versionsContiguous
  })
  expect(failures).toEqual({})
  expect(counts.conflictsReachingCallers).toBe(0)
  expect(counts.accepted).toBe(counts.commands)
  expect(counts.lost).toBe(0)
  expect(counts.duplicated).toBe(0)
  expect([...written.keys()].filter((m) => !sent.includes(m) && m.startsWith("run"))).toEqual([])
  expect(counts.versionsContiguous).toBe(true)
  return counts
}

describe.each(["sqlite", "postgres"] as const)("the hot ticket on %s", (kind) => {
  it("24 writers in one process: no command without expectedVersion fails, and none even conflicts", async () => {
    const database = await freshDatabase(kind)
    const counter = countingConflicts()
    const helpdesk = await open(database.url, counter)
    try {
      const ticket = await seed(helpdesk)
      const outcomes = await writeHot(helpdesk, ticket.id, "run", writers, perWriter.oneProcess)
      const counts = await check("hot-ticket", kind, 1, perWriter.oneProcess, helpdesk, ticket.id, [
        { label: "run", outcomes, storeConflicts: counter.conflicts() }
      ])
      // Writers of one help desk take turns on the ticket: the store never sees them race.
      expect(counts.conflictsRetried).toBe(0)
    } finally {
      await helpdesk.close()
      await database.drop()
    }
  }, 120_000)

  it("24 writers in 3 processes: conflicts between processes are retried, none reaches a caller", async () => {
    const database = await freshDatabase(kind)
    const helpdesk = await open(database.url, countingConflicts())
    const workers: Array<Worker> = []
    try {
      const ticket = await seed(helpdesk)
      const processes = 3
      for (let p = 0; p < processes; p++) {
        workers.push(
          startWorker("facade", [
            database.url,
            "hot",
            ticket.id,
            `run${p}`,
            String(writers / processes),
            String(perWriter.processes)
          ])
        )
      }
      for (const worker of workers) await worker.waitFor((m) => (m as { ready?: boolean }).ready === true)
      for (const worker of workers) worker.child.stdin.write("go\n")
      const runs = await Promise.all(
        workers.map(async (worker, p) => {
          const done = (await worker.waitFor((m) => (m as { done?: boolean }).done === true)) as {
            readonly outcomes: Outcomes
            readonly storeConflicts: number
          }
          return { label: `run${p}`, outcomes: done.outcomes, storeConflicts: done.storeConflicts }
        })
      )
      const counts = await check(
        "hot-ticket-processes",
        kind,
        processes,
        perWriter.processes,
        helpdesk,
        ticket.id,
        runs
      )
      // The processes did race (otherwise this proved nothing about the retries).
      expect(counts.conflictsRetried).toBeGreaterThan(0)
    } finally {
      for (const worker of workers) worker.child.kill("SIGKILL")
      await Promise.all(workers.map((w) => w.exited))
      await helpdesk.close()
      await database.drop()
    }
  }, 180_000)
})
