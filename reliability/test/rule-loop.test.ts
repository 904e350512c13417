import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MemoryDirectoryStore, MemoryTicketStore } from "@tessera/core"
import { SqlStore } from "@tessera/sql"
import { Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { report } from "../support/report.js"
import { type Counts, run } from "../support/ruleLoop.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-rule-loop-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const customers = 20

/** Every customer message acknowledged and kept; none of the looping or failing rules' changes written. */
const expectKept = (counts: Counts) => {
  expect(counts.refused).toBe(0)
  expect(counts.acknowledged).toBe(counts.opens + counts.replies)
  expect(counts.messagesKept).toBe(counts.acknowledged)
  expect(counts.ruleChangesWritten).toBe(0)
  // Each unit of work recorded why its rules failed: a loop, or the refund rule's assigner.
  expect(counts.rulesFailedLoop + counts.rulesFailedAction).toBe(counts.acknowledged)
  expect(counts.rulesFailedLoop).toBeGreaterThan(0)
  expect(counts.rulesFailedAction).toBeGreaterThan(0)
}

describe("the rule-loop case", () => {
  // #12: a rule loop refused the customer's own command, so a new ticket or a reply was lost.
  it("memory: the customer's message is kept when the rules loop or fail", async () => {
    const stores = Layer.merge(MemoryTicketStore.layer(), MemoryDirectoryStore.layer)
    expectKept(report("rule-loop", await run("memory", stores, customers)))
  })

  it("SQLite: the customer's message is kept when the rules loop or fail", async () => {
    const stores = SqlStore.layerUrl({ url: `sqlite:${join(dir, "rules.db")}` })
    expectKept(report("rule-loop", await run("sqlite", stores, customers)))
  })
})
