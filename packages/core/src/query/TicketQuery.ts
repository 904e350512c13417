/**
 * Ticket queries, the queues agents work from: filters, a sort with a total order, and keyset
 * (cursor) pagination. The semantics are defined here as pure functions over ticket summaries;
 * the in-memory store runs them as they are, and every other store must return the same pages
 * (the conformance suite compares them).
 */
import { DateTime, Effect, Schema, SchemaGetter } from "effect"
import { boundedArray } from "../internal/bounded.js"
import * as Cursor from "../internal/cursor.js"
import { InvalidCursor } from "../internal/cursor.js"
import { StatusCategory, StatusId } from "../ticket/Status.js"
import { Ticket } from "../ticket/Ticket.js"
import { Channel } from "../values/Channel.js"
import { AgentId, ContactId, GroupId, OrganizationId } from "../values/Ids.js"
import * as Limits from "../values/Limits.js"
import * as Priority from "../values/Priority.js"
import * as Tag from "../values/Tag.js"
import * as Text from "../values/Text.js"
import * as Visibility from "./Visibility.js"

const { messages: _messages, ...summaryFields } = Ticket.fields

/** A filter's list of values: at most `Limits.valuesPerFilter`, a longer one refused unread. */
const anyOf = <S extends Schema.Top>(value: S) => boundedArray(value, Limits.valuesPerFilter)

/**
 * What queries return: a ticket without its conversation, plus what queues sort on that the
 * events do not hold (the next SLA due time, written by the `Helpdesk` with each append).
 *
 * @category models
 * @since 0.1.0
 */
export const TicketSummary = Schema.Struct({
  ...summaryFields,
  slaDueAt: Schema.optionalKey(Schema.DateTimeUtcFromString)
})
/** @category models @since 0.1.0 */
export type TicketSummary = typeof TicketSummary.Type

/**
 * The sort keys a query may use (an allow-list: no caller-supplied column ever reaches a store).
 *
 * @category models
 * @since 0.1.0
 */
export const SortKey = Schema.Literals(["created", "updated", "priority", "sla_due"])
/** @category models @since 0.1.0 */
export type SortKey = typeof SortKey.Type

/**
 * A tag as a query names it, normalised the way tickets store their tags (`Tag.normalize`), so
 * `Billing` finds the tickets tagged `billing`. A tag that normalises to nothing (`"  "`, `","`)
 * names no tag any ticket can carry, and is refused rather than dropped: dropped from `tagsAll`
 * it would widen the query to every ticket.
 */
const QueryTag = Schema.String.check(Schema.isMaxLength(Limits.tagLength)).pipe(
  Schema.decodeTo(
    Schema.String.check(Schema.isMinLength(1, { message: "Expected a tag with a letter, digit or symbol" })),
    { decode: SchemaGetter.transform(Tag.normalize), encode: SchemaGetter.passthrough() }
  )
)

/**
 * Search text: at most `Limits.searchLength` characters, with at least one word to search for (`searchTerms`). A
 * text of punctuation, `*` or quotes alone is refused: it would otherwise match every ticket.
 */
const SearchText = Schema.String.check(
  Schema.isMaxLength(Limits.searchLength),
  Schema.makeFilter((text: string) =>
    searchTerms(text).length > 0 ? undefined : "Expected at least one word (letters or digits) to search for"
  )
)

/**
 * A query over a workspace's tickets. Every filter narrows; lists mean "any of", and hold at most
 * `Limits.valuesPerFilter` values. `assignee: null` / `group: null` select unassigned tickets.
 * Decoding normalises the tags of `tagsAny` and `tagsAll` as tickets' tags are, and refuses a
 * `search` without a word.
 *
 * @category models
 * @since 0.1.0
 */
export const TicketQuery = Schema.Struct({
  category: Schema.optionalKey(anyOf(StatusCategory)),
  status: Schema.optionalKey(anyOf(StatusId)),
  assignee: Schema.optionalKey(Schema.NullOr(AgentId)),
  group: Schema.optionalKey(Schema.NullOr(GroupId)),
  requester: Schema.optionalKey(ContactId),
  organization: Schema.optionalKey(OrganizationId),
  priority: Schema.optionalKey(anyOf(Priority.Priority)),
  channel: Schema.optionalKey(anyOf(Channel)),
  /** Tickets that carry at least one of these tags. */
  tagsAny: Schema.optionalKey(anyOf(QueryTag)),
  /** Tickets that carry all of these tags. */
  tagsAll: Schema.optionalKey(anyOf(QueryTag)),
  /** Created at or after. */
  createdFrom: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** Created strictly before. */
  createdTo: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** Updated at or after. */
  updatedFrom: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** Updated strictly before. */
  updatedTo: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** Tickets with an SLA due time strictly before this instant. */
  slaDueBefore: Schema.optionalKey(Schema.DateTimeUtcFromString),
  /** Words that must all occur (as word prefixes) in the subject or the messages. */
  search: Schema.optionalKey(SearchText),
  /**
   * The texts `search` looks in: `all` (the default: the subject and every message) or `public`
   * (the subject and public replies, not internal notes: what a requester may search).
   */
  searchIn: Schema.optionalKey(Schema.Literals(["all", "public"])),
  sort: Schema.optionalKey(SortKey),
  direction: Schema.optionalKey(Schema.Literals(["asc", "desc"])),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: Limits.ticketsPerPage }))),
  cursor: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1000)))
})
/** @category models @since 0.1.0 */
export type TicketQuery = typeof TicketQuery.Type

/**
 * One page of results, and the cursor of the next page when there is one.
 *
 * @category models
 * @since 0.1.0
 */
export interface TicketPage {
  readonly items: ReadonlyArray<TicketSummary>
  readonly nextCursor: string | undefined
}

/**
 * Page size when the query does not say.
 *
 * @category models
 * @since 0.1.0
 */
export const defaultLimit = 50

/**
 * A summary of a ticket, as stores keep it in their projection.
 *
 * @category constructors
 * @since 0.1.0
 */
export const summarize = (ticket: Ticket): TicketSummary => {
  const { messages: _m, ...summary } = ticket
  return summary
}

/**
 * Whether a ticket passes every filter of a query (sort and paging aside).
 *
 * @category predicates
 * @since 0.1.0
 */
export const matches = (query: TicketQuery, t: TicketSummary): boolean =>
  (query.category === undefined || query.category.includes(t.category)) &&
  (query.status === undefined || query.status.includes(t.status)) &&
  (query.assignee === undefined || (query.assignee ?? undefined) === t.assignee) &&
  (query.group === undefined || (query.group ?? undefined) === t.group) &&
  (query.requester === undefined || query.requester === t.requester) &&
  (query.organization === undefined || query.organization === t.organization) &&
  (query.priority === undefined || query.priority.includes(t.priority)) &&
  (query.channel === undefined || query.channel.includes(t.channel)) &&
  (query.tagsAny === undefined || query.tagsAny.some((tag) => (t.tags as ReadonlyArray<string>).includes(tag))) &&
  (query.tagsAll === undefined || query.tagsAll.every((tag) => (t.tags as ReadonlyArray<string>).includes(tag))) &&
  (query.createdFrom === undefined || !DateTime.isLessThan(t.createdAt, query.createdFrom)) &&
  (query.createdTo === undefined || DateTime.isLessThan(t.createdAt, query.createdTo)) &&
  (query.updatedFrom === undefined || !DateTime.isLessThan(t.updatedAt, query.updatedFrom)) &&
  (query.updatedTo === undefined || DateTime.isLessThan(t.updatedAt, query.updatedTo)) &&
  (query.slaDueBefore === undefined ||
    (t.slaDueAt !== undefined && DateTime.isLessThan(t.slaDueAt, query.slaDueBefore)))

/**
 * The words of a text as search sees them (`Text.words`): letters and digits, lowercase, accents
 * removed. Stores index the same words (SQLite FTS5 and PostgreSQL `simple` both get them pre-split),
 * so every back end answers a search the same way.
 *
 * @category combinators
 * @since 0.1.0
 */
export const words: (text: string) => ReadonlyArray<string> = Text.words

/**
 * The search terms of a query: at most 8 words of at most 64 characters.
 *
 * @category combinators
 * @since 0.1.0
 */
export const searchTerms = (search: string): ReadonlyArray<string> =>
  Array.from(new Set(words(search).map((w) => Array.from(w).slice(0, 64).join("")))).slice(0, 8)

/**
 * The text a ticket is found by: its subject and every message (only its public ones for
 * `searchIn: "public"`), as space-separated words.
 *
 * @category combinators
 * @since 0.1.0
 */
export const searchDocument = (ticket: Ticket, searchIn: "all" | "public" = "all"): string =>
  words(
    [
      ticket.subject,
      ...ticket.messages.filter((m) => searchIn === "all" || m.visibility === "public").map((m) => m.text)
    ].join(" ")
  ).join(" ")

/**
 * Whether every term starts some word of a search document.
 *
 * @category predicates
 * @since 0.1.0
 */
export const matchesSearch = (terms: ReadonlyArray<string>, document: string): boolean => {
  const docWords = document.split(" ")
  return terms.every((term) => docWords.some((w) => w.startsWith(term)))
}

/**
 * The position of a ticket in a sort: numbers compared left to right, then the ticket id.
 *
 * @category models
 * @since 0.1.0
 */
export type Position = readonly [ReadonlyArray<number>, string]

/**
 * A ticket's position for a sort key. Priority sorts by rank, then oldest first, whatever the
 * direction: within a priority, the ticket that waited longest comes first. SLA due sorts
 * tickets without a due time last, whatever the direction.
 *
 * @category combinators
 * @since 0.1.0
 */
export const position = (sort: SortKey, t: TicketSummary): Position => {
  switch (sort) {
    case "created":
      return [[DateTime.toEpochMillis(t.createdAt)], t.id]
    case "updated":
      return [[DateTime.toEpochMillis(t.updatedAt)], t.id]
    case "priority":
      return [[Priority.rank(t.priority), DateTime.toEpochMillis(t.createdAt)], t.id]
    case "sla_due":
      return [t.slaDueAt === undefined ? [1, 0] : [0, DateTime.toEpochMillis(t.slaDueAt)], t.id]
  }
}

/**
 * The direction of each key of a position (1 ascending, -1 descending), the id last: which
 * keys follow the query's direction and which keep their natural order. Stores build their
 * `ORDER BY` and keyset conditions from it.
 *
 * @category combinators
 * @since 0.1.0
 */
export const directions = (sort: SortKey, direction: "asc" | "desc"): ReadonlyArray<1 | -1> => {
  const d = direction === "asc" ? 1 : -1
  switch (sort) {
    case "created":
    case "updated":
      return [d, d]
    case "priority":
      return [d, 1, 1]
    case "sla_due":
      return [1, d, 1]
  }
}

/**
 * Compares two positions in the query's order (negative: `a` comes first).
 *
 * @category combinators
 * @since 0.1.0
 */
export const compare = (sort: SortKey, direction: "asc" | "desc", a: Position, b: Position): number => {
  const dirs = directions(sort, direction)
  const [ak, aid] = a
  const [bk, bid] = b
  for (let i = 0; i < ak.length; i++) {
    const x = ak[i] ?? 0
    const y = bk[i] ?? 0
    if (x !== y) return (x < y ? -1 : 1) * (dirs[i] ?? 1)
  }
  const byId = aid < bid ? -1 : aid > bid ? 1 : 0
  return byId * (dirs[ak.length] ?? 1)
}

const CursorPayload = Schema.fromJsonString(
  Schema.Struct({
    s: SortKey,
    d: Schema.Literals(["asc", "desc"]),
    k: Schema.Array(Schema.Finite),
    i: Schema.String
  })
)

const encodeCursorChecked = Cursor.encode(CursorPayload)

/**
 * The cursor of the page that follows a ticket at `position`.
 *
 * @category constructors
 * @since 0.1.0
 */
export const encodeCursor = (sort: SortKey, direction: "asc" | "desc", at: Position): string =>
  // Finite keys (every position a ticket has) encode as `CursorPayload` would, without its
  // checks on every page; anything else goes through the Schema and its checks.
  at[0].every(Number.isFinite)
    ? Cursor.base64Url(JSON.stringify({ s: sort, d: direction, k: at[0], i: at[1] }))
    : encodeCursorChecked({ s: sort, d: direction, k: at[0], i: at[1] })

/**
 * Reads a cursor back; it must have been issued for the same sort and direction.
 *
 * @category combinators
 * @since 0.1.0
 */
export const decodeCursor = (
  cursor: string,
  sort: SortKey,
  direction: "asc" | "desc"
): Effect.Effect<Position, InvalidCursor> =>
  Effect.flatMap(Cursor.decode(CursorPayload, cursor), (payload) =>
    payload.s === sort && payload.d === direction
      ? Effect.succeed([payload.k, payload.i] as const)
      : Effect.fail(new InvalidCursor({ cursor }))
  )

/**
 * The sort and direction of a query, with their defaults (oldest first).
 *
 * @category combinators
 * @since 0.1.0
 */
export const ordering = (query: TicketQuery): { readonly sort: SortKey; readonly direction: "asc" | "desc" } => ({
  sort: query.sort ?? "created",
  direction: query.direction ?? "asc"
})

/**
 * Runs a query over summaries in memory: the reference semantics every store must match.
 *
 * @category combinators
 * @since 0.1.0
 */
export const run = (
  query: TicketQuery,
  tickets: Iterable<TicketSummary>,
  /** Search documents by ticket id (`searchDocument` for the query's `searchIn`), for queries with `search`. */
  documents: ReadonlyMap<string, string> = new Map(),
  /** The tickets the asking principal may see (`Visibility.allows`); absent: every ticket. */
  visibility?: Visibility.Visibility
): Effect.Effect<TicketPage, InvalidCursor> =>
  Effect.gen(function* () {
    const { sort, direction } = ordering(query)
    const after = query.cursor === undefined ? undefined : yield* decodeCursor(query.cursor, sort, direction)
    const limit = query.limit ?? defaultLimit
    const terms = query.search === undefined ? undefined : searchTerms(query.search)
    const sorted = Array.from(tickets)
      .filter((t) => matches(query, t) && Visibility.allows(visibility, t))
      .filter((t) => terms === undefined || matchesSearch(terms, documents.get(t.id) ?? ""))
      .map((t) => ({ t, p: position(sort, t) }))
      .filter(({ p }) => after === undefined || compare(sort, direction, p, after) > 0)
      .sort((a, b) => compare(sort, direction, a.p, b.p))
    const page = sorted.slice(0, limit)
    const last = page[page.length - 1]
    return {
      items: page.map(({ t }) => t),
      nextCursor: sorted.length > limit && last !== undefined ? encodeCursor(sort, direction, last.p) : undefined
    }
  })
