/**
 * The "streams" part of the `TicketStore` suite: a stream never written reads empty at version
 * 0, an append at the expected version returns the new version and reads back the same events
 * (as the codec gives them back), and a stale expected version is `VersionConflict` that writes
 * nothing; `loadMany` and `loadIfChanged` answer as `load` does.
 */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Fixtures from "../internal/fixtures.js"
import { type Settings, withStore } from "./Support.js"

const { failureOf, moved, opened, replied, retagged, ticketIn } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/**
 * Registers the "streams" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, _settings: Settings): void => {
  describe("streams", () => {
    it("reading or loading a stream that was never written gives version 0, no events and no state", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          expect(yield* store.read(ticketIn(ws, "never-written"))).toEqual({ events: [], version: 0 })
          expect(yield* store.load(ticketIn(ws, "never-written"))).toEqual({ state: undefined, version: 0 })
        })
      ))

    it("an append at the expected version returns the new version, and the stream reads back the same events in order", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          const other = ticketIn(ws, "t2")
          const events = [
            opened(ws, id, 1),
            replied(id, 5, "Could you send the VPN client's log? « Merci »"),
            retagged(id, 6, ["vpn_client", "été"], ["vpn"]),
            moved(id, 7, "new", "pending")
          ]
          expect(yield* store.append(id, 0, events.slice(0, 1))).toBe(1)
          expect(yield* store.append(id, 1, events.slice(1))).toBe(4)
          expect(yield* store.append(other, 0, [opened(ws, other, 2)])).toBe(1)
          expect(yield* store.read(id)).toEqual({ events, version: 4 })
          expect((yield* store.read(other)).version).toBe(1)
        })
      ))

    it("an append with a stale expected version fails with VersionConflict and writes nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          const events = [opened(ws, id, 1), replied(id, 5, "On it.")]
          yield* store.append(id, 0, events)
          for (const stale of [0, 1, 3]) {
            const error = yield* failureOf(store.append(id, stale, [retagged(id, 9, ["late"], [])]))
            expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: id, expected: stale, actual: 2 })
          }
          expect(yield* store.read(id)).toEqual({ events, version: 2 })
          const empty = ticketIn(ws, "t2")
          const ahead = yield* failureOf(store.append(empty, 1, [opened(ws, empty, 2)]))
          expect(ahead).toMatchObject({ _tag: "VersionConflict", ticketId: empty, expected: 1, actual: 0 })
          expect(yield* store.read(empty)).toEqual({ events: [], version: 0 })
        })
      ))

    it("loadMany gives load of each stream in the order asked, repeats and unwritten streams included", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [a, b, never] = [ticketIn(ws, "t1"), ticketIn(ws, "t2"), ticketIn(ws, "never-written")]
          yield* store.append(a, 0, [opened(ws, a, 1), replied(a, 5, "First « réponse »")])
          yield* store.append(b, 0, [opened(ws, b, 2)])
          yield* store.append(b, 1, [retagged(b, 6, ["vpn"], [])])
          const order = [b, never, a, b]
          const one = yield* Effect.forEach(order, (id) => store.load(id))
          expect(yield* store.loadMany(order)).toEqual(one)
          expect(one.map((l) => l.version)).toEqual([2, 0, 2, 2])
          expect(yield* store.loadMany([])).toEqual([])
        })
      ))

    it("loadIfChanged gives nothing while the stream is at the version given, and load once it is not", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          expect(yield* store.loadIfChanged(id, 0)).toBeUndefined()
          expect(yield* store.loadIfChanged(id, 3)).toEqual({ state: undefined, version: 0 })
          yield* store.append(id, 0, [opened(ws, id, 1)])
          expect(yield* store.loadIfChanged(id, 1)).toBeUndefined()
          expect(yield* store.loadIfChanged(id, 0)).toEqual(yield* store.load(id))
          yield* store.append(id, 1, [replied(id, 5, "Another process wrote this")])
          const changed = yield* store.loadIfChanged(id, 1)
          expect(changed?.version).toBe(2)
          expect(changed).toEqual(yield* store.load(id))
          expect(yield* store.loadIfChanged(id, 2)).toBeUndefined()
        })
      ))
  })
}
