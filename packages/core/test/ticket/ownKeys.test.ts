/**
 * Regressions: names a workspace chooses (custom field keys, status ids, group ids) are keys of
 * plain records, and `constructor` is a valid name that `Object.prototype` also has. Looking one
 * up must read the record's own keys only. Found while writing the conformance suite; these
 * belong with the decide and Status tests once those files settle.
 */
import { describe, expect, it } from "vitest"
import { Decider } from "../../src/testing/index.js"
import * as Status from "../../src/ticket/Status.js"
import { SetCustomField } from "../../src/ticket/TicketCommand.js"
import { CustomFieldChanged } from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { FieldKey } from "../../src/values/CustomField.js"
import type { GroupId, TicketId } from "../../src/values/Ids.js"

const ticketId = "tkt_1" as TicketId
const key = "constructor" as FieldKey

describe("names that Object.prototype also has", () => {
  it("a custom field named constructor starts out unset: clearing it does nothing, setting it has no previous value", () => {
    const ctx = Decider.context({
      actor: Actor.agent("mary"),
      customFields: [{ key, label: "Constructor", type: "text" }]
    })
    const ticket = Decider.given([Decider.opened()])
    ticket.when(new SetCustomField({ ticketId, key, value: null }), ctx).then([])
    ticket
      .when(new SetCustomField({ ticketId, key, value: "Acme Build" }), ctx)
      .then([new CustomFieldChanged({ ticketId, at: Decider.defaultNow, by: ctx.actor, key, to: "Acme Build" })])
  })

  it("a status named constructor, absent from the declared transitions, follows the default rule", () => {
    const constructor = "constructor" as Status.StatusId
    const workflow: Status.Workflow = {
      ...Status.defaultWorkflow,
      statuses: [...Status.defaultWorkflow.statuses, { id: constructor, category: "open", label: "With the builder" }],
      transitions: { new: [constructor] }
    }
    expect(Status.canMove(workflow, constructor, "solved" as Status.StatusId)).toBe(true)
    expect(Status.canMove(workflow, constructor, "closed" as Status.StatusId)).toBe(false)
  })

  it("a group named constructor without a reopen policy of its own uses the workspace's default", () => {
    expect(Status.reopenPolicyFor(Status.defaultWorkflow, "constructor" as GroupId)).toEqual({ _tag: "AlwaysReopen" })
  })
})
