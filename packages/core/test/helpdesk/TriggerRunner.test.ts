import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import fc from "fast-check"
import * as TriggerRunner from "../../src/helpdesk/TriggerRunner.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import { type DecideContext, decide } from "../../src/ticket/decide.js"
import * as Status from "../../src/ticket/Status.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as C from "../../src/ticket/TicketCommand.js"
import type { TicketEvent } from "../../src/ticket/TicketEvent.js"
import * as Actor from "../../src/values/Actor.js"
import type { TicketId } from "../../src/values/Ids.js"
import * as Priority from "../../src/values/Priority.js"

const ctx: DecideContext = {
  now: DateTime.makeUnsafe(Date.UTC(2026, 11, 1)),
  actor: { _tag: "agent", id: "mary" } as never,
  workflow: Status.defaultWorkflow,
  customFields: []
}

const opened = Effect.runSync(
  decide(
    undefined,
    new C.OpenTicket({
      ticketId: "tkt_1" as TicketId,
      workspaceId: "acme" as never,
      publicId: 1 as never,
      messageId: "msg_1" as never,
      subject: "Charged twice",
      requester: "con_1" as never,
      channel: "email",
      tags: [],
      customFields: {},
      body: { text: "My card was charged twice.", attachments: [] }
    }),
    ctx
  )
)

const unit = (maxPasses = 10): TriggerRunner.Unit => ({
  ticketId: "tkt_1" as TicketId,
  before: undefined,
  events: opened,
  context: ctx,
  maxPasses
})

// -- the runner before issue 12, as a reference: every waiting rule re-checked after every change --

type Rule = Triggers.TriggerRule

const reference = (rules: ReadonlyArray<Rule>, maxPasses: number) =>
  Effect.gen(function* () {
    const all: Array<TicketEvent> = [...opened]
    let current = Ticket.fold(opened) as Ticket.Ticket
    const waiting = new Set<string>()
    let refirings = 0
    const firedEver = new Set<string>()
    for (let pass = 1; ; pass++) {
      const fired: Array<string> = []
      for (const trigger of rules) {
        const wanted = yield* trigger.fire({ before: undefined, current, events: all, now: ctx.now, pass })
        if (wanted.length === 0) {
          waiting.delete(trigger.rule.id)
          continue
        }
        if (waiting.has(trigger.rule.id)) continue
        const ruleCtx = { ...ctx, actor: Actor.system(`rule:${trigger.rule.id}`), rule: trigger.rule }
        let changed = false
        for (const command of wanted) {
          if (command._tag === "LinkRequest") continue
          const decided = yield* Effect.result(decide(current, command, ruleCtx))
          if (decided._tag === "Failure" || decided.success.length === 0) continue
          current = Ticket.fold(decided.success, current) as Ticket.Ticket
          all.push(...decided.success)
          changed = true
        }
        if (!changed) continue
        if (firedEver.has(trigger.rule.id)) refirings++
        firedEver.add(trigger.rule.id)
        waiting.add(trigger.rule.id)
        fired.push(trigger.rule.id)
        for (const other of rules) {
          if (!waiting.has(other.rule.id)) continue
          const still = yield* other.fire({ before: undefined, current, events: all, now: ctx.now, pass })
          if (still.length === 0) waiting.delete(other.rule.id)
        }
      }
      if (fired.length === 0) return { events: all, loop: undefined, refirings }
      if (pass >= maxPasses) return { events: all, loop: { passes: pass, rules: fired }, refirings }
    }
  })

// -- random rules that say what they read ----------------------------------------------------------

const tags = ["a", "b", "c", "d"] as const
type When =
  | { readonly priority: Priority.Priority }
  | { readonly has: string }
  | { readonly lacks: string }
  | { readonly event: "TagsChanged" | "PriorityChanged" }
interface RandomRule {
  readonly when: ReadonlyArray<When>
  readonly does: ReadonlyArray<
    { readonly priority: Priority.Priority } | { readonly add: string } | { readonly remove: string }
  >
  /** Whether the rule says what it reads, or leaves it to the runner to ask it after every change. */
  readonly declares: boolean
}

const when: fc.Arbitrary<When> = fc.oneof(
  fc.record({ priority: fc.constantFrom(...Priority.levels) }),
  fc.record({ has: fc.constantFrom(...tags) }),
  fc.record({ lacks: fc.constantFrom(...tags) }),
  fc.record({ event: fc.constantFrom("TagsChanged" as const, "PriorityChanged" as const) })
)
const randomRule: fc.Arbitrary<RandomRule> = fc.record({
  when: fc.array(when, { maxLength: 3 }),
  does: fc.array(
    fc.oneof(
      fc.record({ priority: fc.constantFrom(...Priority.levels) }),
      fc.record({ add: fc.constantFrom(...tags) }),
      fc.record({ remove: fc.constantFrom(...tags) })
    ),
    { minLength: 1, maxLength: 2 }
  ),
  declares: fc.boolean()
})

const holds = (w: When, ticket: Ticket.Ticket, events: ReadonlyArray<TicketEvent>): boolean =>
  "priority" in w
    ? ticket.priority === w.priority
    : "has" in w
      ? ticket.tags.includes(w.has as never)
      : "lacks" in w
        ? !ticket.tags.includes(w.lacks as never)
        : events.some((e) => e._tag === w.event)

const readsOf = (w: When): Triggers.Read =>
  "priority" in w ? "priority" : "has" in w ? `tag:${w.has}` : "lacks" in w ? `tag:${w.lacks}` : `event:${w.event}`

const toTrigger = (r: RandomRule, i: number): Rule => ({
  rule: { id: `r${i}`, version: 1 },
  ...(r.declares ? { reads: r.when.map(readsOf) } : {}),
  fire: ({ current, events }) =>
    Effect.succeed(
      r.when.every((w) => holds(w, current, events))
        ? r.does.map((d) =>
            "priority" in d
              ? new C.SetPriority({ ticketId: current.id, priority: d.priority })
              : new C.ChangeTags({
                  ticketId: current.id,
                  add: "add" in d ? [d.add] : [],
                  remove: "remove" in d ? [d.remove] : []
                })
          )
        : []
    )
})

const shape = (events: ReadonlyArray<TicketEvent>) =>
  events.map((e) => [
    e._tag,
    e.rule?.id,
    e._tag === "TagsChanged" ? [e.added, e.removed] : e._tag === "PriorityChanged" ? e.to : undefined
  ])

describe("TriggerRunner", () => {
  it("asking only the waiting rules that read what changed gives what asking them all after every change gave", () => {
    const seen = { loops: 0, fixpoints: 0, refirings: 0, declared: 0 }
    fc.assert(
      fc.property(fc.array(randomRule, { maxLength: 10 }), fc.integer({ min: 1, max: 6 }), (randomRules, maxPasses) => {
        const rules = randomRules.map(toTrigger)
        const expected = Effect.runSync(reference(rules, maxPasses))
        const outcome = Effect.runSync(TriggerRunner.run(rules, unit(maxPasses)))
        seen.refirings += expected.refirings
        seen.declared += randomRules.filter((r) => r.declares).length
        if (expected.loop === undefined) {
          seen.fixpoints++
          expect(outcome.failed).toBeUndefined()
          expect(shape(outcome.events)).toEqual(shape(expected.events))
        } else {
          seen.loops++
          expect(outcome.failed).toMatchObject({
            reason: "loop",
            passes: expected.loop.passes,
            rules: expected.loop.rules.map((id) => ({ id, version: 1 }))
          })
          // The rules' changes are dropped: only the command's events, and the record.
          expect(shape(outcome.events)).toEqual([...shape(opened), ["RulesFailed", undefined, undefined]])
        }
      }),
      { numRuns: 1000 }
    )
    // The property saw both endings, and rules whose episode ended and began again in one unit.
    expect(seen.loops).toBeGreaterThan(10)
    expect(seen.fixpoints).toBeGreaterThan(10)
    expect(seen.refirings).toBeGreaterThan(10)
    expect(seen.declared).toBeGreaterThan(100)
  })

  it("a rule that reads nothing a change touched is not asked again after it", () => {
    const asked: Array<string> = []
    const counting = (id: string, reads: ReadonlyArray<Triggers.Read> | undefined, tag: string): Rule => ({
      rule: { id, version: 1 },
      ...(reads === undefined ? {} : { reads }),
      fire: ({ current }) =>
        Effect.sync(() => {
          asked.push(id)
          return current.channel === "email" ? [new C.ChangeTags({ ticketId: current.id, add: [tag], remove: [] })] : []
        })
    })
    const rules = [
      counting("reads-channel", ["channel"], "x"),
      counting("reads-anything", undefined, "y"),
      counting("third", ["channel"], "z")
    ]
    const outcome = Effect.runSync(TriggerRunner.run(rules, unit()))
    expect(outcome.events.map((e) => e._tag)).toEqual(["TicketOpened", "TagsChanged", "TagsChanged", "TagsChanged"])
    // Pass 1: each rule at its turn, and after each of the three changes the rule that reads
    // anything once it waits (after its own change and the third's); pass 2: each rule once.
    expect(asked).toEqual([
      "reads-channel",
      "reads-anything",
      "reads-anything",
      "third",
      "reads-anything",
      "reads-channel",
      "reads-anything",
      "third"
    ])
  })

  it("a rule that throws instead of answering is a failed action: the command's events and RulesFailed", () => {
    const tagging: Rule = {
      rule: { id: "tagging", version: 1 },
      fire: ({ current }) => Effect.succeed([new C.ChangeTags({ ticketId: current.id, add: ["x"], remove: [] })])
    }
    const throwing: Rule = {
      rule: { id: "throwing", version: 2 },
      fire: () => {
        throw new Error("not an Effect")
      }
    }
    const outcome = Effect.runSync(TriggerRunner.run([tagging, throwing], unit()))
    expect(outcome.events.map((e) => e._tag)).toEqual(["TicketOpened", "RulesFailed"])
    expect(outcome.failed).toMatchObject({
      reason: "action_failed",
      passes: 1,
      rules: [{ id: "throwing", version: 2 }],
      detail: "throwing: not an Effect"
    })
    expect(outcome.links).toEqual([])
  })

  it("an interruption inside a rule is passed on, not recorded as a failure of the rules", () => {
    const stopping: Rule = { rule: { id: "stop", version: 1 }, fire: () => Effect.interrupt }
    const exit = Effect.runSyncExit(TriggerRunner.run([stopping], unit()))
    expect(exit._tag).toBe("Failure")
  })
})
