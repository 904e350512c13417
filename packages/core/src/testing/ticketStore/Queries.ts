/**
 * The "queries" part of the `TicketStore` suite: examples of workspace isolation, of the
 * projection following appends, of the SLA due time an append sets and of cursors; and
 * properties over random tickets and random queries (filters, ranges, sorts, word searches)
 * and over several workspaces, each page compared with the reference (`TicketQuery.run`). The
 * data is written straight to the store, so a failure names the store's own calls.
 */
import { DateTime, Effect, Option } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as TicketQuery from "../../query/TicketQuery.js"
import * as Ticket from "../../ticket/Ticket.js"
import type { ContactId, TicketId, WorkspaceId } from "../../values/Ids.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import { querySpec, resolveQuery } from "./QuerySpecs.js"
import { richSeed, type SeedTicket, seed, seedTicket, slaChange } from "./Seeds.js"
import { expectAnswer, type Known, propertyParams, type Settings, withStore } from "./Support.js"

const { failureOf, minutesLater, moved, noted, opened, retagged, show, ticketIn } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/**
 * Random tickets (times, SLA due times set, moved and cleared, words with case and accents) in
 * one workspace, with another workspace's beside them, and random queries on them (the
 * directory filters, created/updated ranges, SLA due before, every sort and direction, searches
 * for words, prefixes, variants and absent words), page by page: the reference's pages.
 */
const queryConformance = async <E>(layer: Fixtures.StoreLayer<E>, settings: Settings) =>
  Fixtures.withBuiltPorts(layer, (built) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(richSeed, { minLength: 3, maxLength: 12 }),
        fc.array(richSeed, { maxLength: 4 }),
        fc.array(slaChange, { maxLength: 4 }),
        fc.array(fc.tuple(querySpec, fc.integer({ min: 1, max: 5 })), { minLength: 3, maxLength: 6 }),
        (mine, theirs, changes, queries) => {
          const recorder = StoreCalls.record(built.tickets)
          return StoreCalls.explained(recorder, "this run", async () => {
            const store = recorder.store
            const [ws, other] = [await Effect.runPromise(freshWorkspace), await Effect.runPromise(freshWorkspace)]
            const seedAll = (w: WorkspaceId, seeds: ReadonlyArray<SeedTicket>) =>
              Effect.forEach(seeds, (s, i) => seedTicket(store, w, ticketIn(w, `t${i}`), { ...s, publicId: i + 1 }))
            const known = [...(await Effect.runPromise(seedAll(ws, mine)))]
            const others = await Effect.runPromise(seedAll(other, theirs))
            for (const [n, change] of changes.entries()) {
              const i = change.pick % known.length
              const { ticket } = known[i] as Known
              const due = change.due === null ? null : minutesLater(change.due)
              const note = noted(ticket.id, minutesLater(200 + n), "SLA moved", `${ticket.id}.sla${n}`)
              await Effect.runPromise(store.append(ticket.id, ticket.version, [note], { slaDueAt: due }))
              const { events } = await Effect.runPromise(store.read(ticket.id))
              known[i] = { ticket: Ticket.fold(events) as Ticket.Ticket, slaDueAt: due ?? undefined }
            }
            for (const [spec, limit] of queries) {
              await expectAnswer(store, ws, resolveQuery(spec, [...known, ...others]), limit, known)
            }
          })
        }
      ),
      propertyParams(settings)
    )
  )

/**
 * Random tickets in 2–3 workspaces of one store, with the same numbers, people and words in
 * each: no query of one workspace returns another's ticket (and each returns the reference's
 * answer for its own), a number resolves only to the workspace's own ticket, and drawing
 * numbers in one workspace leaves another's sequence as it would be alone.
 */
const workspaceIsolation = async <E>(layer: Fixtures.StoreLayer<E>, settings: Settings) =>
  Fixtures.withBuiltPorts(layer, (built) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.uniqueArray(seed, { selector: (t) => t.publicId, maxLength: 5 }), { minLength: 2, maxLength: 3 }),
        fc.array(querySpec, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (data, specs, limit, draws) => {
          const recorder = StoreCalls.record(built.tickets)
          return StoreCalls.explained(recorder, "this run", async () => {
            const store = recorder.store
            const spaces = await Effect.runPromise(Effect.forEach(data, () => freshWorkspace))
            const known = await Effect.runPromise(
              Effect.forEach(data, (seeds, w) =>
                Effect.forEach(seeds, (s, i) =>
                  seedTicket(store, spaces[w] as WorkspaceId, ticketIn(spaces[w] as WorkspaceId, `t${i}`), s)
                )
              )
            )
            const everyone = known.flat()
            for (const [w, ws] of spaces.entries()) {
              const own = known[w] as ReadonlyArray<Known>
              for (const spec of [{ filters: {}, instants: [] }, ...specs]) {
                const query = resolveQuery(spec, everyone)
                for (const item of await expectAnswer(store, ws, query, limit, own)) {
                  expect(item.workspaceId, `query(${ws}, ${show(query)}) returned ${item.id}`).toBe(ws)
                }
              }
              for (const other of everyone) {
                const holder = await Effect.runPromise(store.resolve(ws, other.ticket.publicId))
                const mine = own.find((k) => k.ticket.publicId === other.ticket.publicId)?.ticket.id
                expect(Option.getOrUndefined(holder), `number ${other.ticket.publicId} in ${ws}`).toBe(mine)
              }
            }
            // Two empty workspaces: one draws among the others' draws, one alone; same numbers.
            const [mixed, alone] = [await Effect.runPromise(freshWorkspace), await Effect.runPromise(freshWorkspace)]
            const targets = [...spaces, mixed]
            const drawn = new Map<WorkspaceId, Array<number>>(targets.map((ws) => [ws, []]))
            for (const d of draws) {
              const ws = targets[d % targets.length] as WorkspaceId
              drawn.get(ws)?.push(await Effect.runPromise(store.nextPublicId(ws)))
            }
            const mixedDraws = drawn.get(mixed) ?? []
            const aloneDraws = await Effect.runPromise(Effect.forEach(mixedDraws, () => store.nextPublicId(alone)))
            expect(mixedDraws, "an empty workspace's numbers do not depend on other workspaces' draws").toEqual(
              aloneDraws
            )
            for (const [w, ws] of spaces.entries()) {
              const numbers = drawn.get(ws) ?? []
              const used = (known[w] as ReadonlyArray<Known>).map((k) => k.ticket.publicId)
              expect(new Set(numbers).size, `numbers drawn in ${ws}`).toBe(numbers.length)
              for (const n of numbers) expect(used, `${n} drawn in ${ws}`).not.toContain(n)
            }
          })
        }
      ),
      propertyParams(settings)
    )
  )

/**
 * Registers the "queries" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { timeout } = settings
  describe("queries", () => {
    it("a query in one workspace never returns another workspace's tickets", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const [a, b, empty] = [yield* freshWorkspace, yield* freshWorkspace, yield* freshWorkspace]
          const inA = [1, 2, 3].map((n) => ticketIn(a, `t${n}`))
          const inB = [1, 2].map((n) => ticketIn(b, `t${n}`))
          for (const [n, id] of inA.entries()) yield* store.append(id, 0, [opened(a, id, n + 1, "jane")])
          for (const [n, id] of inB.entries()) yield* store.append(id, 0, [opened(b, id, n + 1, "omar")])
          expect((yield* store.query(a, {})).items.map((t) => t.id)).toEqual(inA)
          expect((yield* store.query(b, {})).items.map((t) => t.id)).toEqual(inB)
          expect(yield* store.query(a, { requester: "omar" as ContactId })).toEqual({
            items: [],
            nextCursor: undefined
          })
          expect(yield* store.query(empty, {})).toEqual({ items: [], nextCursor: undefined })
        })
      ))

    it("the projection follows appends: queries see the latest state", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "t1")
          yield* store.append(id, 0, [opened(ws, id, 1)])
          yield* store.append(id, 1, [moved(id, 3, "new", "solved"), retagged(id, 4, ["fixed"], ["vpn"])])
          const { events } = yield* store.read(id)
          const solved = yield* store.query(ws, { category: ["solved"], tagsAll: ["fixed"] })
          expect(solved.items).toEqual([TicketQuery.summarize(Ticket.fold(events) as Ticket.Ticket)])
          expect(solved.items[0]).toMatchObject({ status: "solved", tags: ["fixed"], version: 3 })
          expect((yield* store.query(ws, { category: ["new"] })).items).toEqual([])
        })
      ))

    it("an append's slaDueAt sets the due time queues sort on; absent keeps it, null clears it, a failed append leaves it", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [late, soon, none] = ["late", "soon", "none"].map((n) => ticketIn(ws, n)) as [
            TicketId,
            TicketId,
            TicketId
          ]
          yield* store.append(late, 0, [opened(ws, late, 1)], { slaDueAt: minutesLater(90) })
          yield* store.append(soon, 0, [opened(ws, soon, 2)], { slaDueAt: minutesLater(30) })
          yield* store.append(none, 0, [opened(ws, none, 3)])
          const order = (direction: "asc" | "desc") =>
            Effect.map(store.query(ws, { sort: "sla_due", direction }), (page) =>
              page.items.map((t) => [t.id, t.slaDueAt === undefined ? undefined : DateTime.formatIso(t.slaDueAt)])
            )
          expect(yield* order("asc")).toEqual([
            [soon, "2026-03-09T13:30:00.000Z"],
            [late, "2026-03-09T14:30:00.000Z"],
            [none, undefined]
          ])
          expect(
            (yield* order("desc")).map(([id]) => id),
            "no due time sorts last either way"
          ).toEqual([late, soon, none])
          const dueBefore = (minutes: number) =>
            Effect.map(store.query(ws, { slaDueBefore: minutesLater(minutes) }), (page) => page.items.map((t) => t.id))
          expect(yield* dueBefore(30), "strictly before").toEqual([])
          expect(yield* dueBefore(31)).toEqual([soon])
          yield* store.append(soon, 1, [retagged(soon, 5, ["urgent"], [])])
          expect(yield* dueBefore(31), "an append without slaDueAt keeps it").toEqual([soon])
          const conflict = yield* failureOf(store.append(soon, 0, [retagged(soon, 6, ["x"], [])], { slaDueAt: null }))
          expect(conflict._tag).toBe("VersionConflict")
          const taken = yield* failureOf(
            store.append(ticketIn(ws, "dup"), 0, [opened(ws, ticketIn(ws, "dup"), 1)], { slaDueAt: minutesLater(1) })
          )
          expect(taken._tag).toBe("PublicIdTaken")
          expect(yield* dueBefore(31), "a failed append changes no due time").toEqual([soon])
          yield* store.append(soon, 2, [retagged(soon, 7, [], ["urgent"])], { slaDueAt: null })
          expect(yield* dueBefore(1000), "null clears it").toEqual([late])
          yield* store.append(none, 1, [retagged(none, 8, ["vip"], [])], { slaDueAt: minutesLater(10) })
          expect(yield* order("asc")).toEqual([
            [none, "2026-03-09T13:10:00.000Z"],
            [late, "2026-03-09T14:30:00.000Z"],
            [soon, undefined]
          ])
        })
      ))

    it("a cursor the store did not issue for this ordering fails with InvalidCursor", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          for (const n of [1, 2, 3]) {
            const id = ticketIn(ws, `t${n}`)
            yield* store.append(id, 0, [opened(ws, id, n)])
          }
          const garbage = yield* failureOf(store.query(ws, { cursor: "not-a-cursor" }))
          expect(garbage._tag).toBe("InvalidCursor")
          const page = yield* store.query(ws, { limit: 1 })
          expect(page.nextCursor).toBeTypeOf("string")
          const reversed = yield* failureOf(
            store.query(ws, { limit: 1, direction: "desc", cursor: page.nextCursor as string })
          )
          expect(reversed._tag).toBe("InvalidCursor")
        })
      ))

    it(
      "random queries (ranges, SLA due, every sort, word searches) over random tickets give the reference's pages",
      () => queryConformance(layer, settings),
      timeout
    )

    it(
      "random data in 2–3 workspaces: no query, number or sequence of one workspace reaches another's",
      () => workspaceIsolation(layer, settings),
      timeout
    )
  })
}
