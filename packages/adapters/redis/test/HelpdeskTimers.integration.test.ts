// SLA warnings and breaches through real Helpdesks whose timers are on Redis: several runners
// (each a Helpdesk with its own Redis connection, over one store) fire the same timers at the same
// instants, and each warning and breach is recorded exactly once per metric instance. On the
// in-memory store and on SQLite.
import { assert, describe, it } from "@effect/vitest"
import {
  BusinessCalendar,
  DirectoryStore,
  Helpdesk,
  IdGenerator,
  MemoryDirectoryStore,
  MemoryTicketStore,
  SlaPolicy,
  TicketStore,
  Timers
} from "@tessera/core"
import { type Database, Migrations, SqlTicketStore } from "@tessera/sql"
import SqliteDatabase from "better-sqlite3"
import { DateTime, Effect, Layer, Result } from "effect"
import { TestClock } from "effect/testing"
import { Kysely, SqliteDialect } from "kysely"
import { afterAll } from "vitest"
import { RedisClient, RedisTimers, TimerLoop } from "../src/index.js"
import { dropPrefix, freshPrefix, rawClient, redisUrl } from "./support.js"

const clients = Array.from({ length: 3 }, () => rawClient())
const prefixes: Array<string> = []
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(clients[0] as (typeof clients)[0], prefix)
  for (const c of clients) c.disconnect()
})

const weekday = ["09:00-12:00", "14:00-18:00"]
const paris = BusinessCalendar.make({
  timeZone: "Europe/Paris",
  weekly: { monday: weekday, tuesday: weekday, wednesday: weekday, thursday: weekday, friday: weekday }
})
if (Result.isFailure(paris)) throw new Error(paris.failure.message)
const sla: Helpdesk.SlaOptions = { policies: SlaPolicy.defaultPolicySet, calendars: { business_hours: paris.success } }
const mary = { _tag: "agent", id: "mary" } as const

/** Three help desks of workspace acme over one store, each claiming timers through its own Redis connection. */
const runners = (store: TicketStore.Adapter) =>
  Effect.gen(function* () {
    const prefix = freshPrefix("helpdesk")
    prefixes.push(prefix)
    const directory = yield* MemoryDirectoryStore.make
    return yield* Effect.forEach(clients, (redis) =>
      Helpdesk.make({ workspaceId: "acme" }, { sla }).pipe(
        Effect.provideService(TicketStore.TicketStore, store.tickets),
        Effect.provideService(Timers.Timers, RedisTimers.makeWith({ redis, prefix }, store.timers)),
        Effect.provideService(DirectoryStore.DirectoryStore, directory),
        Effect.provide(IdGenerator.layerTimeOrdered)
      )
    )
  })

const milestones = (helpdesk: Helpdesk.Service, ticket: string) =>
  Effect.map(helpdesk.asSystem("test").history(ticket), (events) =>
    events.flatMap((e) =>
      e._tag === "SlaWarningReached" || e._tag === "SlaBreached"
        ? [`${e._tag} ${e.metric}#${e.instance} ${DateTime.formatIso(e.reachedAt)}`]
        : []
    )
  )

/**
 * Friday 27 November 2026, 16:00Z: twelve tickets open on the default SLAs (first reply in 8
 * business hours, warned at 75%: Monday 15:00Z and 17:00Z); four go to high priority, which moves
 * their timer to Monday 10:00Z and 11:00Z (the old timer stays and must fire as a no-op); two get
 * a reply on Monday at 08:00Z, which fulfils their first reply (their timer fires as a no-op). Then the three runners fire the timers
 * together at each instant of Monday, twice.
 */
const scenario = (store: TicketStore.Adapter) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
    const desks = yield* runners(store)
    const [first] = desks as [Helpdesk.Service]
    yield* first.saveAgent({ id: "mary", name: "Mary", email: "mary@example.com" })
    const tickets = yield* Effect.forEach(
      Array.from({ length: 12 }, (_, i) => i),
      (i) =>
        first.open({
          requester: { email: `customer${i}@example.com`, name: `Customer ${i}` },
          subject: `Charged twice (${i})`,
          text: "My card was charged twice.",
          channel: "email"
        })
    )
    const high = tickets.slice(0, 4)
    const answered = tickets.slice(4, 6)
    for (const t of high) yield* first.setPriority({ ticket: t.id, by: mary, priority: "high" })
    yield* TestClock.setTime(Date.parse("2026-11-30T08:00:00Z"))
    for (const t of answered) yield* first.reply({ ticket: t.id, by: mary, text: "Looking into it." })
    let fired = 0
    for (const instant of ["09:00", "10:00", "10:30", "11:00", "12:00", "15:00", "16:00", "17:00", "18:00"]) {
      yield* TestClock.setTime(Date.parse(`2026-11-30T${instant}:00Z`))
      for (let round = 0; round < 2; round++) {
        const counts = yield* Effect.all(
          desks.map((d) => d.runDueTimers(50)),
          { concurrency: "unbounded" }
        )
        fired += counts.reduce((a, b) => a + b, 0)
      }
    }
    const recorded = yield* Effect.forEach(tickets, (t) => milestones(first, t.id))
    const expected = tickets.map((t) =>
      high.includes(t)
        ? [
            "SlaWarningReached first_reply#1 2026-11-30T10:00:00.000Z",
            "SlaBreached first_reply#1 2026-11-30T11:00:00.000Z"
          ]
        : answered.includes(t)
          ? []
          : [
              "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z",
              "SlaBreached first_reply#1 2026-11-30T17:00:00.000Z"
            ]
    )
    const total = recorded.flat().length
    console.log(
      `${total} warnings and breaches recorded on ${tickets.length} tickets by 3 runners; ${fired} timer firings recorded something`
    )
    assert.deepStrictEqual(recorded, expected)
    assert.strictEqual(total, 20)
    assert.strictEqual(fired, 20, "each warning and each breach came from one firing")
  })

describe("SLA timers on Redis through the Helpdesk, three runners", () => {
  it.effect("in-memory store: each warning and breach recorded exactly once per metric instance", () =>
    Effect.flatMap(MemoryTicketStore.makeStore(), scenario)
  )

  it.effect("a runner that claimed and died leaves its timers to the others once the lease (60 s) ends", () =>
    Effect.gen(function* () {
      const store = yield* MemoryTicketStore.makeStore()
      yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
      const [first, second] = (yield* runners(store)) as [Helpdesk.Service, Helpdesk.Service]
      const ticket = yield* first.open({
        requester: { email: "jane@example.com", name: "Jane" },
        subject: "Charged twice",
        text: "Twice.",
        channel: "email"
      })
      yield* TestClock.setTime(Date.parse("2026-11-30T15:00:00Z"))
      // The dying node's claim, through the same kind of Redis timers its Helpdesk would use.
      const dying = RedisTimers.makeWith(
        { redis: clients[2] as (typeof clients)[0], prefix: prefixes.at(-1) as string },
        store.timers
      )
      const claimed = yield* dying.claimDue(ticket.workspaceId, yield* DateTime.now, 100, 60_000)
      assert.strictEqual(claimed.length, 1)
      assert.strictEqual(yield* second.runDueTimers(), 0, "leased to the dead node")
      yield* TestClock.setTime(Date.parse("2026-11-30T15:00:59.999Z"))
      assert.strictEqual(yield* second.runDueTimers(), 0)
      yield* TestClock.setTime(Date.parse("2026-11-30T15:01:00Z"))
      assert.strictEqual(yield* second.runDueTimers(), 1)
      assert.deepStrictEqual(yield* milestones(first, ticket.id), [
        "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z"
      ])
    })
  )

  it.effect("the layers as an app wires them: the Helpdesk on RedisTimers.layer, fired by the TimerLoop", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-11-27T16:00:00Z"))
      const prefix = freshPrefix("layers")
      prefixes.push(prefix)
      const services = Helpdesk.layer({ workspaceId: "acme" }, { sla }).pipe(
        Layer.provide(RedisTimers.layer()),
        Layer.provideMerge(
          Layer.mergeAll(
            MemoryTicketStore.layer(),
            MemoryDirectoryStore.layer,
            IdGenerator.layerTimeOrdered,
            RedisClient.layer({ url: redisUrl(), prefix })
          )
        )
      )
      yield* Effect.gen(function* () {
        const helpdesk = yield* Helpdesk.Helpdesk
        const ticket = yield* helpdesk.open({
          requester: { email: "jane@example.com", name: "Jane" },
          subject: "Charged twice",
          text: "Twice.",
          channel: "email"
        })
        yield* Effect.forkScoped(TimerLoop.run({ every: "1 second" }))
        /** Ticks the test clock until the ticket holds `count` milestones: the loop's Redis calls are real I/O. */
        const until = (count: number) =>
          Effect.gen(function* () {
            let recorded: ReadonlyArray<string> = []
            for (let tick = 0; tick < 200 && recorded.length < count; tick++) {
              yield* TestClock.adjust("1 second")
              yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
              recorded = yield* milestones(helpdesk, ticket.id)
            }
            return recorded
          })
        yield* TestClock.setTime(Date.parse("2026-11-30T15:00:00Z"))
        assert.deepStrictEqual(yield* until(1), ["SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z"])
        // The breach's timer was written by the warning's append, in the store: the loop relays it.
        yield* TestClock.setTime(Date.parse("2026-11-30T17:00:00Z"))
        assert.deepStrictEqual(yield* until(2), [
          "SlaWarningReached first_reply#1 2026-11-30T15:00:00.000Z",
          "SlaBreached first_reply#1 2026-11-30T17:00:00.000Z"
        ])
      }).pipe(Effect.provide(services))
    })
  )

  it.effect("SQLite store: each warning and breach recorded exactly once per metric instance", () =>
    Effect.gen(function* () {
      const db = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new Kysely<Database.Database>({ dialect: new SqliteDialect({ database: new SqliteDatabase(":memory:") }) })
        ),
        (db) => Effect.promise(() => db.destroy())
      )
      yield* Migrations.migrate(db, "sqlite")
      yield* scenario(yield* SqlTicketStore.make({ db, dialect: "sqlite" }))
    })
  )
})
