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
import { RuleTriggers } from "@tessera/rules"
import { SqlStore } from "@tessera/sql"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as Team from "../../../../test/support/roundRobin.js"
import { dropPrefix, redisUrl, uniquePrefix } from "./support/localRedis.js"

const dir = mkdtempSync(join(tmpdir(), "tessera-assign-"))
const prefix = uniquePrefix("assign")
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await dropPrefix(redisUrl(), prefix)
})

const agents = ["ana", "ben", "cho"]
const roster = Team.roster(agents, { email: 1_000 })

/** One app node: a help desk on the shared file, its rule's assigner on the shared Redis state. */
const node = (file: string) =>
  ManagedRuntime.make(
    Layer.unwrap(
      Effect.map(RedisAssignmentState.make({ name: "network", initial: roster }), (state) =>
        Helpdesk.layer(
          { workspaceId: "acme" },
          { triggers: RuleTriggers.make(Team.rules, { assign: RuleTriggers.sharedAssigner(state).assign }) }
        ).pipe(
          Layer.provideMerge(Layer.merge(SqlStore.layerUrl({ url: `sqlite:${file}` }), IdGenerator.layerTimeOrdered))
        )
      )
    ).pipe(Layer.provide(RedisClient.layer({ url: redisUrl(), prefix })))
  )

const open = (runtime: ReturnType<typeof node>, i: number) =>
  runtime.runPromise(Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) => Team.openTicket(helpdesk, i, "ana")))

describe("round-robin shared by three nodes through Redis", () => {
  it("tickets opened on three nodes go to the agents in turn, and each gets a third", async () => {
    const file = join(dir, "desk.db")
    const nodes = [node(file), node(file), node(file)]
    await nodes[0]?.runPromise(Effect.flatMap(Helpdesk.Helpdesk, (helpdesk) => Team.saveTeam(helpdesk, agents)))
    // One after another, each ticket on the next node.
    const inTurn: Array<string | undefined> = []
    for (let i = 0; i < 30; i++) inTurn.push(await open(nodes[i % 3] as ReturnType<typeof node>, i))
    expect(inTurn).toEqual(Array.from({ length: 30 }, (_, i) => agents[i % 3]))

    // All at once: the compare-and-set serialises the turns.
    const together = await Promise.all(
      Array.from({ length: 60 }, (_, i) => open(nodes[i % 3] as ReturnType<typeof node>, 30 + i))
    )
    const counts = new Map<string, number>()
    for (const a of together) counts.set(String(a), (counts.get(String(a)) ?? 0) + 1)
    console.log(
      `round-robin on 3 nodes: 30 in turn (${inTurn.slice(0, 6).join(", ")}, ...), then 60 at once: ${[...counts].map(([a, n]) => `${a} ${n}`).join(", ")}`
    )
    expect(Object.fromEntries(counts)).toEqual({ ana: 20, ben: 20, cho: 20 })
    for (const n of nodes) await n.dispose()
  })
})
