import { Actor, Helpdesk } from "@tessera/core"
import { DateTime, Effect } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import * as ExpectedResponse from "../src/ExpectedResponse.js"
import { layer, people } from "./support/desk.js"

// Friday 4 December 2026, 19:30 in Paris: the office closed at 18:00 and reopens Monday 09:00.
const fridayEvening = "2026-12-04T18:30:00Z"

const openHigh = Effect.gen(function* () {
  yield* people
  const desk = yield* Helpdesk.Helpdesk
  const ticket = yield* desk.open({
    requester: { id: "con_jane" },
    subject: "Printer on fire",
    text: "The printer is on fire.",
    channel: "email",
    priority: "high"
  })
  return { desk, ticket, explanations: yield* desk.asSystem("test").explainDue(ticket.id) }
})

describe("ExpectedResponse with a real business calendar", () => {
  it("a Friday-evening ticket is promised an answer within 4 business hours, by Monday afternoon", async () => {
    const { explanations } = await Effect.runPromise(openHigh.pipe(Effect.provide(layer(fridayEvening))))
    const promise = ExpectedResponse.pick(explanations, DateTime.makeUnsafe(fridayEvening))
    expect(promise?.target).toEqual({ minutes: 240, clock: "business" })
    // Monday 09:00-12:00 counts 3 hours, 14:00-15:00 the fourth.
    expect(promise && DateTime.formatIso(promise.dueAt)).toBe("2026-12-07T14:00:00.000Z")
    const now = DateTime.makeUnsafe(fridayEvening)
    expect(ExpectedResponse.expected(promise, { language: "en", timeZone: "Europe/Paris" }, now)).toBe(
      "within 4 business hours, by Monday 15:00"
    )
    expect(ExpectedResponse.expected(promise, { language: "fr", timeZone: "Europe/Paris" }, now)).toBe(
      "sous 4 heures ouvrées, d'ici lundi 15:00"
    )
    // The same instant on a requester's clock in New York.
    expect(ExpectedResponse.expected(promise, { language: "en-US", timeZone: "America/New_York" }, now)).toBe(
      "within 4 business hours, by Monday 09:00"
    )
  })

  it("once the first reply went out, nothing is promised any more", async () => {
    const explanations = await Effect.runPromise(
      Effect.gen(function* () {
        const { desk, ticket } = yield* openHigh
        yield* TestClock.adjust("30 minutes")
        yield* desk.reply({ ticket: ticket.id, by: Actor.agent("agt_mary"), text: "On it." })
        return yield* desk.asSystem("test").explainDue(ticket.id)
      }).pipe(Effect.provide(layer(fridayEvening)))
    )
    expect(explanations.some((e) => e.metric === "first_reply" && e.fulfilledAt !== undefined)).toBe(true)
    const later = DateTime.makeUnsafe("2026-12-04T19:00:00Z")
    expect(ExpectedResponse.pick(explanations, later)).toBeUndefined()
    expect(ExpectedResponse.expected(undefined, { language: "fr", timeZone: "Europe/Paris" })).toBe(
      "dans les meilleurs délais"
    )
  })
})

describe("ExpectedResponse phrasing", () => {
  const due = DateTime.makeUnsafe("2026-12-07T14:00:00Z")
  const paris = { language: "en", timeZone: "Europe/Paris" }

  it("writes amounts in business or calendar terms, singular and plural, in English and French", () => {
    expect(ExpectedResponse.formatTarget({ minutes: 60, clock: "business" }, "en")).toBe("1 business hour")
    expect(ExpectedResponse.formatTarget({ minutes: 30, clock: "business" }, "en")).toBe("30 business minutes")
    expect(ExpectedResponse.formatTarget({ minutes: 90, clock: "calendar" }, "en")).toBe("90 minutes")
    expect(ExpectedResponse.formatTarget({ minutes: 2880, clock: "calendar" }, "en")).toBe("2 days")
    expect(ExpectedResponse.formatTarget({ minutes: 60, clock: "business" }, "fr")).toBe("1 heure ouvrée")
    expect(ExpectedResponse.formatTarget({ minutes: 1440, clock: "calendar" }, "fr")).toBe("1 jour")
    expect(ExpectedResponse.formatTarget({ minutes: 45, clock: "business" }, "fr-CA")).toBe("45 minutes ouvrées")
  })

  it("names the date when the due time is a week away or more", () => {
    const now = DateTime.makeUnsafe("2026-11-30T08:00:00Z")
    expect(ExpectedResponse.formatDue(due, paris, now)).toBe("Monday, December 7 15:00")
    expect(ExpectedResponse.formatDue(due, { ...paris, language: "en-GB" }, now)).toBe("Monday 7 December 15:00")
    expect(ExpectedResponse.formatDue(due, { ...paris, language: "fr" }, now)).toBe("lundi 7 décembre 15:00")
  })

  it("an odd language reads English and an unknown time zone reads UTC, never a failure", () => {
    expect(ExpectedResponse.formatDue(due, { language: "x-klingon!", timeZone: "Mars/Olympus" })).toBe("Monday 14:00")
  })
})
