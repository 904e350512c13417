/**
 * What became of a ticket's notifications, in its log: the outbox worker reports each delivered
 * or given-up notification, and the help desk records it as `NotificationDelivered` or
 * `NotificationFailed` by the system, once (a redelivery reports the same outcome again, and it is
 * left out). A record about the ticket, like an SLA milestone: it does not update the ticket,
 * runs no trigger (so no rule can answer a delivery with another notification) and never reaches
 * the requester's view. A worker's whole batch of outcomes may go in one cross-ticket append
 * (`recordNotifications`). Sending is `@tessera/notify`'s business.
 */
import { DateTime, Effect, Schema } from "effect"
import * as Lru from "../internal/lru.js"
import { trusted } from "../internal/trusted.js"
import type { AppendRequest } from "../ports/TicketStore.js"
import { decide } from "../ticket/decide.js"
import * as Ticket from "../ticket/Ticket.js"
import * as C from "../ticket/TicketCommand.js"
import type { TicketEvent } from "../ticket/TicketEvent.js"
import * as Actor from "../values/Actor.js"
import { type TicketId, TicketRef } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import type * as Batch from "./Batch.js"
import { type Deps, decideContext } from "./Deps.js"
import type { Op } from "./HelpdeskError.js"
import { decode } from "./Input.js"
import * as Retry from "./Retry.js"
import type * as StateCache from "./StateCache.js"
import type * as Streams from "./Streams.js"
import type * as UnitOfWork from "./UnitOfWork.js"

const Text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/**
 * One notification's outcome, as the outbox worker reports it to `recordNotification`.
 *
 * @category models
 * @since 0.1.0
 */
export const NotificationOutcomeInput = Schema.Struct({
  ticket: TicketRef,
  /** `delivered`: every delivery was accepted; `failed`: the message became a dead letter. */
  outcome: Schema.Literals(["delivered", "failed"]),
  /** The outbox message's id. */
  notification: Text(500),
  /** The attempt it came from (1 for the first). */
  attempt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  template: Text(200),
  channel: Text(200),
  /** Who it went to: addresses, or endpoint names for integrations (at most 100). */
  to: Schema.Array(Text(320)).check(Schema.isMaxLength(100)),
  /** When it was delivered or given up on (ISO 8601). */
  at: Schema.DateTimeUtcFromString,
  /** Why it failed (the last attempt's error); at most 500 characters. */
  error: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(500)))
})
/** @category models @since 0.1.0 */
export interface NotificationOutcomeInput extends Schema.Codec.Encoded<typeof NotificationOutcomeInput> {}

/**
 * Outcomes `recordNotifications` takes at once, at most: a store's batch (`Limits.streamsPerBatch`).
 *
 * @category models
 * @since 0.1.0
 */
export const maxOutcomes = Limits.streamsPerBatch

/**
 * A batch of outcomes, as `recordNotifications` takes it (at most `maxOutcomes`).
 *
 * @category models
 * @since 0.1.0
 */
export const NotificationOutcomesInput = Schema.Array(NotificationOutcomeInput).check(Schema.isMaxLength(maxOutcomes))

/**
 * What identifies a record: its kind, notification and attempt (and, for a failure, its error).
 * Two outcomes with the same key are the same record.
 */
const keyOf = (kind: "delivered" | "failed", notification: string, attempt: number, error: string | undefined) =>
  JSON.stringify(kind === "delivered" ? [notification, attempt] : [notification, attempt, error ?? ""])

/** The keys of the records in a log. */
const keysIn = (events: ReadonlyArray<TicketEvent>): Set<string> => {
  const keys = new Set<string>()
  for (const event of events) {
    if (event._tag === "NotificationDelivered")
      keys.add(keyOf("delivered", event.notification, event.attempt, undefined))
    else if (event._tag === "NotificationFailed")
      keys.add(keyOf("failed", event.notification, event.attempt, event.error))
  }
  return keys
}

/** The records a ticket's log holds at `version` (a log only grows, so a version names one prefix). */
interface Known {
  readonly version: number
  readonly keys: ReadonlySet<string>
}

/** Tickets whose records an instance remembers. */
const remembered = 1000

/**
 * The notification records of one help desk.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (deps: Deps, unitOfWork: UnitOfWork.UnitOfWork, streams: Streams.Streams, batch: Batch.Batch) => {
  const known = Lru.make<TicketId, Known>(remembered)

  /** The records of a ticket's log at the version of `state`: remembered, or read fresh. */
  const recordsAt = (ticketId: TicketId, version: number): Op<Known> => {
    const remembered = known.get(ticketId)
    if (remembered !== undefined && remembered.version === version) return Effect.succeed(remembered)
    return Effect.map(deps.store.read(ticketId), (log) => {
      const read = { version: log.version, keys: keysIn(log.events) }
      known.set(ticketId, read)
      return read
    })
  }

  /**
   * Records a notification's outcome on its ticket (closed tickets included); answers whether it
   * recorded it (`false`: the log already had it). Each attempt decides on the records of the
   * version it appends after: those this instance remembers for that version, or else the log
   * read fresh. The append expects that version, so two workers reporting the same outcome at
   * once record it once (the second one's append conflicts, and it decides again on the log).
   */
  const recordNotification = (raw: NotificationOutcomeInput): Op<boolean> =>
    Effect.gen(function* () {
      const input = yield* decode(NotificationOutcomeInput, "outcome")(raw)
      const key = keyOf(input.outcome, input.notification, input.attempt, input.error)
      let recorded = false
      let decidedOn: Known | undefined
      const after = yield* unitOfWork.execute(input.ticket, system, undefined, (ticket) =>
        Effect.gen(function* () {
          decidedOn = yield* recordsAt(ticket.id, ticket.version)
          recorded = !decidedOn.keys.has(key)
          const { ticket: _, outcome, at, ...fields } = input
          return new C.RecordNotifications({
            ticketId: ticket.id,
            outcomes: recorded ? [{ ...fields, kind: outcome, reachedAt: DateTime.toUtc(at) }] : []
          })
        })
      )
      // Appended after the version decided on: the log now holds one more record.
      if (recorded && decidedOn !== undefined && after.version === decidedOn.version + 1) {
        known.set(after.id, { version: after.version, keys: new Set(decidedOn.keys).add(key) })
      }
      return recorded
    })

  /**
   * Records a batch of outcomes (any tickets) in one cross-ticket append (`appendAll`, as many
   * as the store takes at once), each once as `recordNotification` would; answers, outcome by
   * outcome, whether it recorded it (the same outcome twice in a batch is recorded once). Each
   * ticket's records are decided on the version its append then expects, so a concurrent record
   * of the same outcome (another worker, a redelivery) conflicts and the batch decides again on
   * fresh state (`Retry`). Each store batch (`maxBatch` tickets) is all or nothing.
   */
  const recordNotifications = (raw: ReadonlyArray<NotificationOutcomeInput>): Op<ReadonlyArray<boolean>> =>
    Effect.gen(function* () {
      const inputs = yield* decodeOutcomes(raw)
      // Each ticket's outcomes, in the order given; a reference is resolved once per batch.
      const byTicket = new Map<TicketId, { ref: TicketRef; entries: Array<{ index: number; key: string }> }>()
      const refs = new Map<TicketRef, TicketId>()
      for (const [index, input] of inputs.entries()) {
        const ticketId = refs.get(input.ticket) ?? (yield* streams.resolve(input.ticket))
        refs.set(input.ticket, ticketId)
        const key = keyOf(input.outcome, input.notification, input.attempt, input.error)
        const group = byTicket.get(ticketId) ?? { ref: input.ticket, entries: [] }
        group.entries.push({ index, key })
        byTicket.set(ticketId, group)
      }
      const answers = inputs.map(() => false)
      const tickets = [...byTicket]
      const chunk = Math.max(1, Math.min(deps.store.capabilities.maxBatch, Limits.streamsPerBatch))
      for (let start = 0; start < tickets.length; start += chunk) {
        const part = tickets.slice(start, start + chunk)
        const recorded = yield* Retry.run(recordChunk(part, inputs), deps.maxAttempts)
        for (const index of recorded) answers[index] = true
      }
      return answers
    })

  /** One attempt at one chunk's tickets: the indexes of the outcomes it recorded. */
  const recordChunk = (
    part: ReadonlyArray<
      readonly [TicketId, { ref: TicketRef; entries: ReadonlyArray<{ index: number; key: string }> }]
    >,
    inputs: ReadonlyArray<typeof NotificationOutcomeInput.Type>
  ) =>
    Effect.gen(function* () {
      const ctx = yield* decideContext(deps, system)
      const requests: Array<AppendRequest> = []
      const after = new Map<TicketId, Ticket.Ticket>()
      const decided: Array<{ ticketId: TicketId; on: Known; keys: ReadonlyArray<string> }> = []
      const recorded: Array<number> = []
      for (const [ticketId, { ref, entries }] of part) {
        const current = yield* stateOf(ticketId, ref)
        const on = yield* recordsAt(ticketId, current.version)
        const fresh = new Set<string>()
        const outcomes: Array<C.RecordNotifications["outcomes"][number]> = []
        for (const { index, key } of entries) {
          if (on.keys.has(key) || fresh.has(key)) continue
          fresh.add(key)
          recorded.push(index)
          const { ticket: _, outcome, at, ...fields } = inputs[index] as (typeof inputs)[number]
          outcomes.push({ ...fields, kind: outcome, reachedAt: DateTime.toUtc(at) })
        }
        if (outcomes.length === 0) continue
        // The outcomes were decoded by `NotificationOutcomeInput`, whose checks are the command's:
        // the command is built without parsing them again (`trusted`).
        const command = trusted(C.RecordNotifications, { _tag: "RecordNotifications", ticketId, outcomes })
        const events = yield* decide(current.state, command, ctx)
        const next = Ticket.fold(events, current.state) as Ticket.Ticket
        after.set(ticketId, next)
        decided.push({ ticketId, on, keys: [...fresh] })
        requests.push({
          ticketId,
          expectedVersion: current.version,
          events,
          effects: yield* deps.effects.effectsFor(current.state, next, ticketId, events)
        })
      }
      if (requests.length === 0) return recorded
      yield* batch.appendAll(requests, after)
      // Appended after the versions decided on: each log now holds its new records too.
      for (const [i, { ticketId, on, keys }] of decided.entries()) {
        const events = requests[i]?.events.length ?? 0
        const version = deps.states.recall(ticketId)?.version
        if (version === on.version + events) known.set(ticketId, { version, keys: new Set([...on.keys, ...keys]) })
      }
      return recorded
    })

  /**
   * A ticket's state to decide on: the remembered one (checked against the store when several
   * processes share it), or read fresh; another workspace's ticket is not found.
   */
  const stateOf = (ticketId: TicketId, ref: TicketRef): Op<StateCache.Known> =>
    Effect.gen(function* () {
      const recalled = deps.states.recall(ticketId)
      if (recalled === undefined) return yield* streams.load(ticketId, ref)
      if (deps.store.capabilities.multiProcess) {
        const newer = yield* streams.loadNewer(ticketId, ref, recalled.version)
        if (newer !== undefined) return newer
      }
      yield* streams.inWorkspace(recalled.state, ref)
      return recalled
    })

  return { recordNotification, recordNotifications }
}

const system = Actor.system("notify")
const decodeOutcomes = decode(NotificationOutcomesInput, "outcomes")
