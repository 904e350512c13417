import { DateTime, type Duration } from "effect"
import { describe, expect, it } from "vitest"
import { Decider } from "../../src/testing/index.js"
import type { DecideContext } from "../../src/ticket/decide.js"
import * as Status from "../../src/ticket/Status.js"
import * as C from "../../src/ticket/TicketCommand.js"
import * as E from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { FieldDefinition, FieldKey, FieldValue } from "../../src/values/CustomField.js"
import type { AgentId, ContactId, GroupId, MessageId, PublicId, TicketId, WorkspaceId } from "../../src/values/Ids.js"
import * as Limits from "../../src/values/Limits.js"
import type { SupportLevel } from "../../src/values/TicketType.js"

// -- fixtures ------------------------------------------------------------------------------------

const ticketId = "tkt_1" as TicketId
const otherTicket = "tkt_9" as TicketId
const jane = Actor.contact("jane")
const bob = Actor.contact("bob")
const mary = Actor.agent("mary")
const rules = Actor.system("rules")
const closer = Actor.system("close-solved")

const t0 = Decider.defaultNow
const later = (duration: Duration.Input) => DateTime.addDuration(t0, duration)
const as = (actor: Actor.Actor, now: DateTime.DateTime.Input = t0, workflow?: Status.Workflow): DecideContext =>
  Decider.context({ actor, now, ...(workflow === undefined ? {} : { workflow }) })

const body = (text: string) => ({ text, attachments: [] })
const messageId = "msg_2" as MessageId

const reply = (text = "Any news?") => new C.AddReply({ ticketId, messageId, channel: "email", body: body(text) })
const note = (text = "Checked the logs.") => new C.AddNote({ ticketId, messageId, channel: "web", body: body(text) })
const changeStatus = (to: string) => new C.ChangeStatus({ ticketId, to: to as Status.StatusId })
const escalate = (reason: string, to?: SupportLevel) =>
  new C.Escalate({ ticketId, reason, ...(to === undefined ? {} : { to }) })
const setField = (key: string, value: FieldValue | null) =>
  new C.SetCustomField({ ticketId, key: key as FieldKey, value })
const follower = (actor: Actor.AgentActor | Actor.ContactActor) => actor as E.Follower

const openTicket = (overrides: Partial<ConstructorParameters<typeof C.OpenTicket>[0]> = {}) =>
  new C.OpenTicket({
    ticketId,
    workspaceId: "acme" as WorkspaceId,
    publicId: 69369 as PublicId,
    messageId: "msg_1" as MessageId,
    subject: "VPN drops every hour",
    requester: "jane" as ContactId,
    channel: "email",
    tags: [],
    customFields: {},
    body: body("Since this morning my VPN disconnects every hour."),
    ...overrides
  })

// Expected events: the envelope comes from the context the command is decided in.
const envelope = (ctx: DecideContext) => ({ ticketId, at: ctx.now, by: ctx.actor })

const replyAdded = (ctx: DecideContext, text = "Any news?") =>
  new E.ReplyAdded({
    ...envelope(ctx),
    message: { id: messageId, visibility: "public", author: ctx.actor, channel: "email", at: ctx.now, ...body(text) }
  })

const statusChanged = (
  ctx: DecideContext,
  from: string,
  to: string,
  categories: { readonly from?: Status.StatusCategory; readonly to?: Status.StatusCategory } = {}
) =>
  new E.StatusChanged({
    ...envelope(ctx),
    from: from as Status.StatusId,
    to: to as Status.StatusId,
    fromCategory: categories.from ?? (from as Status.StatusCategory),
    toCategory: categories.to ?? (to as Status.StatusCategory)
  })

/** A ticket as an agent left it: opened by Jane, then moved to `status` by Mary at `at`. */
const ticketIn = (status: string, at: DateTime.DateTime.Input = t0, group?: string) => [
  Decider.opened(group === undefined ? {} : { group }),
  statusChanged(as(mary, at), "new", status)
]

// -- opening -------------------------------------------------------------------------------------

describe("opening a ticket", () => {
  it("a requester opens a new ticket with the first message and normalised tags", () => {
    Decider.given()
      .when(openTicket({ tags: [" Billing ", "VPN issue", "billing"] }), as(jane))
      .then([Decider.opened({ tags: ["billing", "vpn_issue"] })])
  })

  it("opening a ticket twice is refused with TicketAlreadyExists", () => {
    Decider.given([Decider.opened()]).when(openTicket(), as(jane)).thenFails("TicketAlreadyExists", { ticketId })
  })

  it("a ticket cannot open with an empty message, and the refusal names no ticket", () => {
    // #15: it named the id of a ticket that was never created.
    const error = Decider.given()
      .when(openTicket({ body: body("  \n ") }), as(jane))
      .thenFails("EmptyMessage", {})
    expect(error.ticketId).toBeUndefined()
    expect(error.message).toBe("A new ticket's first message needs text, HTML or an attachment")
  })

  it("a message with only an attachment is not empty", () => {
    const attachment = { fileName: "screenshot.png", contentType: "image/png", size: 2048 }
    const [event] = Decider.given()
      .when(openTicket({ body: { text: "", attachments: [attachment] } }), as(jane))
      .then([
        new E.TicketOpened({
          ...Decider.opened(),
          message: { ...Decider.opened().message, text: "", attachments: [attachment] }
        })
      ]).events
    expect(event?._tag).toBe("TicketOpened")
  })

  it("a requester may not open a ticket for someone else", () => {
    Decider.given()
      .when(openTicket(), as(bob))
      .thenFails("NotPermitted", { actor: "contact:bob", action: "open a ticket for someone else" })
  })

  it("a requester may not choose the status, group or assignee of a new ticket", () => {
    Decider.given()
      .when(openTicket({ assignee: "mary" as AgentId }), as(jane))
      .thenFails("NotPermitted")
    Decider.given()
      .when(openTicket({ group: "billing" as GroupId }), as(jane))
      .thenFails("NotPermitted")
    Decider.given()
      .when(openTicket({ status: "open" as Status.StatusId }), as(jane))
      .thenFails("NotPermitted")
  })

  it("an agent who opens a ticket with an assignee opens it in open", () => {
    Decider.given()
      .when(openTicket({ assignee: "mary" as AgentId }), as(mary))
      .then([Decider.opened({ by: mary, assignee: "mary", status: "open" })])
  })

  it("a ticket cannot be opened in an undeclared status or in closed", () => {
    Decider.given()
      .when(openTicket({ status: "triage" as Status.StatusId }), as(mary))
      .thenFails("UnknownStatus", { status: "triage" })
    Decider.given()
      .when(openTicket({ status: "closed" as Status.StatusId }), as(mary))
      .thenFails("TransitionNotAllowed")
  })

  it("opening with an undeclared custom field is refused", () => {
    Decider.given()
      .when(openTicket({ customFields: { plan: "pro" } as C.OpenTicket["customFields"] }), as(jane))
      .thenFails("UnknownCustomField", { key: "plan" })
  })

  it("a follow-up opens linked to the ticket it follows, keeping its group", () => {
    // The Helpdesk opens a follow-up in the requester's name with the closed ticket's group.
    const followUp = Decider.given()
      .when(openTicket({ followUpOf: otherTicket, group: "billing" as GroupId }), as(jane))
      .then([Decider.opened({ followUpOf: otherTicket, group: "billing" })])
    expect(followUp.state?.links).toEqual([{ kind: "follow_up_of", ticketId: otherTicket }])
  })

  it("a command on a ticket that was never opened is refused with TicketNotFound", () => {
    Decider.given().when(reply(), as(mary)).thenFails("TicketNotFound", { ticketId })
  })
})

// -- replies -------------------------------------------------------------------------------------

describe("replies", () => {
  it("the first public reply of an agent moves a new ticket to open", () => {
    const ctx = as(mary, later("10 minutes"))
    Decider.given([Decider.opened()])
      .when(reply("Could you send the client logs?"), ctx)
      .then([replyAdded(ctx, "Could you send the client logs?"), statusChanged(ctx, "new", "open")])
  })

  it("a system reply does not take a new ticket into work", () => {
    const ctx = as(rules)
    Decider.given([Decider.opened()])
      .when(reply("We got your request."), ctx)
      .then([replyAdded(ctx, "We got your request.")])
  })

  it("an internal note does not take a new ticket into work", () => {
    const ctx = as(mary)
    Decider.given([Decider.opened()])
      .when(note(), ctx)
      .then([
        new E.NoteAdded({
          ...envelope(ctx),
          message: {
            id: messageId,
            visibility: "internal",
            author: mary,
            channel: "web",
            at: t0,
            ...body("Checked the logs.")
          }
        })
      ])
  })

  it("an agent reply on a pending ticket keeps it pending", () => {
    const ctx = as(mary, later("1 hour"))
    Decider.given(ticketIn("pending"))
      .when(reply(), ctx)
      .then([replyAdded(ctx)])
  })

  it("a requester reply on a new ticket keeps it new", () => {
    const ctx = as(jane)
    Decider.given([Decider.opened()])
      .when(reply(), ctx)
      .then([replyAdded(ctx)])
  })

  it("a requester reply reopens a pending ticket", () => {
    const ctx = as(jane, later("1 day"))
    Decider.given(ticketIn("pending"))
      .when(reply(), ctx)
      .then([replyAdded(ctx), statusChanged(ctx, "pending", "open")])
  })

  it("a requester reply reopens a solved ticket", () => {
    const ctx = as(jane, later("1 day"))
    const reopened = Decider.given(ticketIn("solved"))
      .when(reply("Still broken."), ctx)
      .then([replyAdded(ctx, "Still broken."), statusChanged(ctx, "solved", "open")])
    expect(reopened.state?.solvedAt).toBeUndefined()
  })

  it("a requester reply leaves an on-hold ticket on hold", () => {
    const ctx = as(jane, later("1 day"))
    Decider.given(ticketIn("on_hold"))
      .when(reply(), ctx)
      .then([replyAdded(ctx)])
  })

  it("a contact following the ticket may reply, and reopens it like the requester", () => {
    const ctx = as(bob, later("1 day"))
    Decider.given([
      ...ticketIn("pending"),
      new E.FollowerAdded({ ...envelope(as(mary)), follower: follower({ _tag: "contact", id: "bob" as ContactId }) })
    ])
      .when(reply(), ctx)
      .then([replyAdded(ctx), statusChanged(ctx, "pending", "open")])
  })

  it("a stranger contact cannot reply", () => {
    Decider.given([Decider.opened()])
      .when(reply(), as(bob))
      .thenFails("NotPermitted", { actor: "contact:bob", action: "reply" })
  })

  it("an empty reply is refused", () => {
    Decider.given([Decider.opened()]).when(reply(" "), as(mary)).thenFails("EmptyMessage")
  })

  it("a requester reply on a closed ticket is refused with FollowUpRequired", () => {
    Decider.given([...ticketIn("solved"), statusChanged(as(closer, later("4 days")), "solved", "closed")])
      .when(reply("It broke again."), as(jane, later("30 days")))
      .thenFails("FollowUpRequired", { ticketId })
  })

  it("a stranger writing on a closed ticket is refused, not offered a follow-up", () => {
    Decider.given([...ticketIn("solved"), statusChanged(as(closer, later("4 days")), "solved", "closed")])
      .when(reply(), as(bob, later("5 days")))
      .thenFails("NotPermitted")
  })
})

// -- reopen window -------------------------------------------------------------------------------

describe("a group's reopen window", () => {
  const billingReopensWithin7Days: Status.Workflow = {
    ...Status.defaultWorkflow,
    closeSolvedAfterHours: 24 * 30,
    reopen: { default: { _tag: "AlwaysReopen" }, byGroup: { billing: { _tag: "ReopenWithin", days: 7 } } }
  }
  const solvedInBilling = ticketIn("solved", t0, "billing")

  it("within the window, a requester reply reopens the solved ticket", () => {
    const ctx = as(jane, later("6 days"), billingReopensWithin7Days)
    Decider.given(solvedInBilling)
      .when(reply(), ctx)
      .then([replyAdded(ctx), statusChanged(ctx, "solved", "open")])
  })

  it("after the window, a requester reply requires a follow-up", () => {
    Decider.given(solvedInBilling)
      .when(reply(), as(jane, later("8 days"), billingReopensWithin7Days))
      .thenFails("FollowUpRequired", { ticketId })
  })

  it("tickets of other groups follow the default policy", () => {
    const ctx = as(jane, later("20 days"), billingReopensWithin7Days)
    Decider.given(ticketIn("solved", t0, "sales"))
      .when(reply(), ctx)
      .then([replyAdded(ctx), statusChanged(ctx, "solved", "open")])
  })

  it("an agent may still write on a solved ticket after the window", () => {
    const ctx = as(mary, later("8 days"), billingReopensWithin7Days)
    Decider.given(solvedInBilling)
      .when(reply("Closing the loop."), ctx)
      .then([replyAdded(ctx, "Closing the loop.")])
  })
})

// -- closed is final -----------------------------------------------------------------------------

describe("a closed ticket", () => {
  const closed = [...ticketIn("solved"), statusChanged(as(closer, later("4 days")), "solved", "closed")]
  const agentCommands: ReadonlyArray<C.TicketCommand> = [
    reply(),
    note(),
    changeStatus("open"),
    changeStatus("solved"),
    new C.Assign({ ticketId, assignee: "mary" as AgentId }),
    new C.SetPriority({ ticketId, priority: "high" }),
    new C.SetType({ ticketId, type: "incident" }),
    escalate("Needs engineering"),
    setField("plan", "pro"),
    new C.ChangeTags({ ticketId, add: ["vip"], remove: [] }),
    new C.AddFollower({ ticketId, follower: follower({ _tag: "agent", id: "mary" as AgentId }) }),
    new C.RemoveFollower({ ticketId, follower: follower({ _tag: "agent", id: "mary" as AgentId }) })
  ]

  it.each(agentCommands.map((command) => [command._tag, command] as const))(
    "refuses %s from an agent with TicketClosed",
    (_tag, command) => {
      Decider.given(closed)
        .when(command, as(mary, later("5 days")))
        .thenFails("TicketClosed", { ticketId })
    }
  )

  it("still accepts a link", () => {
    const ctx = as(Actor.system("follow-up"), later("5 days"))
    const link = { kind: "followed_up_by" as const, ticketId: otherTicket }
    Decider.given(closed)
      .when(new C.AddLink({ ticketId, link }), ctx)
      .then([new E.LinkAdded({ ...envelope(ctx), link })])
  })

  it("ignores its close timer firing again", () => {
    Decider.given(closed)
      .when(new C.CloseSolved({ ticketId }), as(closer, later("5 days")))
      .then([])
  })
})

// -- status changes ------------------------------------------------------------------------------

describe("status changes", () => {
  it("nothing returns to new", () => {
    Decider.given(ticketIn("open"))
      .when(changeStatus("new"), as(mary))
      .thenFails("TransitionNotAllowed", { from: "open", to: "new" })
    Decider.given(ticketIn("solved")).when(changeStatus("new"), as(mary)).thenFails("TransitionNotAllowed")
  })

  it("by default only a solved ticket may be closed", () => {
    for (const status of ["open", "pending", "on_hold"]) {
      Decider.given(ticketIn(status))
        .when(changeStatus("closed"), as(mary))
        .thenFails("TransitionNotAllowed", { from: status, to: "closed" })
    }
    Decider.given([Decider.opened()]).when(changeStatus("closed"), as(mary)).thenFails("TransitionNotAllowed")
    const ctx = as(mary, later("1 hour"))
    Decider.given(ticketIn("solved"))
      .when(changeStatus("closed"), ctx)
      .then([statusChanged(ctx, "solved", "closed")])
  })

  it("an agent moves a ticket between the open categories freely", () => {
    const ctx = as(mary, later("1 hour"))
    Decider.given(ticketIn("pending"))
      .when(changeStatus("on_hold"), ctx)
      .then([statusChanged(ctx, "pending", "on_hold")])
      .when(changeStatus("solved"), ctx)
      .then([statusChanged(ctx, "on_hold", "solved")])
      .when(changeStatus("open"), ctx)
      .then([statusChanged(ctx, "solved", "open")])
  })

  it("moving to the current status gives no events", () => {
    Decider.given(ticketIn("pending")).when(changeStatus("pending"), as(mary)).then([])
  })

  it("a status the workflow does not declare is refused with UnknownStatus", () => {
    Decider.given(ticketIn("open")).when(changeStatus("escalated"), as(mary)).thenFails("UnknownStatus", {
      status: "escalated"
    })
  })
})

describe("a custom workflow", () => {
  const status = (id: string, category: Status.StatusCategory, label: string): Status.StatusDefinition => ({
    id: id as Status.StatusId,
    category,
    label
  })
  const withVendorHold: Status.Workflow = {
    ...Status.defaultWorkflow,
    statuses: [
      ...Status.defaultWorkflow.statuses,
      status("in_progress", "open", "In progress"),
      status("awaiting_vendor", "on_hold", "Awaiting vendor")
    ],
    transitions: { awaiting_vendor: ["in_progress" as Status.StatusId, "solved" as Status.StatusId] }
  }
  const awaitingVendor = [
    Decider.opened(),
    statusChanged(as(mary), "new", "awaiting_vendor", { from: "new", to: "on_hold" })
  ]

  it("a custom status belongs to its category", () => {
    const ctx = as(mary, later("1 hour"), withVendorHold)
    const moved = Decider.given(ticketIn("open"))
      .when(changeStatus("awaiting_vendor"), ctx)
      .then([statusChanged(ctx, "open", "awaiting_vendor", { from: "open", to: "on_hold" })])
    expect(moved.state).toMatchObject({ status: "awaiting_vendor", category: "on_hold" })
  })

  it("a declared transition is allowed", () => {
    const ctx = as(mary, later("1 hour"), withVendorHold)
    Decider.given(awaitingVendor)
      .when(changeStatus("in_progress"), ctx)
      .then([statusChanged(ctx, "awaiting_vendor", "in_progress", { from: "on_hold", to: "open" })])
  })

  it("a transition the workflow does not declare is refused", () => {
    Decider.given(awaitingVendor)
      .when(changeStatus("open"), as(mary, t0, withVendorHold))
      .thenFails("TransitionNotAllowed", { from: "awaiting_vendor", to: "open" })
  })

  it("statuses without declared transitions follow the defaults", () => {
    const ctx = as(mary, later("1 hour"), withVendorHold)
    Decider.given(ticketIn("pending"))
      .when(changeStatus("in_progress"), ctx)
      .then([statusChanged(ctx, "pending", "in_progress", { from: "pending", to: "open" })])
    Decider.given(ticketIn("pending")).when(changeStatus("closed"), ctx).thenFails("TransitionNotAllowed")
  })

  it("the system moves a ticket to the first status of a category", () => {
    const openFirst: Status.Workflow = {
      ...withVendorHold,
      statuses: [status("in_progress", "open", "In progress"), ...Status.defaultWorkflow.statuses]
    }
    const ctx = as(mary, later("5 minutes"), openFirst)
    Decider.given([Decider.opened()])
      .when(reply(), ctx)
      .then([replyAdded(ctx), statusChanged(ctx, "new", "in_progress", { from: "new", to: "open" })])
  })
})

// -- permissions ---------------------------------------------------------------------------------

describe("what a requester may do", () => {
  const open = ticketIn("open")

  it("a requester may not add an internal note", () => {
    Decider.given(open).when(note(), as(jane)).thenFails("NotPermitted", { action: "add an internal note" })
  })

  it("a requester may not set the priority", () => {
    Decider.given(open)
      .when(new C.SetPriority({ ticketId, priority: "urgent" }), as(jane))
      .thenFails("NotPermitted", { actor: "contact:jane", action: "set the priority" })
  })

  it("a requester may not assign", () => {
    Decider.given(open)
      .when(new C.Assign({ ticketId, assignee: "mary" as AgentId }), as(jane))
      .thenFails("NotPermitted", { action: "assign" })
  })

  it("a requester may not escalate, tag or set custom fields", () => {
    Decider.given(open).when(escalate("Please hurry"), as(jane)).thenFails("NotPermitted")
    Decider.given(open)
      .when(new C.ChangeTags({ ticketId, add: ["vip"], remove: [] }), as(jane))
      .thenFails("NotPermitted")
    Decider.given(open).when(setField("plan", "pro"), as(jane)).thenFails("NotPermitted")
  })

  it("a requester may mark their ticket solved", () => {
    const ctx = as(jane, later("2 hours"))
    Decider.given(ticketIn("pending"))
      .when(changeStatus("solved"), ctx)
      .then([statusChanged(ctx, "pending", "solved")])
  })

  it("a requester may not move their ticket to any other status", () => {
    Decider.given(ticketIn("pending"))
      .when(changeStatus("on_hold"), as(jane))
      .thenFails("NotPermitted", { action: "set status on_hold" })
  })

  it("a requester may follow a ticket as themselves but not add someone else", () => {
    const janeFollows = follower({ _tag: "contact", id: "jane" as ContactId })
    const ctx = as(jane)
    Decider.given(open)
      .when(new C.AddFollower({ ticketId, follower: janeFollows }), ctx)
      .then([new E.FollowerAdded({ ...envelope(ctx), follower: janeFollows })])
    Decider.given(open)
      .when(new C.AddFollower({ ticketId, follower: follower({ _tag: "contact", id: "bob" as ContactId }) }), ctx)
      .thenFails("NotPermitted", { action: "change followers" })
  })
})

// -- assignment ----------------------------------------------------------------------------------

describe("assignment", () => {
  const assign = (fields: { readonly assignee?: string | null; readonly group?: string | null }) =>
    new C.Assign({
      ticketId,
      ...(fields.assignee === undefined ? {} : { assignee: fields.assignee as AgentId | null }),
      ...(fields.group === undefined ? {} : { group: fields.group as GroupId | null })
    })

  it("assigning a new ticket moves it to open", () => {
    const ctx = as(mary)
    Decider.given([Decider.opened()])
      .when(assign({ assignee: "mary" }), ctx)
      .then([new E.AssigneeChanged({ ...envelope(ctx), to: "mary" as AgentId }), statusChanged(ctx, "new", "open")])
  })

  it("assigning a pending ticket keeps it pending", () => {
    const ctx = as(rules)
    Decider.given(ticketIn("pending"))
      .when(assign({ assignee: "mary" }), ctx)
      .then([new E.AssigneeChanged({ ...envelope(ctx), to: "mary" as AgentId })])
  })

  it("putting a new ticket in a group without an assignee leaves it new", () => {
    const ctx = as(rules)
    Decider.given([Decider.opened()])
      .when(assign({ group: "billing" }), ctx)
      .then([new E.GroupChanged({ ...envelope(ctx), to: "billing" as GroupId })])
  })

  it("unassigning records who it was and leaves the status alone", () => {
    const ctx = as(mary, later("1 hour"))
    Decider.given([Decider.opened({ by: mary, assignee: "mary", status: "open" })])
      .when(assign({ assignee: null }), ctx)
      .then([new E.AssigneeChanged({ ...envelope(ctx), from: "mary" as AgentId })])
  })

  it("assigning the current assignee and group again gives no events", () => {
    Decider.given([Decider.opened({ by: mary, assignee: "mary", group: "billing", status: "open" })])
      .when(assign({ assignee: "mary", group: "billing" }), as(mary))
      .then([])
  })
})

// -- escalation ----------------------------------------------------------------------------------

describe("escalation", () => {
  it("escalating raises the support level 1 → 2 → 3 and records the reason", () => {
    const ctx = as(mary, later("1 hour"))
    const atThree = Decider.given(ticketIn("open"))
      .when(escalate("Needs a network engineer"), ctx)
      .then([new E.Escalated({ ...envelope(ctx), from: 1, to: 2, reason: "Needs a network engineer" })])
      .when(escalate("Vendor bug suspected"), ctx)
      .then([new E.Escalated({ ...envelope(ctx), from: 2, to: 3, reason: "Vendor bug suspected" })])
    expect(atThree.state?.supportLevel).toBe(3)
  })

  it("an escalation may skip a level", () => {
    const ctx = as(mary)
    Decider.given(ticketIn("open"))
      .when(escalate("Outage", 3), ctx)
      .then([new E.Escalated({ ...envelope(ctx), from: 1, to: 3, reason: "Outage" })])
  })

  it("escalating beyond level 3 is refused", () => {
    Decider.given(ticketIn("open"))
      .when(escalate("Outage", 3), as(mary))
      .then([new E.Escalated({ ...envelope(as(mary)), from: 1, to: 3, reason: "Outage" })])
      .when(escalate("Even higher"), as(mary))
      .thenFails("InvalidEscalation", { from: 3, to: 4 })
  })

  it("escalating to a lower or the same level is refused", () => {
    const atTwo = Decider.given(ticketIn("open"))
      .when(escalate("Needs a specialist"), as(mary))
      .then([new E.Escalated({ ...envelope(as(mary)), from: 1, to: 2, reason: "Needs a specialist" })])
    atTwo.when(escalate("Back to front line", 1), as(mary)).thenFails("InvalidEscalation", { from: 2, to: 1 })
    atTwo.when(escalate("Again", 2), as(mary)).thenFails("InvalidEscalation", { from: 2, to: 2 })
  })
})

// -- custom fields -------------------------------------------------------------------------------

describe("custom fields", () => {
  const fields: ReadonlyArray<FieldDefinition> = [
    { key: "plan" as FieldKey, label: "Plan", type: "dropdown", options: ["free", "pro", "enterprise"] },
    { key: "seats" as FieldKey, label: "Seats", type: "number" },
    { key: "renewal" as FieldKey, label: "Renewal date", type: "date" },
    { key: "order" as FieldKey, label: "Order number", type: "text" }
  ]
  const ctx = (now: DateTime.DateTime.Input = t0) => Decider.context({ actor: mary, now, customFields: fields })
  const withPlan = [
    ...ticketIn("open"),
    new E.CustomFieldChanged({ ...envelope(as(mary)), key: "plan" as FieldKey, to: "pro" })
  ]

  it("an undeclared field is refused with UnknownCustomField", () => {
    Decider.given(ticketIn("open"))
      .when(setField("colour", "red"), ctx())
      .thenFails("UnknownCustomField", { key: "colour" })
    Decider.given(ticketIn("open")).when(setField("colour", null), ctx()).thenFails("UnknownCustomField")
  })

  it("a value of the wrong type is refused with InvalidCustomFieldValue", () => {
    Decider.given(ticketIn("open"))
      .when(setField("seats", "twelve"), ctx())
      .thenFails("InvalidCustomFieldValue", { key: "seats", reason: "expected a number" })
    Decider.given(ticketIn("open")).when(setField("order", 4471), ctx()).thenFails("InvalidCustomFieldValue")
  })

  it("a dropdown only takes one of its options", () => {
    Decider.given(ticketIn("open"))
      .when(setField("plan", "platinum"), ctx())
      .thenFails("InvalidCustomFieldValue", { key: "plan", reason: "expected one of: free, pro, enterprise" })
  })

  it("a date field takes only days that exist", () => {
    const open = Decider.given(ticketIn("open"))
    open.when(setField("renewal", "2026-02-30"), ctx()).thenFails("InvalidCustomFieldValue", { key: "renewal" })
    open.when(setField("renewal", "2025-02-29"), ctx()).thenFails("InvalidCustomFieldValue")
    open.when(setField("renewal", "09/03/2026"), ctx()).thenFails("InvalidCustomFieldValue")
    open
      .when(setField("renewal", "2028-02-29"), ctx())
      .then([new E.CustomFieldChanged({ ...envelope(ctx()), key: "renewal" as FieldKey, to: "2028-02-29" })])
  })

  it("setting a field records the previous value", () => {
    const at = ctx(later("1 hour"))
    Decider.given(withPlan)
      .when(setField("plan", "enterprise"), at)
      .then([new E.CustomFieldChanged({ ...envelope(at), key: "plan" as FieldKey, from: "pro", to: "enterprise" })])
  })

  it("null clears a field", () => {
    const at = ctx(later("1 hour"))
    const cleared = Decider.given(withPlan)
      .when(setField("plan", null), at)
      .then([new E.CustomFieldChanged({ ...envelope(at), key: "plan" as FieldKey, from: "pro" })])
    expect(cleared.state?.customFields).toEqual({})
  })

  it("setting the same value, or clearing an empty field, gives no events", () => {
    Decider.given(withPlan).when(setField("plan", "pro"), ctx()).then([])
    Decider.given(ticketIn("open")).when(setField("seats", null), ctx()).then([])
  })
})

// -- tags and followers --------------------------------------------------------------------------

describe("tags", () => {
  const tags = (add: ReadonlyArray<string>, remove: ReadonlyArray<string> = []) =>
    new C.ChangeTags({ ticketId, add, remove })
  const tagged = [Decider.opened({ tags: ["billing", "vpn"] })]

  it("tags are normalised: ' Billing ' is billing", () => {
    const ctx = as(mary)
    Decider.given([Decider.opened()])
      .when(tags([" Billing ", "Refund Request"]), ctx)
      .then([new E.TagsChanged({ ...envelope(ctx), added: ["billing", "refund_request"] as never, removed: [] })])
  })

  it("adding a tag the ticket has, or removing one it lacks, gives no events", () => {
    Decider.given(tagged)
      .when(tags(["BILLING"], ["refund"]), as(mary))
      .then([])
    Decider.given(tagged)
      .when(tags([], [" ", ""]), as(mary))
      .then([])
  })

  it("removing a tag matches it after normalisation", () => {
    const ctx = as(rules)
    Decider.given(tagged)
      .when(tags([], [" VPN "]), ctx)
      .then([new E.TagsChanged({ ...envelope(ctx), added: [], removed: ["vpn"] as never })])
  })
})

describe("followers", () => {
  const maryFollows = follower({ _tag: "agent", id: "mary" as AgentId })

  it("adding a follower twice records it once", () => {
    const ctx = as(mary)
    Decider.given(ticketIn("open"))
      .when(new C.AddFollower({ ticketId, follower: maryFollows }), ctx)
      .then([new E.FollowerAdded({ ...envelope(ctx), follower: maryFollows })])
      .when(new C.AddFollower({ ticketId, follower: maryFollows }), ctx)
      .then([])
  })

  it("removing a follower twice records it once", () => {
    const ctx = as(mary)
    Decider.given([...ticketIn("open"), new E.FollowerAdded({ ...envelope(ctx), follower: maryFollows })])
      .when(new C.RemoveFollower({ ticketId, follower: maryFollows }), ctx)
      .then([new E.FollowerRemoved({ ...envelope(ctx), follower: maryFollows })])
      .when(new C.RemoveFollower({ ticketId, follower: maryFollows }), ctx)
      .then([])
  })
})

// -- the time-driven close -----------------------------------------------------------------------

describe("closing solved tickets", () => {
  const closeSolved = new C.CloseSolved({ ticketId })

  it("before the delay, CloseSolved is refused with NotDue and the due time", () => {
    const refused = Decider.given(ticketIn("solved"))
      .when(closeSolved, as(closer, later("95 hours")))
      .thenFails("NotDue", { ticketId })
    expect(DateTime.formatIso(refused.dueAt)).toBe(DateTime.formatIso(later("96 hours")))
  })

  it("once the delay has passed, CloseSolved closes the ticket", () => {
    const ctx = as(closer, later("96 hours"))
    const closed = Decider.given(ticketIn("solved"))
      .when(closeSolved, ctx)
      .then([statusChanged(ctx, "solved", "closed")])
    expect(closed.state?.closedAt).toEqual(ctx.now)
  })

  it("the delay comes from the workflow", () => {
    const daily: Status.Workflow = { ...Status.defaultWorkflow, closeSolvedAfterHours: 24 }
    Decider.given(ticketIn("solved"))
      .when(closeSolved, as(closer, later("23 hours"), daily))
      .thenFails("NotDue")
    const ctx = as(closer, later("25 hours"), daily)
    Decider.given(ticketIn("solved"))
      .when(closeSolved, ctx)
      .then([statusChanged(ctx, "solved", "closed")])
  })

  it("on a ticket reopened since it was solved, CloseSolved does nothing", () => {
    Decider.given([...ticketIn("solved"), statusChanged(as(jane, later("1 day")), "solved", "open")])
      .when(closeSolved, as(closer, later("96 hours")))
      .then([])
  })

  it("a ticket opened as solved closes after the delay too", () => {
    const ctx = as(closer, later("96 hours"))
    Decider.given([Decider.opened({ by: mary, status: "solved" })])
      .when(closeSolved, ctx)
      .then([statusChanged(ctx, "solved", "closed")])
  })
})

// -- limits (#12) --------------------------------------------------------------------------------

describe("a ticket's limits", () => {
  const tagsOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
  const tags = (add: ReadonlyArray<string>, remove: ReadonlyArray<string> = []) =>
    new C.ChangeTags({ ticketId, add, remove })

  it("a ticket takes tags up to Limits.tagsPerTicket; a command bringing one more is LimitExceeded", () => {
    const ctx = as(mary)
    const almost = [Decider.opened({ tags: tagsOf("t", Limits.tagsPerTicket - 1) })]
    const refused = Decider.given(almost)
      .when(tags(["a", "b"]), ctx)
      .thenFails("LimitExceeded", { limit: "tagsPerTicket", max: 1_000, actual: 1_001, operation: "ChangeTags" })
    expect(refused.retryable).toBe(false)
    const full = Decider.given(almost)
      .when(tags(["a", " A "]), ctx)
      .then([new E.TagsChanged({ ...envelope(ctx), added: ["a"] as never, removed: [] })])
    expect(full.state?.tags.length).toBe(Limits.tagsPerTicket)
    // At the limit, a tag may still replace another.
    full
      .when(tags(["b"], ["t0"]), ctx)
      .then([new E.TagsChanged({ ...envelope(ctx), added: ["b"] as never, removed: ["t0"] as never })])
  })

  it("a ticket over the tag limit (from before it) may shrink, never grow", () => {
    const ctx = as(mary)
    const over = [Decider.opened({ tags: tagsOf("t", 1_200) })]
    Decider.given(over)
      .when(tags(["a"], ["t0", "t1"]), ctx)
      .then([new E.TagsChanged({ ...envelope(ctx), added: ["a"] as never, removed: ["t0", "t1"] as never })])
    Decider.given(over)
      .when(tags(["a", "b"], ["t0"]), ctx)
      .thenFails("LimitExceeded", { limit: "tagsPerTicket", actual: 1_201 })
  })

  describe("messages", () => {
    const many = (n: number): ReadonlyArray<E.TicketEvent> => {
      const first = Decider.opened()
      const messages = Array.from({ length: n - 1 }, (_, i) => ({
        ...first.message,
        id: `msg_x${i}` as MessageId,
        text: `message ${i}`
      }))
      return [first, new E.SplitReceived({ ticketId, at: t0, by: mary, from: otherTicket, messages })]
    }
    const almostFull = many(Limits.messagesPerTicket - 1)

    it("a reply or a note takes a ticket to Limits.messagesPerTicket, and not one further", () => {
      const ctx = as(mary)
      const full = Decider.given(almostFull)
        .when(note(), ctx)
        .then([
          new E.NoteAdded({
            ...envelope(ctx),
            message: {
              id: messageId,
              visibility: "internal",
              author: mary,
              channel: "web",
              at: ctx.now,
              ...body("Checked the logs.")
            }
          })
        ])
      expect(full.state?.messages.length).toBe(Limits.messagesPerTicket)
      full.when(reply(), ctx).thenFails("LimitExceeded", {
        limit: "messagesPerTicket",
        max: 100_000,
        actual: 100_001,
        operation: "AddReply"
      })
      full.when(note(), ctx).thenFails("LimitExceeded", { limit: "messagesPerTicket", operation: "AddNote" })
    })

    it("a requester writing on a full, closed ticket still gets a follow-up", () => {
      const full = [...many(Limits.messagesPerTicket)]
      const closed = [
        ...full,
        statusChanged(as(mary), "new", "solved"),
        statusChanged(as(closer, later("4 days")), "solved", "closed")
      ]
      Decider.given(closed)
        .when(reply(), as(jane, later("5 days")))
        .thenFails("FollowUpRequired", { ticketId })
    })
  })
})
