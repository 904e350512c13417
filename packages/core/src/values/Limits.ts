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

// -- sizes the schemas check (an input beyond one is `InvalidInput`) ----------------------------

/**
 * Characters in a message's plain text.
 *
 * @category models
 * @since 0.1.0
 */
export const textLength = 1_000_000

/**
 * Characters in a message's HTML.
 *
 * @category models
 * @since 0.1.0
 */
export const htmlLength = 5_000_000

/**
 * Ids in a message's email `References`. Mail clients trim long threads' lists to a few dozen;
 * the bound leaves room for any of them.
 *
 * @category models
 * @since 0.1.0
 */
export const referencesPerMessage = 500

/**
 * Characters in an email id (`Message-ID`, `In-Reply-To`, each reference, an attachment's
 * `Content-ID`): RFC 5322's line length.
 *
 * @category models
 * @since 0.1.0
 */
export const emailIdLength = 998

/**
 * Characters in an attachment's `location` (a URL or a storage key; presigned URLs run to a
 * couple of thousand).
 *
 * @category models
 * @since 0.1.0
 */
export const locationLength = 4_096

/**
 * Custom fields one workspace declares, and so one ticket carries or one `open` sets.
 *
 * @category models
 * @since 0.1.0
 */
export const customFieldsPerWorkspace = 200

/**
 * Characters in a custom field's text value.
 *
 * @category models
 * @since 0.1.0
 */
export const fieldValueLength = 10_000

/**
 * Entries in each list of a directory record: a contact's emails, phones and external ids, an
 * organization's domains, an agent's groups and skills.
 *
 * @category models
 * @since 0.1.0
 */
export const directoryListLength = 100

/**
 * Characters in a name (contact, organization, agent, group) and in each value of a directory
 * list (a domain, a skill, an external id).
 *
 * @category models
 * @since 0.1.0
 */
export const nameLength = 255

/**
 * Characters in a ticket's subject (which must hold a character other than spaces).
 *
 * @category models
 * @since 0.1.0
 */
export const subjectLength = 1_000

/**
 * Characters in an escalation's reason.
 *
 * @category models
 * @since 0.1.0
 */
export const reasonLength = 2_000

/**
 * Tickets one merge may bring into its target.
 *
 * @category models
 * @since 0.1.0
 */
export const sourcesPerMerge = 50

/**
 * Tickets on one page of `list` (its `limit`).
 *
 * @category models
 * @since 0.1.0
 */
export const ticketsPerPage = 500

/**
 * Messages on one page of a conversation (`messages`' `limit`).
 *
 * @category models
 * @since 0.1.0
 */
export const messagesPerPage = 500

/**
 * Characters in a search of `list`.
 *
 * @category models
 * @since 0.1.0
 */
export const searchLength = 500

/**
 * Suggestions one `suggestDuplicates` may ask for (its `limit`).
 *
 * @category models
 * @since 0.1.0
 */
export const suggestionsPerRequest = 50

/**
 * Characters in an attachment's file name.
 *
 * @category models
 * @since 0.1.0
 */
export const fileNameLength = 255

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
  operation: Schema.String,
  /** The internal step that found it (`nextPublicId`, `ChangeTags`), when not the operation itself. */
  step: Schema.optionalKey(Schema.String)
}) {
  get retryable() {
    return false
  }
  override get message() {
    const step = this.step === undefined ? "" : ` (in ${this.step})`
    return `${this.operation}${step}: ${this.limit} is at most ${this.max} (this request: ${this.actual})`
  }
}

/**
 * The value of each limit `LimitExceeded` reports, by name.
 *
 * @category models
 * @since 0.1.0
 */
export const maxima: Readonly<Record<LimitName, number>> = {
  tagsPerTicket,
  tagLength,
  valuesPerFilter,
  messagesPerSplit,
  messagesPerTicket,
  eventsPerAppend,
  streamsPerBatch,
  attachmentsPerMessage,
  publicIdMax
}

/**
 * `LimitExceeded` when `actual` goes beyond the limit, for `operation`; `undefined` within it.
 *
 * @category constructors
 * @since 0.1.0
 */
export const check = (limit: LimitName, actual: number, operation: string): LimitExceeded | undefined =>
  actual > maxima[limit] ? new LimitExceeded({ limit, max: maxima[limit], actual, operation }) : undefined

/**
 * `LimitExceeded` for a write larger than a store takes at once: more than `streamsPerBatch`
 * streams, or more than `eventsPerAppend` events for one of them; `undefined` within them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkWrite = (
  streams: ReadonlyArray<{ readonly events: ReadonlyArray<unknown> }>,
  operation: string
): LimitExceeded | undefined => {
  const tooMany = check("streamsPerBatch", streams.length, operation)
  if (tooMany !== undefined) return tooMany
  for (const stream of streams) {
    const tooLong = check("eventsPerAppend", stream.events.length, operation)
    if (tooLong !== undefined) return tooLong
  }
  return undefined
}

/**
 * How many tags and messages a ticket holds, as `checkTicket` counts them (none for a stream that
 * holds no ticket yet).
 *
 * @category constructors
 * @since 0.1.0
 */
export const sizeOf = (
  ticket: { readonly tags: ReadonlyArray<unknown>; readonly messages: ReadonlyArray<unknown> } | undefined
): { readonly tags: number; readonly messages: number } => ({
  tags: ticket?.tags.length ?? 0,
  messages: ticket?.messages.length ?? 0
})

/**
 * The per-ticket limits a change to a ticket must hold to: its tags and its messages, each
 * checked only when the change adds some (a ticket that was over a limit can still shrink).
 * `undefined` when the change is within them.
 *
 * @category constructors
 * @since 0.1.0
 */
export const checkTicket = (
  before: { readonly tags: number; readonly messages: number },
  after: { readonly tags: number; readonly messages: number },
  operation: string
): LimitExceeded | undefined =>
  (after.tags > before.tags ? check("tagsPerTicket", after.tags, operation) : undefined) ??
  (after.messages > before.messages ? check("messagesPerTicket", after.messages, operation) : undefined)
