/**
 * The SLA metrics: what an SLA can measure on a ticket. A leaf value, so that stored events and
 * commands can name a metric without depending on the SLA policies that set its targets.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * What an SLA measures.
 *
 * - `first_reply`: from a ticket the requester opened to the first public agent reply.
 * - `next_reply`: from the oldest requester message still unanswered to the next public agent
 *   reply (a new instance for each such wait).
 * - `periodic_update`: between consecutive public agent replies while the ticket is unresolved.
 * - `resolution`: from opening (or reopening) to solved.
 * - `requester_wait`: like resolution, paused while the ticket waits on the requester.
 * - `agent_work`: like resolution, paused while it waits on the requester or a third party.
 *
 * @category models
 * @since 0.1.0
 */
export const Metric = Schema.Literals([
  "first_reply",
  "next_reply",
  "periodic_update",
  "resolution",
  "requester_wait",
  "agent_work"
])
/** @category models @since 0.1.0 */
export type Metric = typeof Metric.Type

/** @category models @since 0.1.0 */
export const metrics: ReadonlyArray<Metric> = Metric.literals
