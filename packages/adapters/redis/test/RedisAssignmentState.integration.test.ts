/**
 * Rule state shared across nodes: three help desks on one SQLite file, each running the same
 * round-robin rule with its own connection to one Redis state, assign as one help desk would.
 * Run one after another across the nodes, tickets go to the agents in turn; run at once, each
 * agent still gets exactly a third. (With a roster per process each node would start over at
 * the first agent.)
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Helpdesk, IdGenerator } from "@tessera/core"
import { RedisAssignmentState, RedisClient } from "@tessera/redis"
import { type Assignment, Rule, RuleTriggers } from "@tessera/rules"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer, ManagedRuntime, Result } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { dropPrefix, redisUrl, uniquePrefix } from "./support/localRedis.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-assign-"))
const prefix = uniquePrefix("assign")
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await dropPrefix(redisUrl(), prefix)
})

const decoded = Rule.decodeRuleSet([
  {
    id: "network-round-robin",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "group", op: "is", value: "network" },
    // biome-ignore lint/suspicious/noThenProperty: a rule document names its actions `then`
    then: [{ assign: { strategy: "round_robin" } }]
  }
])
const rules = Result.isSuccess(decoded) ? decoded.success : []
const agents = ["ana", "ben", "cho"]
const roster: Assignment.Roster = {
  agents: agents.map((id) => ({
    id: id as never,
    groups: ["network" as never],
    skills: [],
    active: true,
    availability: "online" as const,
    capacity: { email: 1_000 }
  })),
  load: {},
  cursors: {}
}

/** One app node: a help desk on the shared file, its rule's assigner on the shared Redis state. */
const node = (file: string) =>
  ManagedRuntime.make(
    Layer.unwrap(
      Effect.map(RedisAssignmentState.make({ name: "network", initial: roster }), (state) =>
        Helpdesk.layer(
          { workspaceId: "acme" },
          { triggers: RuleTriggers.make(rules, { assign: RuleTriggers.sharedAssigner(state).assign }) }
        ).pipe(
          Layer.provideMerge(Layer.merge(SqlStore.layerUrl({ url: `sqlite:${file}` }), IdGenerator.layerTimeOrdered))
        )
      )
    ).pipe(Layer.provide(RedisClient.layer({ url: redisUrl(), prefix })))
  )

const open = (runtime: ReturnType<typeof node>, i: number) =>
  runtime.runPromise(
    Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) =>
      helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: `VPN ${i}`,
        text: "Down",
        channel: "email",
        group: "network",
        by: { _tag: "agent", id: "ana" }
      })
    )
  )

describe("round-robin shared by three nodes through Redis", () => {
  it("tickets opened on three nodes go to the agents in turn, and each gets a third", async () => {
    const file = join(dir, "desk.db")
    const nodes = [node(file), node(file), node(file)]
    await nodes[0]?.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveGroup({ id: "network", name: "Network" })
        for (const id of agents)
          yield* helpdesk.saveAgent({ id, name: id, email: `${id}@acme.test`, groups: ["network"] })
      })
    )
    // One after another, each ticket on the next node.
    const inTurn: Array<string | undefined> = []
    for (let i = 0; i < 30; i++) inTurn.push((await open(nodes[i % 3] as ReturnType<typeof node>, i)).assignee)
    expect(inTurn).toEqual(Array.from({ length: 30 }, (_, i) => agents[i % 3]))

    // All at once: the compare-and-set serialises the turns.
    const together = await Promise.all(
      Array.from({ length: 60 }, (_, i) => open(nodes[i % 3] as ReturnType<typeof node>, 30 + i))
    )
    const counts = new Map<string, number>()
    for (const t of together) counts.set(String(t.assignee), (counts.get(String(t.assignee)) ?? 0) + 1)
    console.log(
      `round-robin on 3 nodes: 30 in turn (${inTurn.slice(0, 6).join(", ")}, ...), then 60 at once: ${[...counts].map(([a, n]) => `${a} ${n}`).join(", ")}`
    )
    expect(Object.fromEntries(counts)).toEqual({ ana: 20, ben: 20, cho: 20 })
    for (const n of nodes) await n.dispose()
  })
})
