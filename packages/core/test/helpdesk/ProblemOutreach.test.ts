/**
 * A problem and its incidents (#18): `openProblem` opens the problem and links the incidents in
 * one call; solving the problem tells each incident's requester once, through the outbox in their
 * language, and records it on the incident. Solving it again (after a reopen, or twice over)
 * tells nobody twice: a model-based property drives random solves, reopens and closes.
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Schema } from "effect"
import * as fc from "fast-check"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as Outbox from "../../src/ports/Outbox.js"

const mary = { _tag: "agent", id: "mary" } as const
const languages = ["fr", "en", "pt-BR", undefined] as const

const announcements = Effect.gen(function* () {
  const outbox = yield* Outbox.Outbox
  const claimed = yield* outbox.claim("notification", DateTime.makeUnsafe(0), 10_000, 1000)
  return claimed
    .map((m) => Schema.decodeUnknownSync(Helpdesk.NotificationPayload)(m.payload))
    .filter((p) => p.template === "problem_solved")
})

/** `count` customers, each with one incident; the i-th speaks `languages[i % 4]`. */
const incidents = (count: number) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    const opened = []
    for (let i = 0; i < count; i++) {
      const language = languages[i % languages.length]
      yield* helpdesk.saveContact({
        id: `c${i}`,
        name: `Customer ${i}`,
        emails: [`c${i}@example.com`],
        ...(language === undefined ? {} : { language })
      })
      opened.push(
        yield* helpdesk.open({
          requester: { id: `c${i}` },
          subject: `Charged twice (${i})`,
          text: "My card was charged twice.",
          channel: "email"
        })
      )
    }
    return opened
  })

describe("Helpdesk.openProblem", () => {
  it.effect("opens a problem ticket and links every incident to it, both ways", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const opened = yield* incidents(3)
      const problem = yield* helpdesk.openProblem({
        by: mary,
        incidents: [...opened.map((t) => t.publicId), opened[0]?.id ?? ""],
        subject: "Card charged twice on renewal",
        text: "Billing runs the renewal twice since the 12th."
      })
      expect(problem.type).toBe("problem")
      expect(problem.requester).toBe(opened[0]?.requester)
      expect(problem.links).toEqual(opened.map((t) => ({ kind: "incident", ticketId: t.id })))
      for (const incident of opened) {
        expect((yield* helpdesk.asSystem("test").get(incident.id)).links).toEqual([
          { kind: "problem", ticketId: problem.id }
        ])
      }
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )

  it.effect("a wrong incident number opens nothing", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const opened = yield* incidents(1)
      const refused = yield* Effect.flip(
        helpdesk.openProblem({ by: mary, incidents: [opened[0]?.publicId ?? 0, 999_999], subject: "x", text: "y" })
      )
      expect(refused._tag).toBe("TicketNotFound")
      expect((yield* helpdesk.asSystem("test").list()).items).toHaveLength(1)
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )
})

describe("solving a problem tells its incidents' requesters", () => {
  it.effect("once each, in their language, recorded on each incident", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const opened = yield* incidents(4)
      const problem = yield* helpdesk.openProblem({
        by: mary,
        incidents: opened.map((t) => t.id),
        subject: "Card charged twice on renewal",
        text: "Billing runs the renewal twice."
      })
      yield* helpdesk.changeStatus({ ticket: problem.id, by: mary, status: "solved" })
      const sent = yield* announcements
      expect(sent.map((p) => [p.ticketId, p.to, p.language])).toEqual([
        [opened[0]?.id, ["requester"], "fr"],
        [opened[1]?.id, ["requester"], "en"],
        [opened[2]?.id, ["requester"], "pt-BR"],
        [opened[3]?.id, ["requester"], "en"] // no language: the workspace's default
      ])
      for (const incident of opened) {
        const after = yield* helpdesk.asSystem("test").get(incident.id)
        expect(after.category).toBe("solved")
        expect(after.announcedProblems).toEqual([problem.id])
      }
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )

  it.effect("without solveIncidents the incidents stay open and are still told", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const opened = yield* incidents(2)
      const problem = yield* helpdesk.openProblem({
        by: mary,
        incidents: opened.map((t) => t.id),
        subject: "x",
        text: "y"
      })
      yield* helpdesk.changeStatus({ ticket: problem.id, by: mary, status: "solved" })
      expect((yield* announcements).map((p) => p.ticketId)).toEqual(opened.map((t) => t.id))
      expect((yield* helpdesk.asSystem("test").get(opened[0]?.id ?? "")).category).toBe("new")
    }).pipe(
      Effect.provide(
        MemoryHelpdesk.layer(
          { workspaceId: "acme", solveIncidents: false },
          { ids: "sequential", defaultLanguage: "en" }
        )
      )
    )
  )

  it("whatever the solves, reopens and closes, each requester is told exactly once, and only once solved", async () => {
    type Step = "solve" | "reopen" | "close" | "solveAgain"
    let exercised = 0
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom<Step>("solve", "reopen", "close", "solveAgain"), { maxLength: 6 }),
        (count, steps) =>
          Effect.runPromise(
            Effect.gen(function* () {
              const helpdesk = yield* Helpdesk.Helpdesk
              const opened = yield* incidents(count)
              const problem = yield* helpdesk.openProblem({
                by: mary,
                incidents: opened.map((t) => t.id),
                subject: "Renewal charged twice",
                text: "Investigating."
              })
              let everSolved = false
              for (const step of steps) {
                const status = step === "reopen" ? "open" : step === "close" ? "closed" : "solved"
                const moved = yield* Effect.result(helpdesk.changeStatus({ ticket: problem.id, by: mary, status }))
                if (moved._tag === "Success" && (status === "solved" || status === "closed")) everSolved = true
              }
              const sent = yield* announcements
              const recorded = []
              for (const incident of opened) {
                const history = yield* helpdesk.asSystem("test").history(incident.id)
                recorded.push(history.filter((e) => e._tag === "ProblemSolvedAnnounced").length)
              }
              if (everSolved) exercised++
              expect(sent.map((p) => p.ticketId).sort()).toEqual(everSolved ? opened.map((t) => t.id).sort() : [])
              expect(recorded).toEqual(opened.map(() => (everSolved ? 1 : 0)))
            }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
          )
      ),
      { numRuns: 40 }
    )
    expect(exercised).toBeGreaterThan(0)
  })
})
