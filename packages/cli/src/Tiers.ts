/**
 * Customer tiers for the rules' `requester.tier` and `organization.tier`, read from the
 * directory the help desk keeps beside its tickets: the requester's own tier, and the tier of the
 * ticket's organization. `RuleTriggers` asks for tiers synchronously, so the tiers a ticket's
 * history needs are read before its rules run, and kept for the rest of the run.
 *
 * @since 0.1.0
 */
import { Ticket, type TicketEvent } from "@tessera/core"
import type { RuleTriggers } from "@tessera/rules"
import { Effect } from "effect"
import type * as Store from "./Store.js"

/**
 * Tiers read ahead, and the rules' `tiers` option that answers from them.
 *
 * @category models
 * @since 0.1.0
 */
export interface Tiers {
  /** Reads the tiers of every requester and organization the history's ticket ever had. */
  readonly prefetch: (history: ReadonlyArray<TicketEvent.TicketEvent>) => Effect.Effect<void, Store.DatabaseFailed>
  readonly options: RuleTriggers.Options
}

/**
 * Tiers read through a `Store.Reader`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const make = (reader: Store.Reader): Tiers => {
  const contacts = new Map<string, string | undefined>()
  const organizations = new Map<string, string | undefined>()
  const prefetch = (history: ReadonlyArray<TicketEvent.TicketEvent>) =>
    Effect.gen(function* () {
      let state: Ticket.State
      for (const event of history) {
        state = Ticket.evolve(state, event)
        if (state === undefined) continue
        if (!contacts.has(state.requester)) contacts.set(state.requester, yield* reader.contactTier(state.requester))
        const org = state.organization
        if (org !== undefined && !organizations.has(org)) organizations.set(org, yield* reader.organizationTier(org))
      }
    })
  const tiers = (ticket: Ticket.Ticket) => {
    const requester = contacts.get(ticket.requester)
    const organization = ticket.organization === undefined ? undefined : organizations.get(ticket.organization)
    return {
      ...(requester === undefined ? {} : { requester }),
      ...(organization === undefined ? {} : { organization })
    }
  }
  return { prefetch, options: { tiers } }
}
