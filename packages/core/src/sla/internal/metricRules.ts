/**
 * The rules the replay (`SlaState`) and the fold (`SlaFold`) share: which status categories end
 * or pause a metric, which target applies, and when a warning falls due. Kept in one place so
 * the two ways of computing a ticket's SLAs cannot drift apart on them.
 */
import { evolve, type State, type Ticket } from "../../ticket/Ticket.js"
import type { TicketEvent } from "../../ticket/TicketEvent.js"
import { defaultPauses, type Metric, type Policy, type Target, type Warning } from "../SlaPolicy.js"

/** Solved and closed end every metric. */
export const resolved = (category: string): boolean => category === "solved" || category === "closed"

/** The categories that stop a metric's clock under a policy. */
export const pausesOf = (policy: Policy, metric: Metric): ReadonlyArray<string> =>
  policy.pauses?.[metric] ?? defaultPauses[metric]

/** A metric's target under a policy for the ticket's priority, if it has one. */
export const targetOf = (policy: Policy, metric: Metric, ticket: Ticket): Target | undefined =>
  policy.targets[metric]?.[ticket.priority]

/** The metrics every open cycle of a ticket measures (from its opening, or its reopening). */
export const cycleMetrics = ["resolution", "requester_wait", "agent_work"] as const

/** The counted time at which a target of `target` milliseconds warns, if the policy warns. */
export const warningThreshold = (warning: Warning | undefined, target: number): number | undefined =>
  warning === undefined
    ? undefined
    : "before" in warning
      ? Math.max(0, target - warning.before * 60_000)
      : (target * warning.percent) / 100

/**
 * `Ticket.evolve` that leaves the conversation out: SLAs never read messages, and a replay that
 * copied the message list at every message was quadratic in the history.
 */
export const evolveWithoutMessages = (state: State, event: TicketEvent): State => {
  const next = evolve(state, event)
  return next === undefined || next.messages.length === 0 ? next : { ...next, messages: [] }
}
