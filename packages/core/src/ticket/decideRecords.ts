/**
 * The deciders of what reaches a ticket from outside its conversation: the system's records (SLA
 * milestones, notification outcomes, a solved problem's news to its incidents) and a customer's
 * survey answer. They are apart from `decide` because they hold on a closed ticket too and act
 * for the system or a survey link, never for an agent at work.
 */
import { Effect } from "effect"
import * as ActorModule from "../values/Actor.js"
import { sameRating } from "../values/Satisfaction.js"
import { type DecideContext, type Decision, envelope, event, none, plainContext } from "./DecideContext.js"
import type { Ticket } from "./Ticket.js"
import type * as C from "./TicketCommand.js"
import { NotPermitted, naming } from "./TicketError.js"
import * as E from "./TicketEvent.js"

const refuse = (ticket: Ticket, ctx: DecideContext, action: string): Decision =>
  Effect.fail(new NotPermitted({ ...naming(ticket), actor: ActorModule.label(ctx.actor), action }))

/** `then` when the system acts, else `NotPermitted` for `action`. */
const systemOnly = (ticket: Ticket, ctx: DecideContext, action: string, then: () => Decision): Decision =>
  ctx.actor._tag === "system" ? then() : refuse(ticket, ctx, action)

/**
 * A rating comes from a contact on the ticket (the `Helpdesk` took it from their survey link) or
 * from the system (an import); agents do not rate for customers. The same answer again changes
 * nothing; another answer to the same survey replaces it, naming the one it replaces.
 */
export const rate = (ticket: Ticket, cmd: C.RateSatisfaction, ctx: DecideContext): Decision => {
  const actor = ctx.actor
  const onTicket =
    actor._tag === "system" ||
    (actor._tag === "contact" &&
      (actor.id === ticket.requester || ticket.followers.some((f) => f._tag === "contact" && f.id === actor.id)))
  if (!onTicket) {
    return refuse(ticket, ctx, "rate")
  }
  const current = ticket.ratings?.find((r) => r.survey === cmd.survey)
  if (current !== undefined && sameRating(current.rating, cmd.rating) && current.comment === cmd.comment) return none
  return Effect.succeed([
    new E.SatisfactionRated({
      ...envelope(ticket.id, ctx),
      survey: cmd.survey,
      rating: cmd.rating,
      ...(cmd.comment === undefined ? {} : { comment: cmd.comment }),
      ...(current === undefined ? {} : { previous: current.rating })
    })
  ])
}

/**
 * Tells the requester once per problem: a notification request in their language, and the record
 * that it was made, so solving the problem again tells nobody twice.
 */
export const announceProblemSolved = (ticket: Ticket, cmd: C.AnnounceProblemSolved, ctx: DecideContext): Decision => {
  if (ctx.actor._tag !== "system") return refuse(ticket, ctx, "announce a solved problem")
  if (ticket.announcedProblems?.includes(cmd.problem) === true) return none
  // The record first: the request's `cause` then names it, and the mail can say which problem.
  return Effect.succeed([
    new E.ProblemSolvedAnnounced({
      ...envelope(ticket.id, ctx),
      problem: cmd.problem,
      problemPublicId: cmd.problemPublicId,
      language: cmd.language
    }),
    new E.NotificationRequested({
      ...envelope(ticket.id, ctx),
      template: "problem_solved",
      to: ["requester"],
      language: cmd.language
    })
  ])
}

/** SLA warnings and breaches the timers found due (the system's only). */
export const recordSla = (ticket: Ticket, cmd: C.RecordSla, ctx: DecideContext): Decision =>
  systemOnly(ticket, ctx, "record SLA milestones", () =>
    Effect.succeed(
      cmd.milestones.map((m) => {
        const fields = {
          ...envelope(ticket.id, ctx),
          metric: m.metric,
          instance: m.instance,
          policy: m.policy,
          reachedAt: m.reachedAt
        }
        return m.kind === "warning" ? new E.SlaWarningReached(fields) : new E.SlaBreached(fields)
      })
    )
  )

/**
 * What became of notifications, as the outbox worker reports it (the system's only). The
 * outcomes' fields were checked by the command, with the event's own checks: its events are built
 * without parsing them again (`event`), unless a rule is on the context.
 */
export const recordNotifications = (ticket: Ticket, cmd: C.RecordNotifications, ctx: DecideContext): Decision =>
  systemOnly(ticket, ctx, "record notifications", () => {
    const valid = plainContext(ctx)
    return Effect.succeed(
      cmd.outcomes.map(({ kind, reachedAt, error, ...outcome }) =>
        kind === "delivered"
          ? event(
              E.NotificationDelivered,
              "NotificationDelivered",
              { ...envelope(ticket.id, ctx), ...outcome, deliveredAt: reachedAt },
              valid
            )
          : event(
              E.NotificationFailed,
              "NotificationFailed",
              { ...envelope(ticket.id, ctx), ...outcome, failedAt: reachedAt, error: error ?? "" },
              valid
            )
      )
    )
  })
