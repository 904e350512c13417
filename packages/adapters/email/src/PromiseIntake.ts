/**
 * `createIntake`: `receive` and `intake` behind plain Promises, for applications that do not use
 * Effect. It builds the services once over the help desk layer you pass (`MemoryHelpdesk.layer(...)`,
 * or `Helpdesk.layer` over a SQL store), with in-memory guard, review queue and attachment store
 * unless you pass others, and rejects with the same tagged errors the Effect API fails with. Its methods are
 * derived from the Effect operations they run and add no behaviour of their own.
 */
import type { Readable } from "node:stream"
import {
  AttachmentStore,
  ConfigError,
  Helpdesk,
  type IntakeGuard,
  PromiseHelpdesk,
  type TicketStore
} from "@tessera/core"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import type * as Inbound from "./Inbound.js"
import * as Intake from "./Intake.js"
import type * as MailSource from "./MailSource.js"
import * as Receive from "./Receive.js"
import { type Held, ReviewQueue } from "./ReviewQueue.js"
import * as Signature from "./Signature.js"

/**
 * Options of `createIntake`: intake's options with the signing secrets as text (newest first),
 * the help desk's layer, and optionally the guard, review queue and attachment store to use.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<E> extends Omit<Intake.Options, "keys"> {
  readonly secrets: ReadonlyArray<string>
  /**
   * The help desk mail goes into: the client `createHelpdesk` made (intake then runs on its very
   * services, in memory too), or a layer providing `Helpdesk` and its `TicketStore` (over a SQL
   * store, shared through the database; an in-memory layer here is a help desk of its own).
   */
  readonly helpdesk: PromiseHelpdesk.HelpdeskClient | Layer.Layer<Helpdesk.Helpdesk | TicketStore.TicketStore, E>
  readonly guard?: Layer.Layer<IntakeGuard.IntakeGuard>
  /** Where held mail waits: `FileReviewQueue.layer({ directory })` to keep it across restarts. Default: in memory. */
  readonly review?: Layer.Layer<ReviewQueue, unknown>
  /**
   * Where `receive` keeps raw originals and attachments: the service itself, or a layer built once
   * for the client. Default: in memory (a restart forgets them: give a `FileAttachmentStore`).
   */
  readonly attachments?: AttachmentStore.AttachmentStore["Service"] | Layer.Layer<AttachmentStore.AttachmentStore>
}

/**
 * An outcome with its ticket as JSON (`PromiseHelpdesk.toTicketJson`: without its conversation).
 *
 * @category models
 * @since 0.1.0
 */
export type OutcomeJson = {
  [K in Intake.Outcome["_tag"]]: Extract<Intake.Outcome, { _tag: K }> extends infer O
    ? { readonly [P in keyof O]: P extends "ticket" ? PromiseHelpdesk.TicketJson : O[P] }
    : never
}[Intake.Outcome["_tag"]]

/**
 * `Intake.Result` with its outcome as JSON.
 *
 * @category models
 * @since 0.1.0
 */
export interface ResultJson extends Omit<Intake.Result, "outcome"> {
  readonly outcome: OutcomeJson
}

/**
 * `Receive.Received` with its outcome as JSON.
 *
 * @category models
 * @since 0.1.0
 */
export interface ReceivedJson extends Omit<Receive.Received, "outcome"> {
  readonly outcome: OutcomeJson
}

/** The Effect operations the client runs, and what each resolves with. */
const operations = {
  /** Takes in a parsed message: `Intake.intake`, its outcome as JSON. */
  intake: (message: Inbound.InboundMessage) => Effect.map(Intake.intake(message), encodeResult),
  /** Receives raw mail, losing none: `Receive.receive`, its outcome as JSON. */
  receive: (raw: Uint8Array | Readable, options?: Receive.Options) =>
    Effect.map(Receive.receive(raw, options), encodeResult),
  /** Holds mail that could not be parsed, by its raw original's location: `Intake.holdUnparsed`. */
  holdUnparsed: (input: Parameters<typeof Intake.holdUnparsed>[0]) => Intake.holdUnparsed(input)
}

/** The operations with Promises: same names, same parameters. */
type Promised<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer P) => Effect.Effect<infer A, unknown, unknown>
    ? (...args: P) => Promise<A>
    : never
}

/**
 * The client `createIntake` resolves with.
 *
 * @category models
 * @since 0.1.0
 */
export interface IntakeClient extends Promised<typeof operations> {
  /**
   * `receive` as the handler of `SmtpSource.listen` or `ImapSource.start`: resolves once the
   * message is a ticket, a reply or a hold; mail routed to another workspace is refused for good.
   */
  readonly handler: (raw: Readable, envelope: MailSource.Envelope) => Promise<ReceivedJson>
  /** The held messages of the help desk's workspace, oldest first, and their release. */
  readonly review: {
    /** The held messages, oldest first. */
    readonly list: () => Promise<ReadonlyArray<Held>>
    /** Takes a held message off the list (after an agent dealt with it). */
    readonly release: (id: string) => Promise<void>
  }
  /** Releases the services' resources; later calls reject. */
  readonly close: () => Promise<void>
}

const encodeResult = <R extends Intake.Result>(result: R): Omit<R, "outcome"> & { readonly outcome: OutcomeJson } => {
  const outcome = result.outcome
  return {
    ...result,
    outcome: ("ticket" in outcome
      ? { ...outcome, ticket: PromiseHelpdesk.toTicketJson(outcome.ticket) }
      : outcome) as OutcomeJson
  }
}

/** The help desk's services: the layer as given, or those of a `createHelpdesk` client. */
const layerOf = async <E>(
  helpdesk: Options<E>["helpdesk"]
): Promise<Layer.Layer<Helpdesk.Helpdesk | TicketStore.TicketStore, E>> => {
  if (Layer.isLayer(helpdesk)) return helpdesk as Layer.Layer<Helpdesk.Helpdesk | TicketStore.TicketStore, E>
  const services = await PromiseHelpdesk.servicesOf(helpdesk)
  if (services === undefined) {
    throw ConfigError.invalid("helpdesk", [
      { path: ["helpdesk"], message: "Expected the client createHelpdesk made, or a layer of its services" }
    ])
  }
  return Layer.succeedContext(services)
}

/**
 * Creates intake with Promise methods, beside the help desk client `createHelpdesk` made (or over
 * a layer of a help desk's services). Rejects with `InvalidKeys` when the secrets are unusable,
 * with `InvalidConfig` when `helpdesk` is neither, or with the error of the help desk's layer.
 * Closing intake leaves the help desk client open.
 *
 * @example
 * ```ts
 * const helpdesk = await createHelpdesk({ workspaceId: "acme" })
 * const mail = await createIntake({
 *   secrets: [process.env.MAIL_SIGNING_KEY],
 *   own: { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] },
 *   helpdesk
 * })
 * const result = await mail.intake(message)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const createIntake = async <E>(options: Options<E>): Promise<IntakeClient> => {
  const { secrets, helpdesk: given, guard, review, attachments, ...rest } = options
  const keys = await Effect.runPromiseExit(Signature.keys(secrets))
  if (Exit.isFailure(keys)) throw PromiseHelpdesk.rejection(keys.cause)
  const helpdesk = await layerOf(given)
  const runtime = ManagedRuntime.make(
    Receive.layer<unknown>(
      { ...rest, keys: keys.value },
      {
        ...(guard === undefined ? {} : { guard }),
        ...(review === undefined ? {} : { review }),
        ...(attachments === undefined
          ? {}
          : {
              attachments: Layer.isLayer(attachments)
                ? (attachments as Layer.Layer<AttachmentStore.AttachmentStore>)
                : Layer.succeed(
                    AttachmentStore.AttachmentStore,
                    attachments as AttachmentStore.AttachmentStore["Service"]
                  )
            })
      }
    ).pipe(Layer.provideMerge(helpdesk))
  )
  let closed = false
  const run = <A>(effect: Effect.Effect<A, unknown, Receive.Services>): Promise<A> =>
    closed
      ? Promise.reject(new Error("This intake is closed"))
      : runtime.runPromiseExit(effect).then((exit) => {
          if (Exit.isSuccess(exit)) return exit.value
          throw PromiseHelpdesk.rejection(exit.cause)
        })
  const started = await runtime.runPromiseExit(Effect.void)
  if (Exit.isFailure(started)) {
    await runtime.dispose()
    throw PromiseHelpdesk.rejection(started.cause)
  }
  const queue = <A>(f: (queue: ReviewQueue["Service"], workspaceId: string) => Effect.Effect<A, unknown>) =>
    Effect.gen(function* () {
      const desk = yield* Helpdesk.Helpdesk
      return yield* f(yield* ReviewQueue, desk.config.workspaceId)
    })
  const methods = Object.fromEntries(
    Object.entries(operations).map(([name, operation]) => [
      name,
      (...args: ReadonlyArray<unknown>) =>
        run((operation as (...a: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, Receive.Services>)(...args))
    ])
  ) as unknown as Promised<typeof operations>
  const handle = Receive.handler()
  return {
    ...methods,
    handler: (raw, envelope) => run(Effect.map(handle(raw, envelope), encodeResult)),
    review: {
      list: () => run(queue((q, ws) => q.list(ws))),
      release: (id) => run(queue((q, ws) => q.release(ws, id)))
    },
    close: () => {
      closed = true
      return runtime.dispose()
    }
  }
}
