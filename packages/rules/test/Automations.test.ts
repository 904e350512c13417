import { Helpdesk, MemoryHelpdesk } from "@tessera/core"
import { Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Automations from "../src/Automations.js"
import * as Rule from "../src/Rule.js"

const hour = 3_600_000
const mary = { _tag: "agent", id: "mary" } as const

/** The brief's "pending for 3 days: remind", without a tag: only its episodes keep it from repeating. */
const remind = {
  id: "pending-reminder",
  version: 1,
  kind: "automation",
  if: {
    all: [
      { field: "category", op: "is", value: "pending" },
      { since: "statusChanged", op: "atLeast", hours: 72 }
    ]
  },
  then: [{ note: "Reminder: waiting on the requester for 3 days." }]
}

const decoded = Rule.decodeRuleSet([remind])
const rules = Result.isSuccess(decoded) ? decoded.success : []

/** Runs `body` on a fresh help desk on a test clock starting at 0. */
const run = <A, E>(body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      return yield* body(helpdesk)
    }).pipe(
      Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })),
      Effect.provide(TestClock.layer())
    )
  )

const notes = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.map(helpdesk.asSystem("test").get(ticket), (t) => t.messages.filter((m) => m.visibility === "internal").length)

describe("automations", () => {
  it("the rule decodes", () => expect(rules.map((r) => r.kind)).toEqual(["automation"]))

  it("fire once per episode of their condition: again only after it was false and became true", () =>
    run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* helpdesk.open({
          requester: { email: "jane@example.com" },
          subject: "VPN",
          text: "Down",
          channel: "email"
        })
        const jane = { _tag: "contact", id: ticket.requester } as const
        yield* helpdesk.changeStatus({ ticket: ticket.id, status: "pending", by: mary })
        const at = (hours: number) => TestClock.setTime(hours * hour)
        yield* at(24)
        expect((yield* Automations.run(helpdesk, rules)).fired).toEqual([])
        yield* at(73)
        expect((yield* Automations.run(helpdesk, rules)).fired).toEqual([
          { ticketId: ticket.id, rules: ["pending-reminder"] }
        ])
        yield* at(96)
        expect((yield* Automations.run(helpdesk, rules)).fired).toEqual([])
        expect(yield* notes(helpdesk, ticket.id)).toBe(1)
        // Jane answers (the ticket reopens): the episode ends; pending again starts a new one.
        yield* at(100)
        yield* helpdesk.reply({ ticket: ticket.id, text: "Still down", by: jane })
        yield* at(101)
        yield* helpdesk.changeStatus({ ticket: ticket.id, status: "pending", by: mary })
        yield* at(150)
        expect((yield* Automations.run(helpdesk, rules)).fired).toEqual([])
        yield* at(174)
        expect((yield* Automations.run(helpdesk, rules)).fired).toHaveLength(1)
        yield* at(200)
        expect((yield* Automations.run(helpdesk, rules)).fired).toEqual([])
        expect(yield* notes(helpdesk, ticket.id)).toBe(2)
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.filter((e) => e.rule?.id === "pending-reminder").map((e) => e.by)).toEqual([
          { _tag: "system", reason: "rule:pending-reminder" },
          { _tag: "system", reason: "rule:pending-reminder" }
        ])
      })
    ))

  it("a dry run lists what a rule would have done on stored tickets, without writing", () =>
    run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* helpdesk.open({
          requester: { email: "jane@example.com" },
          subject: "VPN",
          text: "Down",
          channel: "email"
        })
        yield* helpdesk.changeStatus({ ticket: ticket.id, status: "pending", by: mary })
        yield* TestClock.setTime(80 * hour)
        yield* helpdesk.note({ ticket: ticket.id, text: "Checked the logs", by: mary })
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        const would = Automations.dryRun(rules[0] as Rule.Rule, [history])
        expect(would.map((w) => [w.event, w.explanation.matched])).toEqual([["NoteAdded", true]])
        expect((yield* helpdesk.asSystem("test").history(ticket.id)).length).toBe(history.length)
      })
    ))
})

describe("automation episodes", () => {
  it("random timelines: at most one firing per pending episode, and one whenever a run came after 72 hours", async () => {
    let fired = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ hours: fc.integer({ min: 1, max: 60 }), step: fc.constantFrom("run", "toggle", "run") }), {
          minLength: 1,
          maxLength: 25
        }),
        (steps) =>
          run((helpdesk) =>
            Effect.gen(function* () {
              const ticket = yield* helpdesk.open({
                requester: { email: "jane@example.com" },
                subject: "VPN",
                text: "Down",
                channel: "email"
              })
              yield* helpdesk.changeStatus({ ticket: ticket.id, status: "open", by: mary })
              // Episodes of "pending for 72 hours", and the runs within them, by the model.
              let now = 0
              let pendingSince: number | undefined
              const episodes: Array<{ start: number; end?: number; due: boolean }> = []
              for (const step of steps) {
                now += step.hours * hour
                yield* TestClock.setTime(now)
                if (step.step === "toggle") {
                  const toPending = pendingSince === undefined
                  yield* helpdesk.changeStatus({ ticket: ticket.id, status: toPending ? "pending" : "open", by: mary })
                  if (toPending) {
                    pendingSince = now
                    episodes.push({ start: now, due: false })
                  } else {
                    const last = episodes.at(-1)
                    if (last !== undefined) last.end = now
                    pendingSince = undefined
                  }
                } else {
                  yield* Automations.run(helpdesk, rules)
                  const last = episodes.at(-1)
                  if (pendingSince !== undefined && last !== undefined && now - pendingSince >= 72 * hour)
                    last.due = true
                }
              }
              const firings = (yield* helpdesk.asSystem("test").history(ticket.id))
                .filter((e) => e._tag === "NoteAdded" && e.rule?.id === "pending-reminder")
                .map((e) => e.at.epochMilliseconds)
              fired += firings.length
              for (const episode of episodes) {
                const inside = firings.filter(
                  (t) => t >= episode.start && (episode.end === undefined || t < episode.end)
                )
                expect(inside.length).toBe(episode.due ? 1 : 0)
              }
              expect(firings.length).toBe(episodes.filter((e) => e.due).length)
            })
          )
      ),
      { numRuns: 200 }
    )
    expect(fired).toBeGreaterThan(0)
  })
})

describe("automations that fail", () => {
  // #12: a failing rule no longer fails the caller; for an automation it is recorded once per episode.
  const assignDocs = Rule.decodeRuleSet([
    {
      id: "pending-assign",
      version: 1,
      kind: "automation",
      if: { field: "category", op: "is", value: "pending" },
      then: [{ assign: { strategy: "round_robin" } }]
    }
  ])
  const assigning = Result.isSuccess(assignDocs) ? assignDocs.success : []

  it("a failing action is recorded as RulesFailed once, not on every run; a new version runs again", () =>
    run((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* helpdesk.open({
          requester: { email: "jane@example.com" },
          subject: "VPN",
          text: "Down",
          channel: "email"
        })
        yield* helpdesk.changeStatus({ ticket: ticket.id, status: "pending", by: mary })
        const broken = {
          assign: () => {
            throw new Error("roster unavailable")
          }
        }
        const first = yield* Automations.run(helpdesk, assigning, broken)
        expect(first.fired).toEqual([])
        expect(first.failed).toEqual([{ ticketId: ticket.id, reason: "action_failed", rules: ["pending-assign"] }])
        const second = yield* Automations.run(helpdesk, assigning, broken)
        expect(second).toMatchObject({ fired: [], failed: [] })
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "StatusChanged", "RulesFailed"])
        expect(history[2]).toMatchObject({ rules: [{ id: "pending-assign", version: 1 }] })
        expect((history[2] as { detail: string }).detail).toContain("roster unavailable")
        // Fixed as version 2, with an assigner that works: it runs.
        const fixed = assigning.map((r) => ({ ...r, version: 2 }))
        const third = yield* Automations.run(helpdesk, fixed, { assign: () => "mary" })
        expect(third).toMatchObject({ fired: [{ ticketId: ticket.id, rules: ["pending-assign"] }], failed: [] })
        expect((yield* helpdesk.asSystem("test").get(ticket.id)).assignee).toBe("mary")
      })
    ))
})
