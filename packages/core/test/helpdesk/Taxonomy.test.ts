/**
 * A strict tag taxonomy is enforced by the help desk: `open`, `tag` and the tag actions of rules
 * (triggers and automations) refuse tags the taxonomy does not know with `TagNotAllowed`, and
 * write nothing of them. A policy in `warn` mode, or none, accepts every tag.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Result } from "effect"
import * as PromiseHelpdesk from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as Taxonomy from "../../src/helpdesk/Taxonomy.js"
import type * as Triggers from "../../src/helpdesk/Triggers.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import { layerSequential } from "../../src/ports/IdGenerator.js"
import * as TagPolicy from "../../src/tags/TagPolicy.js"
import * as C from "../../src/ticket/TicketCommand.js"

const mary = { _tag: "agent", id: "mary" } as const

const policy = (mode: TagPolicy.Mode) => {
  const made = TagPolicy.make({
    aliases: { facturation: "billing" },
    groups: { product: ["vpn", "printer"] },
    taxonomy: { mode, tags: ["billing", "refund"] }
  })
  if (Result.isFailure(made)) throw new Error(made.failure.message)
  return made.success
}
const strict = policy("strict")

type Rule = Triggers.TriggerRule<Helpdesk.HelpdeskError>

/** A trigger rule that, on a new ticket, tags it and raises its priority: one unit of work. */
const tagsOnOpen = (tags: ReadonlyArray<string>): Rule => ({
  rule: { id: "tag-new", version: 2 },
  fire: ({ current, events }) =>
    Effect.succeed(
      events.some((e) => e._tag === "TicketOpened") && current.priority !== "high"
        ? [
            new C.SetPriority({ ticketId: current.id, priority: "high" }),
            new C.ChangeTags({ ticketId: current.id, add: [...tags], remove: [] })
          ]
        : []
    )
})

const withHelpdesk = <A, E>(options: Helpdesk.Options, body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", ...options })))

const opens = (helpdesk: Helpdesk.Service, tags: ReadonlyArray<string>) =>
  helpdesk.open({
    requester: { email: "jane@example.com" },
    subject: "Charged twice",
    text: "My card was charged twice.",
    channel: "email",
    tags: [...tags]
  })

describe("a strict taxonomy", () => {
  it.effect("open refuses unknown tags with TagNotAllowed, naming them all, and writes nothing", () =>
    withHelpdesk({ tagPolicy: strict }, (helpdesk) =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(opens(helpdesk, ["billing", "Chargebak", "misc", "chargebak"]))
        expect(error).toBeInstanceOf(TagPolicy.TagNotAllowed)
        expect(error).toMatchObject({ _tag: "TagNotAllowed", tags: ["Chargebak", "misc", "chargebak"] })
        expect((error as TagPolicy.TagNotAllowed).retryable).toBe(false)
        expect("ticketId" in error).toBe(false)
        expect((yield* helpdesk.asSystem("test").list({})).items).toHaveLength(0)
        // Refused before the requester is looked up: no contact was created either.
        expect(Option.isNone(yield* helpdesk.findContactByEmail("jane@example.com"))).toBe(true)
      })
    )
  )

  it.effect("open takes known tags: the taxonomy's, group members, aliases and other spellings of them", () =>
    withHelpdesk({ tagPolicy: strict }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["Billing", "vpn", "facturation", " refund "])
        expect(ticket.tags).toEqual(["billing", "vpn", "facturation", "refund"])
      })
    )
  )

  it.effect("tag refuses a tag it does not know on the ticket, and the ticket stays as it was", () =>
    withHelpdesk({ tagPolicy: strict }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        const error = yield* Effect.flip(helpdesk.tag({ ticket: ticket.id, by: mary, add: ["refund", "urgent!!"] }))
        expect(error).toMatchObject({ _tag: "TagNotAllowed", tags: ["urgent!!"], ticketId: ticket.id })
        const after = yield* helpdesk.asSystem("test").get(ticket.id)
        expect(after).toMatchObject({ version: ticket.version, tags: ["billing"] })
        expect((yield* helpdesk.asSystem("test").history(ticket.id)).map((e) => e._tag)).toEqual(["TicketOpened"])
        // Known tags, and removing any tag, go through.
        const tagged = yield* helpdesk.tag({ ticket: ticket.id, by: mary, add: ["refund"], remove: ["billing"] })
        expect(tagged.tags).toEqual(["refund"])
      })
    )
  )

  it.effect("a tag the ticket already carries is not refused again", () =>
    Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
      // Tagged before the taxonomy was strict (another instance, the same store).
      const ticket = yield* opens(helpdesk, ["legacy"])
      const strictDesk = yield* Helpdesk.make({ workspaceId: "acme" }, { tagPolicy: strict })
      const again = yield* strictDesk.tag({ ticket: ticket.id, by: mary, add: ["legacy", "refund"] })
      expect(again.tags).toEqual(["legacy", "refund"])
    }).pipe(
      Effect.provide(Layer.merge(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" }), layerSequential))
    )
  )

  it.effect("a trigger's tag action it does not know fails the rule: its changes give way to RulesFailed", () =>
    withHelpdesk({ tagPolicy: strict, triggers: { rules: [tagsOnOpen(["refund", "vip"])] } }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        // The command stands; the rule's priority and tags are dropped, none of its tags written.
        expect(ticket).toMatchObject({ tags: ["billing"], priority: "normal" })
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "RulesFailed"])
        expect(history[1]).toMatchObject({
          reason: "action_failed",
          rules: [{ id: "tag-new", version: 2 }],
          detail: "tag-new: TagNotAllowed: Tags not in the taxonomy (strict) on ticket tkt_2: vip"
        })
      })
    )
  )

  it.effect("a trigger's known tags are applied as before", () =>
    withHelpdesk({ tagPolicy: strict, triggers: { rules: [tagsOnOpen(["refund"])] } }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        expect(ticket).toMatchObject({ tags: ["billing", "refund"], priority: "high" })
      })
    )
  )

  it.effect("an automation run by applyRules that adds an unknown tag writes only its RulesFailed", () =>
    withHelpdesk({ tagPolicy: strict }, (helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* opens(helpdesk, ["billing"])
        const stale: Rule = {
          rule: { id: "stale", version: 1 },
          fire: ({ current }) =>
            Effect.succeed(
              current.tags.includes("stale" as never)
                ? []
                : [new C.ChangeTags({ ticketId: current.id, add: ["stale"], remove: [] })]
            )
        }
        const after = yield* helpdesk.applyRules(ticket.id, [stale])
        expect(after.tags).toEqual(["billing"])
        const history = yield* helpdesk.asSystem("test").history(ticket.id)
        expect(history.map((e) => e._tag)).toEqual(["TicketOpened", "RulesFailed"])
        expect(history[1]).toMatchObject({ rules: [{ id: "stale", version: 1 }] })
        expect((history[1] as { detail: string }).detail).toContain("TagNotAllowed")
      })
    )
  )
})

describe("without a strict taxonomy", () => {
  it.effect("a warn taxonomy, or none, accepts every tag from open, tag and rules", () =>
    Effect.forEach([{ tagPolicy: policy("warn") }, {}], (options) =>
      withHelpdesk({ ...options, triggers: { rules: [tagsOnOpen(["vip"])] } }, (helpdesk) =>
        Effect.gen(function* () {
          const ticket = yield* opens(helpdesk, ["chargebak"])
          expect(ticket.tags).toEqual(["chargebak", "vip"])
          const tagged = yield* helpdesk.tag({ ticket: ticket.id, by: mary, add: ["misc"] })
          expect(tagged.tags).toEqual(["chargebak", "vip", "misc"])
        })
      )
    )
  )

  it("the guard leaves the rules as they are", () => {
    const rules = [tagsOnOpen(["vip"])]
    expect(Taxonomy.guard(policy("warn"))(rules)).toBe(rules)
    expect(Taxonomy.guard(undefined)(rules)).toBe(rules)
    // A strict guard wraps a list once, however often it is asked.
    const guard = Taxonomy.guard(strict)
    expect(guard(rules)).not.toBe(rules)
    expect(guard(rules)).toBe(guard(rules))
  })
})

describe("the Promise facade", () => {
  it("takes the tag policy as an option and rejects an unknown tag with TagNotAllowed", async () => {
    const helpdesk = await PromiseHelpdesk.createHelpdesk({ tagPolicy: strict })
    try {
      const error = await helpdesk
        .open({ requester: { email: "jane@example.com" }, subject: "Hi", text: "Hi", channel: "web", tags: ["nope"] })
        .then(
          () => undefined,
          (e: unknown) => e
        )
      expect(error).toBeInstanceOf(TagPolicy.TagNotAllowed)
      expect(PromiseHelpdesk.isHelpdeskError(error)).toBe(true)
      expect((await helpdesk.asSystem("test").list()).items).toHaveLength(0)
    } finally {
      await helpdesk.close()
    }
  })
})
