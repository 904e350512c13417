/**
 * The parent side of the feed-order test: on an empty database given by its URL (any dialect
 * `SqlStore.layerUrl` opens), opens a few tickets, starts writer processes (`writer.ts`) and, for
 * each round, follows the feed with `readAll(after = last seen)` while they append, then checks
 * with `FeedCheck` that the poller saw every event the writers were told committed exactly once,
 * in position order, and nothing else, and that the database holds exactly those events. It
 * returns one report per round; preparing and dropping the database is the test's business.
 */
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { type Ids, TicketStore } from "@tessera/core"
import { FeedCheck } from "@tessera/core/testing"
import { Effect, ManagedRuntime } from "effect"
import { expect } from "vitest"
import { layerUrl } from "../../src/SqlStore.js"
import * as Children from "../children.js"
import { decodeWriterLine, opening, type WriterRound } from "./protocol.js"

const here = dirname(fileURLToPath(import.meta.url))

export interface Options {
  /** An empty database; the harness migrates it. */
  readonly url: string
  readonly processes: number
  /** Connections of each writer's pool (1 for SQLite). */
  readonly connections: number
  /** Concurrent append loops in each writer. */
  readonly fibers: number
  readonly tickets: number
  readonly rounds: number
  readonly roundMs: number
}

/** One round: what the poller saw and what the database holds, each against what committed. */
export interface Round {
  readonly round: number
  readonly seen: FeedCheck.Report
  readonly stored: FeedCheck.Report
  readonly appends: number
  readonly conflicts: number
  readonly rolledBack: number
  readonly reads: number
  /** Reads that returned events before the writers were done. */
  readonly readsWhileWriting: number
  readonly errors: ReadonlyArray<string>
}

/** A round as one line, for the test's output. */
export const format = (r: Round): string =>
  `round ${r.round}: poller ${FeedCheck.format(r.seen)}; database ${FeedCheck.format(r.stored)}; ` +
  `${r.appends} appends, ${r.conflicts} conflicts, ${r.rolledBack} rolled back, ${r.reads} reads (${r.readsWhileWriting} while writing)`

/** The rounds' totals as one line. */
export const summary = (rounds: ReadonlyArray<Round>): string => {
  const sum = (f: (r: Round) => number) => rounds.reduce((n, r) => n + f(r), 0)
  const failed = rounds.filter((r) => !FeedCheck.isClean(r.seen) || !FeedCheck.isClean(r.stored)).length
  return (
    `${rounds.length} rounds, ${failed} with problems: committed ${sum((r) => r.seen.committed)}, ` +
    `seen ${sum((r) => r.seen.seen)}, ${sum((r) => r.seen.missed)} missed, ${sum((r) => r.seen.duplicated)} duplicated, ` +
    `${sum((r) => r.seen.outOfOrder)} out of order, ${sum((r) => r.seen.unexpected)} unexpected; ` +
    `${sum((r) => r.conflicts)} conflicts, ${sum((r) => r.rolledBack)} rolled back`
  )
}

/**
 * Checks the rounds: no writer error, in every round the poller and the database agree exactly
 * with what committed, and the run exercised what it claims (conflicts, rollbacks, reads while
 * the writers wrote).
 */
export const expectTrusted = (rounds: ReadonlyArray<Round>): void => {
  for (const r of rounds) {
    expect(r.errors, `round ${r.round}: writer errors`).toEqual([])
    expect(FeedCheck.isClean(r.seen) && FeedCheck.isClean(r.stored), format(r)).toBe(true)
  }
  const sum = (f: (r: Round) => number) => rounds.reduce((n, r) => n + f(r), 0)
  expect(
    sum((r) => r.seen.committed),
    "events committed"
  ).toBeGreaterThan(0)
  expect(
    sum((r) => r.conflicts),
    "the writers never conflicted"
  ).toBeGreaterThan(0)
  expect(
    sum((r) => r.rolledBack),
    "no transaction rolled back"
  ).toBeGreaterThan(0)
  expect(
    sum((r) => r.readsWhileWriting),
    "the poller never read while the writers wrote"
  ).toBeGreaterThan(0)
}

interface Writer extends Children.Child {
  readonly next: () => Promise<ReturnType<typeof decodeWriterLine>>
}

const startWriter = async (options: Options, tickets: ReadonlyArray<string>, index: number): Promise<Writer> => {
  const writer = await Children.start(join(here, "writer.ts"), [
    "--url",
    options.url,
    "--tickets",
    tickets.join(","),
    "--connections",
    String(options.connections),
    "--fibers",
    String(options.fibers),
    "--index",
    String(index)
  ])
  const lines = createInterface({ input: writer.process.stdout })[Symbol.asyncIterator]()
  const next = async () => {
    for (;;) {
      const line = await lines.next()
      if (line.done === true)
        throw new Error(`writer ${index} ended early\n--- stderr ---\n${writer.stderr().slice(-4000)}`)
      if (line.value.startsWith("{")) return decodeWriterLine(line.value)
    }
  }
  return { ...writer, next }
}

/** Every event after `after`, read in large pages until none is left. */
const everythingAfter = (store: TicketStore.TicketStore["Service"], after: number) =>
  Effect.gen(function* () {
    const events: Array<TicketStore.CommittedEvent> = []
    let position = after
    for (;;) {
      const page = yield* store.readAll(position, 1_000)
      const last = page.at(-1)
      if (last === undefined) return events
      events.push(...page)
      position = last.position
    }
  })

/** Runs the rounds and returns their reports; never throws on a failed check. */
export const run = async (options: Options): Promise<ReadonlyArray<Round>> => {
  const runtime = ManagedRuntime.make(layerUrl({ url: options.url, connections: 2 }))
  const writers: Array<Writer> = []
  try {
    const store = await runtime.runPromise(
      Effect.gen(function* () {
        return yield* TicketStore.TicketStore
      })
    )
    const workspace = "ws_feed_order"
    const tickets = Array.from({ length: options.tickets }, (_, i) => `tkt_feed_${i + 1}`)
    for (const [i, id] of tickets.entries()) {
      await runtime.runPromise(store.append(id as Ids.TicketId, 0, [opening(workspace, id, i + 1)]))
    }
    let from = (await runtime.runPromise(everythingAfter(store, 0))).at(-1)?.position ?? 0

    for (let i = 1; i <= options.processes; i++) writers.push(await startWriter(options, tickets, i))
    await Children.withTimeout(Promise.all(writers.map((w) => w.next())), 60_000, "the writers to be ready")

    const rounds: Array<Round> = []
    for (let round = 1; round <= options.rounds; round++) {
      let finished = false
      let readsWhileWriting = 0
      const polling = runtime.runPromise(
        FeedCheck.follow(
          (after) =>
            Effect.tap(store.readAll(after, 50), (page) =>
              Effect.sync(() => {
                if (!finished && page.length > 0) readsWhileWriting++
              })
            ),
          { from, done: Effect.sync(() => finished), pause: Effect.sleep("5 millis") }
        )
      )
      for (const w of writers) w.process.stdin.write(`go ${round} ${options.roundMs}\n`)
      const results = (await Children.withTimeout(
        Promise.all(writers.map((w) => w.next())),
        options.roundMs + 60_000,
        `the writers' round ${round}`
      )) as ReadonlyArray<WriterRound>
      finished = true
      const followed = await polling
      const committed = results.flatMap((r) => r.committed.map(([ticketId, version]) => ({ ticketId, version })))
      const stored = await runtime.runPromise(everythingAfter(store, from))
      const sum = (f: (r: WriterRound) => number) => results.reduce((n, r) => n + f(r), 0)
      rounds.push({
        round,
        seen: FeedCheck.compare(committed, followed.events),
        stored: FeedCheck.compare(committed, stored),
        appends: sum((r) => r.appends),
        conflicts: sum((r) => r.conflicts),
        rolledBack: sum((r) => r.rolledBack),
        reads: followed.reads,
        readsWhileWriting,
        errors: results.flatMap((r) => r.errors)
      })
      from = Math.max(from, followed.events.at(-1)?.position ?? 0, stored.at(-1)?.position ?? 0)
    }
    for (const w of writers) w.process.stdin.end("exit\n")
    return rounds
  } finally {
    Children.killAll(writers)
    await runtime.dispose()
  }
}
