/**
 * The conformance suite of the `Timers` port, as a ticket store provides it: scheduling is
 * idempotent by timer id, `claimDue` hands out a workspace's due timers in due order under a
 * lease, `complete` removes, and timers written by `TicketStore.append` exist exactly when the
 * append succeeded. `TicketStoreSuite.run` runs it; it can also run alone.
 */
import { DateTime, Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Timer from "../ports/Timers.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import {
  type AppendFailure,
  appendFailure,
  appendStep,
  checkSteps,
  failureOf,
  freshWorkspace,
  millis,
  minutesLater,
  noted,
  opened,
  openTicket,
  type PropertyOptions,
  propertySettings,
  type StoreLayer,
  type Stream,
  show,
  startAt,
  ticketIn,
  withPorts
} from "./internal/fixtures.js"

/**
 * How much of the suite to run.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options extends PropertyOptions {}

const at = (minutes: number) => millis(minutesLater(minutes))

/** A timer as compared: every field, the due time in milliseconds. */
const plain = (timer: Timer.Timer) => ({ ...timer, dueAt: millis(timer.dueAt) })

/** The reference semantics of the port, over plain data. */
class TimersModel {
  readonly entries = new Map<string, { readonly timer: Timer.Timer; availableAt: number }>()
  schedule(timer: Timer.Timer) {
    if (!this.entries.has(timer.id)) this.entries.set(timer.id, { timer, availableAt: Number.NEGATIVE_INFINITY })
  }
  claim(ws: WorkspaceId, now: number, limit: number, lease: number): ReadonlyArray<Timer.Timer> {
    const due = [...this.entries.values()]
      .filter((e) => e.timer.workspaceId === ws && millis(e.timer.dueAt) <= now && e.availableAt <= now)
      .sort((a, b) => millis(a.timer.dueAt) - millis(b.timer.dueAt))
      .slice(0, limit)
    for (const e of due) e.availableAt = now + lease
    return due.map((e) => e.timer)
  }
  complete(id: string) {
    this.entries.delete(id)
  }
}

type Op =
  | { readonly kind: "schedule"; readonly timer: number }
  | { readonly kind: "append"; readonly timers: ReadonlyArray<number>; readonly fail: AppendFailure }
  | {
      readonly kind: "claim"
      readonly space: number
      readonly advance: number
      readonly limit: number
      readonly lease: number
    }
  | { readonly kind: "complete"; readonly pick: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("schedule" as const), timer: fc.nat() }),
  fc.record({
    kind: fc.constant("append" as const),
    timers: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    fail: appendFailure
  }),
  ...Array.from({ length: 2 }, () =>
    fc.record({
      kind: fc.constant("claim" as const),
      space: fc.nat(1),
      advance: fc.constantFrom(0, 0, 1, 59_999, 60_000, 600_000, 3_600_000),
      limit: fc.integer({ min: 1, max: 4 }),
      lease: fc.constantFrom(1, 60_000, 600_000)
    })
  ),
  fc.record({ kind: fc.constant("complete" as const), pick: fc.nat() })
)

/**
 * Registers the conformance tests of the `Timers` a store provides.
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: StoreLayer<E>, options: Options = {}): void => {
  const { params, timeout } = propertySettings(options, 600_000)

  describe(`Timers conformance: ${name}`, () => {
    it("scheduling a timer twice keeps one", () =>
      withPorts(layer, ({ timers }) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const timer = Timer.make(ws, ticketIn(ws, "t1"), "close_solved", minutesLater(10))
          yield* timers.schedule(timer)
          yield* timers.schedule(timer)
          const claimed = yield* timers.claimDue(ws, minutesLater(20), 10, 60_000)
          expect(claimed.map(plain)).toEqual([plain(timer)])
        })
      ))

    it("scheduling a claimed timer again neither releases its lease nor adds a copy", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = yield* openTicket(ports, ws, "t1", 1)
          const timer = Timer.make(ws, id, "close_solved", minutesLater(10))
          yield* ports.timers.schedule(timer)
          const claimedAt = minutesLater(20)
          expect((yield* ports.timers.claimDue(ws, claimedAt, 10, 600_000)).map(plain)).toEqual([plain(timer)])
          yield* ports.timers.schedule(timer)
          const note = noted(id, minutesLater(21), "solved again", `${id}.n1`)
          yield* ports.tickets.append(id, 1, [note], { timers: [timer] })
          expect(yield* ports.timers.claimDue(ws, minutesLater(21), 10, 600_000), "still leased").toEqual([])
          const leaseEnd = DateTime.add(claimedAt, { milliseconds: 600_000 })
          expect((yield* ports.timers.claimDue(ws, leaseEnd, 10, 600_000)).map(plain)).toEqual([plain(timer)])
        })
      ))

    it("claimDue returns only the workspace's due timers, in due order, at most `limit`", () =>
      withPorts(layer, ({ timers }) =>
        Effect.gen(function* () {
          const [a, b] = [yield* freshWorkspace, yield* freshWorkspace]
          const inA = [30, 10, 20, 50].map((m) => Timer.make(a, ticketIn(a, `t${m}`), "close_solved", minutesLater(m)))
          const inB = Timer.make(b, ticketIn(b, "t5"), "close_solved", minutesLater(5))
          for (const t of [...inA, inB]) yield* timers.schedule(t)
          const first = yield* timers.claimDue(a, minutesLater(40), 2, 60_000)
          expect(first.map((t) => t.id)).toEqual([inA[1]?.id, inA[2]?.id])
          const rest = yield* timers.claimDue(a, minutesLater(40), 10, 60_000)
          expect(
            rest.map((t) => t.id),
            "the 50-minute timer is not due yet"
          ).toEqual([inA[0]?.id])
          expect(yield* timers.claimDue(b, minutesLater(4), 10, 60_000)).toEqual([])
          expect((yield* timers.claimDue(b, minutesLater(5), 10, 60_000)).map(plain)).toEqual([plain(inB)])
        })
      ))

    it("a claimed timer comes back only when its lease ends, and not at all once completed", () =>
      withPorts(layer, ({ timers }) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const lease = 60_000
          const [t1, t2] = [1, 2].map((n) => Timer.make(ws, ticketIn(ws, `t${n}`), "close_solved", minutesLater(n)))
          yield* timers.schedule(t1 as Timer.Timer)
          yield* timers.schedule(t2 as Timer.Timer)
          const claimedAt = minutesLater(10)
          expect((yield* timers.claimDue(ws, claimedAt, 10, lease)).length).toBe(2)
          expect(yield* timers.claimDue(ws, claimedAt, 10, lease)).toEqual([])
          expect(yield* timers.claimDue(ws, DateTime.add(claimedAt, { milliseconds: lease - 1 }), 10, lease)).toEqual(
            []
          )
          yield* timers.complete((t1 as Timer.Timer).id)
          const back = yield* timers.claimDue(ws, DateTime.add(claimedAt, { milliseconds: lease }), 10, lease)
          expect(back.map(plain)).toEqual([plain(t2 as Timer.Timer)])
          yield* timers.complete((t2 as Timer.Timer).id)
          yield* timers.complete("never-scheduled")
          expect(yield* timers.claimDue(ws, minutesLater(10_000), 10, lease)).toEqual([])
        })
      ))

    it("timers an append carries are claimable; a failed append writes none", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const id = yield* openTicket(ports, ws, "t1", 1)
          const written = Timer.make(ws, id, "close_solved", minutesLater(60))
          const note = noted(id, minutesLater(1), "solved on the phone", `${id}.n1`)
          expect(yield* ports.tickets.append(id, 1, [note], { timers: [written] })).toBe(2)
          const conflicted = Timer.make(ws, id, "close_solved", minutesLater(61))
          const conflict = yield* failureOf(ports.tickets.append(id, 1, [note], { timers: [conflicted] }))
          expect(conflict._tag).toBe("VersionConflict")
          const other = ticketIn(ws, "t2")
          const taken = Timer.make(ws, other, "close_solved", minutesLater(62))
          const error = yield* failureOf(ports.tickets.append(other, 0, [opened(ws, other, 1)], { timers: [taken] }))
          expect(error._tag).toBe("PublicIdTaken")
          const claimed = yield* ports.timers.claimDue(ws, minutesLater(1000), 10, 60_000)
          expect(claimed.map(plain)).toEqual([plain(written)])
        })
      ))

    it(
      "random schedules, appends, claims and completions give the reference's claims",
      () =>
        checkSteps(layer, op, params, async (ports, dueMinutes, ops) => {
          const spaces = [await Effect.runPromise(freshWorkspace), await Effect.runPromise(freshWorkspace)]
          const streams: Array<Stream> = []
          for (const ws of spaces) {
            streams.push({ id: await Effect.runPromise(openTicket(ports, ws, "t", 1)), version: 1 })
          }
          // Each due time belongs to one workspace's ticket: due times differ within a workspace.
          const candidates = dueMinutes.map((m, i) => {
            const space = i % 2
            const ws = spaces[space] as WorkspaceId
            const stream = streams[space] as { id: TicketId }
            return Timer.make(ws, stream.id, "close_solved", minutesLater(m))
          })
          const model = new TimersModel()
          let now = millis(startAt)
          let notes = 0
          for (const step of ops) {
            const label = show(step)
            switch (step.kind) {
              case "schedule": {
                const timer = candidates[step.timer % candidates.length] as Timer.Timer
                await Effect.runPromise(ports.timers.schedule(timer))
                model.schedule(timer)
                break
              }
              case "append": {
                // The timers go with an append to their ticket's stream; all of one space.
                const first = candidates[(step.timers[0] ?? 0) % candidates.length] as Timer.Timer
                const batch = step.timers
                  .map((n) => candidates[n % candidates.length] as Timer.Timer)
                  .filter((t) => t.workspaceId === first.workspaceId)
                const stream = streams[spaces.indexOf(first.workspaceId)] as Stream
                notes++
                const written = await appendStep(ports, {
                  ws: first.workspaceId,
                  stream,
                  fail: step.fail,
                  staleVersion: stream.version + 1,
                  count: notes,
                  text: "timer set",
                  effects: { timers: batch },
                  label
                })
                if (written) for (const t of batch) model.schedule(t)
                break
              }
              case "claim": {
                now += step.advance
                const ws = spaces[step.space] as WorkspaceId
                const claimed = await Effect.runPromise(
                  ports.timers.claimDue(ws, DateTime.makeUnsafe(now), step.limit, step.lease)
                )
                const expected = model.claim(ws, now, step.limit, step.lease)
                expect(claimed.map(plain), `${label} at ${now}`).toEqual(expected.map(plain))
                break
              }
              case "complete": {
                const timer = candidates[step.pick % candidates.length] as Timer.Timer
                await Effect.runPromise(ports.timers.complete(timer.id))
                model.complete(timer.id)
                break
              }
            }
          }
          // Whatever is left comes out once the leases have ended, in due order.
          for (const ws of spaces) {
            const later = Math.max(now, at(600)) + 600_000
            const left = await Effect.runPromise(ports.timers.claimDue(ws, DateTime.makeUnsafe(later), 100, 1))
            expect(left.map(plain), "left over").toEqual(model.claim(ws, later, 100, 1).map(plain))
          }
        }),
      timeout
    )
  })
}
