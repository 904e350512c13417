/**
 * What a reader following a store's feed must see: every committed event exactly once, in
 * position order, and nothing that did not commit. `follow` polls `readAll` with the last
 * position it saw, as an event bus would, and `compare` counts what it missed, saw twice, saw out
 * of order or saw without it committing. The suite's "feed" part uses both; an adapter's own
 * tests (several processes writing, a poller in another) use them on their own.
 */
import { Effect } from "effect"
import type { CommittedEvent } from "../ports/EventFeed.js"

/**
 * An event by its place in its stream, which names it in every store.
 *
 * @category models
 * @since 0.1.0
 */
export interface EventKey {
  readonly ticketId: string
  readonly version: number
}

/**
 * An event as a reader saw it: its key and its position.
 *
 * @category models
 * @since 0.1.0
 */
export interface Seen extends EventKey {
  readonly position: number
}

/**
 * What `compare` found. A reader that can be trusted has 0 `missed`, `duplicated`, `outOfOrder`
 * and `unexpected`.
 *
 * @category models
 * @since 0.1.0
 */
export interface Report {
  /** Events that committed. */
  readonly committed: number
  /** Events the reader saw (duplicates included). */
  readonly seen: number
  /** Committed events the reader never saw. */
  readonly missed: number
  /** Events the reader saw more than once. */
  readonly duplicated: number
  /**
   * Events seen at a position no greater than the one seen before them, or before an event of
   * their stream with a greater version.
   */
  readonly outOfOrder: number
  /** Events the reader saw that never committed (a rolled-back append, another test's event). */
  readonly unexpected: number
  /** The first problems, one line each. */
  readonly examples: ReadonlyArray<string>
}

const keyOf = (event: EventKey): string => `${event.ticketId}@${event.version}`

/** Most problems a report spells out. */
const shown = 5

/**
 * Compares what committed with what a reader saw, in the order it saw it.
 *
 * @category testing
 * @since 0.1.0
 */
export const compare = (committed: Iterable<EventKey>, seen: ReadonlyArray<Seen>): Report => {
  const expected = new Set<string>()
  for (const event of committed) expected.add(keyOf(event))
  const examples: Array<string> = []
  const note = (problem: string) => {
    if (examples.length < shown) examples.push(problem)
  }
  const saw = new Set<string>()
  const lastVersion = new Map<string, number>()
  let duplicated = 0
  let outOfOrder = 0
  let unexpected = 0
  let previous: Seen | undefined
  for (const event of seen) {
    const key = keyOf(event)
    if (previous !== undefined && event.position <= previous.position) {
      outOfOrder++
      note(`${key} at position ${event.position} came after ${keyOf(previous)} at ${previous.position}`)
    }
    previous = event
    if (saw.has(key)) {
      duplicated++
      note(`${key} seen again at position ${event.position}`)
      continue
    }
    saw.add(key)
    const before = lastVersion.get(event.ticketId)
    if (before !== undefined && before > event.version) {
      outOfOrder++
      note(`${key} at position ${event.position} came after version ${before} of its stream`)
    }
    lastVersion.set(event.ticketId, Math.max(before ?? 0, event.version))
    if (!expected.has(key)) {
      unexpected++
      note(`${key} at position ${event.position} never committed`)
    }
  }
  let missed = 0
  for (const key of expected) {
    if (saw.has(key)) continue
    missed++
    note(`${key} committed but was never seen`)
  }
  return { committed: expected.size, seen: seen.length, missed, duplicated, outOfOrder, unexpected, examples }
}

/**
 * Whether a report found nothing wrong.
 *
 * @category predicates
 * @since 0.1.0
 */
export const isClean = (report: Report): boolean =>
  report.missed === 0 && report.duplicated === 0 && report.outOfOrder === 0 && report.unexpected === 0

/**
 * A report as one line (its counts, then the first problems), for a test's output or message.
 *
 * @category testing
 * @since 0.1.0
 */
export const format = (report: Report): string =>
  [
    `committed ${report.committed}, seen ${report.seen}: ${report.missed} missed, ${report.duplicated} duplicated, ` +
      `${report.outOfOrder} out of order, ${report.unexpected} unexpected`,
    ...report.examples
  ].join("; ")

/**
 * What `follow` read: every event of every page, in order, and how many pages it asked for.
 *
 * @category models
 * @since 0.1.0
 */
export interface Followed {
  readonly events: ReadonlyArray<CommittedEvent>
  readonly reads: number
}

/**
 * Follows a feed as a poller does: reads the page after the last position it saw (`from` at
 * first), again and again, pausing after an empty page (or one that does not move past the
 * position), until such a page read after `done` said yes. `done` is asked before each read, so the last page is read after the writers
 * finished and nothing that committed escapes it.
 *
 * @example
 * const followed = yield* FeedCheck.follow((after) => store.readAll(after, 50), { from: 0, done })
 *
 * @category testing
 * @since 0.1.0
 */
export const follow = <E, R>(
  read: (after: number) => Effect.Effect<ReadonlyArray<CommittedEvent>, E, R>,
  options: {
    readonly from: number
    readonly done: Effect.Effect<boolean, never, R>
    /** What to do after an empty page (default: let other fibers run). */
    readonly pause?: Effect.Effect<void, never, R>
  }
): Effect.Effect<Followed, E, R> =>
  Effect.gen(function* () {
    const events: Array<CommittedEvent> = []
    let after = options.from
    let reads = 0
    for (;;) {
      const finished = yield* options.done
      const page = yield* read(after)
      reads++
      events.push(...page)
      const last = page.at(-1)
      // A page that does not move past `after` counts as empty, so a store that ignores it ends.
      if (last !== undefined && last.position > after) {
        after = last.position
        continue
      }
      if (finished) return { events, reads }
      yield* options.pause ?? Effect.yieldNow
    }
  })
