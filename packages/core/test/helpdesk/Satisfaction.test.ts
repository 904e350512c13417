/**
 * Satisfaction ratings through `Helpdesk.rate` (#18): a verified survey link's claims name who
 * rates which ticket; one rating per survey, later answers kept as history; every refused link
 * is the same `SurveyRefused`, never naming the ticket.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as Satisfaction from "../../src/values/Satisfaction.js"

const mary = { _tag: "agent", id: "mary" } as const
const day = 86_400_000

/** A verifier over a table of tokens: what a signed-link verifier answers, minus the crypto. */
const tokens = new Map<string, Satisfaction.SurveyClaims>()
const verifier: Satisfaction.Verifier = (token) => {
  const claims = tokens.get(token)
  return claims === undefined
    ? Effect.fail(new Satisfaction.SurveyRefused({ reason: "signature" }))
    : Effect.succeed(claims)
}

const desk = MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", surveys: verifier })

const setup = Effect.gen(function* () {
  const helpdesk = yield* Helpdesk.Helpdesk
  yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
  const ticket = yield* helpdesk.open({
    requester: { email: "jane@example.com" },
    subject: "Charged twice",
    text: "My card was charged twice.",
    channel: "email"
  })
  yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
  tokens.set("jane-1", {
    workspaceId: "acme",
    ticketId: ticket.id,
    recipient: ticket.requester,
    expiresAt: 30 * day,
    survey: "survey-1"
  })
  return { helpdesk, ticket }
})

describe("Helpdesk.rate", () => {
  it.effect("the requester's rating from a verified link is a SatisfactionRated by them", () =>
    Effect.gen(function* () {
      const { helpdesk, ticket } = yield* setup
      const rated = yield* helpdesk.rate({
        token: "jane-1",
        rating: { kind: "csat", score: "good" },
        comment: "Quick!"
      })
      expect(rated.ratings?.map((r) => [r.survey, r.rating, r.comment])).toEqual([
        ["survey-1", { kind: "csat", score: "good" }, "Quick!"]
      ])
      const last = (yield* helpdesk.asSystem("test").history(ticket.id)).at(-1)
      expect(last?._tag).toBe("SatisfactionRated")
      expect(last?.by).toEqual({ _tag: "contact", id: ticket.requester })
    }).pipe(Effect.provide(desk))
  )

  it.effect("one rating per survey: a later answer replaces it and the log keeps both", () =>
    Effect.gen(function* () {
      const { helpdesk, ticket } = yield* setup
      yield* helpdesk.rate({ token: "jane-1", rating: { kind: "csat", score: 4 } })
      yield* helpdesk.rate({ token: "jane-1", rating: { kind: "csat", score: 4 } }) // the same again: nothing
      const after = yield* helpdesk.rate({
        token: "jane-1",
        rating: { kind: "csat", score: 1 },
        comment: "Charged again"
      })
      expect(after.ratings).toHaveLength(1)
      expect(Ticket.satisfaction(after)).toBe("bad")
      const rated = (yield* helpdesk.asSystem("test").history(ticket.id)).filter((e) => e._tag === "SatisfactionRated")
      expect(rated.map((e) => [e.rating.score, e.previous?.score])).toEqual([
        [4, undefined],
        [1, 4]
      ])
    }).pipe(Effect.provide(desk))
  )

  it.effect("a closed ticket still takes its survey's answer", () =>
    Effect.gen(function* () {
      const { helpdesk, ticket } = yield* setup
      yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "closed" })
      const rated = yield* helpdesk.rate({ token: "jane-1", rating: { kind: "nps", score: 9 } })
      expect(rated.category).toBe("closed")
      expect(rated.ratings?.[0]?.rating).toEqual({ kind: "nps", score: 9 })
    }).pipe(Effect.provide(desk))
  )

  it.effect("refuses expired, foreign, tampered and mismatched links alike, naming no ticket", () =>
    Effect.gen(function* () {
      const { helpdesk, ticket } = yield* setup
      const base = { workspaceId: "acme", ticketId: ticket.id, recipient: ticket.requester, expiresAt: 30 * day }
      tokens.set("other-workspace", { ...base, workspaceId: "globex" })
      tokens.set("stranger", { ...base, recipient: "omar" })
      tokens.set("no-ticket", { ...base, ticketId: "tkt_404" })
      tokens.set("by-address", { ...base, recipient: "jane@example.com" })
      tokens.set("old", { ...base, expiresAt: day })
      const reason = (token: string) =>
        Effect.map(Effect.flip(helpdesk.rate({ token, rating: { kind: "csat", score: "bad" } })), (e) =>
          e._tag === "SurveyRefused" ? e.reason : e._tag
        )
      expect(yield* reason("forged")).toBe("signature")
      expect(yield* reason("other-workspace")).toBe("mismatch")
      expect(yield* reason("stranger")).toBe("mismatch")
      expect(yield* reason("no-ticket")).toBe("mismatch")
      // An address works when it is the address of a contact on the ticket.
      const byAddress = yield* Effect.result(helpdesk.rate({ token: "by-address", rating: { kind: "csat", score: 5 } }))
      expect(Result.isSuccess(byAddress)).toBe(true)
      // The verifier said yes, but the link ran out at the help desk's now: refused all the same.
      yield* TestClock.setTime(2 * day)
      expect(yield* reason("old")).toBe("expired")
      const refused = yield* Effect.flip(helpdesk.rate({ token: "stranger", rating: { kind: "csat", score: 2 } }))
      expect(refused.message).not.toContain(ticket.id)
    }).pipe(Effect.provide(desk))
  )

  it.effect("without a verifier every link is refused as unconfigured", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const refused = yield* Effect.flip(helpdesk.rate({ token: "jane-1", rating: { kind: "csat", score: "good" } }))
      expect(refused).toEqual(new Satisfaction.SurveyRefused({ reason: "unconfigured" }))
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" })))
  )
})

describe("Helpdesk.setComplexity", () => {
  it.effect("an agent sets it once; the same value again records nothing; a customer may not", () =>
    Effect.gen(function* () {
      const { helpdesk, ticket } = yield* setup
      yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "open" })
      const set = yield* helpdesk.setComplexity({ ticket: ticket.id, by: mary, complexity: "complex" })
      expect(set.complexity).toBe("complex")
      yield* helpdesk.setComplexity({ ticket: ticket.id, by: mary, complexity: "complex" })
      yield* helpdesk.setComplexity({ ticket: ticket.id, by: mary, complexity: "simple" })
      const changes = (yield* helpdesk.asSystem("test").history(ticket.id)).filter(
        (e) => e._tag === "ComplexityChanged"
      )
      expect(changes.map((e) => [e.from, e.to])).toEqual([
        [undefined, "complex"],
        ["complex", "simple"]
      ])
      const refused = yield* Effect.flip(
        helpdesk.setComplexity({
          ticket: ticket.id,
          by: { _tag: "contact", id: ticket.requester },
          complexity: "simple"
        })
      )
      expect(refused._tag).toBe("NotPermitted")
    }).pipe(Effect.provide(desk))
  )
})

describe("Satisfaction.verdict", () => {
  it("reads CSAT and NPS scores as good, neutral or bad", () => {
    const csat = (score: Satisfaction.CsatRating["score"]) => Satisfaction.verdict({ kind: "csat", score })
    expect(["good", "bad", 1, 2, 3, 4, 5].map((s) => csat(s as Satisfaction.CsatRating["score"]))).toEqual([
      "good",
      "bad",
      "bad",
      "bad",
      "neutral",
      "good",
      "good"
    ])
    expect([0, 6, 7, 8, 9, 10].map((score) => Satisfaction.verdict({ kind: "nps", score }))).toEqual([
      "bad",
      "bad",
      "neutral",
      "neutral",
      "good",
      "good"
    ])
  })
})
