/**
 * The conformance suite of the `ReviewQueue` port, in the pattern of core's `*Suite.ts`: every
 * review queue runs it, the in-memory one included. A hold reads back as it was held (the parsed
 * message with its date, the typed parse error), lists are per workspace and oldest first,
 * release is idempotent and scoped, concurrent holds get distinct ids, and a model-based property
 * checks any sequence of holds and releases against a plain list. Each test uses fresh workspaces.
 */
import { randomUUID } from "node:crypto"
import { Clock, DateTime, Effect, Layer } from "effect"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as EmailError from "../../src/EmailError.js"
import type * as Inbound from "../../src/Inbound.js"
import { type Hold, ReviewQueue } from "../../src/ReviewQueue.js"

type Queue = ReviewQueue["Service"]

const freshWorkspace = () => `ws-${randomUUID()}`

const hold = (workspaceId: string, detail: string, extra: Partial<Hold> = {}): Hold => ({
  workspaceId,
  reason: "unparseable",
  detail,
  from: undefined,
  subject: undefined,
  messageId: undefined,
  rawLocation: undefined,
  message: undefined,
  ...extra
})

const message: Inbound.InboundMessage = {
  from: { name: "Jane Sharpe", address: "jane@customer.test" },
  replyTo: [],
  to: [{ name: "Support", address: "support@acme.test" }],
  cc: [{ name: "", address: "bob@customer.test" }],
  deliveredTo: ["support+t1@acme.test"],
  subject: "Printer on fire — «ça brûle»",
  date: DateTime.makeUnsafe("2026-12-07T10:00:00.000Z"),
  threading: {
    messageId: "m1@customer.test",
    inReplyTo: ["a@x"],
    references: ["a@x"],
    subjectNumber: 69369,
    plusTokens: []
  },
  text: "It is on fire.\n\n> quoted",
  visibleText: "It is on fire.",
  html: "<p>It is on fire.</p>",
  attachments: [
    {
      fileName: "photo.jpg",
      contentType: "image/jpeg",
      size: 3,
      sha256: "ab".repeat(32),
      location: "att_1",
      contentId: "p@x",
      inline: true
    }
  ],
  classification: { kind: "human", reasons: [] },
  headers: [{ name: "x-mailer", value: "Mail" }],
  problems: ["no Date header"],
  raw: { key: "att_raw", size: 120, sha256: "cd".repeat(32) }
}

/**
 * Registers the conformance tests of a `ReviewQueue` built by `layer` (built afresh for each test).
 */
export const run = <E>(name: string, layer: Layer.Layer<ReviewQueue, E>, options: { numRuns?: number } = {}): void => {
  const withQueue = <A, E2>(f: (queue: Queue) => Effect.Effect<A, E2>): Promise<A> =>
    Effect.runPromise(
      Effect.gen(function* () {
        return yield* f(yield* ReviewQueue)
      }).pipe(Effect.provide(Layer.fresh(layer)))
    )

  describe(`ReviewQueue conformance: ${name}`, () => {
    it("a hold is listed with its fields, an id and the time it was held", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const ws = freshWorkspace()
          const before = yield* Clock.currentTimeMillis
          const held = yield* queue.hold(
            hold(ws, "too many messages", {
              reason: "rate-limited",
              from: "jane@customer.test",
              subject: "Hi",
              messageId: "m@x",
              rawLocation: "att_9"
            })
          )
          const after = yield* Clock.currentTimeMillis
          expect(held.heldAt).toBeGreaterThanOrEqual(before)
          expect(held.heldAt).toBeLessThanOrEqual(after)
          expect(held).toMatchObject({ reason: "rate-limited", from: "jane@customer.test", rawLocation: "att_9" })
          expect(yield* queue.list(ws)).toEqual([held])
        })
      ))

    it("a held message and its typed parse error read back as they were held", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const ws = freshWorkspace()
          const raw = { key: "att_raw", size: 10, sha256: "ef".repeat(32) }
          const error = new EmailError.TooDeep({ maxDepth: 20, raw })
          const unparsed = yield* queue.hold(hold(ws, "TooDeep: nested too deep", { rawLocation: raw.key, error }))
          const parsed = yield* queue.hold(hold(ws, "a clue was refused", { reason: "unverified-clue", message }))
          const [first, second] = yield* queue.list(ws)
          expect(first?.error).toBeInstanceOf(EmailError.TooDeep)
          expect(first?.error).toMatchObject({ _tag: "TooDeep", maxDepth: 20, raw, retryable: false })
          expect(first?.error?.message).toBe(error.message)
          expect(first?.id).toBe(unparsed.id)
          expect(second?.message).toEqual(message)
          expect(second?.message?.date?.epochMilliseconds).toBe(message.date?.epochMilliseconds)
          expect(second?.id).toBe(parsed.id)
        })
      ))

    it("lists oldest first and only the workspace's own; release is scoped and idempotent", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const [a, b] = [freshWorkspace(), freshWorkspace()]
          const a1 = yield* queue.hold(hold(a, "a1"))
          const b1 = yield* queue.hold(hold(b, "b1"))
          const a2 = yield* queue.hold(hold(a, "a2"))
          const a3 = yield* queue.hold(hold(a, "a3"))
          expect((yield* queue.list(a)).map((h) => h.detail)).toEqual(["a1", "a2", "a3"])
          expect((yield* queue.list(b)).map((h) => h.id)).toEqual([b1.id])
          // Another workspace's id releases nothing.
          yield* queue.release(b, a1.id)
          expect(yield* queue.list(a)).toHaveLength(3)
          yield* queue.release(a, a2.id)
          yield* queue.release(a, a2.id)
          yield* queue.release(a, "held_missing")
          yield* queue.release(a, "../../etc/passwd")
          expect((yield* queue.list(a)).map((h) => h.id)).toEqual([a1.id, a3.id])
          expect(yield* queue.list(freshWorkspace())).toEqual([])
        })
      ))

    it("concurrent holds get distinct ids and are all listed", () =>
      withQueue((queue) =>
        Effect.gen(function* () {
          const ws = freshWorkspace()
          const held = yield* Effect.forEach(
            Array.from({ length: 40 }, (_, i) => i),
            (i) => queue.hold(hold(ws, `m${i}`)),
            { concurrency: "unbounded" }
          )
          expect(new Set(held.map((h) => h.id)).size).toBe(40)
          const listed = yield* queue.list(ws)
          expect(listed.map((h) => h.id).sort()).toEqual(held.map((h) => h.id).sort())
          const times = listed.map((h) => h.heldAt)
          expect(times).toEqual([...times].sort((x, y) => x - y))
        })
      ))

    it("any sequence of holds and releases lists what a plain list holds, in order (model-based)", async () => {
      type Step = { readonly kind: "hold"; readonly ws: 0 | 1 } | { readonly kind: "release"; readonly pick: number }
      const step: fc.Arbitrary<Step> = fc.oneof(
        fc.record({ kind: fc.constant("hold" as const), ws: fc.constantFrom(0 as const, 1 as const) }),
        fc.record({ kind: fc.constant("release" as const), pick: fc.nat({ max: 30 }) })
      )
      let releases = 0
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 25 }), (steps) =>
          withQueue((queue) =>
            Effect.gen(function* () {
              const spaces = [freshWorkspace(), freshWorkspace()] as const
              let model: ReadonlyArray<{ readonly ws: string; readonly id: string; readonly detail: string }> = []
              for (const [index, s] of steps.entries()) {
                if (s.kind === "hold") {
                  const ws = spaces[s.ws]
                  const held = yield* queue.hold(hold(ws, `d${index}`))
                  model = [...model, { ws, id: held.id, detail: held.detail }]
                } else if (model.length > 0) {
                  const target = model[s.pick % model.length] as (typeof model)[number]
                  yield* queue.release(target.ws, target.id)
                  model = model.filter((m) => m.id !== target.id)
                  releases++
                }
                for (const ws of spaces) {
                  const listed = (yield* queue.list(ws)).map((h) => h.detail)
                  expect(listed).toEqual(model.filter((m) => m.ws === ws).map((m) => m.detail))
                }
              }
            })
          )
        ),
        { numRuns: options.numRuns ?? 30 }
      )
      // The property exercised releases, not only holds.
      expect(releases).toBeGreaterThan(0)
    }, 120_000)
  })
}
