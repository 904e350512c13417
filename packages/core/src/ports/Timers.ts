/**
 * The port for durable timers: time-driven commands (close a solved ticket, SLA warnings) wait
 * here until due. A timer's id is deterministic (ticket + purpose + due time), so scheduling the
 * same timer twice keeps one, and a firing that is repeated after a crash is a no-op. Timers are
 * written mostly by the ticket store's appends (`AppendEffects.timers`, in the append's
 * transaction), so a store adapter provides this port from the same store
 * (`TicketStore.Adapter`); `schedule` is for the few set outside an append.
 */
import { Context, DateTime, type Effect } from "effect"
import type { TicketId, WorkspaceId } from "../values/Ids.js"
import type { StoreError } from "./StoreError.js"

/**
 * What a timer does when it fires: close a solved ticket, or record the SLA warnings and
 * breaches that are due (and set the next SLA timer).
 *
 * @category models
 * @since 0.1.0
 */
export type TimerPurpose = "close_solved" | "sla"

/**
 * A scheduled, time-driven command for one ticket.
 *
 * @category models
 * @since 0.1.0
 */
export interface Timer {
  readonly id: string
  readonly workspaceId: WorkspaceId
  readonly ticketId: TicketId
  readonly purpose: TimerPurpose
  readonly dueAt: DateTime.Utc
}

/**
 * A timer for a ticket, with its deterministic id.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (
  workspaceId: WorkspaceId,
  ticketId: TicketId,
  purpose: TimerPurpose,
  dueAt: DateTime.Utc
): Timer => ({
  id: `${ticketId}:${purpose}:${DateTime.toEpochMillis(dueAt)}`,
  workspaceId,
  ticketId,
  purpose,
  dueAt
})

/**
 * The timers port, of the same store as the `TicketStore` whose appends schedule them.
 *
 * @category services
 * @since 0.1.0
 */
export class Timers extends Context.Service<
  Timers,
  {
    /** Schedules a timer; a timer with the same id is kept once. */
    readonly schedule: (timer: Timer) => Effect.Effect<void, StoreError>
    /**
     * Claims up to `limit` of a workspace's timers due at `now` for `leaseMillis`: no other claimer gets them
     * until the lease ends, and they come back if they were not completed by then.
     */
    readonly claimDue: (
      workspaceId: WorkspaceId,
      now: DateTime.Utc,
      limit: number,
      leaseMillis: number
    ) => Effect.Effect<ReadonlyArray<Timer>, StoreError>
    /** Removes a fired timer. */
    readonly complete: (id: string) => Effect.Effect<void, StoreError>
  }
>()("@tessera/core/Timers") {}
