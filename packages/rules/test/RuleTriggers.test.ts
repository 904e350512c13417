import {
  type Decide,
  decide,
  Helpdesk,
  type Ids,
  MemoryHelpdesk,
  Outbox,
  Priority,
  Status,
  Ticket,
  TicketCommand,
  TriggerRunner
} from "@tessera/core"
import { DateTime, Effect, Result } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Team from "../../../test/support/roundRobin.js"
import * as Reads from "../src/Reads.js"
import * as Rule from "../src/Rule.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

/** The brief's routing, as JSON: billing from premium goes to the billing seniors, high priority. */
const rulesJson = [
  {
    id: "billing-premium",
    version: 3,
    kind: "trigger",
    on: ["created"],
    if: {
      all: [
        { field: "tags", op: "includes", value: "billing" },
        { field: "requester.tier", op: "in", value: ["premium", "enterprise"] }
      ]
    },
    then: [
      { set: "group", value: "billing_seniors" },
      { set: "priority", value: "high" },
      { note: "Premium billing question: routed to the billing seniors." }
    ]
  },
  {
    id: "angry-to-senior",
    version: 1,
    kind: "trigger",
    on: ["created", "requester_replied"],
    // The tag its actions add (through urgent-tag) makes it false: it escalates once.
    if: {
      all: [
        { text: "message", op: "containsAny", value: ["unacceptable", "inadmissible", "lawyer"] },
        { field: "tags", op: "excludes", value: "escalated" }
      ]
    },
    then: [
      { escalate: { priority: "urgent", reason: "Angry customer" } },
      { notify: { template: "escalated", to: ["group", "agent:mary"] } }
    ]
  },
  {
    id: "urgent-tag",
    version: 1,
    kind: "trigger",
    if: { field: "priority", op: "changedTo", value: "urgent" },
    then: [{ addTags: ["escalated"] }]
  }
]

const decoded = Rule.decodeRuleSet(rulesJson)
const rules = Result.isSuccess(decoded) ? decoded.success : []

const tiers = (ticket: Ticket.Ticket) => (ticket.requester === "con_premium" ? { requester: "premium" } : {})

const run = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E, Outbox.Outbox>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveGroup({ id: "billing_seniors", name: "Billing seniors" })
      yield* helpdesk.saveContact({ id: "con_premium", name: "Jane Sharpe", emails: ["jane@example.com"] })
      yield* helpdesk.saveContact({ id: "con_free", name: "Omar", emails: ["omar@example.com"] })
      return yield* body(helpdesk)
    }).pipe(
      Effect.provide(
        MemoryHelpdesk.layer(
          { workspaceId: "acme" },
          { ids: "sequential", triggers: RuleTriggers.make(rules, { tiers }) }
        )
      )
    )
  )

const linkRules = Rule.decodeRuleSet([
  {
    id: "vpn-outage",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { text: "subject", op: "containsWords", value: "vpn" },
    then: [
      { link: { kind: "problem", to: 1 } },
      // Linking to itself is refused: the rule's other actions and the command still stand.
      { link: { kind: "related", to: 2 } },
      { addTags: ["outage"] }
    ]
  }
])

describe("links asked for by rules", () => {
  it("are made on both tickets right after the unit of work, naming the rule; a refused one is left out", () =>
    Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        const opened = (subject: string) =>
          helpdesk.open({ requester: { email: "jane@example.com" }, subject, text: subject, channel: "email" })
        const problem = yield* opened("Gateway down")
        const incident = yield* opened("My VPN is down")
        expect(incident.publicId).toBe(2)
        expect(incident).toMatchObject({ tags: ["outage"], links: [{ kind: "problem", ticketId: problem.id }] })
        expect((yield* helpdesk.asSystem("test").get(problem.id)).links).toEqual([
          { kind: "incident", ticketId: incident.id }
        ])
        const linked = (yield* helpdesk.asSystem("test").history(problem.id)).at(-1)
        expect(linked).toMatchObject({ _tag: "LinkAdded", rule: { id: "vpn-outage", version: 1 } })
      }).pipe(
        Effect.provide(
          MemoryHelpdesk.layer(
            { workspaceId: "acme" },
            {
              ids: "sequential",
              triggers: RuleTriggers.make(Result.isSuccess(linkRules) ? linkRules.success : [])
            }
          )
        )
      )
    ))
})

describe("assignment by strategy", () => {
  it("a rule's round-robin assign goes through the roster in turn, counting each assignment in", () => {
    const team = RuleTriggers.assigner(Team.roster(["sam", "mary"]))
    return Effect.runPromise(
      Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        yield* Team.saveTeam(helpdesk, ["mary", "sam"])
        const assignees: Array<string | undefined> = []
        for (let i = 0; i < 3; i++) assignees.push(yield* Team.openTicket(helpdesk, i, "mary"))
        expect(assignees).toEqual(["mary", "sam", "mary"])
        expect(team.roster().load).toMatchObject({ mary: { email: 2 }, sam: { email: 1 } })
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

describe("rules in the Helpdesk", () => {
  it("the JSON rules decode", () => {
    expect(Result.isSuccess(decoded)).toBe(true)
    expect(rules.map((r) => r.id)).toEqual(["billing-premium", "angry-to-senior", "urgent-tag"])
  })

  it("a premium billing ticket is routed, prioritised and noted in the same unit of work, each event naming its rule", () =>
    run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* helpdesk.open({
          requester: { id: "con_premium" },
          subject: "Charged twice",
          text: "My card was charged twice.",
          channel: "email",
          tags: ["billing"]
        })
        expect(ticket).toMatchObject({ group: "billing_seniors", priority: "high" })
        // #12: the requester who opened it gets the public view back; the rule's note is for agents.
        expect(ticket.messages.map((m) => [m.visibility, m.text])).toEqual([["public", "My card was charged twice."]])
        expect((yield* helpdesk.asSystem("test").get(ticket.id)).messages.map((m) => [m.visibility, m.text])).toEqual([
          ["public", "My card was charged twice."],
          ["internal", "Premium billing question: routed to the billing seniors."]
        ])
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.slice(1).map((e) => [e._tag, e.rule])).toEqual([
          ["GroupChanged", { id: "billing-premium", version: 3 }],
          ["PriorityChanged", { id: "billing-premium", version: 3 }],
          ["NoteAdded", { id: "billing-premium", version: 3 }]
        ])
        // The same question from a free user is not routed.
        const free = yield* helpdesk.open({
          requester: { id: "con_free" },
          subject: "Charged twice",
          text: "My card was charged twice.",
          channel: "email",
          tags: ["billing"]
        })
        expect(free).toMatchObject({ priority: "normal", version: 1 })
        expect(free.group).toBeUndefined()
      })
    ))

  it("an angry reply escalates, and the priority change sets off a second rule on the next pass", () =>
    run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* helpdesk.open({
          requester: { id: "con_free" },
          subject: "Refund",
          text: "Where is my refund?",
          channel: "email"
        })
        const replied = yield* helpdesk.reply({
          ticket: ticket.id,
          text: "This is UNACCEPTABLE, I will call my lawyer.",
          by: { _tag: "contact", id: "con_free" }
        })
        expect(replied).toMatchObject({ priority: "urgent", supportLevel: 2, tags: ["escalated"] })
        // The notification is recorded on the ticket and queued in the outbox by the same append.
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.filter((e) => e._tag === "NotificationRequested")).toHaveLength(1)
        const outbox = yield* Outbox.Outbox
        const queued = yield* outbox.claim("notification", DateTime.makeUnsafe(Date.now()), 10, 60_000)
        expect(queued.map((m) => m.payload)).toEqual([
          {
            template: "escalated",
            to: ["group", "agent:mary"],
            ticketId: ticket.id,
            publicId: ticket.publicId,
            // The reply (2), and the escalation before the notify: support level (3), priority (4).
            cause: [2, 3, 4],
            rule: { id: "angry-to-senior", version: 1 }
          }
        ])
      })
    ))

  it("explain lists each rule, its conditions with the values read, and the commands it would run", () => {
    const at = DateTime.makeUnsafe(0)
    const ticket = {
      id: "tkt_1",
      requester: "con_premium",
      tags: ["billing"],
      priority: "normal",
      version: 1,
      messages: [],
      links: [],
      followers: [],
      customFields: {},
      supportLevel: 1
    } as unknown as Ticket.Ticket
    const explanation = RuleTriggers.explain(
      rules,
      { before: undefined, current: ticket, events: [], now: at, pass: 1 },
      { tiers }
    )
    expect(explanation.map((e) => [e.rule.id, e.onEvents, e.matched])).toEqual([
      ["billing-premium", false, false],
      ["angry-to-senior", false, false],
      ["urgent-tag", true, false]
    ])
    const billing = explanation[0]
    expect(billing?.conditions).toMatchObject({
      _tag: "All",
      held: true,
      children: [
        { held: true, actual: ["billing"] },
        { held: true, actual: "premium", expected: ["premium", "enterprise"] }
      ]
    })
  })
})

// -- what the rules say they read ------------------------------------------------------------------

const tagValues = ["a", "b", "c"] as const
const leafDoc: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({
    field: fc.constant("priority"),
    op: fc.constantFrom("is", "isNot", "changedTo"),
    value: fc.constantFrom(...Priority.levels)
  }),
  fc.record({
    field: fc.constant("tags"),
    op: fc.constantFrom("includes", "excludes", "changedTo"),
    value: fc.constantFrom(...tagValues, "B")
  }),
  fc.record({ field: fc.constant("tags"), op: fc.constantFrom("present", "absent", "changed") }),
  fc.record({ field: fc.constant("status"), op: fc.constant("is"), value: fc.constantFrom("new", "open", "pending") }),
  fc.record({ field: fc.constant("supportLevel"), op: fc.constant("gte"), value: fc.constantFrom(2, 3) }),
  fc.record({ event: fc.constantFrom("created", "updated", "note_added", "status_changed", "requester_replied") }),
  fc.record({
    text: fc.constant("message"),
    op: fc.constant("containsAny"),
    value: fc.constantFrom(["urgent"], ["calm"])
  })
)
const conditionDoc: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { weight: 4, arbitrary: leafDoc },
    { weight: 1, arbitrary: fc.array(tie("node"), { maxLength: 3 }).map((all) => ({ all })) },
    { weight: 1, arbitrary: fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
    { weight: 1, arbitrary: tie("node").map((not) => ({ not })) }
  )
})).node
const actionDoc: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ set: fc.constant("priority"), value: fc.constantFrom(...Priority.levels) }),
  fc.record({ set: fc.constant("status"), value: fc.constantFrom("open", "pending") }),
  fc.record({ addTags: fc.subarray([...tagValues], { minLength: 1 }) }),
  fc.record({ removeTags: fc.subarray([...tagValues], { minLength: 1 }) }),
  fc.record({ note: fc.constantFrom("urgent: look", "calm down") }),
  fc.constant({ escalate: { reason: "rules" } })
)
const ruleSetDoc = fc
  .array(
    fc.record(
      {
        if: conditionDoc,
        then: fc.array(actionDoc, { minLength: 1, maxLength: 2 }),
        on: fc.subarray(["created", "updated", "note_added", "requester_replied"], { minLength: 1 })
      },
      { requiredKeys: ["if", "then"] }
    ),
    { maxLength: 8 }
  )
  .map((docs) => docs.map((d, i) => ({ id: `r${i}`, version: 1, kind: "trigger", ...d })))

describe("what rules read", () => {
  it("Reads names the tags a condition tests, the events behind its trigger events, and what its actions depend on", () => {
    const [rule] = Result.getOrThrow(
      Rule.decodeRuleSet([
        {
          id: "r",
          version: 1,
          kind: "trigger",
          on: ["created", "requester_replied"],
          if: {
            all: [
              { field: "tags", op: "includes", value: ["Billing", "vip"] },
              { field: "custom.plan", op: "is", value: "pro" },
              { since: "lastAgentReply", op: "atLeast", hours: 2 }
            ]
          },
          then: [{ note: "x" }, { escalate: { reason: "y" } }]
        }
      ])
    )
    expect(new Set(Reads.ofRule(rule as Rule.Rule))).toEqual(
      new Set([
        "tag:billing",
        "tag:vip",
        "customField:plan",
        "messages",
        "event:TicketOpened",
        "events",
        "supportLevel"
      ])
    )
    // An action that always asks for something leaves the answer to the condition alone.
    expect(Reads.ofRule({ ...(rule as Rule.Rule), then: [{ note: "x" }, { addTags: ["seen"] }] })).not.toContain(
      "supportLevel"
    )
    // `assign` asks `options.assign`, which may read anything.
    expect(
      Reads.ofRule(
        { ...(rule as Rule.Rule), then: [{ assign: { strategy: "round_robin" } }] },
        { assign: () => undefined }
      )
    ).toBeUndefined()
  })

  it("rules that say what they read give the same units of work as the same rules asked after every change", () => {
    const seen = { units: 0, ruleEvents: 0, failed: 0 }
    const now = DateTime.makeUnsafe(Date.UTC(2026, 11, 1))
    const ctx: Decide.DecideContext = {
      now,
      actor: { _tag: "agent", id: "mary" as Ids.AgentId },
      workflow: Status.defaultWorkflow,
      customFields: []
    }
    const opening = Effect.runSync(
      decide(
        undefined,
        new TicketCommand.OpenTicket({
          ticketId: "tkt_1" as never,
          workspaceId: "acme" as never,
          publicId: 1 as never,
          messageId: "msg_1" as never,
          subject: "Refund",
          requester: "con_1" as never,
          channel: "email",
          tags: ["b"],
          customFields: {},
          body: { text: "This is urgent", attachments: [] }
        }),
        { ...ctx, actor: { _tag: "contact", id: "con_1" } as never }
      )
    )
    const opened = Ticket.fold(opening) as Ticket.Ticket
    const reply = Effect.runSync(
      decide(
        opened,
        new TicketCommand.AddReply({
          ticketId: opened.id,
          messageId: "msg_2" as never,
          channel: "email",
          body: { text: "Still waiting, calm", attachments: [] }
        }),
        { ...ctx, actor: { _tag: "contact", id: "con_1" } as never }
      )
    )
    const shape = (outcome: TriggerRunner.Outcome) => ({
      failed:
        outcome.failed === undefined ? undefined : [outcome.failed.reason, outcome.failed.passes, outcome.failed.rules],
      events: outcome.events.map((e) => [
        e._tag,
        e.rule?.id,
        "to" in e ? e.to : "added" in e ? [e.added, e.removed] : undefined
      ])
    })
    fc.assert(
      fc.property(ruleSetDoc, fc.boolean(), fc.integer({ min: 2, max: 4 }), (docs, onReply, maxPasses) => {
        const hook = RuleTriggers.make(Result.getOrThrow(Rule.decodeRuleSet(docs)))
        const everyChange = hook.rules.map(({ rule, fire }) => ({ rule, fire }))
        const unit: TriggerRunner.Unit = onReply
          ? { ticketId: opened.id, before: opened, events: reply, context: ctx, maxPasses }
          : { ticketId: opened.id, before: undefined, events: opening, context: ctx, maxPasses }
        const declared = Effect.runSync(TriggerRunner.run(hook.rules, unit))
        const asked = Effect.runSync(TriggerRunner.run(everyChange, unit))
        expect(shape(declared)).toEqual(shape(asked))
        seen.units++
        seen.ruleEvents += declared.events.filter((e) => e.rule !== undefined).length
        if (declared.failed !== undefined) seen.failed++
      }),
      { numRuns: 400 }
    )
    expect(seen.ruleEvents).toBeGreaterThan(200)
    expect(seen.failed).toBeGreaterThan(5)
  })
})
