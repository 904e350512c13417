/**
 * #12: the tag filters on both databases, against the tickets' own tag sets. `tagsAll` with
 * more than a few tags used to be one semi-join per tag, which PostgreSQL could not plan in
 * seconds and SQLite refused beyond 932 tags ("Expression tree is too large"); it is now one
 * statement driven by the rarest tag, checked here for every size from 0 to 1,000 tags
 * (`Limits.valuesPerFilter`), with tags no ticket has, and with another workspace holding the
 * same tags.
 */
import { type Ids, Limits, type TicketEvent, type TicketQuery, type TicketStore } from "@tessera/core"
import { SqlTicketStore } from "@tessera/sql"
import { DateTime, Effect, type Scope } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type * as Connection from "../src/Connection.js"
import * as Events from "./events.js"
import { databases, oncePerFile } from "./support.js"

const start = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")

const opened = (ws: string, n: number, tags: ReadonlyArray<string>) =>
  Events.opened({
    ticketId: `tkt_${ws}_${String(n).padStart(4, "0")}`,
    workspaceId: ws,
    publicId: n + 1,
    at: DateTime.add(start, { minutes: n }),
    subject: `Ticket ${n}`,
    text: "Hello",
    tags
  })

/** Ten tags, from common (`t0`, on about 90% of tickets) to rare (`t9`, about 10%). */
const pool = Array.from({ length: 10 }, (_, i) => `t${i}`)
const unknown = ["t-nobody", "zz-nobody"]
/** The limit's worth of tags, all on the three `wide` tickets. */
const wide = Array.from({ length: Limits.valuesPerFilter }, (_, i) => `w${String(i).padStart(4, "0")}`)

interface Seeded {
  readonly store: TicketStore.TicketStore["Service"]
  /** Ticket id to its tags, workspace `ws_a`. */
  readonly tags: ReadonlyMap<string, ReadonlySet<string>>
}

/** 80 tickets in `ws_a` with random tags (seeded), 3 with every `wide` tag, and 20 in `ws_b`. */
const seed = (database: Effect.Effect<Connection.Connection, never, Scope.Scope>) =>
  Effect.gen(function* () {
    const connection = yield* database
    const { tickets: store } = yield* SqlTicketStore.make({ db: connection.db, dialect: connection.dialect })
    const random = fc.sample(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 10, maxLength: 10 }), {
      numRuns: 100,
      seed: 12
    })
    const tags = new Map<string, ReadonlySet<string>>()
    const events: Array<TicketEvent.TicketOpened> = []
    for (const [n, draws] of random.entries()) {
      const ws = n < 80 ? "ws_a" : "ws_b"
      const chosen = pool.filter((_, i) => (draws[i] ?? 1) < 0.9 - i * 0.09)
      events.push(opened(ws, n, chosen))
      if (ws === "ws_a") tags.set(`tkt_${ws}_${String(n).padStart(4, "0")}`, new Set(chosen))
    }
    for (const n of [100, 101, 102]) {
      const all = n === 102 ? wide.slice(0, -1).concat("t0") : wide
      events.push(opened("ws_a", n, all))
      tags.set(`tkt_ws_a_0${n}`, new Set(all))
    }
    yield* store.appendAll(events.map((event) => ({ ticketId: event.ticketId, expectedVersion: 0, events: [event] })))
    return { store, tags } satisfies Seeded
  }).pipe(Effect.orDie)

/** Every ticket id of `ws_a` a query returns, all pages. */
const allIds = (store: Seeded["store"], query: TicketQuery.TicketQuery) =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    let cursor: string | undefined
    do {
      const page = yield* store.query("ws_a" as Ids.WorkspaceId, {
        ...query,
        limit: 500,
        ...(cursor === undefined ? {} : { cursor })
      })
      ids.push(...page.items.map((item) => item.id))
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return ids
  })

const expected = (seeded: Seeded, all: ReadonlyArray<string>) =>
  [...seeded.tags].filter(([, has]) => all.every((tag) => has.has(tag))).map(([id]) => id)

for (const database of databases) {
  // Seeded once per database: the tests below only read.
  const seeding = oncePerFile(seed(database.fresh))

  describe(`tag filters (${database.name})`, () => {
    it("tagsAll of any size finds exactly the tickets holding every tag, in order", () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const seeded = yield* seeding
            const seen = { few: 0, many: 0, manyFound: 0 }
            const queries = fc.sample(
              fc.tuple(fc.subarray(pool), fc.subarray(unknown, { maxLength: 1 }), fc.boolean()),
              {
                numRuns: 60,
                seed: 7
              }
            )
            for (const [common, missing, repeat] of queries) {
              const all = [...common, ...missing, ...(repeat ? common.slice(0, 2) : [])]
              const want = expected(seeded, all)
              expect(yield* allIds(seeded.store, { tagsAll: all })).toEqual(want)
              const distinct = new Set(all).size
              if (distinct <= 4) seen.few += 1
              else {
                seen.many += 1
                if (want.length > 0) seen.manyFound += 1
              }
            }
            // Both forms of the filter ran, and the one for many tags found tickets too.
            expect(seen.few).toBeGreaterThan(5)
            expect(seen.many).toBeGreaterThan(5)
            expect(seen.manyFound).toBeGreaterThan(2)
          })
        )
      ))

    it("tagsAll at the limit of 1,000 tags finds the tickets holding them all, and none missing one", () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const seeded = yield* seeding
            expect(yield* allIds(seeded.store, { tagsAll: wide })).toEqual(["tkt_ws_a_0100", "tkt_ws_a_0101"])
            const withCommon = [...wide.slice(0, -1), "t0"]
            expect(yield* allIds(seeded.store, { tagsAll: withCommon })).toEqual(expected(seeded, withCommon))
            expect(expected(seeded, withCommon)).toEqual(["tkt_ws_a_0102"])
            expect(yield* allIds(seeded.store, { tagsAll: [...wide.slice(1), "t-nobody"] })).toEqual([])
            // The other filters still apply on top.
            expect(
              yield* allIds(seeded.store, { tagsAll: wide, createdFrom: DateTime.add(start, { minutes: 101 }) })
            ).toEqual(["tkt_ws_a_0101"])
          })
        )
      ))

    it("tagsAny at the limit of 1,000 tags finds the tickets holding any of them", () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const seeded = yield* seeding
            const anyOf = [...wide.slice(0, 998), "t9", "t-nobody"]
            const want = [...seeded.tags].filter(([, has]) => anyOf.some((tag) => has.has(tag))).map(([id]) => id)
            expect(yield* allIds(seeded.store, { tagsAny: anyOf })).toEqual(want)
            expect(want.length).toBeGreaterThan(3)
          })
        )
      ))
  })
}
