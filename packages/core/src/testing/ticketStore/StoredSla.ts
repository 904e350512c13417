/**
 * The "storedSla" part of the `TicketStore` suite: what a store keeps beside a ticket's snapshot
 * for the help desk, its SLA fold (`AppendEffects.sla`), is written in the same unit of work as
 * the append that gives it, returned by `load` with the version that append ended on, left as it
 * is by appends that give none, and never written by a refused append. A store that keeps no fold
 * (the help desk then replays each ticket once per process) leaves this part out.
 */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as Fixtures from "../internal/fixtures.js"
import { type Settings, withStore } from "./Support.js"

const { freshWorkspace, moved, opened, replied, ticketIn } = Fixtures

/** A value as the help desk writes one: opaque JSON text, different for each version. */
const fold = (version: number) => JSON.stringify({ v: 1, note: `as of ${version}`, padding: "é".repeat(version) })

/**
 * Registers the "storedSla" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, _settings: Settings): void => {
  describe("storedSla", () => {
    it("a ticket appended without a fold loads without one", () =>
      withStore(layer, (tickets) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          yield* tickets.append(id, 0, [opened(ws, id, 1)])
          expect((yield* tickets.load(id)).sla).toBeUndefined()
        })
      ))

    it("load returns the fold of the last append that gave one, with the version it ended on", () =>
      withStore(layer, (tickets) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          yield* tickets.append(id, 0, [opened(ws, id, 1)], { sla: fold(1) })
          expect((yield* tickets.load(id)).sla).toEqual({ value: fold(1), version: 1 })
          yield* tickets.append(id, 1, [replied(id, 5, "Any news?"), moved(id, 6, "new", "open")], { sla: fold(3) })
          const loaded = yield* tickets.load(id)
          expect(loaded.version).toBe(3)
          expect(loaded.sla).toEqual({ value: fold(3), version: 3 })
        })
      ))

    it("an append that gives no fold leaves the stored one, at the version it was written", () =>
      withStore(layer, (tickets) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          yield* tickets.append(id, 0, [opened(ws, id, 1)], { sla: fold(1) })
          yield* tickets.append(id, 1, [replied(id, 5, "Any news?")])
          const loaded = yield* tickets.load(id)
          expect(loaded.version).toBe(2)
          expect(loaded.sla).toEqual({ value: fold(1), version: 1 })
        })
      ))

    it("a refused append writes no fold", () =>
      withStore(layer, (tickets) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          yield* tickets.append(id, 0, [opened(ws, id, 1)], { sla: fold(1) })
          const stale = yield* Effect.exit(tickets.append(id, 0, [replied(id, 5, "Late.")], { sla: fold(2) }))
          expect(Exit.isFailure(stale)).toBe(true)
          expect((yield* tickets.load(id)).sla).toEqual({ value: fold(1), version: 1 })
        })
      ))

    it("appendAll keeps each stream's fold, all or nothing", () =>
      withStore(layer, (tickets) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [a, b] = [ticketIn(ws, "a"), ticketIn(ws, "b")]
          yield* tickets.appendAll([
            { ticketId: a, expectedVersion: 0, events: [opened(ws, a, 1)], effects: { sla: fold(1) } },
            { ticketId: b, expectedVersion: 0, events: [opened(ws, b, 2)], effects: { sla: fold(10) } }
          ])
          expect((yield* tickets.load(a)).sla).toEqual({ value: fold(1), version: 1 })
          expect((yield* tickets.load(b)).sla).toEqual({ value: fold(10), version: 1 })
          // b is not at version 0 any more: nothing of the batch is written, a's fold neither.
          const refused = yield* Effect.exit(
            tickets.appendAll([
              { ticketId: a, expectedVersion: 1, events: [replied(a, 5, "Hello?")], effects: { sla: fold(2) } },
              { ticketId: b, expectedVersion: 0, events: [replied(b, 5, "Hello?")], effects: { sla: fold(20) } }
            ])
          )
          expect(Exit.isFailure(refused)).toBe(true)
          expect((yield* tickets.load(a)).sla).toEqual({ value: fold(1), version: 1 })
        })
      ))
  })
}
