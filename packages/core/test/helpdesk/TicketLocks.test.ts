import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as TicketLocks from "../../src/helpdesk/TicketLocks.js"

/** A piece of work that logs when it starts and ends, and lets other fibers run in between. */
const work = (log: Array<string>, name: string) =>
  Effect.gen(function* () {
    log.push(`${name} start`)
    for (let i = 0; i < 3; i++) yield* Effect.yieldNow
    log.push(`${name} end`)
    return name
  })

describe("TicketLocks", () => {
  it.effect("commands on one ticket run one at a time, in the order they arrived", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      const log: Array<string> = []
      const names = ["a", "b", "c", "d", "e"]
      const done = yield* Effect.forEach(names, (name) => locks.withLock("t1", work(log, name)), {
        concurrency: "unbounded"
      })
      expect(done).toEqual(names)
      expect(log).toEqual(names.flatMap((n) => [`${n} start`, `${n} end`]))
      expect(locks.size()).toBe(0)
    })
  )

  it.effect("commands on different tickets do not wait for each other", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(locks.withLock("a", Deferred.await(gate)))
      yield* Effect.yieldNow
      // "a" is held until the gate opens; "b" is free.
      expect(yield* locks.withLock("b", Effect.succeed("b done"))).toBe("b done")
      expect(locks.size()).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      expect(locks.size()).toBe(0)
    })
  )

  it.effect("the lock is released however the command ends: success, failure, defect or interruption", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      expect(yield* locks.withLock("t", Effect.succeed(1))).toBe(1)
      expect(yield* Effect.flip(locks.withLock("t", Effect.fail("refused")))).toBe("refused")
      const defect = yield* Effect.exit(locks.withLock("t", Effect.die(new Error("bug"))))
      expect(Exit.hasDies(defect)).toBe(true)
      const started = yield* Deferred.make<void>()
      const hanging = yield* Effect.forkChild(
        locks.withLock("t", Effect.andThen(Deferred.succeed(started, undefined), Effect.never))
      )
      yield* Deferred.await(started)
      expect(locks.size()).toBe(1)
      yield* Fiber.interrupt(hanging)
      expect(locks.size()).toBe(0)
      // After all of that, the ticket's lock is free.
      expect(yield* locks.withLock("t", Effect.succeed("free"))).toBe("free")
      expect(locks.size()).toBe(0)
    })
  )

  it.effect("a waiter that is interrupted leaves the queue; the ones behind it still run", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      const gate = yield* Deferred.make<void>()
      const log: Array<string> = []
      const holder = yield* Effect.forkChild(locks.withLock("t", Deferred.await(gate)))
      yield* Effect.yieldNow
      const impatient = yield* Effect.forkChild(locks.withLock("t", work(log, "impatient")))
      const patient = yield* Effect.forkChild(locks.withLock("t", work(log, "patient")))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(impatient)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      expect(yield* Fiber.join(patient)).toBe("patient")
      expect(log).toEqual(["patient start", "patient end"])
      expect(locks.size()).toBe(0)
    })
  )

  it.effect("a command nested in another on the same ticket runs inside it instead of waiting for itself", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      const other = TicketLocks.make()
      const nested = locks.withLock(
        "t",
        Effect.gen(function* () {
          const inner = yield* locks.withLock("t", Effect.succeed("inner"))
          // Forked work of the command counts as the command, too.
          const forked = yield* Fiber.join(yield* Effect.forkChild(locks.withLock("t", Effect.succeed("forked"))))
          // Another table's lock on the same ticket id is another lock: free here.
          const elsewhere = yield* other.withLock("t", Effect.succeed("elsewhere"))
          return [inner, forked, elsewhere]
        })
      )
      expect(yield* nested).toEqual(["inner", "forked", "elsewhere"])
      expect(locks.size()).toBe(0)
    })
  )

  it.effect("the table holds only the tickets with a command running or waiting", () =>
    Effect.gen(function* () {
      const locks = TicketLocks.make()
      const gate = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => `t${i % 250}`),
        (id) => Effect.forkChild(locks.withLock(id, Deferred.await(gate)))
      )
      yield* Effect.yieldNow
      expect(locks.size()).toBe(250)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      expect(locks.size()).toBe(0)
    })
  )
})
