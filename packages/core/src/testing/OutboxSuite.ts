/**
 * The conformance suite of the `Outbox` port, as a ticket store provides it: messages exist
 * exactly when the append that carried them succeeded, once per id; `claim` hands out a
 * channel's ready messages oldest first under a lease (claimers at once never share one);
 * `retry` gives one back for later, counting the attempt and keeping its error; `deadLetter` parks
 * one for good, listed by `deadLetters` and never claimed until `requeue`; `complete` removes.
 * `TicketStoreSuite.run` runs it; it can also run alone.
 */
import { DateTime, Effect } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { ClaimedMessage, DeadLetter, OutboxMessage } from "../ports/Outbox.js"
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
  type Ports,
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

/** A dead letter as compared: every field, its times in milliseconds. */
const plainDead = (letter: DeadLetter) => ({ ...plain(letter), deadAt: millis(letter.deadAt) })

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

/** One message on a fresh workspace's email channel, written with its ticket's opening. */
const oneMessage = (ports: Ports) =>
  Effect.gen(function* () {
    const ws = yield* freshWorkspace
    const channel = `${ws}:email`
    const id = ticketIn(ws, "t1")
    const sent = message(ws, id, `${id}:m1`, channel, 1)
    yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: [sent] })
    return { channel, sent }
  })

/** The reference semantics of the port, over plain data. */
class OutboxModel {
  readonly entries = new Map<
    string,
    {
      readonly message: OutboxMessage
      availableAt: number
      attempts: number
      lastError: string | undefined
      deadAt: number | undefined
    }
  >()
  add(message: OutboxMessage) {
    if (!this.entries.has(message.id)) {
      this.entries.set(message.id, {
        message,
        availableAt: Number.NEGATIVE_INFINITY,
        attempts: 0,
        lastError: undefined,
        deadAt: undefined
      })
    }
  }
  claim(channel: string, now: number, limit: number, lease: number): ReadonlyArray<ClaimedMessage> {
    const ready = [...this.entries.values()]
      .filter((e) => e.message.channel === channel && e.deadAt === undefined && e.availableAt <= now)
      .sort((a, b) => millis(a.message.createdAt) - millis(b.message.createdAt))
      .slice(0, limit)
    for (const e of ready) e.availableAt = now + lease
    return ready.map((e) => ({
      ...e.message,
      attempts: e.attempts,
      ...(e.lastError === undefined ? {} : { lastError: e.lastError })
    }))
  }
  retry(id: string, at: number, error: string | undefined) {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.deadAt !== undefined) return
    entry.attempts++
    entry.availableAt = at
    if (error !== undefined) entry.lastError = error
  }
  deadLetter(id: string, now: number, error: string) {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.deadAt !== undefined) return
    entry.attempts++
    entry.lastError = error
    entry.deadAt = now
  }
  deadLetters(ws: WorkspaceId) {
    return [...this.entries.values()]
      .filter((e) => e.deadAt !== undefined && e.message.workspaceId === ws)
      .sort((a, b) => (a.deadAt ?? 0) - (b.deadAt ?? 0) || (a.message.id < b.message.id ? -1 : 1))
      .map((e) => ({
        ...plain(e.message),
        attempts: e.attempts,
        lastError: e.lastError ?? "",
        deadAt: e.deadAt ?? 0
      }))
  }
  requeue(id: string): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined || entry.deadAt === undefined) return false
    entry.deadAt = undefined
    entry.attempts = 0
    entry.availableAt = Number.NEGATIVE_INFINITY
    return true
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
  | { readonly kind: "retry"; readonly pick: number; readonly delay: number; readonly error: string | undefined }
  | { readonly kind: "deadLetter"; readonly pick: number; readonly error: string }
  | { readonly kind: "requeue"; readonly pick: number }
  | { readonly kind: "complete"; readonly pick: number }

/** Errors as deliverers report them: text that is awkward to store. */
const errors = [
  "connect ECONNREFUSED 127.0.0.1:25",
  "550 5.1.1 <jane@example.com>: unknown",
  "Ça \u0000 a échoué ' % _"
]

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
  fc.record({
    kind: fc.constant("retry" as const),
    pick: fc.nat(),
    delay: fc.constantFrom(0, 1, 30_000, 600_000),
    error: fc.constantFrom(undefined, ...errors)
  }),
  fc.record({ kind: fc.constant("deadLetter" as const), pick: fc.nat(), error: fc.constantFrom(...errors) }),
  fc.record({ kind: fc.constant("requeue" as const), pick: fc.nat() }),
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
          const { channel, sent } = yield* oneMessage(ports)
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
          yield* ports.outbox.complete(`${sent.ticketId}:never-written`)
          expect(yield* ports.outbox.claim(channel, minutesLater(100_000), 10, 600_000)).toEqual([])
        })
      ))

    it("retry keeps the attempt's error, and the next claim returns it as the last error", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const { channel, sent } = yield* oneMessage(ports)
          const now = minutesLater(10)
          yield* ports.outbox.claim(channel, now, 10, 60_000)
          yield* ports.outbox.retry(sent.id, now, "connect ECONNREFUSED 127.0.0.1:25")
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).map(plain)).toEqual([
            { ...plain(sent), attempts: 1, lastError: "connect ECONNREFUSED 127.0.0.1:25" }
          ])
          // A retry without an error keeps the last one known.
          yield* ports.outbox.retry(sent.id, now)
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).map((m) => [m.attempts, m.lastError])).toEqual([
            [2, "connect ECONNREFUSED 127.0.0.1:25"]
          ])
        })
      ))

    it("a dead letter is never claimed again, retry does not revive it, and deadLetters lists it with its attempts and last error", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const other = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = ticketIn(ws, "t1")
          const elsewhere = ticketIn(other, "t1")
          const [m1, m2, m3] = [1, 2, 3].map((n) => message(ws, id, `${id}:m${n}`, channel, n, payloads[n]))
          const foreign = message(other, elsewhere, `${elsewhere}:m1`, channel, 1)
          yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: [m1, m2, m3] as Array<OutboxMessage> })
          yield* ports.tickets.append(elsewhere, 0, [opened(other, elsewhere, 1)], { outbox: [foreign] })
          const now = minutesLater(10)
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).length).toBe(4)
          yield* ports.outbox.retry(`${id}:m2`, now, "timeout")
          yield* ports.outbox.claim(channel, now, 10, 60_000)
          const later = DateTime.add(now, { milliseconds: 5_000 })
          yield* ports.outbox.deadLetter(`${id}:m2`, now, "550 5.1.1 unknown user")
          yield* ports.outbox.deadLetter(`${id}:m1`, later, "401 Unauthorized")
          yield* ports.outbox.deadLetter(`${elsewhere}:m1`, now, "gone")
          // Dead already, or never written: nothing changes.
          yield* ports.outbox.deadLetter(`${id}:m1`, minutesLater(50), "again")
          yield* ports.outbox.deadLetter(`${id}:never-written`, now, "nothing")
          yield* ports.outbox.retry(`${id}:m1`, now, "revived?")
          expect(yield* ports.outbox.claim(channel, minutesLater(100_000), 10, 60_000), "only m3").toHaveLength(1)
          expect((yield* ports.outbox.deadLetters(ws, 10)).map(plainDead)).toEqual([
            { ...plain(m2 as OutboxMessage), attempts: 2, lastError: "550 5.1.1 unknown user", deadAt: millis(now) },
            { ...plain(m1 as OutboxMessage), attempts: 1, lastError: "401 Unauthorized", deadAt: millis(later) }
          ])
          expect((yield* ports.outbox.deadLetters(ws, 1)).map((d) => d.id)).toEqual([`${id}:m2`])
          expect((yield* ports.outbox.deadLetters(other, 10)).map((d) => d.id)).toEqual([`${elsewhere}:m1`])
          // A late worker that delivered it after all removes it.
          yield* ports.outbox.complete(`${elsewhere}:m1`)
          expect(yield* ports.outbox.deadLetters(other, 10)).toEqual([])
        })
      ))

    it("requeue makes a dead letter claimable at once with no attempts, its last error kept; any other message is left alone", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = ticketIn(ws, "t1")
          const [dead, live] = [1, 2].map((n) => message(ws, id, `${id}:m${n}`, channel, n)) as [
            OutboxMessage,
            OutboxMessage
          ]
          yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: [dead, live] })
          const now = minutesLater(10)
          yield* ports.outbox.claim(channel, now, 10, 600_000)
          yield* ports.outbox.retry(dead.id, now, "timeout")
          yield* ports.outbox.claim(channel, now, 1, 600_000)
          yield* ports.outbox.deadLetter(dead.id, now, "Ça a échoué: 'quoted' \\ % _")
          expect(yield* ports.outbox.requeue(live.id), "a live message is not a dead letter").toBe(false)
          expect(yield* ports.outbox.requeue(`${id}:never-written`)).toBe(false)
          expect(yield* ports.outbox.claim(channel, now, 10, 600_000), "live still leased").toEqual([])
          expect(yield* ports.outbox.requeue(dead.id)).toBe(true)
          expect(yield* ports.outbox.requeue(dead.id), "once").toBe(false)
          expect(yield* ports.outbox.deadLetters(ws, 10)).toEqual([])
          expect((yield* ports.outbox.claim(channel, now, 10, 60_000)).map(plain)).toEqual([
            { ...plain(dead), attempts: 0, lastError: "Ça a échoué: 'quoted' \\ % _" }
          ])
        })
      ))

    it("claimers at once never get the same message within a lease; every ready one is handed out once", () =>
      withPorts(layer, (ports) =>
        Effect.gen(function* () {
          const ws = yield* freshWorkspace
          const channel = `${ws}:email`
          const id = ticketIn(ws, "t1")
          const messages = Array.from({ length: 30 }, (_, n) => message(ws, id, `${id}:m${n}`, channel, n))
          yield* ports.tickets.append(id, 0, [opened(ws, id, 1)], { outbox: messages })
          const now = minutesLater(100)
          const together = () =>
            Effect.all(
              Array.from({ length: 8 }, () => ports.outbox.claim(channel, now, 3, 60_000)),
              { concurrency: "unbounded" }
            )
          const rounds = [...(yield* together()), ...(yield* together())].flat()
          // A database may pass over more rows than a claim takes (MySQL locks the range it
          // scans), so what the claimers at once left is picked up by one claim after them.
          const rest = yield* ports.outbox.claim(channel, now, 100, 60_000)
          const ids = [...rounds, ...rest].map((m) => m.id)
          expect(rounds.length, "the claimers at once got messages").toBeGreaterThan(0)
          expect(new Set(ids).size, "none handed out twice").toBe(ids.length)
          expect(ids.length, "every ready message handed out").toBe(30)
          expect(yield* ports.outbox.claim(channel, now, 100, 60_000)).toEqual([])
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
      "random appends, claims, retries, dead letters, requeues and completions give the reference's claims and dead letters",
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
                await Effect.runPromise(ports.outbox.retry(id, DateTime.makeUnsafe(now + step.delay), step.error))
                model.retry(id, now + step.delay, step.error)
                claimed.delete(id)
                break
              }
              case "deadLetter": {
                const ids = [...claimed].filter((id) => model.entries.has(id))
                if (ids.length === 0) break
                const id = ids[step.pick % ids.length] as string
                await Effect.runPromise(ports.outbox.deadLetter(id, DateTime.makeUnsafe(now), step.error))
                model.deadLetter(id, now, step.error)
                claimed.delete(id)
                break
              }
              case "requeue": {
                const target = candidates[step.pick % candidates.length] as OutboxMessage
                const requeued = await Effect.runPromise(ports.outbox.requeue(target.id))
                expect(requeued, label).toBe(model.requeue(target.id))
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
          const dead = await Effect.runPromise(ports.outbox.deadLetters(ws, 100))
          expect(dead.map(plainDead), "dead letters").toEqual(model.deadLetters(ws))
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
