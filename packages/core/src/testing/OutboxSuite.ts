/**
 * The conformance suite of the `Outbox` port, as a ticket store provides it: messages exist
 * exactly when the append that carried them succeeded, once per id; `claim` hands out a
 * channel's ready messages oldest first under a lease; `retry` gives one back for later,
 * counting the attempt; `complete` removes. `TicketStoreSuite.run` runs it; it can also run alone.
 */
import { DateTime, Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ClaimedMessage, OutboxMessage } from "../ports/Outbox.js"
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

/** A message as compared: every field, the creation time in milliseconds. */
const plain = (message: OutboxMessage | ClaimedMessage) => ({ ...message, createdAt: millis(message.createdAt) })

/** Payloads as deliverers get them: JSON with text that is awkward to store. */
const payloads: ReadonlyArray<unknown> = [
  { to: "jane@example.com", subject: "Re: [#12] VPN drops every hour", body: "Ça marche 👍" },
  { url: "https://hooks.example.com/t?x=1&y='2'", event: "ticket.updated", version: 3, tags: ["vpn", "été"] },
  { text: '\'); DROP TABLE outbox; -- \\ % _ "quoted"', nested: { list: [1, 2.5, true, null], empty: {} } },
  []
]

const message = (
  ws: WorkspaceId,
  ticketId: TicketId,
  id: string,
  channel: string,
  createdMinutes: number,
  payload: unknown = payloads[0]
): OutboxMessage => ({ id, workspaceId: ws, ticketId, channel, payload, createdAt: minutesLater(createdMinutes) })

/** The reference semantics of the port, over plain data. */
class OutboxModel {
  readonly entries = new Map<string, { readonly message: OutboxMessage; availableAt: number; attempts: number }>()
  add(message: OutboxMessage) {
    if (!this.entries.has(message.id)) {
      this.entries.set(message.id, { message, availableAt: Number.NEGATIVE_INFINITY, attempts: 0 })
    }
  }
  claim(channel: string, now: number, limit: number, lease: number): ReadonlyArray<ClaimedMessage> {
    const ready = [...this.entries.values()]
      .filter((e) => e.message.channel === channel && e.availableAt <= now)
      .sort((a, b) => millis(a.message.createdAt) - millis(b.message.createdAt))
      .slice(0, limit)
    for (const e of ready) e.availableAt = now + lease
    return ready.map((e) => ({ ...e.message, attempts: e.attempts }))
  }
  retry(id: string, at: number) {
    const entry = this.entries.get(id)
    if (entry === undefined) return
    entry.attempts++
    entry.availableAt = at
  }
  complete(id: string) {
    this.entries.delete(id)
  }
}

type Op =
  | { readonly kind: "append"; readonly messages: ReadonlyArray<number>; readonly fail: AppendFailure }
  | {
      readonly kind: "claim"
      readonly channel: number
      readonly advance: number
      readonly limit: number
      readonly lease: number
    }
  | { readonly kind: "retry"; readonly pick: number; readonly delay: number }
  | { readonly kind: "complete"; readonly pick: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("append" as const),
    messages: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    fail: appendFailure
  }),
  ...Array.from({ length: 2 }, () =>
    fc.record({
      kind: fc.constant("claim" as const),
      channel: fc.nat(1),
      advance: fc.constantFrom(0, 0, 1, 29_999, 30_000, 60_000, 600_000),
      limit: fc.integer({ min: 1, max: 4 }),
      lease: fc.constantFrom(1, 60_000, 600_000)
    })
  ),
  fc.record({ kind: fc.constant("retry" as const), pick: fc.nat(), delay: fc.constantFrom(0, 1, 30_000, 600_000) }),
  fc.record({ kind: fc.constant("complete" as const), pick: fc.nat() })
)

/**
 * Registers the conformance tests of the `Outbox` a store provides.
 *
 * @category testing
 * @since 0.1.0
 */
export const run = <E>(name: string, layer: StoreLayer<E>, options: Options = {}): void => {
  const { params, timeout } = propertySettings(options, 600_000)

  describe(`Outbox conformance: ${name}`, () => {
    it("messages an append carries are claimed by their channel only, oldest first, each with 0 attempts", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const [email, webhook] = [`${ws}:email`, `${ws}:webhook`]
          const id = ticketIn(ws, "t1")
          const messages = [
            message(ws, id, `${id}:m3`, email, 3, payloads[1]),
            message(ws, id, `${id}:m1`, email, 1, payloads[2]),
            message(ws, id, `${id}:m2`, webhook, 2, payloads[3]),
            message(ws, id, `${id}:m4`, email, 4)
          ]
          yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: messages })
          const [m3, m1, m2, m4] = messages.map(plain)
          const now = minutesLater(10)
          expect((yield* ports.outbox.claim(email, now, 2, 60_000)).map(plain)).toEqual([
            { ...m1, attempts: 0 },
            { ...m3, attempts: 0 }
          ])
          expect((yield* ports.outbox.claim(email, now, 10, 60_000)).map(plain)).toEqual([{ ...m4, attempts: 0 }])
          expect(yield* ports.outbox.claim(email, now, 10, 60_000), "all leased").toEqual([])
          expect((yield* ports.outbox.claim(webhook, now, 10, 60_000)).map(plain)).toEqual([{ ...m2, attempts: 0 }])
          expect(yield* ports.outbox.claim(`${ws}:sms`, now, 10, 60_000)).toEqual([])
          const leaseEnd = DateTime.add(now, { milliseconds: 60_000 })
          expect(yield* ports.outbox.claim(email, DateTime.add(leaseEnd, { milliseconds: -1 }), 10, 60_000)).toEqual([])
          expect((yield* ports.outbox.claim(email, leaseEnd, 10, 60_000)).map((m) => m.id)).toEqual([
            m1?.id,
            m3?.id,
            m4?.id
          ])
        })
      ))

    it("retry gives a message back at its retry time with one more attempt; complete removes it", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = ticketIn(ws, "t1")
          const sent = message(ws, id, `${id}:m1`, channel, 1)
          yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: [sent] })
          const now = minutesLater(10)
          expect((yield* ports.outbox.claim(channel, now, 10, 600_000)).length).toBe(1)
          const retryAt = DateTime.add(now, { milliseconds: 30_000 })
          yield* ports.outbox.retry(sent.id, retryAt)
          expect(yield* ports.outbox.claim(channel, DateTime.add(retryAt, { milliseconds: -1 }), 10, 600_000)).toEqual(
            []
          )
          expect((yield* ports.outbox.claim(channel, retryAt, 10, 600_000)).map(plain)).toEqual([
            { ...plain(sent), attempts: 1 }
          ])
          yield* ports.outbox.retry(sent.id, retryAt)
          expect((yield* ports.outbox.claim(channel, retryAt, 10, 600_000)).map((m) => m.attempts)).toEqual([2])
          yield* ports.outbox.complete(sent.id)
          yield* ports.outbox.complete(`${id}:never-written`)
          expect(yield* ports.outbox.claim(channel, minutesLater(100_000), 10, 600_000)).toEqual([])
        })
      ))

    it("a failed append writes no message, and the same message id twice is kept once", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = yield* openTicket(ports, ws, "t1", 1)
          const note = noted(id, minutesLater(1), "reply sent", `${id}.n1`)
          const conflict = yield* failureOf(
            ports.tickets.append(id, 0, [note], { outbox: [message(ws, id, `${id}:lost1`, channel, 1)] })
          )
          expect(conflict._tag).toBe("VersionConflict")
          const other = ticketIn(ws, "t2")
          const taken = yield* failureOf(
            ports.tickets.append(other, 0, [opened(ws, other, 1)], {
              outbox: [message(ws, other, `${other}:lost2`, channel, 2)]
            })
          )
          expect(taken._tag).toBe("PublicIdTaken")
          const once = message(ws, id, `${id}:once`, channel, 3)
          yield* ports.tickets.append(id, 1, [note], { outbox: [once] })
          yield* ports.tickets.append(id, 2, [noted(id, minutesLater(2), "again", `${id}.n2`)], { outbox: [once] })
          const claimed = yield* ports.outbox.claim(channel, minutesLater(10), 10, 60_000)
          expect(claimed.map(plain)).toEqual([{ ...plain(once), attempts: 0 }])
        })
      ))

    it("writing a message id again keeps the message as it was: its lease and its attempts", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = yield* openTicket(ports, ws, "t1", 1)
          const sent = message(ws, id, `${id}:m1`, channel, 1)
          const again = (version: number) =>
            ports.tickets.append(id, version, [noted(id, minutesLater(version), "again", `${id}.n${version}`)], {
              outbox: [{ ...sent, payload: payloads[2] }]
            })
          yield* again(1)
          const now = minutesLater(10)
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).length).toBe(1)
          yield* again(2)
          expect(yield* ports.outbox.claim(channel, now, 10, 60_000), "still leased").toEqual([])
          yield* ports.outbox.retry(sent.id, now)
          yield* again(3)
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).map(plain)).toEqual([
            { ...plain(sent), payload: payloads[2], attempts: 1 }
          ])
        })
      ))

    it(
      "random appends, claims, retries and completions give the reference's claims",
      () =>
        checkSteps(layer, op, params, async (ports, createdMinutes, ops) => {
          const ws = await Effect.runPromise(freshWorkspace)
          const channels = [`${ws}:email`, `${ws}:webhook`]
          const stream: Stream = { id: await Effect.runPromise(openTicket(ports, ws, "t", 1)), version: 1 }
          const candidates = createdMinutes.map((m, i) =>
            message(ws, stream.id, `${stream.id}:m${i}`, channels[i % 2] as string, m, payloads[i % 4])
          )
          const model = new OutboxModel()
          const claimed = new Set<string>()
          // Messages are created before they are claimed.
          let now = millis(minutesLater(600))
          let notes = 0
          for (const step of ops) {
            const label = show(step)
            switch (step.kind) {
              case "append": {
                const batch = step.messages.map((n) => candidates[n % candidates.length] as OutboxMessage)
                notes++
                const written = await appendStep(ports, {
                  ws,
                  stream,
                  fail: step.fail,
                  staleVersion: stream.version - 1,
                  count: notes,
                  text: "message queued",
                  effects: { outbox: batch },
                  label
                })
                if (written) for (const m of batch) model.add(m)
                break
              }
              case "claim": {
                now += step.advance
                const channel = channels[step.channel] as string
                const got = await Effect.runPromise(
                  ports.outbox.claim(channel, DateTime.makeUnsafe(now), step.limit, step.lease)
                )
                const expected = model.claim(channel, now, step.limit, step.lease)
                expect(got.map(plain), `${label} at ${now}`).toEqual(expected.map(plain))
                for (const m of got) claimed.add(m.id)
                break
              }
              case "retry": {
                // Only a claimed message is given back.
                const ids = [...claimed].filter((id) => model.entries.has(id))
                if (ids.length === 0) break
                const id = ids[step.pick % ids.length] as string
                await Effect.runPromise(ports.outbox.retry(id, DateTime.makeUnsafe(now + step.delay)))
                model.retry(id, now + step.delay)
                claimed.delete(id)
                break
              }
              case "complete": {
                const target = candidates[step.pick % candidates.length] as OutboxMessage
                await Effect.runPromise(ports.outbox.complete(target.id))
                model.complete(target.id)
                break
              }
            }
          }
          for (const channel of channels) {
            const later = now + 1_200_000
            const left = await Effect.runPromise(ports.outbox.claim(channel, DateTime.makeUnsafe(later), 100, 1))
            expect(left.map(plain), "left over").toEqual(model.claim(channel, later, 100, 1).map(plain))
          }
        }),
      timeout
    )
  })
}
