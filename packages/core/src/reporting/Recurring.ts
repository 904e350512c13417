/**
 * Recurring problems: the tags, subject words and classifier topics whose volume this week rises
 * against their own baseline (the weekly average of the weeks before), so a billing bug that
 * hits fifty customers shows after its first few tickets, with the tickets that make up the
 * rise. `detect` is a pure function over ticket samples (`sampleOf`); opening a problem ticket
 * from a rise is `Helpdesk.openProblem`'s job.
 *
 * @since 0.1.0
 */
import type { Ticket } from "../ticket/Ticket.js"
import type { PublicId, TicketId } from "../values/Ids.js"
import * as Text from "../values/Text.js"

/**
 * What detection reads of a ticket: when it was opened (epoch milliseconds), its subject and
 * tags, and the topics a classifier gave it, if any.
 *
 * @category models
 * @since 0.1.0
 */
export interface Sample {
  readonly ticketId: TicketId
  readonly publicId?: PublicId
  readonly createdAt: number
  readonly subject: string
  readonly tags: ReadonlyArray<string>
  readonly topics?: ReadonlyArray<string>
}

/**
 * Where a rising key comes from: a tag, a word of the subject, or a classifier's topic.
 *
 * @category models
 * @since 0.1.0
 */
export type Source = "tag" | "subject" | "topic"

/**
 * How detection looks: `now` ends the current week (`[now - 7 days, now)`); the baseline is the
 * `baselineWeeks` weeks before it (default 4). A key rises when the current week has at least
 * `minTickets` of its tickets (default 3), at least `factor` times (default 3) its baseline's
 * weekly average, and at least `spread` (default 3) standard deviations above that average (as
 * for counts of independent arrivals: the square root of the average), counting an average below
 * one ticket as one: a key never seen before rises with `max(minTickets, factor, spread)`
 * tickets, and ordinary week-to-week noise of a busy key does not rise. Subject words shorter than `minWordLength` (default 4)
 * and common words are not keys.
 *
 * @category models
 * @since 0.1.0
 */
export interface Options {
  readonly now: number
  readonly baselineWeeks?: number
  readonly minTickets?: number
  readonly factor?: number
  readonly spread?: number
  readonly minWordLength?: number
  readonly sources?: ReadonlyArray<Source>
}

/**
 * A key whose volume rises: its source and value, the tickets of the current week that carry it
 * (oldest first) and how many (`current`), the count of each baseline week (oldest first), their
 * average (`baseline`) and `ratio`, `current` over the baseline (below one counted as one). Keys
 * that rose with mostly the same tickets are `related` (source and value), strongest first.
 *
 * @category models
 * @since 0.1.0
 */
export interface Rise {
  readonly source: Source
  readonly value: string
  readonly current: number
  readonly weekly: ReadonlyArray<number>
  readonly baseline: number
  readonly ratio: number
  readonly tickets: ReadonlyArray<TicketId>
  readonly related: ReadonlyArray<{ readonly source: Source; readonly value: string }>
}

const week = 7 * 86_400_000

/** Words too common to name a problem (English and French), besides words shorter than the minimum. */
const common: ReadonlySet<string> = new Set([
  "about",
  "after",
  "again",
  "also",
  "from",
  "have",
  "help",
  "hello",
  "issue",
  "need",
  "please",
  "problem",
  "question",
  "still",
  "thanks",
  "that",
  "there",
  "this",
  "urgent",
  "what",
  "when",
  "where",
  "with",
  "your",
  "avec",
  "dans",
  "pour",
  "votre",
  "merci",
  "bonjour"
])

/**
 * The sample of a ticket (its state, or a summary with the same fields), with a classifier's
 * topics if there are any.
 *
 * @category constructors
 * @since 0.1.0
 */
export const sampleOf = (
  ticket: Pick<Ticket, "id" | "publicId" | "createdAt" | "subject" | "tags">,
  topics?: ReadonlyArray<string>
): Sample => ({
  ticketId: ticket.id,
  publicId: ticket.publicId,
  createdAt: ticket.createdAt.epochMilliseconds,
  subject: ticket.subject,
  tags: ticket.tags,
  ...(topics === undefined ? {} : { topics })
})

/**
 * The keys a sample is counted under, each once: `tag:<tag>`, `subject:<word>`, `topic:<topic>`.
 *
 * @category combinators
 * @since 0.1.0
 */
export const keysOf = (
  sample: Sample,
  options: Pick<Options, "minWordLength" | "sources"> = {}
): ReadonlyArray<readonly [Source, string]> => {
  const sources = options.sources ?? ["tag", "subject", "topic"]
  const minWord = options.minWordLength ?? 4
  const keys = new Map<string, readonly [Source, string]>()
  const put = (source: Source, value: string) => {
    if (value.length > 0) keys.set(`${source}:${value}`, [source, value])
  }
  if (sources.includes("tag")) for (const tag of sample.tags) put("tag", tag)
  if (sources.includes("subject")) {
    for (const word of Text.words(sample.subject)) {
      if (word.length >= minWord && !common.has(word) && !/^\d+$/.test(word)) put("subject", word)
    }
  }
  if (sources.includes("topic")) for (const topic of sample.topics ?? []) put("topic", topic)
  return [...keys.values()]
}

/** Tickets of `a` that are also in `b`, as a share of `a`. */
const overlap = (a: ReadonlyArray<TicketId>, b: ReadonlySet<TicketId>): number =>
  a.length === 0 ? 0 : a.filter((t) => b.has(t)).length / a.length

/**
 * The keys whose volume rises this week against their own baseline, strongest first (the
 * highest ratio, then the most tickets, then by source and value); a key whose tickets are
 * mostly (at least half) those of a stronger rise is listed in that rise's `related` instead, so
 * a bug's own words come first and the broad tag it also raises joins them. Pure:
 * the same samples and options give the same answer, whatever the samples' order.
 *
 * @example
 * ```ts
 * const rises = Recurring.detect(tickets.map((t) => Recurring.sampleOf(t)), { now: Date.parse("2026-03-30") })
 * rises[0]?.tickets // the tickets to link to a problem (Helpdesk.openProblem)
 * ```
 *
 * @category combinators
 * @since 0.1.0
 */
export const detect = (samples: Iterable<Sample>, options: Options): ReadonlyArray<Rise> => {
  const weeks = Math.max(1, Math.floor(options.baselineWeeks ?? 4))
  const minTickets = Math.max(1, options.minTickets ?? 3)
  const factor = Math.max(1, options.factor ?? 3)
  const spread = Math.max(0, options.spread ?? 3)
  const now = options.now
  const start = now - week * (weeks + 1)
  const counts = new Map<
    string,
    { source: Source; value: string; weekly: Array<number>; current: Array<readonly [number, TicketId]> }
  >()
  for (const sample of samples) {
    const at = sample.createdAt
    if (!(at >= start && at < now)) continue
    // 0 for the current week, 1 for the week before it, ...
    const back = Math.floor((now - 1 - at) / week)
    for (const [source, value] of keysOf(sample, options)) {
      const key = `${source}:${value}`
      let entry = counts.get(key)
      if (entry === undefined) {
        entry = { source, value, weekly: new Array<number>(weeks).fill(0), current: [] }
        counts.set(key, entry)
      }
      if (back === 0) entry.current.push([at, sample.ticketId])
      else entry.weekly[weeks - back] = (entry.weekly[weeks - back] ?? 0) + 1
    }
  }
  const rising: Array<Omit<Rise, "related">> = []
  for (const entry of counts.values()) {
    const current = entry.current.length
    const baseline = entry.weekly.reduce((a, b) => a + b, 0) / weeks
    const expected = Math.max(baseline, 1)
    const ratio = current / expected
    if (current < minTickets || ratio < factor || current < baseline + spread * Math.sqrt(expected)) continue
    const tickets = [...entry.current]
      .sort(([a, x], [b, y]) => a - b || (x < y ? -1 : x > y ? 1 : 0))
      .map(([, id]) => id)
    rising.push({ source: entry.source, value: entry.value, current, weekly: entry.weekly, baseline, ratio, tickets })
  }
  rising.sort(
    (a, b) =>
      b.ratio - a.ratio ||
      b.current - a.current ||
      (a.source < b.source ? -1 : a.source > b.source ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0)
  )
  const kept: Array<{
    rise: Omit<Rise, "related">
    members: Set<TicketId>
    related: Array<{ source: Source; value: string }>
  }> = []
  for (const rise of rising) {
    const home = kept.find((k) => overlap(rise.tickets, k.members) >= 0.5)
    if (home === undefined) kept.push({ rise, members: new Set(rise.tickets), related: [] })
    else home.related.push({ source: rise.source, value: rise.value })
  }
  return kept.map(({ rise, related }) => ({ ...rise, related }))
}

/**
 * A subject for the problem ticket of a rise: `Recurring: <value>` with the related keys.
 *
 * @category combinators
 * @since 0.1.0
 */
export const describe = (rise: Rise): string => {
  const also = rise.related.slice(0, 3).map((r) => r.value)
  const base = `Recurring: ${rise.value}${also.length === 0 ? "" : ` (${also.join(", ")})`}`
  return `${base} — ${rise.current} tickets this week, ${Math.round(rise.baseline * 10) / 10}/week before`
}
