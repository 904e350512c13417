import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect } from "effect"
import fc from "fast-check"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as Outbox from "../../src/ports/Outbox.js"
import * as Priority from "../../src/priority/Priority.js"
import { decide } from "../../src/ticket/decide.js"
import type { GroupId, TicketId } from "../../src/ticket/Ids.js"
import * as Status from "../../src/ticket/Status.js"
import * as Ticket from "../../src/ticket/Ticket.js"
import * as C from "../../src/ticket/TicketCommand.js"

const mary = { _tag: "agent", id: "mary" } as const

type Rule = Triggers.TriggerRule<Helpdesk.HelpdeskError>

const rule = (id: string, fire: (context: Triggers.TriggerContext) => ReadonlyArray<C.TicketCommand>): Rule => ({
  rule: { id, version: 1 },
  fire: (context) => Effect.succeed(fire(context))
})

const withRules = <A, E>(
  rules: ReadonlyArray<Rule>,
  body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E, Outbox.Outbox>
) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveGroup({ id: "billing", name: "Billing" })
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test", groups: ["billing"] })
    return yield* body(helpdesk)
  }).pipe(
    Effect.provide(
      Helpdesk.layerMemory({ workspaceId: "acme" }, { ids: "sequential", firstPublicId: 69369, triggers: { rules } })
    )
  )

const opens = (helpdesk: Helpdesk.Service, tags: ReadonlyArray<string> = []) =>
  helpdesk.open({
    requester: { email: "jane@example.com" },
    subject: "Charged twice",
    text: "My card was charged twice.",
    channel: "email",
    tags: [...tags]
  })

const billingToSeniors = rule("billing-seniors", ({ current, events }) =>
  events.some((e) => e._tag === "TicketOpened") && current.tags.includes("billing" as never)
    ? [
        new C.Assign({ ticketId: current.id, group: "billing" as GroupId }),
        new C.SetPriority({ ticketId: current.id, priority: "high" })
      ]
    : []
)

describe("triggers", () => {
  it.effect("a rule's commands join the command's unit of work, each event naming the rule and its version", () =>
    withRules([billingToSeniors], (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        expect(ticket).toMatchObject({ group: "billing", priority: "high", version: 3 })
        const history = yield* helpdesk.history(ticket.id)
        expect(history.map((e) => [e._tag, e.rule?.id])).toEqual([
          ["TicketOpened", undefined],
          ["GroupChanged", "billing-seniors"],
          ["PriorityChanged", "billing-seniors"]
        ])
        expect(history[1]?.by).toEqual({ _tag: "system", reason: "rule:billing-seniors" })
        expect(history[1]?.rule).toEqual({ id: "billing-seniors", version: 1 })
        // Not matching: nothing added.
        const other = yield* opens(helpdesk)
        expect(other.version).toBe(1)
      })
    )
  )

  it.effect("a later pass sees what earlier rules did, so rule order does not hide a match", () => {
    const urgentNote = rule("note-high", ({ current }) =>
      current.priority === "high" && !current.tags.includes("seen" as never)
        ? [new C.ChangeTags({ ticketId: current.id, add: ["seen"], remove: [] })]
        : []
    )
    return withRules([urgentNote, billingToSeniors], (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        expect(ticket.tags).toEqual(["billing", "seen"])
      })
    )
  })

  it.effect(
    "a rule fires once per episode of its condition: a later rule changing its field does not set it off again",
    () => {
      const billing = rule("billing-high", ({ current }) =>
        current.tags.includes("billing" as never) ? [new C.SetPriority({ ticketId: current.id, priority: "high" })] : []
      )
      const angry = rule("angry-urgent", ({ current }) =>
        current.tags.includes("escalated" as never)
          ? []
          : [
              new C.ChangeTags({ ticketId: current.id, add: ["escalated"], remove: [] }),
              new C.SetPriority({ ticketId: current.id, priority: "urgent" })
            ]
      )
      return withRules([billing, angry], (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk, ["billing"])
          expect(ticket).toMatchObject({ priority: "urgent", tags: ["billing", "escalated"] })
          const history = yield* helpdesk.history(ticket.id)
          expect(history.filter((e) => e.rule?.id === "billing-high")).toHaveLength(1)
        })
      )
    }
  )

  it.effect("rules that undo each other stop with TriggerLoop after maxPasses, and nothing is written", () => {
    const up = rule("up", ({ current }) =>
      current.priority === "normal" ? [new C.SetPriority({ ticketId: current.id, priority: "high" })] : []
    )
    const down = rule("down", ({ current }) =>
      current.priority === "high" ? [new C.SetPriority({ ticketId: current.id, priority: "normal" })] : []
    )
    return withRules([up, down], (helpdesk) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(opens(helpdesk))
        expect(error).toMatchObject({ _tag: "TriggerLoop", passes: 10, rules: ["up", "down"] })
        expect(yield* Effect.flip(helpdesk.get(69369))).toMatchObject({ _tag: "TicketNotFound" })
      })
    )
  })

  it.effect("a rule's command the ticket refuses is skipped; the command it follows still succeeds", () => {
    const closeIt = rule("close-now", ({ current }) => [
      new C.ChangeStatus({ ticketId: current.id, to: "closed" as never }),
      new C.ChangeTags({ ticketId: current.id, add: ["tried"], remove: [] })
    ])
    return withRules([closeIt], (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk)
        expect(ticket).toMatchObject({ category: "new", tags: ["tried"] })
        const replied = yield* helpdesk.reply({ ticket: ticket.id, text: "On it.", by: mary })
        expect(replied.category).toBe("open")
      })
    )
  })
})

describe("notifications", () => {
  it.effect(
    "a Notify from a rule is an event and an outbox message written by the same append; contacts may not notify",
    () =>
      Effect.gen(function* () {
        const notifyAll = rule("notify-new", ({ current, events }) =>
          events.some((e) => e._tag === "TicketOpened")
            ? [new C.Notify({ ticketId: current.id, template: "new_ticket", to: ["group"] })]
            : []
        )
        yield* withRules([notifyAll], (helpdesk) =>
          Effect.gen(function* () {
            const ticket = yield* opens(helpdesk)
            const history = yield* helpdesk.history(ticket.id)
            expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "NotificationRequested"])
            const outbox = yield* Outbox.Outbox
            const queued = yield* outbox.claim("notification", DateTime.makeUnsafe(0), 10, 1000)
            expect(queued).toMatchObject([
              {
                id: `notification:${ticket.id}:2`,
                channel: "notification",
                payload: { template: "new_ticket", to: ["group"] }
              }
            ])
          })
        )
        const contact = { _tag: "contact", id: "con_1" } as const
        const opened = yield* decide(
          undefined,
          new C.OpenTicket({
            ticketId: "tkt_1" as TicketId,
            workspaceId: "acme" as never,
            publicId: 1 as never,
            messageId: "msg_1" as never,
            subject: "Hi",
            requester: "con_1" as never,
            channel: "email",
            tags: [],
            customFields: {},
            body: { text: "Hello", attachments: [] }
          }),
          { now: DateTime.makeUnsafe(0), actor: contact as never, workflow: Status.defaultWorkflow, customFields: [] }
        )
        const refused = yield* Effect.flip(
          decide(
            Ticket.fold(opened),
            new C.Notify({ ticketId: "tkt_1" as TicketId, template: "x", to: ["requester"] }),
            {
              now: DateTime.makeUnsafe(0),
              actor: contact as never,
              workflow: Status.defaultWorkflow,
              customFields: []
            }
          )
        )
        expect(refused._tag).toBe("NotPermitted")
      })
  )
})

// -- the fixpoint terminates ---------------------------------------------------------------------

interface RandomRule {
  readonly when: { readonly priority?: Priority.Priority; readonly tag?: string; readonly notTag?: string }
  readonly does: { readonly priority?: Priority.Priority; readonly add?: string; readonly remove?: string }
}

const tagName = fc.constantFrom("a", "b", "c")
const randomRule: fc.Arbitrary<RandomRule> = fc.record({
  when: fc.record(
    { priority: fc.constantFrom(...Priority.levels), tag: tagName, notTag: tagName },
    { requiredKeys: [] }
  ),
  does: fc.record(
    { priority: fc.constantFrom(...Priority.levels), add: tagName, remove: tagName },
    { requiredKeys: [] }
  )
})

const toTrigger = (r: RandomRule, i: number): Rule =>
  rule(`r${i}`, ({ current }) => {
    const holds =
      (r.when.priority === undefined || current.priority === r.when.priority) &&
      (r.when.tag === undefined || current.tags.includes(r.when.tag as never)) &&
      (r.when.notTag === undefined || !current.tags.includes(r.when.notTag as never))
    if (!holds) return []
    return [
      ...(r.does.priority === undefined
        ? []
        : [new C.SetPriority({ ticketId: current.id, priority: r.does.priority })]),
      ...(r.does.add === undefined && r.does.remove === undefined
        ? []
        : [
            new C.ChangeTags({
              ticketId: current.id,
              add: r.does.add === undefined ? [] : [r.does.add],
              remove: r.does.remove === undefined ? [] : [r.does.remove]
            })
          ])
    ]
  })

describe("trigger fixpoint", () => {
  it("random rule sets end, with every rule that still wants a change having fired, or with TriggerLoop and nothing written", async () => {
    const outcomes = { fixpoint: 0, loop: 0 }
    await fc.assert(
      fc.asyncProperty(fc.array(randomRule, { maxLength: 8 }), fc.subarray(["a", "b", "c"]), (rules, tags) =>
        Effect.runPromise(
          withRules(rules.map(toTrigger), (helpdesk) =>
            Effect.gen(function* () {
              const result = yield* Effect.result(opens(helpdesk, tags))
              if (result._tag === "Failure") {
                expect(result.failure._tag).toBe("TriggerLoop")
                expect((yield* Effect.flip(helpdesk.get(69369)))._tag).toBe("TicketNotFound")
                outcomes.loop++
                return
              }
              outcomes.fixpoint++
              // At the end, a rule that would still change the ticket is one that already fired
              // in this unit of work (once per episode of its condition): none was left out.
              const ticket = result.success
              const history = yield* helpdesk.history(ticket.id)
              const stored = Ticket.fold(history) as Ticket.Ticket
              expect(stored).toEqual(ticket)
              const firedRules = new Set(history.flatMap((e) => (e.rule === undefined ? [] : [e.rule.id])))
              for (const [i, r] of rules.entries()) {
                const commands = yield* toTrigger(r, i).fire({
                  before: undefined,
                  current: ticket,
                  events: [],
                  now: ticket.updatedAt,
                  pass: 1
                })
                for (const command of commands) {
                  const unchanged =
                    (command._tag === "SetPriority" && command.priority === ticket.priority) ||
                    (command._tag === "ChangeTags" &&
                      command.add.every((t) => ticket.tags.includes(t as never) || command.remove.includes(t)) &&
                      command.remove.every((t) => !ticket.tags.includes(t as never) || command.add.includes(t)))
                  expect(
                    unchanged || firedRules.has(`r${i}`),
                    `rule r${i} would still change ticket ${ticket.id as TicketId} and never fired`
                  ).toBe(true)
                }
              }
            })
          )
        )
      ),
      { numRuns: 300 }
    )
    // Both endings happened: the property saw loops and fixpoints alike.
    expect(outcomes.fixpoint).toBeGreaterThan(0)
    expect(outcomes.loop).toBeGreaterThan(0)
  })
})
