/**
 * The replay against the help desk itself: tickets opened on an in-memory help desk without rules
 * are replayed with a rule set, and what the replay predicts must be what a help desk running
 * those rules wrote for the same commands. Then a dry run stopped between two tickets.
 */
import { Helpdesk, MemoryHelpdesk, type TicketEvent } from "@tessera/core"
import { Rule, RuleTriggers } from "@tessera/rules"
import { DateTime, Effect, Result } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Describe from "../src/Describe.js"
import * as DryRun from "../src/DryRun.js"
import * as Replay from "../src/Replay.js"
import type * as Store from "../src/Store.js"
import * as Rules from "./support/rules.js"

const decoded = Rule.decodeRuleSet(Rules.proposed)
const rules = Result.isSuccess(decoded) ? decoded.success : []
const mary = { _tag: "agent", id: "mary" } as const

interface Planned {
  readonly tags: ReadonlyArray<string>
  readonly priority: "low" | "normal" | "high" | "urgent"
  readonly text: string
  readonly reply: string | undefined
}

const planned: fc.Arbitrary<Planned> = fc.record({
  tags: fc.subarray(["billing", "vip", "legal", "other"]),
  priority: fc.constantFrom("low", "normal", "high", "urgent"),
  text: fc.constantFrom("Please refund me", "It is broken", "refund now"),
  reply: fc.option(fc.constantFrom("Any news about my refund?", "Any news?"), { nil: undefined })
})

/** Opens (and replies to) the planned tickets on a fresh help desk; answers each ticket's history. */
const histories = (plan: ReadonlyArray<Planned>, options: MemoryHelpdesk.Options) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      const out: Array<ReadonlyArray<TicketEvent.TicketEvent>> = []
      for (const [i, t] of plan.entries()) {
        yield* TestClock.setTime(i * 3_600_000)
        const ticket = yield* helpdesk.open({
          requester: { email: `c${i}@example.com` },
          subject: `Ticket ${i}`,
          text: t.text,
          channel: "email",
          priority: t.priority,
          tags: [...t.tags]
        })
        yield* TestClock.adjust("10 minutes")
        yield* helpdesk.changeStatus({ ticket: ticket.id, status: "pending", by: mary })
        yield* TestClock.adjust("10 minutes")
        // The requester's reply reopens the pending ticket: two events of one command.
        if (t.reply !== undefined)
          yield* helpdesk.reply({ ticket: ticket.id, text: t.reply, by: { _tag: "contact", id: ticket.requester } })
        out.push(yield* helpdesk.asSystem("test").history(ticket.id))
      }
      return out
    }).pipe(
      Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", ...options })),
      Effect.provide(TestClock.layer())
    )
  )

/** What rules wrote after a unit's own events, up to the next unit: each event in words, or the failure. */
const written = (history: ReadonlyArray<TicketEvent.TicketEvent>, version: number) => {
  const out: Array<string> = []
  for (const e of history.slice(version)) {
    if (e._tag === "RulesFailed") return [`failed: ${e.reason} ${e.rules.map((r) => r.id).join(",")}`]
    if (e.rule === undefined) break
    out.push(`${e.rule.id}: ${Describe.event(e)}`)
  }
  return out
}

const predicted = (outcome: Replay.Outcome) =>
  outcome.failed === undefined
    ? outcome.changes.map((e) => `${e.rule?.id}: ${Describe.event(e)}`)
    : [`failed: ${outcome.failed.reason} ${outcome.failed.rules.map((r) => r.id).join(",")}`]

describe("replaying stored tickets", () => {
  it("a unit of work is a command's own events; the events rules caused are skipped", async () => {
    const [history] = await histories(
      [{ tags: ["billing"], priority: "normal", text: "Please refund me", reply: "Any news?" }],
      { triggers: RuleTriggers.make(rules) }
    )
    const tags = (history ?? []).map((e) => (e.rule === undefined ? e._tag : `${e._tag} by ${e.rule.id}`))
    expect(tags).toEqual([
      "TicketOpened",
      "GroupChanged by billing-to-finance",
      "PriorityChanged by refund-high",
      "StatusChanged",
      "ReplyAdded",
      "StatusChanged"
    ])
    const units = Replay.unitsOf(history ?? [])
    expect(units.map((u) => [u.version, u.events.map((e) => e._tag)])).toEqual([
      [1, ["TicketOpened"]],
      [4, ["StatusChanged"]],
      [5, ["ReplyAdded", "StatusChanged"]]
    ])
    // Later units start from the ticket as stored, with what the rules did to it.
    expect(units[1]?.before).toMatchObject({ group: "finance", priority: "high" })
  })

  it("predicts what a help desk running the rules writes for the same commands", async () => {
    let loops = 0
    let changes = 0
    await fc.assert(
      fc.asyncProperty(fc.array(planned, { minLength: 1, maxLength: 6 }), async (plan) => {
        const [without, withRules] = await Promise.all([
          histories(plan, {}),
          histories(plan, { triggers: RuleTriggers.make(rules) })
        ])
        for (const [i, history] of without.entries()) {
          // The openings start from the same ticket on both help desks: the replay must agree.
          const opening = Replay.unitsOf(history)[0] as Replay.Unit
          const outcome = await Effect.runPromise(Replay.run(RuleTriggers.make(rules), opening))
          const expected = written(withRules[i] ?? [], 1)
          expect(predicted(outcome)).toEqual(expected)
          if (outcome.failed !== undefined) loops++
          else if (outcome.changes.length > 0) changes++
        }
      }),
      { numRuns: 25, seed: 15 }
    )
    // Both outcomes occurred, so the property compared loops and changes alike.
    expect(loops).toBeGreaterThan(0)
    expect(changes).toBeGreaterThan(0)
  })
})

describe("a dry run", () => {
  /** A reader over histories in memory. */
  const readerOf = (all: ReadonlyArray<ReadonlyArray<TicketEvent.TicketEvent>>): Store.Reader => ({
    url: "memory",
    workspaceId: "acme" as Store.Reader["workspaceId"],
    history: (id) => Effect.succeed(all.find((h) => h[0]?.ticketId === id) ?? []),
    resolve: (ref) => Effect.succeed(ref as never),
    activeIn: () =>
      Effect.succeed(
        all.map((h) => {
          const opened = h[0] as TicketEvent.TicketOpened
          return { id: opened.ticketId, publicId: opened.publicId }
        })
      ),
    contactTier: () => Effect.succeed(undefined),
    organizationTier: () => Effect.succeed(undefined)
  })

  it("stopped between two tickets, answers with what it found so far", async () => {
    const plan = Array.from(
      { length: 5 },
      (): Planned => ({
        tags: ["billing"],
        priority: "normal",
        text: "It is broken",
        reply: undefined
      })
    )
    const reader = readerOf(await histories(plan, {}))
    const seen: Array<number> = []
    const summary = await Effect.runPromise(
      DryRun.run(reader, rules, {
        from: DateTime.makeUnsafe(0),
        to: DateTime.makeUnsafe(10 * 24 * 3_600_000),
        progress: (done) => Effect.sync(() => seen.push(done)),
        stop: () => (seen[seen.length - 1] ?? 0) >= 2
      })
    )
    expect(seen).toEqual([0, 1, 2])
    expect(summary).toMatchObject({ interrupted: true, tickets: { total: 5, examined: 2, changed: 2 } })
    expect(summary.rules.find((r) => r.id === "billing-to-finance")).toMatchObject({ fired: 2, tickets: 2 })
  })
})
