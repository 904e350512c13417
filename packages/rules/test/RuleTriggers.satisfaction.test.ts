/**
 * Rules on satisfaction and complexity (#18): a bad rating reopens the ticket and tells the team
 * lead; a good one does nothing; rules set a ticket's complexity and read it back.
 */
import { Helpdesk, MemoryHelpdesk, Outbox, Satisfaction, Ticket } from "@tessera/core"
import { DateTime, Effect, Result, Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Interpreter from "../src/Interpreter.js"
import * as Rule from "../src/Rule.js"
import * as RuleTriggers from "../src/RuleTriggers.js"

const decoded = Rule.decodeRuleSet([
  {
    id: "bad-rating",
    version: 1,
    kind: "trigger",
    on: ["satisfaction_rated"],
    if: {
      all: [
        { field: "satisfaction", op: "is", value: "bad" },
        { field: "category", op: "is", value: "solved" }
      ]
    },
    then: [
      { set: "status", value: "open" },
      { notify: { template: "bad_rating", to: ["agent:lead"] } },
      { note: "Bad rating: the ticket is back in the queue." }
    ]
  },
  {
    id: "billing-is-complex",
    version: 1,
    kind: "trigger",
    on: ["created"],
    if: { field: "tags", op: "includes", value: "billing" },
    then: [{ set: "complexity", value: "complex" }]
  },
  {
    id: "complex-is-high",
    version: 1,
    kind: "trigger",
    if: { field: "complexity", op: "changedTo", value: "complex" },
    then: [{ set: "priority", value: "high" }]
  }
])
const rules = Result.isSuccess(decoded) ? decoded.success : []

const mary = { _tag: "agent", id: "mary" } as const
const links = new Map<string, Satisfaction.SurveyClaims>()
const surveys: Satisfaction.Verifier = (token) => {
  const claims = links.get(token)
  return claims === undefined
    ? Effect.fail(new Satisfaction.SurveyRefused({ reason: "signature" }))
    : Effect.succeed(claims)
}

const run = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E, Outbox.Outbox>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      return yield* body(helpdesk)
    }).pipe(
      Effect.provide(
        MemoryHelpdesk.layer(
          { workspaceId: "acme" },
          { ids: "sequential", surveys, triggers: RuleTriggers.make(rules) }
        )
      )
    )
  )

const solvedTicket = (helpdesk: Helpdesk.Service, token: string) =>
  Effect.gen(function* () {
    const ticket = yield* helpdesk.open({
      requester: { email: "jane@example.com" },
      subject: "Charged twice",
      text: "My card was charged twice.",
      channel: "email",
      tags: ["billing"]
    })
    yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Refunded." })
    yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
    links.set(token, { workspaceId: "acme", ticketId: ticket.id, recipient: ticket.requester, expiresAt: 1e15 })
    return ticket
  })

const requested = Effect.gen(function* () {
  const outbox = yield* Outbox.Outbox
  const claimed = yield* outbox.claim("notification", DateTime.makeUnsafe(0), 100, 1000)
  return claimed.map((m) => Schema.decodeUnknownSync(Helpdesk.NotificationPayload)(m.payload))
})

describe("a bad rating triggers rules", () => {
  it("reopens the ticket and notifies the team lead, naming the rule", async () => {
    const { after, history, sent } = await run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* solvedTicket(helpdesk, "bad")
        const after = yield* helpdesk.rate({
          token: "bad",
          rating: { kind: "csat", score: 1 },
          comment: "Still charged"
        })
        return { after, history: yield* helpdesk.asSystem("test").history(ticket.id), sent: yield* requested }
      })
    )
    expect(after.category).toBe("open")
    const fromRule = history.filter((e) => e.rule?.id === "bad-rating").map((e) => e._tag)
    expect(fromRule).toEqual(["StatusChanged", "NotificationRequested", "NoteAdded"])
    expect(sent.filter((p) => p.template === "bad_rating")).toEqual([
      expect.objectContaining({ to: ["agent:lead"], rule: { id: "bad-rating", version: 1 } })
    ])
  })

  it("a good rating, or an NPS passive, leaves the ticket solved", async () => {
    const after = await run((helpdesk) =>
      Effect.gen(function* () {
        yield* solvedTicket(helpdesk, "good")
        yield* helpdesk.rate({ token: "good", rating: { kind: "csat", score: "good" } })
        return yield* helpdesk.rate({ token: "good", rating: { kind: "nps", score: 8 } })
      })
    )
    expect(after.category).toBe("solved")
    expect(Ticket.satisfaction(after)).toBe("neutral")
  })
})

describe("complexity in rules", () => {
  it("a rule sets it and another reads its change", async () => {
    const ticket = await run((helpdesk) =>
      helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "Invoice wrong",
        text: "Wrong VAT.",
        channel: "email",
        tags: ["billing"]
      })
    )
    expect([ticket.complexity, ticket.priority]).toEqual(["complex", "high"])
  })

  it("the interpreter reads complexity and satisfaction as the compiled rules do", () => {
    const base = { complexity: "simple", ratings: [] } as unknown as Ticket.Ticket
    expect(Interpreter.read("complexity", base, {} as never)).toBe("simple")
    expect(Interpreter.read("satisfaction", base, {} as never)).toBeUndefined()
  })

  it("refuses values that are no complexity or verdict", () => {
    const refused = Rule.decodeRuleSet([
      {
        id: "x",
        version: 1,
        kind: "trigger",
        if: { field: "satisfaction", op: "is", value: "awful" },
        then: [{ set: "complexity", value: "huge" }]
      }
    ])
    expect(Result.isFailure(refused) ? refused.failure.problems.map((p) => p.message) : []).toEqual([
      "Expected one of good, neutral, bad",
      "Expected one of simple, standard, complex"
    ])
  })
})
