/**
 * The unit of work for one ticket: check the actor, take the ticket's lock, decide the command on
 * the state the instance remembers (or reads fresh), run the help desk's triggers, and append
 * with the expected version. On a concurrent write it decides again on fresh state (`Retry`,
 * bounded by `maxAttempts`), so no update is lost; several tickets at once are `Batch`'s.
 */
import { Effect } from "effect"
import type { AppendError } from "../ports/EventStore.js"
import { VersionConflict } from "../ports/StoreError.js"
import { decide } from "../ticket/decide.js"
import type * as Ticket from "../ticket/Ticket.js"
import type * as C from "../ticket/TicketCommand.js"
import type * as Actor from "../values/Actor.js"
import type { TicketId, TicketRef } from "../values/Ids.js"
import type * as Automations from "./Automations.js"
import { contextAt, type Deps } from "./Deps.js"
import type * as DirectoryChecks from "./DirectoryChecks.js"
import { isConflict, type Op } from "./HelpdeskError.js"
import * as Retry from "./Retry.js"
import type * as StateCache from "./StateCache.js"
import type * as Streams from "./Streams.js"
import type * as TriggerRunner from "./TriggerRunner.js"

/** A command appended, with the links its rules asked for (made once it is written). */
interface Appended {
  readonly _tag: "Appended"
  readonly ticket: Ticket.Ticket
  readonly links: ReadonlyArray<TriggerRunner.PendingLink>
}

/** How one attempt of a command ended, when it got past deciding. */
type Attempt =
  | Appended
  | { readonly _tag: "Unchanged"; readonly ticket: Ticket.Ticket }
  | {
      readonly _tag: "AppendFailed"
      readonly error: AppendError
    }

/**
 * The single-ticket unit of work of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  deps: Deps,
  checks: DirectoryChecks.DirectoryChecks,
  streams: Streams.Streams,
  automations: Automations.Automations
) => {
  const { states, locks, maxAttempts, store } = deps
  const { resolve, inWorkspace, load, loadNewer, appendDecided } = streams
  const { runTriggers, makeLinks } = automations

  /**
   * One attempt on a known state: check it, decide, append. Failures before the append fail
   * the effect; the append's outcome is returned, so a caller can tell the two apart. The links
   * rules asked for are made after (`linked`), never as part of an attempt that may run again.
   * Called when the attempt runs, it takes the steps that are already done (a command built,
   * events decided) as they come (`flatMapEager`), reading the clock once (`contextAt`).
   */
  const attempt = (
    ticketId: TicketId,
    ref: TicketRef,
    { state: knownState, version }: StateCache.Known,
    actor: Actor.Actor,
    expectedVersion: number | undefined,
    build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
  ): Op<Attempt> =>
    Effect.flatMapEager(inWorkspace(knownState, ref), (state) => {
      if (expectedVersion !== undefined && expectedVersion !== version) {
        return Effect.fail(
          new VersionConflict({ ticketId, publicId: state.publicId, expected: expectedVersion, actual: version })
        )
      }
      return Effect.flatMapEager(build(state), (command) =>
        Effect.clockWith((clock) => {
          const ctx = contextAt(deps, actor, clock)
          return Effect.flatMapEager(decide(state, command, ctx), (decided) =>
            Effect.flatMapEager(
              // Notification records run no trigger: a rule could answer each delivery with another one.
              command._tag === "RecordNotifications"
                ? Effect.succeed({ events: decided, links: [], failed: undefined })
                : runTriggers(ticketId, state, decided, ctx),
              ({ events, links }): Op<Attempt> =>
                events.length === 0
                  ? Effect.succeed({ _tag: "Unchanged", ticket: state } as const)
                  : Effect.flatMapEager(appendDecided(state, version, ticketId, events), (append) =>
                      Effect.matchEager(append, {
                        onFailure: (error): Attempt => ({ _tag: "AppendFailed", error }),
                        onSuccess: (ticket): Attempt => ({ _tag: "Appended", ticket, links })
                      })
                    )
            )
          )
        })
      )
    })

  /** The ticket an appended command left, once the links its rules asked for are made. */
  const linked = (ticketId: TicketId, ref: TicketRef, appended: Appended): Op<Ticket.Ticket> =>
    appended.links.length === 0
      ? Effect.succeed(appended.ticket)
      : Effect.flatMap(makeLinks(ticketId, appended.links), () => Effect.map(load(ticketId, ref), (k) => k.state))

  /**
   * Decide, append; on a concurrent write, again on fresh state (`Retry`, at most `maxAttempts`
   * times). `build` runs on every attempt, so its directory checks see the state the command is
   * decided on.
   *
   * The first attempt may decide on the remembered state (if the caller's `expectedVersion`,
   * when given, is its version). That state may be stale, so only a successful append is
   * taken from it: a refusal (from `build` or `decide`), a command that changes nothing (a
   * lost update, if another writer changed the ticket) or a version conflict is forgotten and
   * decided again on fresh state, without counting against `maxAttempts`. Any other append
   * failure is the store's, not the state's (the version matched), and is returned as is.
   */
  const execute = (
    ref: TicketRef,
    actor: Actor.Actor,
    expectedVersion: number | undefined,
    build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
  ): Op<Ticket.Ticket> =>
    Effect.suspend(() =>
      Effect.flatMapEager(checks.checkActor(actor), () =>
        Effect.flatMapEager(resolve(ref), (ticketId) =>
          // One command at a time per ticket in this instance: only writers elsewhere can conflict.
          locks.withLock(ticketId, executeOn(ticketId, ref, actor, expectedVersion, build))
        )
      )
    )

  const executeOn = (
    ticketId: TicketId,
    ref: TicketRef,
    actor: Actor.Actor,
    expectedVersion: number | undefined,
    build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>
  ): Op<Ticket.Ticket> =>
    Effect.suspend(() => {
      const recalled = states.recall(ticketId)
      // Other processes may have written since (a store shared by several): one read tells, and
      // it is already the fresh state when the remembered one is stale.
      const newer =
        recalled !== undefined && store.capabilities.multiProcess
          ? loadNewer(ticketId, ref, recalled.version)
          : Effect.succeed(undefined)
      return Effect.flatMapEager(newer, (newer) => {
        const remembered = newer === undefined ? recalled : undefined
        if (remembered === undefined || (expectedVersion !== undefined && expectedVersion !== remembered.version)) {
          return onFresh(ticketId, ref, actor, expectedVersion, build, newer)
        }
        return Effect.flatMap(
          Effect.result(attempt(ticketId, ref, remembered, actor, expectedVersion, build)),
          (onRemembered) => {
            if (onRemembered._tag === "Success") {
              const outcome = onRemembered.success
              if (outcome._tag === "Appended") return linked(ticketId, ref, outcome)
              if (outcome._tag === "AppendFailed" && !isConflict(outcome.error)) return Effect.fail(outcome.error)
            }
            states.forget(ticketId)
            return onFresh(ticketId, ref, actor, expectedVersion, build, undefined)
          }
        )
      })
    })

  /** Decide on fresh state: `newer` when just read, else loaded; again on a conflict (`Retry`). */
  const onFresh = (
    ticketId: TicketId,
    ref: TicketRef,
    actor: Actor.Actor,
    expectedVersion: number | undefined,
    build: (ticket: Ticket.Ticket) => Op<C.TicketCommand>,
    newer: StateCache.Known | undefined
  ): Op<Ticket.Ticket> => {
    let fresh = newer
    const once = Effect.gen(function* () {
      const known = fresh ?? (yield* load(ticketId, ref))
      fresh = undefined
      const outcome = yield* attempt(ticketId, ref, known, actor, expectedVersion, build)
      if (outcome._tag !== "AppendFailed") return outcome
      return yield* isConflict(outcome.error) ? Retry.again(outcome.error) : Effect.fail(outcome.error)
    })
    // A caller that passed `expectedVersion` decided on that version: the conflict is theirs.
    return Effect.flatMap(Retry.run(once, expectedVersion === undefined ? maxAttempts : 1), (outcome) =>
      outcome._tag === "Appended" ? linked(ticketId, ref, outcome) : Effect.succeed(outcome.ticket)
    )
  }

  return { execute }
}

/**
 * The single-ticket unit of work of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type UnitOfWork = ReturnType<typeof make>
