/**
 * What an append writes besides its events, in the same unit of work: the close timer of a
 * ticket just solved, the outbox messages its notifications ask for, and, when the help desk
 * tracks SLAs, the ticket's next SLA due time for queues and the timer of its next milestone.
 */
import { DateTime, Effect, Option } from "effect"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import type { OutboxMessage } from "../ports/Outbox.js"
import type { StoreError } from "../ports/StoreError.js"
import type { AppendEffects, TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import * as Sla from "../sla/Sla.js"
import type * as SlaPolicy from "../sla/SlaPolicy.js"
import { closeDueAt } from "../ticket/decide.js"
import type * as Status from "../ticket/Status.js"
import type * as Ticket from "../ticket/Ticket.js"
import type * as C from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import { InvalidInput } from "./Input.js"

/**
 * SLAs the help desk tracks: its policies and the business calendars they name. With them, each
 * command computes the ticket's SLA state (`Sla.slaState`), keeps the earliest due time on the
 * ticket for queues (`slaDueAt`), and sets an `sla` timer for the next warning or breach;
 * `runDueTimers` then records `SlaWarningReached` and `SlaBreached`, once per metric instance.
 *
 * @category models
 * @since 0.1.0
 */
export interface SlaOptions {
  readonly policies: SlaPolicy.PolicySet
  readonly calendars: Sla.Calendars
}

type Op<A> = Effect.Effect<A, StoreError | InvalidInput>

/** What the append effects are computed from. */
export interface Deps {
  readonly ws: WorkspaceId
  readonly workflow: Status.Workflow
  readonly store: TicketStore["Service"]
  readonly directory: DirectoryStore["Service"]
  readonly sla: SlaOptions | undefined
}

/** The append effects of one help desk. */
export const make = ({ ws, workflow, store, directory, sla }: Deps) => {
  /** What an append writes besides its events: the close timer of a ticket just solved. */
  const effectsOf = (ticket: Ticket.Ticket, events: ReadonlyArray<TicketEvent>): AppendEffects => {
    const due = closeDueAt(ticket, workflow)
    const solvedNow = events.some(
      (e) =>
        (e._tag === "StatusChanged" && e.toCategory === "solved") ||
        (e._tag === "TicketOpened" && e.category === "solved")
    )
    const timers = due !== undefined && solvedNow ? [Timer.make(ws, ticket.id, "close_solved", due)] : []
    // Each notification asked for goes to the outbox with its event; its id is the event's
    // place in the stream, so a retried append cannot queue it twice.
    const first = ticket.version - events.length + 1
    const outbox: Array<OutboxMessage> = events.flatMap((e, i) =>
      e._tag === "NotificationRequested"
        ? [
            {
              id: `notification:${ticket.id}:${first + i}`,
              workspaceId: ws,
              ticketId: ticket.id,
              channel: "notification",
              payload: {
                template: e.template,
                to: e.to,
                ticketId: ticket.id,
                publicId: ticket.publicId,
                ...(e.rule === undefined ? {} : { rule: e.rule })
              },
              createdAt: e.at
            }
          ]
        : []
    )
    return { ...(timers.length === 0 ? {} : { timers }), ...(outbox.length === 0 ? {} : { outbox }) }
  }

  // -- SLAs --------------------------------------------------------------------------------

  /** The requester's customer tier (the contact's, else their organization's): policies may ask. */
  const slaContext = (ticket: Ticket.Ticket): Op<SlaPolicy.Context> =>
    Effect.gen(function* () {
      const requester = yield* directory.getContact(ws, ticket.requester)
      const contactTier = Option.isSome(requester) ? requester.value.tier : undefined
      if (contactTier !== undefined) return { tier: contactTier }
      const orgId = ticket.organization ?? (Option.isSome(requester) ? requester.value.organization : undefined)
      if (orgId === undefined) return {}
      const org = yield* directory.getOrganization(ws, orgId)
      return Option.isSome(org) && org.value.tier !== undefined ? { tier: org.value.tier } : {}
    })

  const milestoneKey = (kind: "warning" | "breach", metric: string, instance: number) => `${kind}:${metric}:${instance}`

  /**
   * Where a ticket's SLAs stand at `now`, from its whole log: the milestones due and not yet
   * recorded, the next instant one falls due, and the earliest due time of a running instance.
   */
  const slaPlan = (ticket: Ticket.Ticket, log: ReadonlyArray<TicketEvent>, now: DateTime.Utc, options: SlaOptions) =>
    Effect.gen(function* () {
      const context = yield* slaContext(ticket)
      const state = yield* Effect.mapError(
        Effect.fromResult(Sla.slaState(log, options.policies, options.calendars, now, context)),
        (error) => new InvalidInput({ input: "sla", problems: [{ path: ["sla"], message: error.message }] })
      )
      const recorded = new Set(
        log.flatMap((e) =>
          e._tag === "SlaWarningReached"
            ? [milestoneKey("warning", e.metric, e.instance)]
            : e._tag === "SlaBreached"
              ? [milestoneKey("breach", e.metric, e.instance)]
              : []
        )
      )
      const due: Array<InstanceType<typeof C.RecordSla>["milestones"][number]> = []
      let next: number | undefined
      let slaDueAt: DateTime.Utc | undefined
      const at = now.epochMilliseconds
      const consider = (t: number) => {
        if (next === undefined || t < next) next = t
      }
      for (const i of state.instances) {
        const base = { metric: i.metric, instance: i.instance, policy: i.policy.id }
        if (i.warningAt !== undefined && !recorded.has(milestoneKey("warning", i.metric, i.instance))) {
          if (i.warningAt.epochMilliseconds <= at) due.push({ kind: "warning", ...base, reachedAt: i.warningAt })
          else consider(i.warningAt.epochMilliseconds)
        }
        if (!recorded.has(milestoneKey("breach", i.metric, i.instance))) {
          if (i.breachedAt !== undefined) due.push({ kind: "breach", ...base, reachedAt: i.breachedAt })
          else if (i.dueAt !== undefined) consider(i.dueAt.epochMilliseconds)
        }
        if (i.dueAt !== undefined && (slaDueAt === undefined || DateTime.isLessThan(i.dueAt, slaDueAt))) {
          slaDueAt = i.dueAt
        }
      }
      return { due, next: next === undefined ? undefined : DateTime.makeUnsafe(next), slaDueAt }
    })

  /** The SLA side of an append: the queue's due time and the next SLA timer, from the log with `events`. */
  const slaEffects = (next: Ticket.Ticket, ticketId: TicketId, events: ReadonlyArray<TicketEvent>) =>
    Effect.gen(function* () {
      if (sla === undefined) return undefined
      const stored = events.some((e) => e._tag === "TicketOpened") ? [] : (yield* store.read(ticketId)).events
      const now = yield* DateTime.now
      const plan = yield* slaPlan(next, [...stored, ...events], now, sla)
      return {
        // A milestone already due gets a timer now, so the next `runDueTimers` records it.
        timers:
          plan.due.length > 0
            ? [Timer.make(ws, ticketId, "sla", now)]
            : plan.next === undefined
              ? []
              : [Timer.make(ws, ticketId, "sla", plan.next)],
        slaDueAt: plan.slaDueAt ?? null
      }
    })

  /** Everything an append of `events` writes besides them: timers, and the SLA due time. */
  const effectsFor = (next: Ticket.Ticket, ticketId: TicketId, events: ReadonlyArray<TicketEvent>) =>
    Effect.map(slaEffects(next, ticketId, events), (sla): AppendEffects => {
      const base = effectsOf(next, events)
      return sla === undefined
        ? base
        : { ...base, timers: [...(base.timers ?? []), ...sla.timers], slaDueAt: sla.slaDueAt }
    })

  return { effectsFor, slaPlan }
}
