/**
 * Every `Helpdesk` operation runs in a span `Helpdesk.<operation>` under the caller's span, with
 * the workspace, the tickets its input names and the ticket it returns, ending failed (with
 * `error.type`) when the operation fails. Checked with a tracer of Effect's own that keeps its
 * spans: no OpenTelemetry here (`examples/observability` exports them there).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Tracer } from "effect"
import { createHelpdesk } from "../../src/client/Promise.js"
import * as Helpdesk from "../../src/helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../src/memory/MemoryDirectoryStore.js"
import * as MemoryHelpdesk from "../../src/memory/MemoryHelpdesk.js"
import * as MemoryTicketStore from "../../src/memory/MemoryTicketStore.js"
import { DirectoryStore } from "../../src/ports/DirectoryStore.js"
import * as IdGenerator from "../../src/ports/IdGenerator.js"
import { StoreUnavailable } from "../../src/ports/StoreError.js"
import * as RecordingTracer from "../../src/testing/RecordingTracer.js"

const mary = { _tag: "agent", id: "mary" } as const

const opening = {
  requester: { email: "jane@example.com", name: "Jane Sharpe" },
  subject: "VPN drops every hour",
  text: "Since this morning my VPN disconnects every hour.",
  channel: "email"
} as const

/** The one span called `name`; fails the test unless there is exactly one. */
const only = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string): Tracer.NativeSpan => {
  const found = spans.filter((span) => span.name === name)
  expect(found.map((span) => span.name)).toEqual([name])
  return found[0] as Tracer.NativeSpan
}

const exitOf = (span: Tracer.NativeSpan): Exit.Exit<unknown, unknown> => {
  expect(span.status._tag).toBe("Ended")
  return (span.status as Extract<Tracer.SpanStatus, { _tag: "Ended" }>).exit
}

const parentId = (span: Tracer.NativeSpan): string | undefined =>
  Option.getOrUndefined(Option.map(span.parent, (parent) => parent.spanId))

/** Runs `body` traced by `tracer`, on an in-memory help desk of workspace `acme` (numbers from 69369) where Mary is an agent. */
const traced = <A, E>(tracer: Tracer.Tracer, body: (helpdesk: Helpdesk.Service) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const helpdesk = yield* Helpdesk.Helpdesk
    yield* helpdesk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" })
    return yield* body(helpdesk)
  }).pipe(
    Effect.provide(MemoryHelpdesk.layer({ workspaceId: "acme" }, { ids: "sequential", firstPublicId: 69369 })),
    Effect.withTracer(tracer)
  )

describe("Helpdesk operations are traced", () => {
  it.effect(
    "open runs in a span Helpdesk.open, child of the caller's span, with the workspace and the new ticket",
    () => {
      const { spans, tracer } = RecordingTracer.make()
      return Effect.gen(function* () {
        const ticket = yield* traced(tracer, (helpdesk) =>
          Effect.withSpan(helpdesk.open(opening), "POST /tickets", { attributes: { "http.method": "POST" } })
        )
        const request = only(spans, "POST /tickets")
        const open = only(spans, "Helpdesk.open")
        expect(parentId(open)).toBe(request.spanId)
        expect(open.traceId).toBe(request.traceId)
        expect(Object.fromEntries(open.attributes)).toEqual({
          "tessera.workspace": "acme",
          "tessera.ticket_id": ticket.id,
          "tessera.ticket_number": 69369
        })
        expect(Exit.isSuccess(exitOf(open))).toBe(true)
      })
    }
  )

  it.effect("reply names the ticket as given (a number or an id) and the ticket it resolved to", () => {
    const { named, tracer } = RecordingTracer.make()
    return Effect.gen(function* () {
      const ticket = yield* traced(tracer, (helpdesk) =>
        Effect.gen(function* () {
          const opened = yield* helpdesk.open(opening)
          yield* helpdesk.reply({ ticket: 69369, text: "Which VPN client?", by: mary })
          yield* helpdesk.reply({ ticket: opened.id, text: "Version 5.2.", by: mary })
          return opened
        })
      )
      const replies = named("Helpdesk.reply")
      expect(replies.map((span) => Object.fromEntries(span.attributes))).toEqual([
        {
          "tessera.workspace": "acme",
          "tessera.ticket": 69369,
          "tessera.ticket_id": ticket.id,
          "tessera.ticket_number": 69369
        },
        {
          "tessera.workspace": "acme",
          "tessera.ticket": ticket.id,
          "tessera.ticket_id": ticket.id,
          "tessera.ticket_number": 69369
        }
      ])
      // Two calls from the same fiber are siblings, never one inside the other.
      expect(replies.map(parentId)).toEqual([undefined, undefined])
    })
  })

  it.effect("link names the ticket and the one it links to", () => {
    const { spans, tracer } = RecordingTracer.make()
    return Effect.gen(function* () {
      const [, problem] = yield* traced(tracer, (helpdesk) =>
        Effect.gen(function* () {
          const incident = yield* helpdesk.open(opening)
          const problem = yield* helpdesk.open({ ...opening, subject: "VPN concentrator overloaded" })
          yield* helpdesk.link({ ticket: 69369, to: problem.id, kind: "problem", by: mary })
          return [incident, problem] as const
        })
      )
      const link = only(spans, "Helpdesk.link")
      expect(link.attributes.get("tessera.workspace")).toBe("acme")
      expect(link.attributes.get("tessera.ticket")).toBe(69369)
      expect(link.attributes.get("tessera.related_tickets")).toEqual([problem.id])
      expect(link.attributes.get("tessera.ticket_number")).toBe(69369)
      expect(Exit.isSuccess(exitOf(link))).toBe(true)
    })
  })

  it.effect("a failing command ends its span failed, with the error's tag as error.type", () => {
    const { spans, tracer } = RecordingTracer.make()
    return Effect.gen(function* () {
      const error = yield* Effect.flip(
        traced(tracer, (helpdesk) => helpdesk.reply({ ticket: 4242, text: "Anyone?", by: mary }))
      )
      expect(error._tag).toBe("TicketNotFound")
      const reply = only(spans, "Helpdesk.reply")
      const exit = exitOf(reply)
      expect(Exit.isFailure(exit) && Exit.findErrorOption(exit)).toEqual(Option.some(error))
      expect(Object.fromEntries(reply.attributes)).toEqual({
        "tessera.workspace": "acme",
        "tessera.ticket": 4242,
        "error.type": "TicketNotFound"
      })
    })
  })

  it.effect("the span records the error as the caller gets it: named after the operation, not the inner step", () => {
    const { spans, tracer } = RecordingTracer.make()
    const lockedDirectory = Layer.effect(
      DirectoryStore,
      Effect.map(MemoryDirectoryStore.make, (directory) =>
        DirectoryStore.of({
          ...directory,
          saveContact: () =>
            Effect.fail(new StoreUnavailable({ operation: "saveContact", reason: "database is locked" }))
        })
      )
    )
    return Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const error = yield* Effect.flip(helpdesk.open(opening))
      expect(error).toMatchObject({ _tag: "StoreUnavailable", operation: "open", step: "saveContact" })
      const open = only(spans, "Helpdesk.open")
      expect(Exit.findErrorOption(exitOf(open) as Exit.Exit<unknown, unknown>)).toEqual(Option.some(error))
      expect(open.attributes.get("error.type")).toBe("StoreUnavailable")
    }).pipe(
      Effect.provide(
        Helpdesk.layer({ workspaceId: "acme" }).pipe(
          Layer.provide(Layer.mergeAll(MemoryTicketStore.layer({}), lockedDirectory, IdGenerator.layerSequential))
        )
      ),
      Effect.withTracer(tracer)
    )
  })

  it.effect("every operation of the service, present and future, gets its span with the workspace", () => {
    const { spans, tracer, clear } = RecordingTracer.make()
    return Effect.gen(function* () {
      const operations = yield* traced(tracer, (helpdesk) =>
        Effect.gen(function* () {
          clear()
          // `forRequester` answers with the requester's side, whose calls are the operations' own (issue 15).
          // `as` and `asSystem` answer with a scoped service: its reads are checked with the root's operations.
          const scoped = helpdesk.asSystem("test")
          const operations = [
            ...Object.entries(helpdesk).filter(
              ([key, member]) => typeof member === "function" && !["forRequester", "as", "asSystem"].includes(key)
            ),
            ...Object.entries(scoped).filter(
              ([key, member]) => typeof member === "function" && !Object.hasOwn(helpdesk, key)
            )
          ]
          for (const [, operation] of operations) {
            // Whatever the answer (most refuse an empty input), the call is traced.
            yield* Effect.exit((operation as (input: unknown) => Effect.Effect<unknown, unknown>)({}))
          }
          return operations.map(([key]) => key)
        })
      )
      expect(operations.length).toBeGreaterThanOrEqual(30)
      expect(spans.map((span) => span.name)).toEqual(operations.map((key) => `Helpdesk.${key}`))
      for (const span of spans) {
        expect(span.attributes.get("tessera.workspace"), span.name).toBe("acme")
        expect(span.status._tag, span.name).toBe("Ended")
      }
    })
  })
})

describe("the Promise facade", () => {
  it("sends its spans to the tracer of the `observability` layer", async () => {
    const { spans, tracer } = RecordingTracer.make()
    const helpdesk = await createHelpdesk({
      workspaceId: "acme",
      firstPublicId: 69369,
      observability: Layer.succeed(Tracer.Tracer, tracer)
    })
    const ticket = await helpdesk.open(opening)
    await expect(helpdesk.asSystem("test").get(4242)).rejects.toMatchObject({ _tag: "TicketNotFound" })
    await helpdesk.close()
    const open = only(spans, "Helpdesk.open")
    expect(open.attributes.get("tessera.workspace")).toBe("acme")
    expect(open.attributes.get("tessera.ticket_id")).toBe(ticket.id)
    const get = only(spans, "Helpdesk.get")
    expect(get.attributes.get("error.type")).toBe("TicketNotFound")
    expect(Exit.isFailure(exitOf(get))).toBe(true)
  })
})

describe("Helpdesk operations under Effect's default tracer", () => {
  /** A directory that records the name of the span current when `open` saves its requester, or fails that save. */
  const watchedDirectory = (seen: Array<string>, fail: boolean) =>
    Layer.effect(
      DirectoryStore,
      Effect.map(MemoryDirectoryStore.make, (directory) =>
        DirectoryStore.of({
          ...directory,
          saveContact: (...args) =>
            Effect.flatMap(Effect.option(Effect.currentSpan), (span) => {
              seen.push(Option.match(span, { onNone: () => "(none)", onSome: (s) => s.name }))
              return fail
                ? Effect.fail(new StoreUnavailable({ operation: "saveContact", reason: "database is locked" }))
                : directory.saveContact(...args)
            })
        })
      )
    )
  const helpdeskOn = (seen: Array<string>, fail: boolean) =>
    Helpdesk.layer({ workspaceId: "acme" }).pipe(
      Layer.provide(
        Layer.mergeAll(MemoryTicketStore.layer({}), watchedDirectory(seen, fail), IdGenerator.layerSequential)
      )
    )

  it.effect("make no span of their own (nothing would see it): inside, the caller's span is current", () => {
    const seen: Array<string> = []
    return Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* Effect.withSpan(helpdesk.open(opening), "POST /tickets")
      expect(seen).toEqual(["POST /tickets"])
    }).pipe(Effect.provide(helpdeskOn(seen, false)))
  })

  it.effect("with a tracer installed, the same call runs in its span Helpdesk.open", () => {
    const seen: Array<string> = []
    const { tracer } = RecordingTracer.make()
    return Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      yield* Effect.withSpan(helpdesk.open(opening), "POST /tickets")
      expect(seen).toEqual(["Helpdesk.open"])
    }).pipe(Effect.provide(helpdeskOn(seen, false)), Effect.withTracer(tracer))
  })

  it.effect("still name the operation the caller called in its errors", () => {
    const seen: Array<string> = []
    return Effect.gen(function* () {
      const helpdesk = yield* Helpdesk.Helpdesk
      const error = yield* Effect.flip(helpdesk.open(opening))
      expect(error).toMatchObject({ _tag: "StoreUnavailable", operation: "open", step: "saveContact" })
      expect(seen).toEqual(["(none)"])
    }).pipe(Effect.provide(helpdeskOn(seen, true)))
  })
})
