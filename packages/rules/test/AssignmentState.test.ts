import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import type * as Assignment from "../src/Assignment.js"
import * as AssignmentState from "../src/AssignmentState.js"
import * as Rule from "../src/Rule.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

const agent = (id: string) => ({
  id: id as never,
  groups: ["network" as never],
  skills: [],
  active: true,
  availability: "online" as const
})
const roster: Assignment.Roster = { agents: [agent("sam"), agent("mary")], load: {}, cursors: {} }

describe("AssignmentState", () => {
  it("a commit writes only on the version it read, and once per request", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const state = AssignmentState.memory(roster)
        const first = yield* state.read("t1")
        expect(first).toMatchObject({ version: 0, given: undefined })
        const moved = { ...roster, cursors: { network: "sam" as never } }
        expect(yield* state.commit(0, "t1", "sam", moved)).toBe(true)
        // Another assignment read version 0 too: it must read again.
        expect(yield* state.commit(0, "t2", "mary", roster)).toBe(false)
        // A request already given keeps its answer.
        expect(yield* state.commit(1, "t1", "mary", roster)).toBe(false)
        expect(yield* state.read("t1")).toEqual({ roster: moved, version: 1, given: { agent: "sam" } })
        yield* state.set(roster)
        expect((yield* state.read("t2")).version).toBe(2)
      })
    ))

  it("a shared assigner answers with Effects that the Helpdesk runs, round-robin as the in-process one", () => {
    const decoded = Rule.decodeRuleSet([
      {
        id: "network-round-robin",
        version: 1,
        kind: "trigger",
        on: ["created"],
        if: { field: "group", op: "is", value: "network" },
        then: [{ assign: { strategy: "round_robin" } }]
      }
    ])
    const team = RuleTriggers.sharedAssigner(AssignmentState.memory(roster))
    return Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* helpdesk.saveGroup({ id: "network", name: "Network" })
        for (const id of ["mary", "sam"])
          yield* helpdesk.saveAgent({ id, name: id, email: `${id}@acme.test`, groups: ["network"] })
        const assignees: Array<string | undefined> = []
        for (let i = 0; i < 3; i++) {
          const t = yield* helpdesk.open({
            requester: { email: "jane@example.com" },
            subject: `VPN ${i}`,
            text: "Down",
            channel: "email",
            group: "network",
            by: { _tag: "agent", id: "mary" }
          })
          assignees.push(t.assignee)
        }
        expect(assignees).toEqual(["mary", "sam", "mary"])
        expect((yield* team.roster).load).toMatchObject({ mary: { email: 2 }, sam: { email: 1 } })
      }).pipe(
        Effect.provide(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            {
              ids: "sequential",
              triggers: RuleTriggers.make(Result.isSuccess(decoded) ? decoded.success : [], { assign: team.assign })
            }
          )
        )
      )
    )
  })
})
