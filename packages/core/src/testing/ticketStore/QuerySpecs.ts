/**
 * Random queries for the `TicketStore` suite, picked to be seldom empty: filters on the seeded
 * directory's ids and enumerations, instants and search terms chosen when the query runs from
 * the data it runs on (a ticket's times, a word of its texts in another case, with accents, cut
 * to a prefix), every sort and direction. `resolveQuery` turns a spec into the query.
 */
import { DateTime } from "effect"
import * as fc from "fast-check"
import * as TicketQuery from "../../query/TicketQuery.js"
import type { StatusCategory, StatusId } from "../../ticket/Status.js"
import type { Channel } from "../../values/Channel.js"
import type { AgentId, ContactId, GroupId, OrganizationId } from "../../values/Ids.js"
import type { Known } from "./Support.js"

export const modelStart = Date.parse("2026-03-09T08:00:00.000Z")

export const statuses = ["new", "open", "pending", "on_hold", "awaiting_vendor", "solved", "closed"] as const

/** An instant a query filters on, picked when the query runs: a time of the run's tickets, or a fixed one. */
export type InstantPick =
  | { readonly of: "createdAt" | "updatedAt" | "slaDueAt"; readonly pick: number; readonly offset: number }
  | { readonly fixed: number }

export type InstantKey = "createdFrom" | "createdTo" | "updatedFrom" | "updatedTo" | "slaDueBefore"

/** A search term, picked when the query runs from the words of the run's subjects and messages. */
export type TermPick =
  | {
      readonly kind: "raw" | "normalized" | "prefix" | "upper" | "accented" | "combining" | "decomposed"
      readonly pick: number
      readonly cut: number
    }
  | { readonly kind: "literal"; readonly text: string }

/** A query whose instants and search terms are picked from the data it runs on. */
export interface QuerySpec {
  readonly filters: TicketQuery.TicketQuery
  readonly instants: ReadonlyArray<readonly [InstantKey, InstantPick]>
  readonly search?: { readonly terms: ReadonlyArray<TermPick>; readonly separator: string }
}

const instantsOf = (known: ReadonlyArray<Known>, of: "createdAt" | "updatedAt" | "slaDueAt"): Array<number> =>
  known.flatMap(({ ticket, slaDueAt }) => {
    const value = of === "slaDueAt" ? slaDueAt : ticket[of]
    return value === undefined ? [] : [DateTime.toEpochMillis(value)]
  })

const resolveInstant = (pick: InstantPick, known: ReadonlyArray<Known>): DateTime.Utc => {
  if ("fixed" in pick) return DateTime.makeUnsafe(pick.fixed)
  const own = instantsOf(known, pick.of)
  const pool = own.length > 0 ? own : instantsOf(known, "updatedAt")
  const base = pool.length > 0 ? (pool[pick.pick % pool.length] as number) : modelStart
  return DateTime.makeUnsafe(base + pick.offset)
}

/** The words of the tickets' texts as people typed them: case, accents and all. */
const rawWords = (known: ReadonlyArray<Known>): ReadonlyArray<string> =>
  Array.from(
    new Set(
      known.flatMap(({ ticket }) =>
        [ticket.subject, ...ticket.messages.map((m) => m.text)].flatMap((text) =>
          text.split(/[^\p{L}\p{N}\p{M}]+/u).filter((w) => TicketQuery.words(w).length > 0)
        )
      )
    )
  )

const accents: Record<string, string> = { a: "á", e: "é", i: "î", o: "ö", u: "ü", c: "ç", n: "ñ" }

const resolveTerm = (term: TermPick, pool: ReadonlyArray<string>): string => {
  if (term.kind === "literal") return term.text
  const raw = pool.length > 0 ? (pool[term.pick % pool.length] as string) : "nothing"
  const normalized = TicketQuery.words(raw).join(" ")
  switch (term.kind) {
    case "raw":
      return raw
    case "normalized":
      return normalized
    case "prefix": {
      const chars = Array.from(TicketQuery.words(raw)[0] ?? raw)
      return chars.slice(0, 1 + (term.cut % chars.length)).join("")
    }
    case "upper":
      return raw.toUpperCase()
    case "accented":
      return normalized.replace(/[aeioucn]/g, (c) => accents[c] ?? c)
    case "combining":
      return Array.from(raw)
        .map((c) => `${c}\u0300`)
        .join("")
    case "decomposed":
      return raw.normalize("NFD")
  }
}

/** At most `max` UTF-16 units, cut between code points. */
const cutTo = (text: string, max: number): string => {
  let out = ""
  for (const c of text) {
    if (out.length + c.length > max) break
    out += c
  }
  return out
}

/** The query a spec stands for over `known` (the tickets its instants and words come from). */
export const resolveQuery = (spec: QuerySpec, known: ReadonlyArray<Known>): TicketQuery.TicketQuery => {
  const query: { -readonly [K in keyof TicketQuery.TicketQuery]: TicketQuery.TicketQuery[K] } = { ...spec.filters }
  for (const [key, pick] of spec.instants) query[key] = resolveInstant(pick, known)
  if (spec.search !== undefined) {
    const pool = rawWords(known)
    query.search = cutTo(spec.search.terms.map((t) => resolveTerm(t, pool)).join(spec.search.separator), 500)
  }
  return query
}

export const queryTags = fc.subarray(["billing", "vpn_issue", "été", "🎉_launch", "nothing"])

/** Filters on the seeded directory's ids, statuses, tags and enumerations, a sort and a direction. */
export const ticketQuery = (maxFilters: number): fc.Arbitrary<TicketQuery.TicketQuery> =>
  fc
    .tuple(
      fc.array(
        fc.oneof(
          fc
            .subarray([...statuses.filter((s) => s !== "awaiting_vendor")] as Array<StatusCategory>)
            .map((category) => ({
              category
            })),
          fc.subarray([...statuses] as Array<StatusId>).map((status) => ({ status })),
          fc.constantFrom(null, "mary", "sam", "ivan").map((assignee) => ({ assignee: assignee as AgentId | null })),
          fc.constantFrom(null, "billing", "tier2").map((group) => ({ group: group as GroupId | null })),
          fc.constantFrom("jane", "omar", "lee").map((requester) => ({ requester: requester as ContactId })),
          fc.constant({ organization: "acme" as OrganizationId }),
          fc.subarray(["low", "normal", "high", "urgent"] as const).map((priority) => ({ priority })),
          fc.subarray(["email", "web", "chat", "phone"] as Array<Channel>).map((channel) => ({ channel })),
          queryTags.map((tagsAny) => ({ tagsAny })),
          queryTags.map((tagsAll) => ({ tagsAll })),
          fc.constantFrom("all" as const, "public" as const).map((searchIn) => ({ searchIn }))
        ),
        { maxLength: maxFilters }
      ),
      fc.option(fc.constantFrom<TicketQuery.SortKey>("created", "updated", "priority", "sla_due", "sla_due"), {
        nil: undefined
      }),
      fc.option(fc.constantFrom<"asc" | "desc">("asc", "desc"), { nil: undefined })
    )
    .map(([filters, sort, direction]) => ({
      ...Object.assign({}, ...filters),
      ...(sort === undefined ? {} : { sort }),
      ...(direction === undefined ? {} : { direction })
    }))

const instantPick: fc.Arbitrary<InstantPick> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      of: fc.constantFrom("createdAt" as const, "updatedAt" as const, "slaDueAt" as const),
      pick: fc.nat(),
      offset: fc.constantFrom(0, 0, 0, -1, 1, -60_000, 3_600_000)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      fixed: fc.constantFrom(0, modelStart - 1, modelStart, modelStart + 10 * 86_400_000, Date.UTC(2200, 0, 1))
    })
  }
)

const termPick: fc.Arbitrary<TermPick> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "raw" as const,
        "normalized" as const,
        "prefix" as const,
        "prefix" as const,
        "upper" as const,
        "accented" as const,
        "combining" as const,
        "decomposed" as const
      ),
      pick: fc.nat(),
      cut: fc.nat()
    })
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        "zyzzyva",
        "printer",
        "VPN",
        "merci",
        "ça",
        "4471",
        "'",
        "--",
        '"vpn"',
        "vpn*",
        "OR",
        "x".repeat(70)
      )
      .map((text) => ({ kind: "literal" as const, text }))
  }
)

const instantFilters = (minLength: number) =>
  fc.array(
    fc.tuple(
      fc.constantFrom<InstantKey>("createdFrom", "createdTo", "updatedFrom", "updatedTo", "slaDueBefore"),
      instantPick
    ),
    { minLength, maxLength: 2 }
  )

const searchPick = fc.record({
  terms: fc.array(termPick, { minLength: 1, maxLength: 2 }),
  separator: fc.constantFrom(" ", "  ", ", ", "-", "'", '"', " & ", " | ", "\t", "/")
})

/**
 * A query that stresses one thing at a time, so that answers are seldom empty: the directory
 * filters; instants (with at most one other filter); a search (likewise); or everything at once;
 * or none, only a sort.
 */
export const querySpec: fc.Arbitrary<QuerySpec> = fc.oneof(
  fc.record({ filters: ticketQuery(0), instants: fc.constant([]) }),
  fc.record({ filters: ticketQuery(2), instants: fc.constant([]) }),
  fc.record({ filters: ticketQuery(1), instants: instantFilters(1) }),
  fc.record({ filters: ticketQuery(1), instants: fc.constant([]), search: searchPick }),
  fc.record({ filters: ticketQuery(2), instants: instantFilters(0), search: searchPick })
)
