/**
 * The "public ids" part of the `TicketStore` suite: `nextPublicId` never hands out a number twice,
 * each workspace has its own sequence, a number a ticket holds is skipped, `resolve` finds a
 * ticket only in its own workspace, and an opening whose number is taken is `PublicIdTaken`.
 */
import { Effect, Option } from "effect"
import { describe, expect, it } from "vitest"
import type { PublicId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import { type Settings, withStore } from "./Support.js"

const { failureOf, opened, replied, ticketIn } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/**
 * Registers the "public ids" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, _settings: Settings): void => {
  describe("public ids", () => {
    it("nextPublicId never hands out the same number twice in a workspace", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const numbers = yield* Effect.forEach(Array.from({ length: 25 }), () => store.nextPublicId(ws))
          expect(new Set(numbers).size).toBe(numbers.length)
          for (const n of numbers) expect(Number.isSafeInteger(n) && n >= 1, `${n}`).toBe(true)
        })
      ))

    it("each workspace numbers its tickets on its own: draws in one do not change another's sequence", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b, c] = [yield* freshWorkspace, yield* freshWorkspace, yield* freshWorkspace]
          const fromA: Array<number> = []
          const fromB: Array<number> = []
          for (let i = 0; i < 4; i++) {
            fromA.push(yield* store.nextPublicId(a))
            fromA.push(yield* store.nextPublicId(a))
            fromB.push(yield* store.nextPublicId(b))
          }
          const fromC: Array<number> = []
          for (let i = 0; i < 4; i++) fromC.push(yield* store.nextPublicId(c))
          expect(fromB).toEqual(fromC)
          expect(fromA.slice(0, 4)).toEqual(fromC)
        })
      ))

    it("nextPublicId skips a number a ticket already holds", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const first = yield* store.nextPublicId(ws)
          const id = ticketIn(ws, "t1")
          yield* store.append(id, 0, [opened(ws, id, first + 1)])
          const next = yield* store.nextPublicId(ws)
          expect([first, first + 1]).not.toContain(next)
        })
      ))

    it("resolve finds a ticket by its public id only in its own workspace", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
          const id = ticketIn(a, "t1")
          yield* store.append(id, 0, [opened(a, id, 7)])
          expect(Option.getOrUndefined(yield* store.resolve(a, 7 as PublicId))).toBe(id)
          expect(Option.isNone(yield* store.resolve(b, 7 as PublicId))).toBe(true)
          expect(Option.isNone(yield* store.resolve(a, 8 as PublicId))).toBe(true)
        })
      ))

    it("a TicketOpened whose public id is taken in its workspace fails with PublicIdTaken and appends nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const a = yield* freshWorkspace
          const first = ticketIn(a, "t1")
          const second = ticketIn(a, "t2")
          yield* store.append(first, 0, [opened(a, first, 42)])
          const error = yield* failureOf(
            store.append(second, 0, [opened(a, second, 42, "omar"), replied(second, 1, "Hello")])
          )
          expect(error).toMatchObject({ _tag: "PublicIdTaken", workspaceId: a, publicId: 42 })
          expect(yield* store.read(second)).toEqual({ events: [], version: 0 })
          expect(Option.getOrUndefined(yield* store.resolve(a, 42 as PublicId))).toBe(first)
          expect((yield* store.query(a, {})).items.map((t) => t.id)).toEqual([first])
        })
      ))

    it("the same public id in another workspace is fine", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
          const inA = ticketIn(a, "t1")
          const inB = ticketIn(b, "t1")
          yield* store.append(inA, 0, [opened(a, inA, 42)])
          expect(yield* store.append(inB, 0, [opened(b, inB, 42)])).toBe(1)
          expect(Option.getOrUndefined(yield* store.resolve(a, 42 as PublicId))).toBe(inA)
          expect(Option.getOrUndefined(yield* store.resolve(b, 42 as PublicId))).toBe(inB)
        })
      ))
  })
}
