/**
 * The "feed" part of the `TicketStore` suite: `readAll` gives every committed event exactly once,
 * in commit order and at increasing positions, each stream's events as `read` gives them, one
 * workspace's with the filter, at most `limit` a page, and nothing of an append that failed;
 * after the last position it gives nothing until the next append. A poller following the feed
 * while fibers append concurrently (some failing on purpose) misses nothing and sees nothing
 * twice, as `FeedCheck` counts it.
 */
import { Cause, Effect, Exit, Random, Ref } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { CommittedEvent, ReadAllOptions } from "../../ports/EventFeed.js"
import type { AppendError, AppendRequest } from "../../ports/TicketStore.js"
import * as E from "../../ticket/TicketEvent.js"
import type { PublicId, TicketId, WorkspaceId } from "../../values/Ids.js"
import * as Limits from "../../values/Limits.js"
import * as Arbitraries from "../Arbitraries.js"
import * as FeedCheck from "../FeedCheck.js"
import * as Fixtures from "../internal/fixtures.js"
import * as StoreCalls from "../internal/storeCalls.js"
import { propertyParams, readStream, type Settings, type Store, withStore } from "./Support.js"

const { failureOf, minutesLater, noted, ofStream, opened, retagged, show, ticketIn, withOwnEmailId } = Fixtures
const freshWorkspace = Fixtures.freshWorkspace

/** An event the test committed, with the index of the append (or batch) that committed it. */
interface Expected {
  readonly workspaceId: WorkspaceId | undefined
  readonly ticketId: TicketId
  readonly version: number
  readonly event: E.TicketEvent
  readonly commit: number
}

/** The public number the holder ticket takes, which the "taken" steps claim again. */
const heldNumber = 100

/** One more tag than a ticket may have, added at once: `LimitExceeded` inside the append. */
const tagBomb = (ticketId: TicketId) =>
  retagged(
    ticketId,
    1,
    Array.from({ length: Limits.tagsPerTicket + 1 }, (_, i) => `t${i}`),
    []
  )

/**
 * Checks what `readAll` gave against the events that committed: the same events with the same
 * workspace, stream and version, at strictly increasing positions, each commit's events after
 * every earlier commit's, and each exactly once.
 */
const expectFeed = (seen: ReadonlyArray<CommittedEvent>, expected: ReadonlyArray<Expected>, label: string) => {
  const report = FeedCheck.compare(expected, seen)
  expect(FeedCheck.isClean(report), `${label}: ${FeedCheck.format(report)}`).toBe(true)
  const byKey = new Map(expected.map((e) => [`${e.ticketId}@${e.version}`, e]))
  let lastCommit = -1
  for (const item of seen) {
    expect(Number.isSafeInteger(item.position) && item.position > 0, `${label}: position ${item.position}`).toBe(true)
    const known = byKey.get(`${item.ticketId}@${item.version}`) as Expected
    const where = `${label}: ${item.ticketId}@${item.version} at position ${item.position}`
    expect({ workspaceId: item.workspaceId, event: item.event }, where).toEqual({
      workspaceId: known.workspaceId,
      event: known.event
    })
    expect(known.commit, `${where} came before an event that committed earlier`).toBeGreaterThanOrEqual(lastCommit)
    lastCommit = known.commit
  }
}

/**
 * Reads the feed after `after` in pages of `sizes` (in turn) until a page comes back empty;
 * checks that no page holds more than its size, and, when `full`, that every page but the last
 * is full (nothing else writes meanwhile). Returns every item.
 */
const pages = (
  store: Store,
  after: number,
  sizes: ReadonlyArray<number>,
  options: ReadAllOptions & { readonly full: boolean; readonly bound: number }
): Effect.Effect<ReadonlyArray<CommittedEvent>, unknown> =>
  Effect.gen(function* () {
    const items: Array<CommittedEvent> = []
    const { full, bound, ...filter } = options
    let position = after
    for (let i = 0; ; i++) {
      if (i > bound) return yield* Effect.die(new Error(`readAll did not run out after ${bound} pages`))
      const size = sizes[i % sizes.length] as number
      const page = yield* store.readAll(position, size, filter)
      const label = `readAll(${position}, ${size}${filter.workspaceId === undefined ? "" : `, ${filter.workspaceId}`})`
      expect(page.length, `${label}: more than the limit`).toBeLessThanOrEqual(size)
      items.push(...page)
      const last = page.at(-1)
      if (last === undefined) return items
      if (full && page.length < size) {
        // A short page is the end: the next read must be empty.
        expect(yield* store.readAll(last.position, size, filter), `${label}: a short page was not the end`).toEqual([])
        return items
      }
      position = last.position
    }
  })

/** A stream of the property: its events, where its opening is, and how far it has been appended. */
interface ModelStream {
  readonly id: TicketId
  readonly ws: WorkspaceId
  readonly events: ReadonlyArray<E.TicketEvent>
  readonly opensAt: number
  version: number
}

type Step =
  | { readonly kind: "append"; readonly stream: number; readonly size: number }
  | { readonly kind: "batch"; readonly streams: ReadonlyArray<number>; readonly size: number }
  | { readonly kind: "conflict" | "taken" | "limit"; readonly stream: number; readonly batch: boolean }

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      stream: fc.nat(3),
      size: fc.integer({ min: 1, max: 6 })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      streams: fc.uniqueArray(fc.nat(3), { minLength: 2, maxLength: 3 }),
      size: fc.integer({ min: 1, max: 4 })
    })
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("conflict" as const, "taken" as const, "limit" as const),
      stream: fc.nat(3),
      batch: fc.boolean()
    })
  }
)

/**
 * Random streams (events before their opening included) in two workspaces, appended in random
 * chunks, alone and in batches, with failing appends between (a stale version, a number taken,
 * a limit; alone or failing a batch with a good entry): the feed, read in pages of random sizes,
 * gives exactly what committed, workspace by workspace and overall; after the last position it
 * gives nothing until one more append, which it then gives.
 */
const feedFollowsAppends = <E2>(layer: Fixtures.StoreLayer<E2>, settings: Settings) =>
  Fixtures.withBuiltPorts(layer, (built) =>
    fc.assert(
      fc.asyncProperty(
        fc.array(Arbitraries.openedStream, { minLength: 1, maxLength: 4 }),
        fc.array(step, { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        (generated, steps, sizes) => {
          const recorder = StoreCalls.record(built.tickets)
          const store = recorder.store
          return StoreCalls.explained(recorder, "this run", () =>
            Effect.runPromise(
              Effect.gen(function* () {
                const workspaces = [yield* freshWorkspace, yield* freshWorkspace] as const
                const [ws0, ws1] = workspaces
                const holder: ModelStream = {
                  id: ticketIn(ws0, "holder"),
                  ws: ws0,
                  events: [opened(ws0, ticketIn(ws0, "holder"), heldNumber)],
                  opensAt: 0,
                  version: 0
                }
                const streams: Array<ModelStream> = generated.map(({ before, opened: opening, after }, k) => {
                  const ws = workspaces[k % 2] as WorkspaceId
                  const id = ticketIn(ws, `s${k}`)
                  const events = [
                    ...before,
                    new E.TicketOpened({ ...opening, workspaceId: ws, publicId: (k + 1) as PublicId }),
                    ...after.filter((e) => e._tag !== "TicketOpened")
                  ].map((e, i) => ofStream(withOwnEmailId(e, `${id}.${i}`), id))
                  return { id, ws, events, opensAt: before.length, version: 0 }
                })
                const expected: Array<Expected> = []
                let commits = 0
                /** Records a committed chunk: every event gets the workspace the stream has after it. */
                const record = (stream: ModelStream, chunk: ReadonlyArray<E.TicketEvent>) => {
                  const after = stream.version + chunk.length
                  const workspaceId = after > stream.opensAt ? stream.ws : undefined
                  chunk.forEach((event, i) => {
                    expected.push({
                      workspaceId,
                      ticketId: stream.id,
                      version: stream.version + i + 1,
                      event,
                      commit: commits
                    })
                  })
                  stream.version = after
                }
                const chunkOf = (stream: ModelStream, size: number) =>
                  stream.events.slice(stream.version, stream.version + size)

                yield* store.append(holder.id, 0, holder.events)
                record(holder, holder.events)
                commits++
                for (const [i, s] of steps.entries()) {
                  const label = `step ${i}: ${show(s)}`
                  if (s.kind === "append") {
                    const stream = streams[s.stream % streams.length] as ModelStream
                    const chunk = chunkOf(stream, s.size)
                    if (chunk.length === 0) continue
                    expect(yield* store.append(stream.id, stream.version, chunk), label).toBe(
                      stream.version + chunk.length
                    )
                    record(stream, chunk)
                    commits++
                  } else if (s.kind === "batch") {
                    const chosen = [...new Set(s.streams.map((n) => streams[n % streams.length] as ModelStream))]
                      .map((stream) => ({ stream, chunk: chunkOf(stream, s.size) }))
                      .filter(({ chunk }) => chunk.length > 0)
                    if (chosen.length === 0) continue
                    const versions = yield* store.appendAll(
                      chosen.map(({ stream, chunk }) => ({
                        ticketId: stream.id,
                        expectedVersion: stream.version,
                        events: chunk
                      }))
                    )
                    expect(versions, label).toEqual(chosen.map(({ stream, chunk }) => stream.version + chunk.length))
                    for (const { stream, chunk } of chosen) record(stream, chunk)
                    commits++
                  } else {
                    const stream = streams[s.stream % streams.length] as ModelStream
                    const failing: AppendRequest =
                      s.kind === "conflict"
                        ? {
                            ticketId: stream.id,
                            expectedVersion: stream.version + 1,
                            events: [noted(stream.id, minutesLater(i), "stale", `${stream.id}.stale${i}`)]
                          }
                        : s.kind === "taken"
                          ? {
                              ticketId: ticketIn(ws0, `x${i}`),
                              expectedVersion: 0,
                              events: [opened(ws0, ticketIn(ws0, `x${i}`), heldNumber)]
                            }
                          : { ticketId: holder.id, expectedVersion: holder.version, events: [tagBomb(holder.id)] }
                    // A good entry on another stream fails with the batch.
                    const good = streams.find((t) => t.id !== failing.ticketId && chunkOf(t, 1).length > 0)
                    const batch =
                      s.batch && good !== undefined
                        ? [{ ticketId: good.id, expectedVersion: good.version, events: chunkOf(good, 2) }, failing]
                        : [failing]
                    const error = yield* failureOf<unknown, AppendError>(
                      batch.length === 1
                        ? store.append(failing.ticketId, failing.expectedVersion, failing.events)
                        : store.appendAll(batch)
                    )
                    const tag = { conflict: "VersionConflict", taken: "PublicIdTaken", limit: "LimitExceeded" }[s.kind]
                    expect(error._tag, label).toBe(tag)
                  }
                }

                // Workspace by workspace, from the start: exactly what committed there, pages full.
                const seen: Array<CommittedEvent> = []
                for (const ws of workspaces) {
                  const mine = expected.filter((e) => e.workspaceId === ws)
                  const items = yield* pages(store, 0, sizes, { workspaceId: ws, full: true, bound: mine.length + 1 })
                  expectFeed(items, mine, `readAll of ${ws}`)
                  seen.push(...items)
                }
                // Overall, from the first event of this run: the same positions, and the events of
                // streams that held no ticket too; each stream exactly as `read` gives it.
                const first = Math.min(...seen.map((e) => e.position))
                const all = yield* pages(store, first - 1, sizes, { full: true, bound: expected.length + 1 })
                const ours = all.filter(
                  (e) => e.ticketId.startsWith(ticketIn(ws0, "")) || e.ticketId.startsWith(ticketIn(ws1, ""))
                )
                expect(ours.length, "events of other runs among this run's").toBe(all.length)
                expectFeed(all, expected, "readAll of every workspace")
                const positions = new Map(seen.map((e) => [`${e.ticketId}@${e.version}`, e.position]))
                for (const e of all) {
                  if (e.workspaceId === undefined) continue
                  expect(e.position, `${e.ticketId}@${e.version}: its position with and without the filter`).toBe(
                    positions.get(`${e.ticketId}@${e.version}`)
                  )
                }
                for (const stream of [holder, ...streams]) {
                  const read = yield* readStream(store, stream.id)
                  expect(
                    all.filter((e) => e.ticketId === stream.id).map((e) => e.event),
                    `the feed's events of ${stream.id} vs read`
                  ).toEqual(read.events)
                }

                // After the last position: nothing, until one more append.
                const last = all.at(-1)?.position ?? first - 1
                const lastOf = (ws: WorkspaceId) =>
                  Math.max(0, ...seen.filter((e) => e.workspaceId === ws).map((e) => e.position))
                expect(yield* store.readAll(last, 5), "readAll after the last position").toEqual([])
                expect(yield* store.readAll(lastOf(ws0), 5, { workspaceId: ws0 })).toEqual([])
                const note = noted(holder.id, minutesLater(999), "one more", `${holder.id}.last`)
                yield* store.append(holder.id, holder.version, [note])
                const next = yield* store.readAll(last, 5)
                expect(next, "readAll after the last position, once more was appended").toMatchObject([
                  { workspaceId: ws0, ticketId: holder.id, version: holder.version + 1, event: note }
                ])
                expect(next[0]?.position, "the next position").toBeGreaterThan(last)
                expect(
                  yield* store.readAll(lastOf(ws0), 5, { workspaceId: ws0 }),
                  "the same, for its workspace"
                ).toEqual(next)
                expect(yield* store.readAll(lastOf(ws1), 5, { workspaceId: ws1 }), "another workspace's").toEqual([])
              })
            )
          )
        }
      ),
      propertyParams(settings)
    )
  )

/** Writers, appends each, streams and page size of the concurrent feed test; rounds of it. */
const writers = 6
const appendsPerWriter = 30
const feedStreams = 4
const pollLimit = 5
const rounds = 3

/**
 * Fibers appending notes to a few tickets at once (alone and in pairs, a batch now and then
 * failing on a limit after its good entry, and version conflicts from racing) while a poller
 * follows the whole feed with the last position it saw: the poller sees every committed event
 * exactly once, in position order, and nothing else (`FeedCheck`).
 */
const concurrentFeed = (store: Store, round: number): Effect.Effect<void, unknown> =>
  Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const ids = Array.from({ length: feedStreams }, (_, n) => ticketIn(ws, `c${n}`))
    for (const [n, id] of ids.entries()) yield* store.append(id, 0, [opened(ws, id, n + 1)])
    const openings = yield* store.readAll(0, feedStreams, { workspaceId: ws })
    const from = Math.max(...openings.map((e) => e.position))
    const committed: Array<FeedCheck.EventKey> = []
    let conflicts = 0
    let refused = 0
    const done = yield* Ref.make(false)
    let readsWhileWriting = 0

    const attempt = (writer: number, i: number): Effect.Effect<void, unknown> =>
      Effect.gen(function* () {
        const roll = yield* Random.nextIntBetween(0, 99)
        const first = yield* Random.nextIntBetween(0, feedStreams - 1)
        const second = (first + (yield* Random.nextIntBetween(1, feedStreams - 1))) % feedStreams
        const pair = (roll < 40 ? [first, second] : [first]).map((n) => ids[n] as TicketId)
        const versions: Array<number> = []
        for (const id of pair) versions.push((yield* store.load(id)).version)
        // Between the read and the write, other writers may go first.
        yield* Effect.yieldNow
        // Writer 0's first attempt always carries one, and is tried until it is refused on its
        // limit rather than on a conflict, so that every round has a refused append in flight.
        const sure = writer === 0 && i === 0
        const bomb = roll < 10 || sure
        const requests = pair.map((id, k) => {
          const note = noted(id, minutesLater(i), `w${writer}a${i}`, `${id}.w${writer}a${i}`)
          const events = bomb && k === pair.length - 1 ? [note, tagBomb(id)] : [note]
          return { ticketId: id, expectedVersion: versions[k] as number, events }
        })
        const result = yield* Effect.result<unknown, AppendError, never>(
          requests.length === 1
            ? store.append(pair[0] as TicketId, versions[0] as number, (requests[0] as AppendRequest).events)
            : store.appendAll(requests)
        )
        if (result._tag === "Success") {
          if (bomb) return yield* Effect.die(new Error(`w${writer}a${i}: an append beyond the tag limit went through`))
          for (const r of requests) {
            r.events.forEach(
              (_, j) => void committed.push({ ticketId: r.ticketId, version: r.expectedVersion + j + 1 })
            )
          }
        } else if (result.failure._tag === "VersionConflict") {
          conflicts++
          if (sure) return yield* attempt(writer, i)
        } else if (result.failure._tag === "LimitExceeded" && bomb) refused++
        else return yield* Effect.fail(result.failure)
      })

    const writing = Effect.andThen(
      Effect.forEach(
        Array.from({ length: writers }, (_, w) => w),
        (w) =>
          Effect.forEach(
            Array.from({ length: appendsPerWriter }, (_, i) => i),
            (i) => attempt(w, i)
          ),
        { concurrency: writers }
      ),
      Ref.set(done, true)
    )
    const reading = FeedCheck.follow(
      (after) =>
        Effect.tap(store.readAll(after, pollLimit), (page) =>
          Effect.map(Ref.get(done), (finished) => {
            if (!finished && page.length > 0) readsWhileWriting++
          })
        ),
      { from, done: Ref.get(done) }
    )
    const [followed] = yield* Effect.all([reading, writing], { concurrency: "unbounded" })

    const ours = followed.events.filter((e) => e.ticketId.startsWith(ticketIn(ws, "")))
    const report = FeedCheck.compare(committed, ours)
    const label = `round ${round}: ${FeedCheck.format(report)}; ${conflicts} conflicts, ${refused} refused, ${followed.reads} reads`
    expect(FeedCheck.isClean(report), label).toBe(true)
    expect(ours.length, `${label}: events of other tests`).toBe(followed.events.length)
    let stored = 0
    for (const id of ids) stored += (yield* store.read(id)).version - 1
    expect(committed.length, `${label}: the appends that went through vs the streams`).toBe(stored)
    expect(conflicts, `${label}: the writers never conflicted: the test proved nothing`).toBeGreaterThan(0)
    expect(refused, `${label}: no append failed on its limit`).toBeGreaterThan(0)
    expect(readsWhileWriting, `${label}: the poller never read while the writers wrote`).toBeGreaterThan(1)
  }).pipe(Random.withSeed(round))

/**
 * Registers the "feed" part of the suite on stores built from `layer`.
 */
export const register = <E2>(layer: Fixtures.StoreLayer<E2>, settings: Settings): void => {
  const { timeout } = settings
  describe("feed", () => {
    it("events appended before a stream's opening carry no workspace; the workspace filter leaves them out", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = ticketIn(ws, "late")
          const early = noted(id, minutesLater(1), "before the opening", `${id}.early`)
          yield* store.append(id, 0, [early])
          yield* store.append(id, 1, [opened(ws, id, 1)])
          const [opening] = yield* store.readAll(0, 5, { workspaceId: ws })
          expect(opening, "the workspace's events").toMatchObject({ workspaceId: ws, ticketId: id, version: 2 })
          const all = yield* store.readAll((opening?.position ?? 1) - 2, 5)
          expect(all.slice(0, 2), "the stream's events").toMatchObject([
            { workspaceId: undefined, ticketId: id, version: 1, event: early },
            { workspaceId: ws, ticketId: id, version: 2, position: opening?.position }
          ])
          expect((all[0]?.position ?? 0) < (opening?.position ?? 0), "positions follow versions").toBe(true)
        })
      ))

    it("a position or limit out of range is a defect of the caller: readAll dies", () =>
      withStore(layer, (store) =>
        Effect.gen(function* () {
          for (const [after, limit] of [
            [-1, 10],
            [0, 0],
            [0, -3],
            [1.5, 10],
            [0, 2.5],
            [Number.NaN, 10],
            [0, Number.POSITIVE_INFINITY]
          ] as const) {
            const exit = yield* Effect.exit(store.readAll(after, limit))
            expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause), `readAll(${after}, ${limit}) died`).toBe(true)
          }
        })
      ))

    it(
      "random appends and batches, some failing: readAll in pages of random sizes gives every committed event once, in commit order, per workspace and overall, as read gives each stream",
      () => feedFollowsAppends(layer, settings),
      timeout
    )

    it(
      `a poller following the feed while ${writers} fibers append (conflicts and refused batches among them) misses nothing and sees nothing twice`,
      () =>
        withStore(layer, (store) =>
          Effect.forEach(
            Array.from({ length: rounds }, (_, r) => r + 1),
            (round) => concurrentFeed(store, round),
            { discard: true }
          )
        ),
      timeout
    )
  })
}
