/**
 * `createIntake`: `intake` behind plain Promises, for applications that do not use Effect. It
 * builds the services once over the help desk layer you pass (`MemoryHelpdesk.layer(...)`, or
 * `Helpdesk.layer` over a SQL store), with in-memory guard and review queue unless you pass
 * others, and rejects with the same tagged errors the Effect API fails with. Its methods are
 * derived from the Effect operations they run and add no behaviour of their own.
 */
import { Helpdesk, type IntakeGuard, MemoryIntakeGuard, PromiseHelpdesk, type TicketStore } from "@tessera/core"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import type * as Inbound from "./Inbound.js"
import * as Intake from "./Intake.js"
import * as MemoryReviewQueue from "./MemoryReviewQueue.js"
import { type Held, ReviewQueue } from "./ReviewQueue.js"
import * as Signature from "./Signature.js"

/**
 * Options of `createIntake`: intake's options with the signing secrets as text (newest first),
 * the help desk's layer, and optionally the guard and review queue to use.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options<E> extends Omit<Intake.Options, "keys"> {
  readonly secrets: ReadonlyArray<string>
  readonly helpdesk: Layer.Layer<Helpdesk.Helpdesk | TicketStore.TicketStore, E>
  readonly guard?: Layer.Layer<IntakeGuard.IntakeGuard>
  readonly review?: Layer.Layer<ReviewQueue>
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

/** The Effect operations the client runs, and what each resolves with. */
const operations = {
  /** Takes in a parsed message: `Intake.intake`, its outcome as JSON. */
  intake: (message: Inbound.InboundMessage) => Effect.map(Intake.intake(message), encodeResult),
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

const encodeResult = (result: Intake.Result): ResultJson => {
  const outcome = result.outcome
  return {
    ...result,
    outcome: ("ticket" in outcome
      ? { ...outcome, ticket: PromiseHelpdesk.toTicketJson(outcome.ticket) }
      : outcome) as OutcomeJson
  }
}

/**
 * Creates intake with Promise methods. Rejects with `InvalidKeys` when the secrets are unusable,
 * or with the error of the help desk's layer.
 *
 * @example
 * ```ts
 * const mail = await createIntake({
 *   secrets: [process.env.MAIL_SIGNING_KEY],
 *   own: { addresses: ["support@acme.test"], messageIdDomains: ["mail.acme.test"] },
 *   helpdesk: MemoryHelpdesk.layer({ workspaceId: "acme" })
 * })
 * const result = await mail.intake(message)
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const createIntake = async <E>(options: Options<E>): Promise<IntakeClient> => {
  const { secrets, helpdesk, guard, review, ...rest } = options
  const keys = await Effect.runPromiseExit(Signature.keys(secrets))
  if (Exit.isFailure(keys)) throw PromiseHelpdesk.rejection(keys.cause)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      Intake.layer({ ...rest, keys: keys.value }),
      guard ?? MemoryIntakeGuard.layer,
      review ?? MemoryReviewQueue.layer
    ).pipe(Layer.provideMerge(helpdesk))
  )
  let closed = false
  const run = <A>(effect: Effect.Effect<A, unknown, Intake.Services>): Promise<A> =>
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
        run((operation as (...a: ReadonlyArray<unknown>) => Effect.Effect<unknown, unknown, Intake.Services>)(...args))
    ])
  ) as unknown as Promised<typeof operations>
  return {
    ...methods,
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
