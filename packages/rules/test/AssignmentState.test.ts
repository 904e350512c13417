import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Team from "../../../test/support/roundRobin.js"
import * as AssignmentState from "../src/AssignmentState.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

const roster = Team.roster(["sam", "mary"])

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
    const team = RuleTriggers.sharedAssigner(AssignmentState.memory(roster))
    return Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* Team.saveTeam(helpdesk, ["mary", "sam"])
        const assignees: Array<string | undefined> = []
        for (let i = 0; i < 3; i++) assignees.push(yield* Team.openTicket(helpdesk, i, "mary"))
        expect(assignees).toEqual(["mary", "sam", "mary"])
        expect((yield* team.roster).load).toMatchObject({ mary: { email: 2 }, sam: { email: 1 } })
      }).pipe(
        Effect.provide(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            {
              ids: "sequential",
              triggers: RuleTriggers.make(Team.rules, { assign: team.assign })
            }
          )
        )
      )
    )
  })
})
