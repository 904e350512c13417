import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import * as Status from "../../src/ticket/Status.js"
import type { GroupId } from "../../src/values/Ids.js"

const id = (s: string) => s as Status.StatusId
const status = (s: string, category: Status.StatusCategory, label = s): Status.StatusDefinition => ({
  id: id(s),
  category,
  label
})
const workflow = Status.defaultWorkflow
const canMove = (from: string, to: string, w: Status.Workflow = workflow) => Status.canMove(w, id(from), id(to))

describe("canMove with the default workflow", () => {
  // Rows: from; columns: to (new, open, pending, on_hold, solved, closed).
  const matrix: ReadonlyArray<readonly [Status.StatusCategory, ReadonlyArray<boolean>]> = [
    ["new", [false, true, true, true, true, false]],
    ["open", [false, false, true, true, true, false]],
    ["pending", [false, true, false, true, true, false]],
    ["on_hold", [false, true, true, false, true, false]],
    ["solved", [false, true, true, true, false, true]],
    ["closed", [false, false, false, false, false, false]]
  ]

  it.each(matrix)("from %s the allowed moves follow the defaults", (from, row) => {
    const allowed = Status.StatusCategory.literals.map((to) => canMove(from, to))
    expect(allowed).toEqual(row)
  })

  it("nothing returns to new", () => {
    for (const from of Status.StatusCategory.literals) expect(canMove(from, "new")).toBe(false)
  })

  it("closed is final", () => {
    for (const to of Status.StatusCategory.literals) expect(canMove("closed", to)).toBe(false)
  })

  it("only solved tickets close", () => {
    const closable = Status.StatusCategory.literals.filter((from) => canMove(from, "closed"))
    expect(closable).toEqual(["solved"])
  })

  it("moving to the same status is not a transition", () => {
    expect(canMove("open", "open")).toBe(false)
  })

  it("an undeclared status can neither be left nor reached", () => {
    expect(canMove("triage", "open")).toBe(false)
    expect(canMove("open", "triage")).toBe(false)
  })
})

describe("canMove with a custom workflow", () => {
  const custom: Status.Workflow = {
    ...workflow,
    statuses: [
      ...workflow.statuses,
      status("in_progress", "open", "In progress"),
      status("awaiting_vendor", "on_hold", "Awaiting vendor"),
      status("archived", "closed", "Archived")
    ],
    transitions: {
      awaiting_vendor: [id("in_progress"), id("new")],
      in_progress: [id("awaiting_vendor"), id("solved"), id("archived")],
      archived: [id("open")]
    }
  }

  it("a declared transition is allowed and every other move from that status is refused", () => {
    expect(canMove("awaiting_vendor", "in_progress", custom)).toBe(true)
    expect(canMove("awaiting_vendor", "open", custom)).toBe(false)
    expect(canMove("awaiting_vendor", "solved", custom)).toBe(false)
  })

  it("declaring a move to new or out of closed does not make it possible", () => {
    expect(canMove("awaiting_vendor", "new", custom)).toBe(false)
    expect(canMove("archived", "open", custom)).toBe(false)
  })

  it("a declared transition may close a ticket that is not solved", () => {
    expect(canMove("in_progress", "archived", custom)).toBe(true)
  })

  it("statuses without declared transitions follow the defaults, custom targets included", () => {
    expect(canMove("open", "awaiting_vendor", custom)).toBe(true)
    expect(canMove("pending", "in_progress", custom)).toBe(true)
    expect(canMove("solved", "archived", custom)).toBe(true)
    expect(canMove("open", "archived", custom)).toBe(false)
  })

  it("the system's status for a category is the first one declared in it", () => {
    expect(Status.defaultFor(custom, "open")).toBe("open")
    expect(Status.defaultFor({ ...custom, statuses: [...custom.statuses].reverse() }, "open")).toBe("in_progress")
    expect(Status.categoryOf(custom, "awaiting_vendor")).toBe("on_hold")
    expect(Status.categoryOf(custom, "triage")).toBeUndefined()
  })
})

describe("reopen policy and close delay", () => {
  const perGroup: Status.Workflow = {
    ...workflow,
    closeSolvedAfterHours: 48,
    reopen: { default: { _tag: "AlwaysReopen" }, byGroup: { billing: { _tag: "ReopenWithin", days: 7 } } }
  }

  it("a group's reopen policy overrides the default, other groups and ungrouped tickets keep it", () => {
    expect(Status.reopenPolicyFor(perGroup, "billing" as GroupId)).toEqual({ _tag: "ReopenWithin", days: 7 })
    expect(Status.reopenPolicyFor(perGroup, "sales" as GroupId)).toEqual({ _tag: "AlwaysReopen" })
    expect(Status.reopenPolicyFor(perGroup, undefined)).toEqual({ _tag: "AlwaysReopen" })
  })

  it("solved tickets close after the workflow's delay (4 days by default)", () => {
    expect(Duration.toHours(Status.closeSolvedAfter(workflow))).toBe(96)
    expect(Duration.toHours(Status.closeSolvedAfter(perGroup))).toBe(48)
  })
})

describe("problems of a workflow", () => {
  it("the default workflow has none", () => {
    expect(Status.problems(workflow)).toEqual([])
  })

  it("a status declared twice is reported once", () => {
    const twice = { ...workflow, statuses: [...workflow.statuses, status("pending", "on_hold")] }
    expect(Status.problems(twice)).toEqual(['status "pending" is declared twice'])
  })

  it("a category without any status is reported", () => {
    const noHold = { ...workflow, statuses: workflow.statuses.filter((s) => s.category !== "on_hold") }
    expect(Status.problems(noHold)).toEqual(['no status in category "on_hold"'])
  })

  it("transitions naming undeclared statuses are reported, source and target", () => {
    const dangling: Status.Workflow = { ...workflow, transitions: { triage: [id("open")], open: [id("escalated")] } }
    expect(Status.problems(dangling)).toEqual([
      'transition names undeclared status "triage"',
      'transition names undeclared status "escalated"'
    ])
  })

  it("every problem of a broken workflow is listed", () => {
    const broken: Status.Workflow = {
      ...workflow,
      statuses: [status("new", "new"), status("new", "open"), status("done", "solved")],
      transitions: { done: [id("gone")] }
    }
    expect(Status.problems(broken)).toEqual([
      'status "new" is declared twice',
      'no status in category "pending"',
      'no status in category "on_hold"',
      'no status in category "closed"',
      'transition names undeclared status "gone"'
    ])
  })
})
