/**
 * Where the help desk runs rules: its trigger rules after each command's events, in the same
 * unit of work; rules applied on demand to a ticket as it stands (`applyRules`, automations on a
 * schedule); and the links rules ask for, made once their unit of work is written. The fixpoint
 * of passes is `TriggerRunner`'s, the rule contract `Triggers`'.
 */
import { Effect } from "effect"
import * as Relations from "../links/Relations.js"
import type { DecideContext } from "../ticket/decide.js"
import type * as Ticket from "../ticket/Ticket.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import type { PublicId, TicketId, TicketRef, TicketRef as TicketRefSchema } from "../values/Ids.js"
import type * as Batch from "./Batch.js"
import { type Deps, decideContext } from "./Deps.js"
import { type HelpdeskError, isConflict, isRefusal, type Op } from "./HelpdeskError.js"
import * as Retry from "./Retry.js"
import type * as Streams from "./Streams.js"
import * as Taxonomy from "./Taxonomy.js"
import * as TriggerRunner from "./TriggerRunner.js"
import type * as Triggers from "./Triggers.js"

/**
 * The rule runs of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, streams: Streams.Streams, batch: Batch.Batch) => {
  const { triggers, locks, maxAttempts } = deps
  const { holder, load, resolveRef, appendDecided } = streams
  const maxPasses = triggers?.maxPasses ?? 10
  const guardRules = Taxonomy.guard(deps.tagPolicy)

  /**
   * `events` followed by what `rules` decide on the ticket they leave (see `TriggerRunner`): a
   * failure of the rules drops their changes and records `RulesFailed` after `events`.
   */
  const runRules = (
    rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>,
    ticketId: TicketId,
    before: Ticket.State,
    events: ReadonlyArray<TicketEvent>,
    ctx: DecideContext
  ): Effect.Effect<TriggerRunner.Outcome> =>
    TriggerRunner.run(guardRules(rules), { ticketId, before, events, context: ctx, maxPasses })

  /** The command's events followed by those of the help desk's trigger rules. */
  const runTriggers = (
    ticketId: TicketId,
    before: Ticket.State,
    events: ReadonlyArray<TicketEvent>,
    ctx: DecideContext
  ): Effect.Effect<TriggerRunner.Outcome> =>
    triggers === undefined || triggers.rules.length === 0 || events.length === 0
      ? Effect.succeed({ events, links: [], failed: undefined })
      : runRules(triggers.rules, ticketId, before, events, ctx)

  /**
   * Makes the links rules asked for, once their unit of work is written: each as `link` would,
   * by the rule (its events naming it); one that is refused is not made.
   */
  const makeLinks = (ticketId: TicketId, links: ReadonlyArray<TriggerRunner.PendingLink>): Op<void> =>
    Effect.forEach(
      links,
      (l) =>
        Effect.flatMap(
          Effect.result(
            Effect.flatMap(holder(typeof l.to === "number" ? (l.to as PublicId) : (l.to as TicketId)), (to) =>
              batch.executeMany(
                Actor.system(`rule:${l.rule.id}`),
                [
                  { id: ticketId, ref: ticketId, whole: false },
                  { id: to, ref: to, whole: false }
                ],
                (graph, ctx) => Relations.link(graph, ticketId, l.kind, to, { ...ctx, rule: l.rule })
              )
            )
          ),
          (made) => (made._tag === "Failure" && !isRefusal(made.failure) ? Effect.fail(made.failure) : Effect.void)
        ),
      { discard: true }
    )

  /**
   * Runs rules on a ticket as it stands (automations on a schedule): what they decide is one
   * unit of work, which the help desk's triggers then follow; decided again on a concurrent
   * write (`Retry`). When these rules fail, only their `RulesFailed` is written (the help desk's
   * triggers do not run); when the triggers that follow fail, the rules' changes are kept and
   * the triggers' dropped, as for a command.
   */
  const applyRules = (
    raw: typeof TicketRefSchema.Encoded,
    rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
  ): Op<Ticket.Ticket> =>
    Effect.flatMap(resolveRef(raw), ({ id, ref }) => locks.withLock(id, applyRulesOn(id, ref, rules)))

  const applyRulesOn = (
    id: TicketId,
    ref: TicketRef,
    rules: ReadonlyArray<Triggers.TriggerRule<HelpdeskError>>
  ): Op<Ticket.Ticket> =>
    Effect.gen(function* () {
      const once = Effect.gen(function* () {
        const { state, version } = yield* load(id, ref)
        const ctx = yield* decideContext(deps, Actor.system("automation"))
        const decided = yield* runRules(rules, id, state, [], ctx)
        if (decided.events.length === 0 && decided.links.length === 0) return { ticket: state, links: [] }
        const triggered = decided.failed === undefined ? yield* runTriggers(id, state, decided.events, ctx) : decided
        const events = triggered.events
        const links = triggered.failed === undefined ? [...decided.links, ...triggered.links] : decided.links
        if (events.length === 0) return { ticket: state, links }
        const appended = yield* Effect.result(yield* appendDecided(state, version, id, events))
        if (appended._tag === "Success") return { ticket: appended.success, links }
        return yield* isConflict(appended.failure) ? Retry.again(appended.failure) : Effect.fail(appended.failure)
      })
      const { ticket, links } = yield* Retry.run(once, maxAttempts)
      if (links.length === 0) return ticket
      // The links are made once the rules' unit of work is written, never as part of one that may run again.
      yield* makeLinks(id, links)
      return (yield* load(id, ref)).state
    })

  return { runRules, runTriggers, makeLinks, applyRules }
}

/**
 * The rule runs of one help desk.
 *
 * @category models
 * @since 0.1.0
 */
export type Automations = ReturnType<typeof make>
