/**
 * The limits every store and every path into the help desk hold to, in one place: how many tags
 * a ticket carries, how many values a filter lists, how many messages a split moves, how many
 * events one append writes, and so on. The schemas check them at the edge (an input beyond one
 * is `InvalidInput`), `decide` checks those a command can only reach on a ticket's state (a merge
 * bringing too many tags), and stores check what reaches them directly; anything beyond a limit
 * is `LimitExceeded`, which a retry can never fix. docs/limits.md lists them for users.
 */
import { Schema } from "effect"

/**
 * Tags one ticket may carry (after a merge too).
 *
 * @category models
 * @since 0.1.0
 */
export const tagsPerTicket = 1_000

/**
 * Characters in one tag, as given (before normalisation).
 *
 * @category models
 * @since 0.1.0
 */
export const tagLength = 200

/**
 * Values one filter of a query may list (`tagsAll`, `status`, ...).
 *
 * @category models
 * @since 0.1.0
 */
export const valuesPerFilter = 1_000

/**
 * Messages one split may move to the new ticket.
 *
 * @category models
 * @since 0.1.0
 */
export const messagesPerSplit = 10_000

/**
 * Messages one ticket may hold (a merge counts what it brings).
 *
 * @category models
 * @since 0.1.0
 */
export const messagesPerTicket = 100_000

/**
 * Events one append (or one stream of a batch append) may write.
 *
 * @category models
 * @since 0.1.0
 */
export const eventsPerAppend = 10_000

/**
 * Streams one batch append (`appendAll`) may write or check.
 *
 * @category models
 * @since 0.1.0
 */
export const streamsPerBatch = 1_000

/**
 * Attachments one message may carry.
 *
 * @category models
 * @since 0.1.0
 */
export const attachmentsPerMessage = 100

/**
 * The largest public ticket number: a 32-bit signed integer, which every database column holds.
 *
 * @category models
 * @since 0.1.0
 */
export const publicIdMax = 2_147_483_647

/**
 * The names of the limits, as `LimitExceeded` reports them.
 *
 * @category models
 * @since 0.1.0
 */
export const LimitName = Schema.Literals([
  "tagsPerTicket",
  "tagLength",
  "valuesPerFilter",
  "messagesPerSplit",
  "messagesPerTicket",
  "eventsPerAppend",
  "streamsPerBatch",
  "attachmentsPerMessage",
  "publicIdMax"
])
/** @category models @since 0.1.0 */
export type LimitName = typeof LimitName.Type

/**
 * A request goes beyond one of the limits: retrying it can never succeed. `operation` is what the
 * caller called (`open`, `tag`, `append`), `actual` what the request would have reached.
 *
 * @category errors
 * @since 0.1.0
 */
export class LimitExceeded extends Schema.TaggedError<LimitExceeded>()("LimitExceeded", {
  limit: LimitName,
  max: Schema.Number,
  actual: Schema.Number,
  operation: Schema.String
}) {
  get retryable() {
    return false
  }
  override get message() {
    return `${this.operation}: ${this.limit} is at most ${this.max} (this request: ${this.actual})`
  }
}
