/**
 * The timers of a workspace, fired: a due `close_solved` timer closes its solved ticket, a due
 * `sla` timer records the SLA warnings and breaches that are due and sets the next one. A timer
 * whose command fails on the store is not completed (its lease runs out and it comes back) and is
 * logged as a warning. Which timers an append sets is `AppendEffects`' business.
 */
import { DateTime, Effect, Schema } from "effect"
import * as Timer from "../ports/Timers.js"
import * as C from "../ticket/TicketCommand.js"
import * as Actor from "../values/Actor.js"
import type { TicketId } from "../values/Ids.js"
import type { Deps } from "./Deps.js"
import type { HelpdeskError, Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import { attributes } from "./instrument.js"
import type * as UnitOfWork from "./UnitOfWork.js"

/** How many timers one `runDueTimers` may claim. */
const Limit = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))

/**
 * The timer runner of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, unitOfWork: UnitOfWork.UnitOfWork) => {
  const { ws, timers, sla, effects } = deps
  const { execute } = unitOfWork

  /**
   * Records the SLA warnings and breaches of a ticket that are due and not yet in its log, and
   * sets the timer for the next one; returns how many it recorded. Several nodes may fire the
   * same timer: each attempt plans on the state it decides on (its SLA fold knows what is already
   * recorded), and appends are optimistic, so each milestone is recorded once.
   */
  const recordSla = (ticketId: TicketId): Op<number> =>
    Effect.gen(function* () {
      if (sla === undefined) return 0
      let recorded = 0
      let nextTimer: DateTime.Utc | undefined
      yield* execute(ticketId, Actor.system("sla"), undefined, (ticket) =>
        Effect.gen(function* () {
          const plan = yield* effects.slaPlan(ticket, yield* DateTime.now)
          recorded = plan.due.length
          nextTimer = plan.next
          return new C.RecordSla({ ticketId, milestones: plan.due })
        })
      )
      // Nothing recorded: no append set the next timer, so set it here.
      if (recorded === 0 && nextTimer !== undefined) yield* timers.schedule(Timer.make(ws, ticketId, "sla", nextTimer))
      return recorded
    })

  /**
   * Logs a timer left for later: its command failed (the store unreachable, say), so it is not
   * completed and comes back when its lease ends. Nothing is lost, but a failure that keeps
   * coming back must be visible to whoever runs the timers. The annotations are named as the
   * spans' attributes are (`instrument.ts`), so logs and traces can be matched.
   */
  const skipped = (timer: Timer.Timer, error: HelpdeskError) =>
    Effect.logWarning("Timer skipped: its command failed; it fires again once its lease ends", error).pipe(
      Effect.annotateLogs({
        [attributes.workspace]: ws,
        [attributes.ticketId]: timer.ticketId,
        "tessera.timer_id": timer.id,
        "tessera.timer_purpose": timer.purpose,
        [attributes.errorType]: error._tag
      })
    )

  /**
   * Fires the timers that are due, at most `limit` (1 to 10,000; 100 by default); returns how
   * many did something. Another `limit` is `InvalidInput`.
   */
  const runDueTimers = (raw?: number): Op<number> =>
    Effect.gen(function* () {
      const limit = yield* decode(Limit, "limit")(raw ?? 100)
      const now = yield* DateTime.now
      const due = yield* timers.claimDue(ws, now, limit, 60_000)
      let fired = 0
      for (const timer of due) {
        if (timer.purpose === "sla") {
          const outcome = yield* Effect.result(recordSla(timer.ticketId))
          if (outcome._tag === "Failure") {
            const error = outcome.failure
            if (error._tag !== "TicketNotFound" && error._tag !== "TicketClosed") {
              yield* skipped(timer, error) // retried after the lease
              continue
            }
          } else if (outcome.success > 0) fired++
          yield* timers.complete(timer.id)
          continue
        }
        const closed = execute(timer.ticketId, Actor.system("close-solved"), undefined, (ticket) =>
          Effect.succeed(new C.CloseSolved({ ticketId: ticket.id }))
        )
        const outcome = yield* Effect.result(closed)
        if (outcome._tag === "Failure") {
          const error = outcome.failure
          if (error._tag === "NotDue") {
            yield* timers.schedule(Timer.make(ws, timer.ticketId, timer.purpose, error.dueAt))
          } else if (error._tag !== "TicketNotFound" && error._tag !== "TicketClosed") {
            yield* skipped(timer, error) // the lease runs out and the timer comes back: nothing is lost
            continue
          }
        } else if (outcome.success.category === "closed") {
          fired++ // a ticket reopened since the timer was set stays open and does not count
        }
        yield* timers.complete(timer.id)
      }
      return fired
    })

  return { recordSla, runDueTimers }
}
