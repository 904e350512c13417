/**
 * The "batches" part of the `TicketStore` suite: `appendAll` writes several streams all or
 * nothing, returns versions in batch order, refuses the whole batch for the first stale entry
 * (in batch order) or a public number taken or claimed twice, treats an entry without events as
 * a version check, dies on a stream named twice (a defect of the caller), and loses no update
 * under concurrent read-modify-write batches.
 */
import { Cause, Effect, Exit, Option, Random } from "effect"
import { describe, expect, it } from "vitest"
import type { OutboxMessage } from "../../ports/Outbox.js"
import type { AppendRequest } from "../../ports/TicketStore.js"
import type { Timer } from "../../ports/Timers.js"
import * as TicketQuery from "../../query/TicketQuery.js"
import * as Ticket from "../../ticket/Ticket.js"
import type { PublicId, TicketId } from "../../values/Ids.js"
import * as Limits from "../../values/Limits.js"
import * as Fixtures from "../internal/fixtures.js"
import { readStream, type Settings, type Store, withStore } from "./Support.js"

const { failureOf, minutesLater, moved, noted, opened, replied, retagged, ticketIn } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/** Writers, batches each and streams of the concurrent-batches test. */
const batchWriters = 8
const batchesPerWriter = 30
const batchStreams = 5

/**
 * Concurrent writers that each read two of five streams and append a note to both in one batch,
 * retrying on `VersionConflict`. A note says which version of its stream its writer read, so
 * in every stream the note at version `v + 1` must have been decided at `v`: a batch that went
 * through on a stale read would break the chain. Every batch is in exactly once, on both streams.
 */
const concurrentBatches = (store: Store): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const streams = Array.from({ length: batchStreams }, (_, n) => ticketIn(ws, `s${n}`))
    for (const [n, id] of streams.entries()) yield* store.append(id, 0, [opened(ws, id, n + 1)])
    let conflicts = 0
    const batch = (writer: number, count: number) =>
      Effect.gen(function* () {
        const first = yield* Random.nextIntBetween(0, batchStreams - 1)
        const second = (first + (yield* Random.nextIntBetween(1, batchStreams - 1))) % batchStreams
        const pair = [streams[first], streams[second]] as [TicketId, TicketId]
        for (let attempt = 0; attempt < 1_000; attempt++) {
          const read = [(yield* store.load(pair[0])).version, (yield* store.load(pair[1])).version]
          // Between the read and the write, other writers may go first.
          yield* Effect.yieldNow
          const requests = pair.map((id, k) => {
            const version = read[k] as number
            const note = noted(id, minutesLater(count), `w${writer}b${count}@${version}`, `${id}.w${writer}b${count}`)
            return { ticketId: id, expectedVersion: version, events: [note] }
          })
          const result = yield* Effect.result(store.appendAll(requests))
          if (result._tag === "Success") {
            expect(result.success, "the versions of a batch, in batch order").toEqual(read.map((v) => v + 1))
            return
          }
          if (result.failure._tag !== "VersionConflict") return yield* Effect.fail(result.failure)
          conflicts++
        }
        return yield* Effect.die(new Error(`batch w${writer}b${count} conflicted 1000 times`))
      })
    yield* Effect.forEach(
      Array.from({ length: batchWriters }, (_, w) => w),
      (writer) =>
        Effect.forEach(
          Array.from({ length: batchesPerWriter }, (_, i) => i),
          (count) => batch(writer, count)
        ),
      { concurrency: batchWriters }
    )
    const written: Array<string> = []
    for (const id of streams) {
      const [opening, ...notes] = (yield* readStream(store, id)).events
      expect(opening?._tag, `${id} opens with TicketOpened`).toBe("TicketOpened")
      notes.forEach((event, index) => {
        const text = event._tag === "NoteAdded" ? event.message.text : event._tag
        const [name, decidedAt] = text.split("@")
        expect(decidedAt, `${id} version ${index + 2} (${text}) was decided on a stale read`).toBe(String(index + 1))
        written.push(name as string)
      })
    }
    expect(written.length, "notes written: two per batch").toBe(batchWriters * batchesPerWriter * 2)
    const perBatch = new Map<string, number>()
    for (const name of written) perBatch.set(name, (perBatch.get(name) ?? 0) + 1)
    expect(perBatch.size, "batches written").toBe(batchWriters * batchesPerWriter)
    expect(
      [...perBatch.values()].every((n) => n === 2),
      "every batch on both its streams"
    ).toBe(true)
    expect(conflicts, "the writers never conflicted: the test proved nothing").toBeGreaterThan(0)
  }).pipe(Random.withSeed(3))

/**
 * Registers the "batches" part of the suite on stores built from `layer`.
 */
export const register = <E>(layer: Fixtures.StoreLayer<E>, settings: Settings): void => {
  const { timeout } = settings
  describe("batches", () => {
    it("a batch over several streams appends to each and returns their versions in batch order; read, load and queries see them", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          // Batch order (b, c, a) is neither the ids' order nor the order the streams were made.
          const [a, b, c] = ["a", "b", "c"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
          const beforeA = [opened(ws, a, 1)]
          const beforeB = [opened(ws, b, 2, "omar"), replied(b, 1, "Looking into it.")]
          yield* store.append(a, 0, beforeA)
          yield* store.append(b, 0, beforeB)
          const toA = [
            replied(a, 5, "Fixed on our side."),
            retagged(a, 6, ["fixed"], ["vpn"]),
            moved(a, 7, "new", "solved")
          ]
          const toB = [moved(b, 3, "new", "pending")]
          const toC = [opened(ws, c, 3, "lee"), retagged(c, 4, ["vip"], [])]
          const versions = yield* store.appendAll([
            { ticketId: b, expectedVersion: 2, events: toB },
            { ticketId: c, expectedVersion: 0, events: toC },
            { ticketId: a, expectedVersion: 1, events: toA }
          ])
          expect(versions).toEqual([3, 2, 4])
          expect(yield* readStream(store, a)).toEqual({ events: [...beforeA, ...toA], version: 4 })
          expect(yield* readStream(store, b)).toEqual({ events: [...beforeB, ...toB], version: 3 })
          expect(yield* readStream(store, c)).toEqual({ events: toC, version: 2 })
          const folds = [a, b, c].map((id) =>
            TicketQuery.summarize(
              Ticket.fold(id === a ? [...beforeA, ...toA] : id === b ? [...beforeB, ...toB] : toC) as Ticket.Ticket
            )
          )
          const byId = (items: ReadonlyArray<TicketQuery.TicketSummary>) =>
            [...items].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
          expect(byId((yield* store.query(ws, {})).items)).toEqual(folds)
          const ids = (query: TicketQuery.TicketQuery) =>
            Effect.map(store.query(ws, query), (page) => page.items.map((t) => t.id))
          expect(yield* ids({ category: ["solved"], tagsAll: ["fixed"] })).toEqual([a])
          expect(yield* ids({ category: ["pending"] })).toEqual([b])
          expect(yield* ids({ tagsAny: ["vip"] })).toEqual([c])
          expect(Option.getOrUndefined(yield* store.resolve(ws, 3 as PublicId))).toBe(c)
        })
      ))

    it("a stale version on the last entry fails the batch with VersionConflict: no stream, timer, outbox message or due time is written", () =>
      Fixtures.withPorts(layer, ({ tickets: store, timers, outbox }) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [a, b, c] = ["a", "b", "c"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
          yield* store.append(a, 0, [opened(ws, a, 1)])
          yield* store.append(b, 0, [opened(ws, b, 2)])
          const [beforeA, beforeB] = [yield* store.read(a), yield* store.read(b)]
          const channel = `${ws}:email`
          const timer: Timer = {
            id: `${c}:sla`,
            workspaceId: ws,
            ticketId: c,
            purpose: "sla",
            dueAt: minutesLater(30)
          }
          const message: OutboxMessage = {
            id: `${c}:welcome`,
            workspaceId: ws,
            ticketId: c,
            channel,
            payload: { to: "lee@example.com" },
            createdAt: minutesLater(1)
          }
          const batch = (staleB: number): ReadonlyArray<AppendRequest> => [
            {
              ticketId: c,
              expectedVersion: 0,
              events: [opened(ws, c, 3, "lee")],
              effects: { timers: [timer], outbox: [message], slaDueAt: minutesLater(30) }
            },
            {
              ticketId: a,
              expectedVersion: 1,
              events: [replied(a, 5, "On it.")],
              effects: { slaDueAt: minutesLater(60) }
            },
            { ticketId: b, expectedVersion: staleB, events: [moved(b, 6, "new", "pending")] }
          ]
          for (const stale of [0, 2]) {
            const error = yield* failureOf(store.appendAll(batch(stale)))
            expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: b, expected: stale, actual: 1 })
          }
          expect(yield* readStream(store, a)).toEqual(beforeA)
          expect(yield* readStream(store, b)).toEqual(beforeB)
          expect(yield* readStream(store, c)).toEqual({ events: [], version: 0 })
          expect(Option.isNone(yield* store.resolve(ws, 3 as PublicId))).toBe(true)
          const later = minutesLater(600)
          expect(yield* timers.claimDue(ws, later, 10, 1), "no timer of the failed batch").toEqual([])
          expect(yield* outbox.claim(channel, later, 10, 1), "no message of the failed batch").toEqual([])
          expect(yield* store.query(ws, { slaDueBefore: later }), "no due time of the failed batch").toEqual({
            items: [],
            nextCursor: undefined
          })
          // The same batch at the current versions goes through, effects and all.
          expect(yield* store.appendAll(batch(1))).toEqual([1, 2, 2])
          expect((yield* timers.claimDue(ws, later, 10, 1)).map((t) => t.id)).toEqual([timer.id])
          expect((yield* outbox.claim(channel, later, 10, 1)).map((m) => m.id)).toEqual([message.id])
          const due = yield* store.query(ws, { slaDueBefore: later, sort: "sla_due" })
          expect(due.items.map((t) => t.id)).toEqual([c, a])
        })
      ))

    it("of several stale entries, VersionConflict names the first in batch order", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [z, m, a] = ["z", "m", "a"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId, TicketId]
          for (const [n, id] of [z, m, a].entries()) yield* store.append(id, 0, [opened(ws, id, n + 1)])
          const error = yield* failureOf(
            store.appendAll([
              { ticketId: m, expectedVersion: 1, events: [retagged(m, 1, ["x"], [])] },
              { ticketId: z, expectedVersion: 3, events: [retagged(z, 2, ["x"], [])] },
              { ticketId: a, expectedVersion: 0, events: [retagged(a, 3, ["x"], [])] }
            ])
          )
          expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: z, expected: 3, actual: 1 })
          for (const id of [z, m, a]) expect((yield* readStream(store, id)).version).toBe(1)
        })
      ))

    it("an entry with no events asserts its stream's version: stale fails the batch, current lets it through and leaves the stream as it was", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [child, parent, never] = ["child", "parent", "never"].map((n) => ticketIn(ws, n)) as [
            TicketId,
            TicketId,
            TicketId
          ]
          yield* store.append(child, 0, [opened(ws, child, 1)])
          yield* store.append(parent, 0, [opened(ws, parent, 2), replied(parent, 1, "Hello")])
          const [beforeChild, beforeParent] = [yield* store.read(child), yield* store.read(parent)]
          const note = retagged(child, 5, ["linked"], [])
          for (const stale of [1, 3]) {
            const error = yield* failureOf(
              store.appendAll([
                { ticketId: child, expectedVersion: 1, events: [note] },
                { ticketId: parent, expectedVersion: stale, events: [] }
              ])
            )
            expect(error).toMatchObject({ _tag: "VersionConflict", ticketId: parent, expected: stale, actual: 2 })
          }
          const ahead = yield* failureOf(
            store.appendAll([
              { ticketId: child, expectedVersion: 1, events: [note] },
              { ticketId: never, expectedVersion: 1, events: [] }
            ])
          )
          expect(ahead, "a stream never written is at version 0").toMatchObject({
            _tag: "VersionConflict",
            ticketId: never,
            expected: 1,
            actual: 0
          })
          expect(yield* readStream(store, child)).toEqual(beforeChild)
          expect(
            yield* store.appendAll([
              { ticketId: parent, expectedVersion: 2, events: [] },
              { ticketId: never, expectedVersion: 0, events: [] },
              { ticketId: child, expectedVersion: 1, events: [note] }
            ])
          ).toEqual([2, 0, 2])
          expect(yield* readStream(store, parent)).toEqual(beforeParent)
          expect(yield* readStream(store, never)).toEqual({ events: [], version: 0 })
          expect(yield* readStream(store, child)).toEqual({ events: [...beforeChild.events, note], version: 2 })
        })
      ))

    it("a public number taken in the store or claimed twice in one batch fails with PublicIdTaken and writes nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [held, first, second] = ["held", "first", "second"].map((n) => ticketIn(ws, n)) as [
            TicketId,
            TicketId,
            TicketId
          ]
          yield* store.append(held, 0, [opened(ws, held, 1)])
          const before = yield* store.read(held)
          const twice = yield* failureOf(
            store.appendAll([
              { ticketId: held, expectedVersion: 1, events: [retagged(held, 1, ["x"], [])] },
              { ticketId: first, expectedVersion: 0, events: [opened(ws, first, 7)] },
              { ticketId: second, expectedVersion: 0, events: [opened(ws, second, 7, "omar")] }
            ])
          )
          expect(twice).toMatchObject({ _tag: "PublicIdTaken", workspaceId: ws, publicId: 7 })
          const taken = yield* failureOf(
            store.appendAll([
              { ticketId: first, expectedVersion: 0, events: [opened(ws, first, 7)] },
              { ticketId: second, expectedVersion: 0, events: [opened(ws, second, 1, "omar")] }
            ])
          )
          expect(taken).toMatchObject({ _tag: "PublicIdTaken", workspaceId: ws, publicId: 1 })
          expect(yield* readStream(store, held)).toEqual(before)
          for (const id of [first, second]) expect(yield* readStream(store, id)).toEqual({ events: [], version: 0 })
          expect(Option.isNone(yield* store.resolve(ws, 7 as PublicId))).toBe(true)
          expect((yield* store.query(ws, {})).items.map((t) => t.id)).toEqual([held])
        })
      ))

    it("a stream named twice in one batch is a defect of the caller: the store dies naming it and writes nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [a, b] = ["a", "b"].map((n) => ticketIn(ws, n)) as [TicketId, TicketId]
          yield* store.append(a, 0, [opened(ws, a, 1)])
          yield* store.append(b, 0, [opened(ws, b, 2)])
          const [beforeA, beforeB] = [yield* store.read(a), yield* store.read(b)]
          const exit = yield* Effect.exit(
            store.appendAll([
              { ticketId: a, expectedVersion: 1, events: [retagged(a, 1, ["x"], [])] },
              { ticketId: b, expectedVersion: 1, events: [moved(b, 2, "new", "open")] },
              { ticketId: a, expectedVersion: 2, events: [retagged(a, 3, ["y"], [])] }
            ])
          )
          expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause), "appendAll died").toBe(true)
          const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          expect(String(defect)).toContain(`ticket ${a} appears twice in one batch`)
          expect(yield* readStream(store, a)).toEqual(beforeA)
          expect(yield* readStream(store, b)).toEqual(beforeB)
        })
      ))

    it("a batch of capabilities.maxBatch streams goes through; one more is Unsupported (or LimitExceeded past Limits.streamsPerBatch) and writes nothing", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const { maxBatch } = store.capabilities
          // One stream opens a ticket; the others only assert that they are still empty.
          const batch = (size: number, name: string): ReadonlyArray<AppendRequest> => [
            { ticketId: ticketIn(ws, name), expectedVersion: 0, events: [opened(ws, ticketIn(ws, name), size)] },
            ...Array.from({ length: size - 1 }, (_, i) => ({
              ticketId: ticketIn(ws, `${name}-${i}`),
              expectedVersion: 0,
              events: []
            }))
          ]
          const tooMany = yield* failureOf(store.appendAll(batch(maxBatch + 1, "over")))
          expect(tooMany, `appendAll of ${maxBatch + 1} streams, maxBatch ${maxBatch}`).toMatchObject(
            maxBatch < Limits.streamsPerBatch
              ? { _tag: "Unsupported", capability: "maxBatch", operation: "appendAll", requested: maxBatch + 1 }
              : { _tag: "LimitExceeded", limit: "streamsPerBatch", operation: "appendAll" }
          )
          expect(yield* readStream(store, ticketIn(ws, "over")), "nothing of the refused batch").toEqual({
            events: [],
            version: 0
          })
          const versions = yield* store.appendAll(batch(maxBatch, "full"))
          expect(versions, `appendAll of ${maxBatch} streams`).toEqual([
            1,
            ...Array.from({ length: maxBatch - 1 }, () => 0)
          ])
          expect((yield* readStream(store, ticketIn(ws, "full"))).version).toBe(1)
        })
      ))

    it("an empty batch returns no versions", () =>
      withStore(layer, (store) => Effect.map(store.appendAll([]), (versions) => expect(versions).toEqual([]))))

    it(
      `${batchWriters} concurrent writers × ${batchesPerWriter} read-modify-write batches over 2 of 5 streams lose no update`,
      () => withStore(layer, (store) => concurrentBatches(store)),
      timeout
    )
  })
}
