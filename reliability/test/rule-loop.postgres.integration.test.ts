import { randomUUID } from "node:crypto"
import { SqlStore } from "@tessera/sql"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { report } from "../support/report.js"
import { run } from "../support/ruleLoop.js"
import { pgUrl } from "../support/servers.js"

// Read now: without a server this file fails at once instead of skipping.
const url = pgUrl()
const schema = `tessera_rule_loop_${randomUUID().replaceAll("-", "")}`

const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

beforeAll(() => admin(`create schema ${schema}`))
afterAll(() => admin(`drop schema if exists ${schema} cascade`))

describe("the rule-loop case", () => {
  // #12: a rule loop refused the customer's own command, so a new ticket or a reply was lost.
  it("PostgreSQL: the customer's message is kept when the rules loop or fail", async () => {
    const scoped = new URL(url)
    scoped.searchParams.set("options", `-c search_path=${schema}`)
    const counts = report(
      "rule-loop",
      await run("postgres", SqlStore.layerUrl({ url: scoped.toString(), connections: 2 }), 20)
    )
    expect(counts.refused).toBe(0)
    expect(counts.acknowledged).toBe(40)
    expect(counts.messagesKept).toBe(40)
    expect(counts.ruleChangesWritten).toBe(0)
    expect(counts.rulesFailedLoop + counts.rulesFailedAction).toBe(40)
    expect(counts.rulesFailedLoop).toBeGreaterThan(0)
    expect(counts.rulesFailedAction).toBeGreaterThan(0)
  })
})
