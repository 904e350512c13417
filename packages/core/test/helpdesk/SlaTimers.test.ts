import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import { layerSequential } from "../../src/ports/IdGenerator.js"
import * as Timers from "../../src/ports/Timers.js"
import * as BusinessCalendar from "../../src/sla/BusinessCalendar.js"
import * as SlaPolicy from "../../src/sla/SlaPolicy.js"

const mary = { _tag: "agent", id: "mary" } as const

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla: Helpdesk.SlaOptions = {
  policies: SlaPolicy.defaultPolicySet,
  calendars: { business_hours: paris.success }
}

/**
 * An in-memory help desk tracking the default SLAs on a Paris calendar, its clock at Friday
 * 27 November 2026, 17:00 in Paris (16:00Z), when Jane writes in.
 */
const withHelpdesk = <A, E>(body: (h: Helpdesk.Service) => Effect.Effect<A, E, Timers.Timers>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    return yield* body(helpdesk)
  }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", sla })))

const janeWrites = (helpdesk: Helpdesk.Service) =>
  helpdesk.open({
    requester: { email: "jane.sharpe@example.com", name: "Jane Sharpe" },
    subject: "Charged twice",
    text: "My card was charged twice for November.",
    channel: "email"
  })

const slaEvents = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.map(helpdesk.asSystem("test").history(ticket), (events) =>
    events.flatMap((e) =>
      e._tag === "SlaWarningReached" || e._tag === "SlaBreached"
        ? [`${e._tag} ${e.metric}#${e.instance} ${DateTime.formatIso(e.reachedAt)} (${e.policy})`]
        : []
    )
  )

const dueOf = (helpdesk: Helpdesk.Service) =>
  Effect.map(helpdesk.asSystem("test").list({ sort: "sla_due" }), (page) =>
    page.items.map((t) => (t.slaDueAt === undefined ? undefined : DateTime.formatIso(t.slaDueAt)))
  )

describe("SLA warnings and breaches through the Helpdesk", () => {
  // The standard first reply target for normal priority is 8 business hours: Friday 17–18,
  // Monday 09–12 and 14–18 in Paris, due Monday 30 November 18:00 Paris (17:00Z); the warning at
  // 75% (6 h) is Monday 16:00 Paris (15:00Z).
  it.effect("records the warning, then the breach, each once, when their timers fire", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        assert.deepStrictEqual(yield* dueOf(helpdesk), ["2026-11-30T17:00:00.000Z"])
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)

        yield* TestClock.setTime(Date.parse("2026-11-30T14:59:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
        yield* TestClock.setTime(Date.parse("2026-11-30T15:00:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [
          "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z (standard)"
        ])
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)

        yield* TestClock.setTime(Date.parse("2026-11-30T17:30:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        yield* TestClock.setTime(Date.parse("2026-11-30T18:00:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [
          "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z (standard)",
          "SlaBreached first_reply#1 2026-11-30T17:00:00.000Z (standard)"
        ])
        // A milestone is not a change: the ticket's updatedAt stays at Jane's message.
        assert.strictEqual(
          DateTime.formatIso((yield* helpdesk.asSystem("test").get(ticket.id)).updatedAt),
          "2026-11-27T16:00:00.000Z"
        )
      })
    )
  )

  it.effect("a timer that fires late records what it missed, in order, with the instants they happened", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        yield* TestClock.setTime(Date.parse("2026-12-01T09:00:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [
          "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z (standard)",
          "SlaBreached first_reply#1 2026-11-30T17:00:00.000Z (standard)"
        ])
      })
    )
  )

  it.effect("extra or duplicate timers never record a milestone twice", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        const timers = yield* Timers.Timers
        for (const at of ["2026-11-30T15:00:00Z", "2026-11-30T15:00:00.001Z", "2026-11-30T15:01:00Z"]) {
          yield* timers.schedule(Timers.make(ticket.workspaceId, ticket.id, "sla", DateTime.makeUnsafe(at)))
        }
        yield* TestClock.setTime(Date.parse("2026-11-30T16:00:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [
          "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z (standard)"
        ])
      })
    )
  )

  it.effect("a command that moves the due time moves the queue's due time and the timers", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        // High priority: 4 business hours, Friday 17–18 and Monday 09–12 Paris: due 11:00Z; the
        // warning at 3 h is Monday 11:00 Paris (10:00Z).
        yield* helpdesk.setPriority({ ticket: ticket.id, by: mary, priority: "high" })
        assert.deepStrictEqual(yield* dueOf(helpdesk), ["2026-11-30T11:00:00.000Z"])
        yield* TestClock.setTime(Date.parse("2026-11-30T11:00:00Z"))
        assert.strictEqual(yield* helpdesk.runDueTimers(), 1)
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [
          "SlaWarningReached first_reply#1 2026-11-30T10:00:00.000Z (standard)",
          "SlaBreached first_reply#1 2026-11-30T11:00:00.000Z (standard)"
        ])
      })
    )
  )

  it.effect("a reply in time fulfils the first reply: no warning, no breach, the queue moves on", () =>
    withHelpdesk((helpdesk) =>
      Effect.gen(function* () {
        const ticket = yield* janeWrites(helpdesk)
        yield* TestClock.setTime(Date.parse("2026-11-30T09:00:00Z"))
        yield* helpdesk.reply({ ticket: ticket.id, by: mary, text: "Looking into it." })
        // Next the resolution: 40 business hours from Friday 17:00 Paris.
        const [due] = yield* dueOf(helpdesk)
        assert.isDefined(due)
        assert.isTrue((due as string) > "2026-12-04")
        yield* TestClock.setTime(Date.parse("2026-11-30T18:00:00Z"))
        yield* helpdesk.runDueTimers()
        assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [])
      })
    )
  )

  it.effect("without SLA options nothing is tracked and no SLA timer is set", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
      const helpdesk = yield* Helpdesk.Helpdesk
      const ticket = yield* janeWrites(helpdesk)
      yield* TestClock.setTime(Date.parse("2026-12-10T00:00:00Z"))
      assert.strictEqual(yield* helpdesk.runDueTimers(), 0)
      assert.deepStrictEqual(yield* slaEvents(helpdesk, ticket.id), [])
      assert.deepStrictEqual(yield* dueOf(helpdesk), [undefined])
    }).pipe(Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" })))
  )
})

describe("after a policy change", () => {
  // The same stores, seen by a help desk on the default policies and by one on stricter ones:
  // the first reply of a normal ticket in 1 business hour, warned at 75%.
  const strict: SlaPolicy.PolicySet = {
    policies: [],
    default: {
      ...SlaPolicy.defaultPolicySet.default,
      targets: { first_reply: { normal: { minutes: 60, clock: "business" } } }
    }
  }

  it.effect("recomputeSla records what the new policy makes due, once, and the old one saw nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
      const before = yield* Helpdesk.make({ workspaceId: "acme" }, { sla })
      const after = yield* Helpdesk.make({ workspaceId: "acme" }, { sla: { ...sla, policies: strict } })
      const ticket = yield* janeWrites(before)
      yield* TestClock.setTime(Date.parse("2026-11-27T18:00:00Z"))
      assert.strictEqual(yield* before.runDueTimers(), 0)
      // Friday 17:00–18:00 Paris is the one business hour: warned at 16:45Z, breached at 17:00Z.
      assert.strictEqual(yield* after.recomputeSla(ticket.publicId), 2)
      assert.strictEqual(yield* after.recomputeSla(ticket.id), 0)
      assert.deepStrictEqual(yield* slaEvents(before, ticket.id), [
        "SlaWarningReached first_reply#1 2026-11-27T16:45:00.000Z (standard)",
        "SlaBreached first_reply#1 2026-11-27T17:00:00.000Z (standard)"
      ])
      assert.strictEqual(yield* before.recomputeSla(ticket.id), 0)
    }).pipe(
      Effect.provide(Layer.merge(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential" }), layerSequential))
    )
  )
})
