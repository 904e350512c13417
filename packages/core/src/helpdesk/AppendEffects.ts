/**
 * What an append writes besides its events, in the same unit of work: the close timer of a
 * ticket just solved, the outbox messages its notifications ask for, and, when the help desk
 * tracks SLAs, the ticket's next SLA due time for queues, the timer of its next milestone and
 * its SLA fold (`SlaFold`), so that no command replays the ticket's history. The requester's
 * tier, which policies may match on, is kept as long as an actor check (`ActorCache`). It also
 * explains a ticket's due times (`explainDue`), with the same policies, calendars and tier.
 */
import { Clock, DateTime, Effect, type Option, Result, Schema } from "effect"
import type { Contact, Organization } from "../directory/Directory.js"
import * as Lru from "../internal/lru.js"
import type { DirectoryStore } from "../ports/DirectoryStore.js"
import type { OutboxMessage } from "../ports/Outbox.js"
import type { StoreError } from "../ports/StoreError.js"
import type { AppendEffects, TicketStore } from "../ports/TicketStore.js"
import * as Timer from "../ports/Timers.js"
import * as Sla from "../sla/Sla.js"
import * as SlaFold from "../sla/SlaFold.js"
import type * as SlaPolicy from "../sla/SlaPolicy.js"
import { closeDueAt } from "../ticket/decide.js"
import type * as Status from "../ticket/Status.js"
import type * as Ticket from "../ticket/Ticket.js"
import { RuleRef, type TicketEvent } from "../ticket/TicketEvent.js"
import { type ContactId, type OrganizationId, PublicId, TicketId, type WorkspaceId } from "../values/Ids.js"
import { InvalidInput } from "./Input.js"

/**
 * SLAs the help desk tracks: its policies and the business calendars they name. With them, each
 * command brings the ticket's SLA fold up to date (`SlaFold`, the same answers as `Sla.slaState`
 * without replaying the log), keeps the earliest due time on the ticket for queues (`slaDueAt`),
 * and sets an `sla` timer for the next warning or breach; `runDueTimers` then records
 * `SlaWarningReached` and `SlaBreached`, once per metric instance.
 *
 * @category models
 * @since 0.1.0
 */
export interface SlaOptions {
  readonly policies: SlaPolicy.PolicySet
  readonly calendars: Sla.Calendars
}

/**
 * The payload of an outbox message on the `notification` channel: the template and recipients
 * the `NotificationRequested` event asked for, the ticket, the rule that asked (if one did), and
 * `cause`: the stream versions (1-based, as `history` numbers them) of the events of the same
 * unit of work written before the request that are not themselves requests, in order (the
 * reply, note, status change or SLA warning the notification is about, and what came with it).
 * A request written alone (a `Notify` command) has an empty `cause`; a message queued before
 * `cause` existed has none, and still decodes.
 *
 * @category models
 * @since 0.1.0
 */
export const NotificationPayload = Schema.Struct({
  template: Schema.String,
  to: Schema.Array(Schema.String),
  ticketId: TicketId,
  publicId: PublicId,
  cause: Schema.optionalKey(Schema.Array(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))),
  rule: Schema.optionalKey(RuleRef),
  /** The language the request asked for (a problem's outreach: the requester's). */
  language: Schema.optionalKey(Schema.String)
})
/** @category models @since 0.1.0 */
export type NotificationPayload = typeof NotificationPayload.Type

type Op<A> = Effect.Effect<A, StoreError | InvalidInput>

/** What the append effects are computed from. */
export interface Deps {
  readonly ws: WorkspaceId
  readonly workflow: Status.Workflow
  readonly store: TicketStore["Service"]
  readonly directory: DirectoryStore["Service"]
  readonly sla: SlaOptions | undefined
  /** How long a directory record read for the requester's tier counts (0: read it every time). */
  readonly actorCheckMillis: number
}

/** The append effects of one help desk. */
export const make = ({ ws, workflow, store, directory, sla, actorCheckMillis }: Deps) => {
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
    const outbox: Array<OutboxMessage> = []
    // What the unit did before each request: the deliverer reads these events for the reply,
    // note or warning to talk about, instead of guessing from the ticket's latest state.
    const cause: Array<number> = []
    events.forEach((e, i) => {
      if (e._tag !== "NotificationRequested") {
        cause.push(first + i)
        return
      }
      const payload: NotificationPayload = {
        template: e.template,
        to: e.to,
        ticketId: ticket.id,
        publicId: ticket.publicId,
        cause: [...cause],
        ...(e.rule === undefined ? {} : { rule: e.rule }),
        ...(e.language === undefined ? {} : { language: e.language })
      }
      outbox.push({
        id: `notification:${ticket.id}:${first + i}`,
        workspaceId: ws,
        ticketId: ticket.id,
        channel: "notification",
        payload,
        createdAt: e.at
      })
    })
    return { ...(timers.length === 0 ? {} : { timers }), ...(outbox.length === 0 ? {} : { outbox }) }
  }

  // -- the requester's tier ----------------------------------------------------------------

  /**
   * Contacts and organizations read for the requester's tier, each kept for `actorCheckMillis`
   * like the actor check (`ActorCache`): consecutive commands on a requester's tickets read the
   * directory once. Saving one through this help desk forgets it (`directorySaved`).
   */
  const records = Lru.make<string, { readonly until: number; readonly record: Option.Option<unknown> }>(
    actorCheckMillis === 0 ? 0 : 10_000
  )
  const cached = <A>(key: string, read: Op<Option.Option<A>>): Op<Option.Option<A>> =>
    actorCheckMillis === 0
      ? read
      : Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const kept = records.get(key)
          if (kept !== undefined && now < kept.until) return Effect.succeed(kept.record as Option.Option<A>)
          return Effect.tap(read, (record) =>
            Effect.sync(() => records.set(key, { until: now + actorCheckMillis, record }))
          )
        })
  const contactOf = (id: ContactId): Op<Option.Option<Contact>> => cached(`contact:${id}`, directory.getContact(ws, id))
  const organizationOf = (id: OrganizationId): Op<Option.Option<Organization>> =>
    cached(`organization:${id}`, directory.getOrganization(ws, id))

  /** A contact or organization saved through this help desk: its tier counts from the next command. */
  const directorySaved = (kind: string, id: string): void => {
    records.delete(`${kind}:${id}`)
  }

  /** The requester's customer tier (the contact's, else their organization's): policies may ask. */
  const slaContext = (ticket: Ticket.Ticket): Op<SlaPolicy.Context> =>
    Effect.gen(function* () {
      const requester = yield* contactOf(ticket.requester)
      const contactTier = requester._tag === "Some" ? requester.value.tier : undefined
      if (contactTier !== undefined) return { tier: contactTier }
      const orgId = ticket.organization ?? (requester._tag === "Some" ? requester.value.organization : undefined)
      if (orgId === undefined) return {}
      const org = yield* organizationOf(orgId)
      return org._tag === "Some" && org.value.tier !== undefined ? { tier: org.value.tier } : {}
    })

  // -- SLAs --------------------------------------------------------------------------------

  const prepared = sla === undefined ? undefined : SlaFold.prepare(sla)

  /**
   * The SLA fold of each ticket state this help desk decided on or wrote, by the state itself:
   * the state cache keeps the states, so a remembered ticket comes with its fold, and a state
   * that was never written (its append failed) takes its fold with it when it goes.
   */
  const folds = new WeakMap<Ticket.Ticket, SlaFold.Fold>()

  const slaFailed = (error: Sla.SlaError) =>
    new InvalidInput({ input: "sla", problems: [{ path: ["sla"], message: error.message }] })

  const fromResult = <A>(result: Result.Result<A, Sla.SlaError>): Op<A> =>
    Effect.mapError(Effect.fromResult(result), slaFailed)

  /** The stored events a ticket state was folded from (a stream only grows, so a prefix). */
  const logOf = (ticket: Ticket.Ticket): Op<ReadonlyArray<TicketEvent>> =>
    Effect.map(store.read(ticket.id), ({ events }) => events.slice(0, ticket.version))

  const decodeFold = Schema.decodeUnknownResult(SlaFold.FoldJson)

  /** The fold the store keeps for a ticket, if it was written at the ticket's version and fits. */
  const storedFold = (
    setup: SlaFold.Prepared,
    ticket: Ticket.Ticket,
    context: SlaPolicy.Context
  ): Op<SlaFold.Fold | undefined> =>
    Effect.map(store.load(ticket.id), ({ sla: stored }) => {
      if (stored === undefined || stored.version !== ticket.version) return undefined
      const decoded = decodeFold(stored.value)
      return Result.isSuccess(decoded) && SlaFold.fits(setup, context, decoded.success) ? decoded.success : undefined
    })

  /**
   * The fold of a ticket state: the one computed with it, else the one the store keeps beside
   * its snapshot, else the log replayed once (a ticket written without one, or a fold computed
   * under another tier or configuration).
   */
  const foldOf = (setup: SlaFold.Prepared, ticket: Ticket.Ticket, context: SlaPolicy.Context): Op<SlaFold.Fold> =>
    Effect.gen(function* () {
      const known = folds.get(ticket)
      if (known !== undefined && SlaFold.fits(setup, context, known)) return known
      const fold =
        (yield* storedFold(setup, ticket, context)) ??
        (yield* fromResult(SlaFold.fromLog(setup, context, yield* logOf(ticket))))
      folds.set(ticket, fold)
      return fold
    })

  /** The plan at `now` from a fold; from the log (`log()`) when the clock is behind its events. */
  const planAt = (
    setup: SlaFold.Prepared,
    fold: SlaFold.Fold,
    context: SlaPolicy.Context,
    now: DateTime.Utc,
    log: () => Op<ReadonlyArray<TicketEvent>>
  ): Op<SlaFold.Plan> =>
    Effect.gen(function* () {
      const planned = yield* fromResult(SlaFold.plan(setup, fold, now))
      return planned ?? (yield* fromResult(SlaFold.replayPlan(setup, context, yield* log(), now)))
    })

  const noPlan: SlaFold.Plan = { due: [], next: undefined, slaDueAt: undefined }

  /**
   * Where a ticket's SLAs stand at `now`: the milestones due and not yet recorded, the next
   * instant one falls due, and the earliest due time of a running instance.
   */
  const slaPlan = (ticket: Ticket.Ticket, now: DateTime.Utc): Op<SlaFold.Plan> =>
    Effect.gen(function* () {
      if (prepared === undefined) return noPlan
      const context = yield* slaContext(ticket)
      const fold = yield* foldOf(prepared, ticket, context)
      return yield* planAt(prepared, fold, context, now, () => logOf(ticket))
    })

  /** The SLA side of an append of `events` to `before`: the queue's due time and the next SLA timer. */
  const slaEffects = (
    before: Ticket.State,
    next: Ticket.Ticket,
    ticketId: TicketId,
    events: ReadonlyArray<TicketEvent>
  ) =>
    Effect.gen(function* () {
      if (prepared === undefined) return undefined
      const context = yield* slaContext(next)
      const known = before === undefined ? undefined : folds.get(before)
      const from =
        before === undefined
          ? SlaFold.empty(prepared, context)
          : known !== undefined && SlaFold.fits(prepared, context, known)
            ? known
            : yield* foldOf(prepared, before, context)
      const fold = yield* fromResult(SlaFold.evolveAll(prepared, context, from, before, events))
      folds.set(next, fold)
      const now = yield* DateTime.now
      const plan = yield* planAt(prepared, fold, context, now, () =>
        before === undefined ? Effect.succeed(events) : Effect.map(logOf(before), (log) => [...log, ...events])
      )
      return {
        // A milestone already due gets a timer now, so the next `runDueTimers` records it.
        timers:
          plan.due.length > 0
            ? [Timer.make(ws, ticketId, "sla", now)]
            : plan.next === undefined
              ? []
              : [Timer.make(ws, ticketId, "sla", plan.next)],
        slaDueAt: plan.slaDueAt ?? null,
        // The fold is plain JSON (`SlaFold.FoldJson` decodes it back when it is read).
        sla: JSON.stringify(fold)
      }
    })

  /**
   * Everything an append of `events` to `before` (the state they were decided on; `undefined`
   * for a new ticket) writes besides them: timers, outbox messages, the SLA due time.
   */
  const effectsFor = (
    before: Ticket.State,
    next: Ticket.Ticket,
    ticketId: TicketId,
    events: ReadonlyArray<TicketEvent>
  ) =>
    // Without SLAs, nothing to read: the effects are there at once.
    prepared === undefined
      ? Effect.succeed(effectsOf(next, events))
      : Effect.map(slaEffects(before, next, ticketId, events), (sla): AppendEffects => {
          const base = effectsOf(next, events)
          return sla === undefined
            ? base
            : { ...base, timers: [...(base.timers ?? []), ...sla.timers], slaDueAt: sla.slaDueAt, sla: sla.sla }
        })

  /** Why each SLA due time of a ticket is what it is at `now`: every instance explained; none without SLAs. */
  const explainDue = (ticket: Ticket.Ticket, now: DateTime.Utc): Op<ReadonlyArray<Sla.Explanation>> =>
    sla === undefined
      ? Effect.succeed([])
      : Effect.gen(function* () {
          const context = yield* slaContext(ticket)
          const log = yield* logOf(ticket)
          const state = yield* fromResult(Sla.slaState(log, sla.policies, sla.calendars, now, context))
          return state.instances.map((instance) => Sla.explainDue(instance, sla.calendars))
        })

  return { effectsFor, slaPlan, explainDue, directorySaved }
}
