/**
 * Helpers the conformance suites share (not exported): their options, fresh workspace ids,
 * building the ports from an adapter's layer, the steps their properties share, and hand-made
 * events.
 */
import { Clock, Context, DateTime, Effect, Exit, Layer, Random, Schema, Scope } from "effect"
import * as fc from "fast-check"
import { expect } from "vitest"
import * as Helpdesk from "../../helpdesk/Helpdesk.js"
import * as MemoryDirectoryStore from "../../memory/MemoryDirectoryStore.js"
import { layerTimeOrdered } from "../../ports/IdGenerator.js"
import { Outbox } from "../../ports/Outbox.js"
import { type AppendEffects, TicketStore } from "../../ports/TicketStore.js"
import { Timers } from "../../ports/Timers.js"
import type { StatusCategory, StatusId } from "../../ticket/Status.js"
import * as E from "../../ticket/TicketEvent.js"
import * as Actor from "../../values/Actor.js"
import type { FieldKey, FieldValue } from "../../values/CustomField.js"
import {
  type ContactId,
  type MessageId,
  type PublicId,
  type TicketId,
  ticketIdPrefix,
  type WorkspaceId
} from "../../values/Ids.js"
import type { Tag } from "../../values/Tag.js"

/** The three ports an adapter's layer provides. */
export interface Ports {
  readonly tickets: TicketStore["Service"]
  readonly timers: Timers["Service"]
  readonly outbox: Outbox["Service"]
}

export type StoreLayer<E> = Layer.Layer<TicketStore | Timers | Outbox, E>

/** How much of a suite with one property to run: what the `Options` of such a suite hold. */
export interface PropertyOptions {
  /** Runs of the property (default 100). */
  readonly numRuns?: number
  /** Seed of the property, to replay a failure as fast-check reported it. */
  readonly seed?: number
  /** Timeout of the property test, in milliseconds (default 10 minutes). */
  readonly timeout?: number
}

/** The fast-check parameters and the test timeout that a suite's options ask for, defaults filled in. */
export const propertySettings = (
  options: PropertyOptions,
  defaultTimeout: number
): { readonly params: { readonly numRuns: number; readonly seed?: number }; readonly timeout: number } => ({
  params: { numRuns: options.numRuns ?? 100, ...(options.seed === undefined ? {} : { seed: options.seed }) },
  timeout: options.timeout ?? defaultTimeout
})

let workspaceCount = 0

/**
 * A workspace id no other test or run uses, even in a durable store shared between runs: the
 * time, some randomness and a counter.
 */
export const freshWorkspace: Effect.Effect<WorkspaceId> = Effect.gen(function* () {
  const millis = yield* Clock.currentTimeMillis
  const random = yield* Random.nextIntBetween(0, 36 ** 6)
  workspaceCount++
  return `ws-${millis.toString(36)}-${random.toString(36)}-${workspaceCount}` as WorkspaceId
})

const portsOf = (context: Context.Context<TicketStore | Timers | Outbox>): Ports => ({
  tickets: Context.get(context, TicketStore),
  timers: Context.get(context, Timers),
  outbox: Context.get(context, Outbox)
})

/** Runs `f` on ports built afresh from the layer, released at the end. */
export const withPorts = <A, E, E2>(layer: StoreLayer<E>, f: (ports: Ports) => Effect.Effect<A, E2>): Promise<A> =>
  Effect.runPromise(
    Effect.flatMap(Effect.context<TicketStore | Timers | Outbox>(), (context) => f(portsOf(context))).pipe(
      Effect.provide(Layer.fresh(layer))
    )
  )

/**
 * Builds the ports once for a whole property (a durable store builds a schema per layer), runs
 * `f`, and releases them. Runs of the property keep apart through fresh workspaces and channels.
 */
export const withBuiltPorts = async <A, E>(layer: StoreLayer<E>, f: (ports: Ports) => Promise<A>): Promise<A> => {
  const scope = await Effect.runPromise(Scope.make())
  try {
    const context = await Effect.runPromise(Layer.buildWithScope(Layer.fresh(layer), scope))
    return await f(portsOf(context))
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** A help desk on the store's ports (its directory in memory), with Mary as an agent. */
export const helpdeskOn = async (ports: Ports, ws: WorkspaceId): Promise<Helpdesk.Service> => {
  const services = Layer.mergeAll(
    Layer.succeed(TicketStore, ports.tickets),
    MemoryDirectoryStore.layer,
    layerTimeOrdered,
    Layer.succeed(Timers, ports.timers)
  )
  const desk = await Effect.runPromise(Helpdesk.make({ workspaceId: ws }).pipe(Effect.provide(services)))
  await Effect.runPromise(desk.saveAgent({ id: "mary", name: "Mary", email: "mary@acme.test" }))
  return desk
}

/** A stream that exists, so that appends can carry timers and messages: opened at version 1. */
export const openTicket = (ports: Ports, ws: WorkspaceId, name: string, publicId: number) =>
  Effect.as(ports.tickets.append(ticketIn(ws, name), 0, [opened(ws, ticketIn(ws, name), publicId)]), ticketIn(ws, name))

/** How an append step of a property goes: through, or failing on a stale version or a taken public id. */
export type AppendFailure = "none" | "conflict" | "taken"

/** Mostly appends that go through. */
export const appendFailure: fc.Arbitrary<AppendFailure> = fc.constantFrom(
  "none" as const,
  "none" as const,
  "conflict" as const,
  "taken" as const
)

/** A stream a property appends to, and the version it has reached. */
export interface Stream {
  readonly id: TicketId
  version: number
}

/**
 * One append step of a property, carrying `effects`. `"taken"` opens a new ticket of `ws` under
 * the public id its stream already has, `"conflict"` appends a note at `staleVersion`: both must
 * fail with their error. Otherwise the note is appended and the stream moves on. Says whether
 * the effects were written.
 */
export const appendStep = async (
  ports: Ports,
  step: {
    readonly ws: WorkspaceId
    readonly stream: Stream
    readonly fail: AppendFailure
    readonly staleVersion: number
    /** Numbers the note and the ticket of a `"taken"` step: one per append step of a run. */
    readonly count: number
    readonly text: string
    readonly effects: AppendEffects
    readonly label: string
  }
): Promise<boolean> => {
  const { ws, stream, count, effects, label } = step
  if (step.fail === "taken") {
    const fresh = ticketIn(ws, `x${count}`)
    const error = await Effect.runPromise(failureOf(ports.tickets.append(fresh, 0, [opened(ws, fresh, 1)], effects)))
    expect(error._tag, label).toBe("PublicIdTaken")
    return false
  }
  const note = noted(stream.id, minutesLater(count), step.text, `${stream.id}.n${count}`)
  if (step.fail === "conflict") {
    const error = await Effect.runPromise(
      failureOf(ports.tickets.append(stream.id, step.staleVersion, [note], effects))
    )
    expect(error._tag, label).toBe("VersionConflict")
    return false
  }
  stream.version = await Effect.runPromise(ports.tickets.append(stream.id, stream.version, [note], effects))
  return true
}

/**
 * Checks the random-steps property of a suite on ports built once from the layer: each run gets
 * distinct minutes (0 to 600, the times its timers or messages are due or made) and 1 to 25 steps.
 */
export const checkSteps = <E, Op>(
  layer: StoreLayer<E>,
  op: fc.Arbitrary<Op>,
  params: fc.Parameters<[Array<number>, Array<Op>]>,
  run: (ports: Ports, minutes: Array<number>, steps: Array<Op>) => Promise<void>
): Promise<void> =>
  withBuiltPorts(layer, (ports) =>
    fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 8 }),
        fc.array(op, { minLength: 1, maxLength: 25 }),
        (minutes, steps) => run(ports, minutes, steps)
      ),
      params
    )
  )

export const show = (value: unknown): string => {
  try {
    return fc.stringify(value)
  } catch {
    return String(value)
  }
}

/** The typed error of an effect that must fail; a success fails the test, saying what came back. */
export const failureOf = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<E> =>
  Effect.flatMap(Effect.result(effect), (result) =>
    result._tag === "Failure"
      ? Effect.succeed(result.failure)
      : Effect.die(new Error(`expected a failure, got ${show(result.success)}`))
  )

// -- hand-made events -----------------------------------------------------------------------------

export const startAt: DateTime.Utc = DateTime.makeUnsafe("2026-03-09T13:00:00.000Z")
export const minutesLater = (minutes: number): DateTime.Utc => DateTime.add(startAt, { minutes })
export const millis = DateTime.toEpochMillis
export const mary = Actor.agent("mary")

/** A stream id of workspace `ws`, with the ticket prefix as the help desk gives it (`tkt_<ws>.<name>`). */
export const ticketIn = (ws: WorkspaceId, name: string) => `${ticketIdPrefix}${ws}.${name}` as TicketId

/** An event of stream `ticketId`, as a store keeps it: what the JSON codec gives back. */
export const ofStream = (event: E.TicketEvent, ticketId: TicketId): E.TicketEvent =>
  Schema.decodeUnknownSync(E.TicketEventJson)(
    JSON.stringify({ ...JSON.parse(Schema.encodeSync(E.TicketEventJson)(event)), ticketId })
  )

/** `event` with `messageId` as the email `Message-ID` of its message (when it carries one). */
export const withEmailId = (event: E.TicketEvent, messageId: string): E.TicketEvent => {
  if (event._tag !== "TicketOpened" && event._tag !== "ReplyAdded" && event._tag !== "NoteAdded") return event
  const message = { ...event.message, email: { ...(event.message.email ?? { references: [] }), messageId } }
  return event._tag === "TicketOpened"
    ? new E.TicketOpened({ ...event, message })
    : event._tag === "ReplyAdded"
      ? new E.ReplyAdded({ ...event, message })
      : new E.NoteAdded({ ...event, message })
}

/**
 * `event` with the email `Message-ID` of its message (if it has email ids) made
 * `<name@stream.test>`: random streams are given ids of their own, since a store records each id
 * once per workspace.
 */
export const withOwnEmailId = (event: E.TicketEvent, name: string): E.TicketEvent =>
  (event._tag === "TicketOpened" || event._tag === "ReplyAdded" || event._tag === "NoteAdded") &&
  event.message.email !== undefined
    ? withEmailId(event, `<${name}@stream.test>`)
    : event

export const opened = (ws: WorkspaceId, ticketId: TicketId, publicId: number, requester = "jane") =>
  new E.TicketOpened({
    ticketId,
    at: startAt,
    by: Actor.contact(requester),
    workspaceId: ws,
    publicId: publicId as PublicId,
    subject: "VPN drops every hour",
    requester: requester as ContactId,
    channel: "email",
    priority: "normal",
    status: "new" as StatusId,
    category: "new",
    tags: ["vpn" as Tag],
    customFields: { plan: "pro" } as Record<FieldKey, FieldValue>,
    message: {
      id: `${ticketId}.m0` as MessageId,
      visibility: "public",
      author: Actor.contact(requester),
      channel: "email",
      at: startAt,
      text: "Since Monday the VPN drops every hour. Merci ! 👍",
      attachments: [{ fileName: "vpn.log", contentType: "text/plain", size: 2048 }],
      email: { messageId: `<${ticketId}.m0@example.com>`, references: [] }
    }
  })

export const replied = (ticketId: TicketId, minutes: number, text: string) =>
  new E.ReplyAdded({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    message: {
      id: `${ticketId}.m${minutes}` as MessageId,
      visibility: "public",
      author: mary,
      channel: "email",
      at: minutesLater(minutes),
      text,
      attachments: []
    }
  })

/** An internal note by the system: changes nothing a queue filters on but the update time. */
export const noted = (ticketId: TicketId, at: DateTime.Utc, text: string, id: string) =>
  new E.NoteAdded({
    ticketId,
    at,
    by: Actor.system("sla"),
    message: {
      id: id as MessageId,
      visibility: "internal",
      author: Actor.system("sla"),
      channel: "web",
      at,
      text,
      attachments: []
    }
  })

export const retagged = (
  ticketId: TicketId,
  minutes: number,
  added: ReadonlyArray<string>,
  removed: ReadonlyArray<string>
) =>
  new E.TagsChanged({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    added: added as ReadonlyArray<Tag>,
    removed: removed as ReadonlyArray<Tag>
  })

export const moved = (ticketId: TicketId, minutes: number, from: StatusCategory, to: StatusCategory) =>
  new E.StatusChanged({
    ticketId,
    at: minutesLater(minutes),
    by: mary,
    from: from as StatusId,
    to: to as StatusId,
    fromCategory: from,
    toCategory: to
  })
