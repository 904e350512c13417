/**
 * From a survey link to a rating on the ticket (#18): `SurveyToken.verifier` is core's survey
 * check, so `Helpdesk.rate` takes a real signed token; tampered, foreign-key and expired tokens
 * are refused. And a problem's outreach renders in the requester's language.
 */
import { describe, expect, it } from "@effect/vitest"
import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Signature } from "@tessera/email"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as DefaultTemplates from "../src/DefaultTemplates.js"
import * as SurveyToken from "../src/SurveyToken.js"
import * as Template from "../src/Template.js"

const keys = Effect.runSync(Signature.keys(["2026-0123456789abcdef0123456789abcdef"]))
const otherKeys = Effect.runSync(Signature.keys(["evil-0123456789abcdef0123456789abcdef"]))
const mary = { _tag: "agent", id: "mary" } as const

const desk = MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", surveys: SurveyToken.verifier(keys) })

describe("SurveyToken.verifier with Helpdesk.rate", () => {
  it.effect("a signed link records the rating for its survey; forged, altered and expired ones are refused", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const ticket = yield* helpdesk.open({
        requester: { email: "jane@example.com" },
        subject: "Charged twice",
        text: "Twice!",
        channel: "email"
      })
      yield* helpdesk.changeStatus({ ticket: ticket.id, by: mary, status: "solved" })
      const claims = {
        workspaceId: "acme",
        ticketId: ticket.id,
        recipient: ticket.requester,
        survey: "notification:x:4"
      }
      const token = yield* SurveyToken.make(keys, claims, "7 days")
      const rated = yield* helpdesk.rate({ token, rating: { kind: "csat", score: 5 } })
      expect(rated.ratings?.map((r) => [r.survey, r.rating.score])).toEqual([["notification:x:4", 5]])

      const reason = (t: string) =>
        Effect.map(Effect.flip(helpdesk.rate({ token: t, rating: { kind: "csat", score: 1 } })), (e) =>
          e._tag === "SurveyRefused" ? e.reason : e._tag
        )
      expect(yield* reason(yield* SurveyToken.make(otherKeys, claims))).toBe("signature")
      expect(yield* reason(`${token.slice(0, -2)}AA`)).toBe("signature")
      expect(yield* reason("not a token")).toBe("malformed")
      yield* TestClock.adjust("8 days")
      expect(yield* reason(token)).toBe("expired")
      // The refusals changed nothing.
      expect((yield* helpdesk.asSystem("test").get(ticket.id)).ratings?.map((r) => r.rating.score)).toEqual([5])
    }).pipe(Effect.provide(desk))
  )
})

describe("the problem_solved templates", () => {
  it("exist in English and French and pass the template check", () => {
    const kind = Template.builtInKinds.find((k) => k.name === "problem_solved")
    expect(kind).toEqual({ name: "problem_solved", audience: "customer", event: "ProblemSolvedAnnounced" })
    const templates = DefaultTemplates.defaults.filter((t) => t.kind === "problem_solved")
    expect(templates.map((t) => t.language).sort()).toEqual(["en", "fr"])
  })
})
